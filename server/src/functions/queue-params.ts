import { z } from 'zod';
import { ENTRY_STATUSES, EXCHANGE_TARGETS } from '../../../shared/contract';
import { id } from '../runtime/params';

/**
 * Parameters of the queue function's actions (schemas only, no services). The client's request
 * types come from these through the typed API map (server/src/functions/api.ts).
 */

/** queue.mine: my entries, newest first. */
export const mineParams = z.strictObject({ status: z.enum(ENTRY_STATUSES).optional(), limit: z.number().int().min(1).max(100).optional() });

/** queue.draw: 抽奖 for one entry. */
export const drawParams = z.strictObject({ entryId: id });

/** queue.exchange: 兑换 an entry's unpaid remainder into a target. */
export const exchangeParams = z.strictObject({ entryId: id, to: z.enum(EXCHANGE_TARGETS) });
