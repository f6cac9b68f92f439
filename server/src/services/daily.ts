import { lastResetInstant } from '../engine/rebate/rules';
import { shanghaiDay } from '../engine/time';
import { AppError } from '../runtime/errors';
import type { AppDeps } from '../runtime/context';
import { col } from '../repo/db';
import type { JobDoc } from '../repo/documents';
import { readConfig } from './config';
import { runSweeps } from './sweeps';

/**
 * The daily job (timer trigger at 00:00 Asia/Shanghai, or admin.runDaily): it asks for the day's
 * union static release, then runs the settler to the end — which applies a due scheduled reset
 * (队列奖励清零) before anything after its time, releases the union entries in bounded chunks,
 * runs the green exit cascade and settles whatever payments are due — and runs the sweeps. What it
 * queued (payout messages …) is sent after its answer, like any call's (services/outbox).
 * Every step is a bounded transaction of the settler (SPEC §9) and idempotent: run twice, or on
 * two instances at once, it does nothing twice. The call that created the day's release job
 * reports it; any other reports `alreadyDone`.
 */
export async function runDaily(deps: AppDeps, now: Date, day = shanghaiDay(now)) {
  if (day > shanghaiDay(now)) throw new AppError('INVALID_INPUT', '不能提前运行未来日期的每日任务');
  const db = deps.store.db;
  const jobs = col(db, 'jobs');
  const releaseId = `union-release:${day}`;
  const requested = await jobs.updateOne(
    { _id: releaseId },
    {
      $setOnInsert: { kind: 'union-release', day, status: 'running', cursor: 0, heldFen: 0, chunks: 0, processed: 0, amountFen: 0, transactions: 0, note: '', startedAt: now, finishedAt: null },
    },
    { upsert: true },
  );
  const ownsRelease = requested.upsertedCount === 1;

  const config = await readConfig(db);
  const instant = lastResetInstant(config.rebate.reset, now);
  const resetId = instant ? `reset:${instant.toISOString()}` : null;
  const resetBefore = resetId ? await jobs.findOne({ _id: resetId }) : null;

  await deps.settler.drain(now);
  // a backstop for the outbox function's sweeps (payments, refunds, payouts not heard of)
  const sweeps = await runSweeps(deps, now);
  // orders the sweeps auto-confirmed (自动确认收货) settle now, like any completion
  if (sweeps.autoConfirm.completed > 0) await deps.settler.drain(now);

  const release = (await jobs.findOne({ _id: releaseId })) as JobDoc;
  const reset = resetId ? await jobs.findOne({ _id: resetId }) : null;
  const resetMine = reset && !resetBefore;
  return {
    day,
    reset: instant
      ? { due: true, instant: instant.toISOString(), expired: resetMine ? reset.processed : 0, writtenOffFen: resetMine ? reset.amountFen : 0, transactions: resetMine ? reset.transactions : 0 }
      : { due: false, expired: 0, writtenOffFen: 0, transactions: 0 },
    union: ownsRelease
      ? { released: release.processed, paidFen: release.amountFen, transactions: release.transactions, blocked: release.note === 'blocked', alreadyDone: false }
      : { released: 0, paidFen: 0, transactions: 0, blocked: release.note === 'blocked', alreadyDone: true },
    green: { checked: true },
    sweeps,
  };
}
