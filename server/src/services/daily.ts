import { lastResetInstant } from '../engine/rebate/rules';
import { shanghaiDay } from '../engine/time';
import type { AppDeps } from '../runtime/context';
import { col, runTransaction, s } from '../repo/db';
import { readConfig } from './config';
import { postEvent } from './events';
import { runExitCascade } from './green';
import { Movements } from './movements';
import { dispatchOutbox } from './outbox';
import { expireChunk } from './rebate';
import { runUnionRelease } from './union';

/** Entries expired per reset transaction. */
export const RESET_CHUNK = 500;

/**
 * The daily job (timer trigger at 00:00 Asia/Shanghai, or admin.runDaily): the scheduled queue
 * reset, the union static release for the day, the green forced-exit cascade, and the outbox.
 * Every step runs in bounded transactions and is idempotent: run twice, it does nothing twice.
 */
export async function runDaily(deps: AppDeps, now: Date, day = shanghaiDay(now)) {
  const reset = await runReset(deps, now);
  const union = await runUnionRelease(deps.store, now, day);
  const green = await runExitCascade(deps.store, now);
  const messages = await dispatchOutbox(deps.store, deps.wx, now);
  return { day, reset, union, green, messages };
}

/** 队列奖励清零 for the latest scheduled instant at or before now, once per instant. */
async function runReset(deps: AppDeps, now: Date) {
  const config = await readConfig(deps.store.db);
  const instant = lastResetInstant(config.rebate.reset, now);
  if (!instant) return { due: false, expired: 0, writtenOffFen: 0, transactions: 0 };
  const jobId = `reset:${instant.toISOString()}`;
  let expired = 0;
  let fen = 0;
  let transactions = 0;
  for (;;) {
    const r = await runTransaction(deps.store, now, async (tx) => {
      const job = await col(tx.db, 'jobs').findOne({ _id: jobId }, s(tx));
      if (job?.status === 'done') return { done: true, count: 0, fen: 0 };
      const mv = new Movements();
      const chunk = await expireChunk(tx, instant, RESET_CHUNK, mv);
      const done = chunk.count < RESET_CHUNK;
      await postEvent(tx, 'job:reset', `queue.reset:${instant.toISOString()}:${(job?.chunks ?? 0) + 1}`, 'queue.reset', mv, { instant: instant.toISOString() });
      await col(tx.db, 'jobs').updateOne(
        { _id: jobId },
        {
          $set: { status: done ? 'done' : 'running', finishedAt: done ? tx.now : null, note: '' },
          $inc: { chunks: 1, processed: chunk.count, amountFen: chunk.fen, transactions: 1, cursor: 0 },
          $setOnInsert: { startedAt: tx.now },
        },
        { ...s(tx), upsert: true },
      );
      return { done, count: chunk.count, fen: chunk.fen };
    });
    transactions++;
    expired += r.count;
    fen += r.fen;
    if (r.done) return { due: true, instant: instant.toISOString(), expired, writtenOffFen: fen, transactions };
  }
}
