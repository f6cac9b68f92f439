/**
 * Request parameters of some actions, taken from the server's zod schemas (what the action
 * accepts, before defaults and trimming: z.input). Type-only: nothing of the server is bundled.
 * Call sites check their parameters with `satisfies`, so a renamed or new required field fails
 * to compile here. The rest of the client's call() parameters are still untyped.
 */
import type { z } from 'zod'
import type { orderFilter, reviewParams, shipParams } from '../../../server/src/functions/fulfilment-params'
import type { drawParams, exchangeParams, mineParams } from '../../../server/src/functions/queue-params'

/** merchant.orders / admin.orders filter */
export type OrderFilter = z.input<typeof orderFilter>
/** merchant.shipOrder / admin.shipOrder */
export type ShipParams = z.input<typeof shipParams>
/** merchant.reviewRefund / admin.reviewRefund */
export type ReviewParams = z.input<typeof reviewParams>
/** queue.mine */
export type QueueMineParams = z.input<typeof mineParams>
/** queue.draw */
export type DrawParams = z.input<typeof drawParams>
/** queue.exchange */
export type ExchangeParams = z.input<typeof exchangeParams>
