import { isDuplicateKeyError } from '../db/embedded/errors';
import type { ActionContext } from '../runtime/context';
import { AppError } from '../runtime/errors';
import { col, runTransaction, s, type Tx } from '../repo/db';
import type { UserDoc } from '../repo/documents';
import { requireUser } from '../services/users';

/** Run an action's work as one transaction on the caller's clock. */
export function inTx<T>(ctx: ActionContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return runTransaction(ctx.deps.store, ctx.now, fn);
}

/** One transaction with the signed-in shopper loaded inside it. */
export function asUser<T>(ctx: ActionContext, fn: (tx: Tx, user: UserDoc) => Promise<T>): Promise<T> {
  return inTx(ctx, async (tx) => fn(tx, await requireUser(tx, ctx.caller.openid)));
}

/**
 * After an action that changed the green pool (a withdrawal, a transfer, a spend, a refund …):
 * lots may now be due to exit, which is the settler's work. Local mode waits for it, so the
 * caller sees the cascade; in WeChat the settler runs on its own and the answer does not wait.
 */
export async function afterPoolChange(ctx: ActionContext): Promise<void> {
  if (ctx.deps.wx.mode === 'local') await ctx.deps.settler.waitIdle(ctx.now, ctx.deps.settleWaitMs);
  else await ctx.deps.settler.nudge(ctx.now);
}

/**
 * A client retry of a creating action (same requestId) returns the first result instead of
 * creating again: the idempotency record is written in the action's own transaction, so the
 * second attempt fails on its primary key and changes nothing.
 */
export async function once<T>(ctx: ActionContext, actionName: string, requestId: string | undefined, fn: (tx: Tx, user: UserDoc) => Promise<T>): Promise<T> {
  if (!requestId) return asUser(ctx, fn);
  let key = '';
  try {
    return await asUser(ctx, async (tx, user) => {
      key = `${user._id}:${actionName}:${requestId}`;
      // a retry after the first attempt committed gets its answer, not a fresh run that may fail (e.g. 余额不足 for a
      // withdrawal that went through); the unique key below still decides between attempts racing each other
      const done = await col(tx.db, 'idempotency').findOne({ _id: key }, s(tx));
      if (done) return done.result as T;
      const result = await fn(tx, user);
      await col(tx.db, 'idempotency').insertOne({ _id: key, result: JSON.parse(JSON.stringify(result)), at: tx.now }, s(tx));
      return result;
    });
  } catch (err) {
    if (!isDuplicateKeyError(err) || !key) throw err;
    const prior = await col(ctx.deps.store.db, 'idempotency').findOne({ _id: key });
    if (!prior) throw new AppError('CONFLICT');
    return prior.result as T;
  }
}
