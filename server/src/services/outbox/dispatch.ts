import { randomBytes } from 'node:crypto';
import type { Filter } from 'mongodb';
import { afterFailure } from '../../engine/outbox/retry';
import { col, runTransaction, s, type Store } from '../../repo/db';
import type { OutboxDoc } from '../../repo/documents';
import { asWxError, WxError } from '../../runtime/wx';
import { readConfig } from '../config';
import type { OutboxKind, SendContext, SendOutcome } from './kinds';
import { kindOf } from './registry';

/**
 * Sending what the outbox holds (SPEC §9): claim a message with a lease, call WeChat, record the
 * result. At least once, with exactly-once effect where WeChat honours a key:
 *  - the claim is one conditional update (pending and due, or sending with an expired lease), so
 *    two dispatchers never call for the same message at the same time;
 *  - the call happens outside any transaction, with the message's key (refund number, bill number);
 *  - the record is one transaction that first checks the claim is still ours, then writes the
 *    kind's business effect and the message's new state — so an effect is recorded once;
 *  - a dispatcher that dies between the call and the record leaves the message `sending`; when the
 *    lease expires another claims it and calls again with the same key, and WeChat answers with
 *    what the first call did (a sweep does the same for refunds and payouts: services/*-sweep).
 * The lease and backoff run on the business clock (`now`: x-now in local mode, real time in WeChat).
 */

/** How long a claim holds: longer than a call may take (CALL_TIMEOUT_MS), far shorter than a backoff step matters. */
export const LEASE_MS = 60_000;
/** A call that has not answered after this is given up as "outcome unknown" (retryable; the key makes a repeat safe). */
export const CALL_TIMEOUT_MS = 20_000;
/** Messages claimed per pass. */
export const DISPATCH_BATCH = 50;
/**
 * Messages of a pass in flight at once, where the pass has the process to itself (the `outbox`
 * cloud function, a drain; see Dispatcher.run). Each is an external call (tens of ms in WeChat
 * cloud) between two small transactions of its own; one at a time, a job that queued 10⁵
 * messages took minutes to deliver even locally. Messages are independent — any number of
 * dispatchers may already send at once — so a pass overlaps a few.
 */
export const DISPATCH_CONCURRENCY = 8;
/** Errors kept on a message for admins. */
const ERRORS_KEPT = 5;

/** Due messages: pending and not before now (legacy documents have no nextAt), or claimed by a dispatcher whose lease ran out. */
export function dueFilter(now: Date): Filter<OutboxDoc> {
  return {
    $or: [
      { status: 'pending', nextAt: { $lte: now } },
      { status: 'pending', nextAt: { $exists: false } },
      { status: 'sending', leaseUntil: { $lt: now } },
    ],
  };
}

export interface PassReport {
  claimed: number;
  done: number;
  skipped: number;
  retried: number;
  dead: number;
  /** claims that another dispatcher took over before we recorded (its record counts) */
  lost: number;
  split: number;
  /** more due messages than this pass handled */
  more: boolean;
}

export const emptyReport = (): PassReport => ({ claimed: 0, done: 0, skipped: 0, retried: 0, dead: 0, lost: 0, split: 0, more: false });

/** Add one pass's counts to a running total (several passes reported as one). */
export function addReport(total: PassReport, r: PassReport): void {
  for (const k of ['claimed', 'done', 'skipped', 'retried', 'dead', 'lost', 'split'] as const) total[k] += r[k];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WxError('TIMEOUT', `no answer within ${ms} ms (outcome unknown)`, true)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A bundle's messages become single messages (one transaction, bounded by the bundle's size: one settler batch). */
async function splitBundle(store: Store, bundle: OutboxDoc, now: Date): Promise<void> {
  await runTransaction(store, now, async (tx) => {
    const still = await col(tx.db, 'outbox').findOne({ _id: bundle._id, status: 'pending' }, s(tx));
    if (!still) return;
    const docs: OutboxDoc[] = (still.messages ?? []).map((m, i) => ({
      _id: `${bundle._id}.${i}`,
      userId: m.userId,
      openid: '',
      kind: m.kind,
      data: m.data,
      key: null,
      status: 'pending',
      attempts: 0,
      nextAt: bundle.createdAt,
      lease: null,
      leaseUntil: null,
      createdAt: bundle.createdAt,
      sentAt: null,
      error: null,
    }));
    if (docs.length) await col(tx.db, 'outbox').insertMany(docs, s(tx));
    await col(tx.db, 'outbox').deleteOne({ _id: bundle._id }, s(tx));
  });
}

/** Claim one message if it is still due: status sending, our lease, one more attempt. */
async function claim(store: Store, id: string, now: Date, token: string): Promise<OutboxDoc | null> {
  return col(store.db, 'outbox').findOneAndUpdate(
    { _id: id, ...dueFilter(now) },
    { $set: { status: 'sending', lease: token, leaseUntil: new Date(now.getTime() + LEASE_MS) }, $inc: { attempts: 1 } },
    { returnDocument: 'after' },
  );
}

/** Record a successful call: the kind's effect and the message's state, only while the claim is ours. */
async function recordSuccess(store: Store, kind: OutboxKind, msg: OutboxDoc, outcome: SendOutcome, now: Date): Promise<boolean> {
  return runTransaction(store, now, async (tx) => {
    const mine = await col(tx.db, 'outbox').findOne({ _id: msg._id, status: 'sending', lease: msg.lease }, s(tx));
    if (!mine) return false;
    await kind.record?.(tx, mine, outcome);
    await col(tx.db, 'outbox').updateOne(
      { _id: msg._id, lease: msg.lease },
      { $set: { status: outcome.status, result: outcome.result, sentAt: now, lease: null, leaseUntil: null, error: null } },
      s(tx),
    );
    return true;
  });
}

/** Record a failed call: back to pending after the backoff, or dead (and the kind's dead-letter effect). */
async function recordFailure(store: Store, kind: OutboxKind, msg: OutboxDoc, err: WxError, now: Date): Promise<'retried' | 'dead' | 'lost'> {
  return runTransaction(store, now, async (tx) => {
    const mine = await col(tx.db, 'outbox').findOne({ _id: msg._id, status: 'sending', lease: msg.lease }, s(tx));
    if (!mine) return 'lost';
    const next = afterFailure(kind.retry, mine.attempts ?? 1, err.retryable, now);
    const error = err.message.slice(0, 300);
    const errors = [...(mine.errors ?? []), { at: now, error }].slice(-ERRORS_KEPT);
    await col(tx.db, 'outbox').updateOne(
      { _id: msg._id, lease: msg.lease },
      { $set: { status: next.status, ...(next.status === 'pending' ? { nextAt: next.nextAt } : {}), error, errors, lease: null, leaseUntil: null } },
      s(tx),
    );
    if (next.status === 'dead') await kind.onDead?.(tx, mine, error);
    return next.status === 'dead' ? 'dead' : 'retried';
  });
}

/** Claim, call and record one message. */
async function sendOne(ctx: SendContext, id: string, report: PassReport): Promise<void> {
  const token = randomBytes(8).toString('hex');
  const msg = await claim(ctx.store, id, ctx.now, token);
  if (!msg) return; // another dispatcher took it, or it is no longer due
  report.claimed++;
  const kind = kindOf(msg);
  if (!kind) {
    const unknown: OutboxKind = { retry: { maxAttempts: 1, baseMs: 0, capMs: 0 }, send: () => Promise.reject(new Error('unknown kind')) };
    const r = await recordFailure(ctx.store, unknown, msg, new WxError('UNKNOWN_KIND', `no outbox kind ${msg.kind} (services/outbox/registry.ts)`, false), ctx.now);
    report[r]++;
    return;
  }
  let outcome: SendOutcome;
  try {
    outcome = await withTimeout(kind.send(ctx, msg), CALL_TIMEOUT_MS);
  } catch (err) {
    const r = await recordFailure(ctx.store, kind, msg, asWxError(err), ctx.now);
    report[r]++;
    return;
  }
  const recorded = await recordSuccess(ctx.store, kind, msg, outcome, ctx.now);
  if (!recorded) report.lost++;
  else if (outcome.status === 'done') report.done++;
  else report.skipped++;
}

/**
 * One bounded pass: split due bundles, then claim, call and record up to `batch` due messages,
 * oldest first. Safe to run on any number of instances at once.
 */
export async function dispatchPass(ctx: Omit<SendContext, 'config'>, batch = DISPATCH_BATCH, concurrency = DISPATCH_CONCURRENCY): Promise<PassReport> {
  const report = emptyReport();
  const outbox = col(ctx.store.db, 'outbox');
  const config = await readConfig(ctx.store.db);
  const full: SendContext = { ...ctx, config };
  const due = await outbox
    .find(dueFilter(ctx.now), { projection: { _id: 1, kind: 1, status: 1, createdAt: 1, messages: 1 } })
    .sort({ nextAt: 1, _id: 1 })
    .limit(batch + 1)
    .toArray();
  report.more = due.length > batch;
  const singles: string[] = [];
  for (const m of due.slice(0, batch)) {
    if (m.kind === 'bundle') {
      if (m.status !== 'pending') continue;
      await splitBundle(ctx.store, m as OutboxDoc, ctx.now);
      report.split++;
      report.more = true; // its messages are sent by the next pass
      continue;
    }
    singles.push(m._id);
  }
  let next = 0;
  const worker = async () => {
    while (next < singles.length) await sendOne(full, singles[next++]!, report);
  };
  // (allSettled: a failing worker must not leave the others' failures unhandled)
  const settled = await Promise.allSettled(Array.from({ length: Math.min(Math.max(1, concurrency), singles.length) }, worker));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return report;
}

/** Whether anything is due (one indexed read). */
export async function outboxHasDue(store: Store, now: Date): Promise<boolean> {
  return !!(await col(store.db, 'outbox').findOne(dueFilter(now), { projection: { _id: 1 } }));
}

/**
 * An admin's retry of a dead letter (or a failed legacy message): pending again now, with a fresh
 * count of attempts. The key stays the same, so a refund or payout that did happen is not repeated.
 */
export async function retryMessage(store: Store, id: string, now: Date): Promise<OutboxDoc | null> {
  return col(store.db, 'outbox').findOneAndUpdate(
    { _id: id, status: { $in: ['dead', 'failed'] } },
    { $set: { status: 'pending', nextAt: now, attempts: 0, lease: null, leaseUntil: null } },
    { returnDocument: 'after' },
  );
}
