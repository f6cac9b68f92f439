/**
 * Request parameters by the names the pages use: each is what the action's zod schema accepts
 * (z.input: before defaults and trimming), through the typed API map (server/src/functions/api.ts,
 * type-only). `call()` checks every call's parameters the same way; these names are for code that
 * builds parameters ahead of the call.
 */
import type { ApiParams } from './api'

/** merchant.orders / admin.orders filter */
export type OrderFilter = NonNullable<ApiParams<'admin', 'orders'>['filter']>
/** merchant.shipOrder / admin.shipOrder */
export type ShipParams = ApiParams<'merchant', 'shipOrder'>
/** merchant.reviewRefund / admin.reviewRefund */
export type ReviewParams = ApiParams<'merchant', 'reviewRefund'>
/** queue.mine */
export type QueueMineParams = ApiParams<'queue', 'mine'>
/** queue.draw */
export type DrawParams = ApiParams<'queue', 'draw'>
/** queue.exchange */
export type ExchangeParams = ApiParams<'queue', 'exchange'>
