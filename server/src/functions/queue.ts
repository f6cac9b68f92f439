import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { loadConfig } from '../services/config';
import { postEvent, userBook } from '../services/events';
import { Movements } from '../services/movements';
import { queueBoard, myEntries } from '../services/queue-views';
import { drawForEntry, exchangeEntry } from '../services/rebate';
import { drawParams, exchangeParams, mineParams } from './queue-params';
import { asUser } from './tx';

export const queue = {
  /** My entries, newest first, with position, progress, lottery and exchange state. */
  mine: action({
    access: 'user',
    params: mineParams,
    run: (ctx, p) => asUser(ctx, (tx, user) => myEntries(tx, user._id, { status: p.status, limit: p.limit ?? 50 })),
  }),
  /** 抽奖: once per entry, before its first payout; server-side crypto randomness. */
  draw: action({
    access: 'user',
    params: drawParams,
    run: (ctx, p) =>
      asUser(ctx, async (tx, user) => {
        const mv = new Movements();
        const r = await drawForEntry(tx, p.entryId, user._id, ctx.deps.random, mv);
        await postEvent(tx, userBook(user._id), `queue.draw:${p.entryId}`, 'queue.draw', mv, { entryId: p.entryId });
        return r;
      }),
  }),
  /** 兑换: the unpaid remainder becomes points / love value / vouchers at the configured ratio. */
  exchange: action({
    access: 'user',
    params: exchangeParams,
    run: (ctx, p) =>
      asUser(ctx, async (tx, user) => {
        const config = await loadConfig(tx);
        const mv = new Movements();
        const r = await exchangeEntry(tx, p.entryId, user._id, p.to, config, mv);
        await postEvent(tx, userBook(user._id), `queue.exchange:${p.entryId}`, 'queue.exchange', mv, { entryId: p.entryId, to: p.to });
        return r;
      }),
  }),
  /** The head of a queue as the display toggles allow. */
  board: action({
    access: 'user',
    params: z.strictObject({ queueKey: z.string().min(1).max(80).regex(/^[A-Za-z0-9_:-]+$/), limit: z.number().int().min(1).max(50).optional() }),
    run: (ctx, p) => asUser(ctx, (tx, user) => queueBoard(tx, p.queueKey, user._id, p.limit ?? 20)),
  }),
} satisfies CloudFunction;
