import type { PluginConfig } from '../../engine/config/types';
import { acct } from '../../engine/ledger/accounts';
import { Movements } from '../../engine/ledger/movements';
import type { Random } from '../../engine/rebate/lottery';
import { lastResetInstant } from '../../engine/rebate/rules';
import { doc, DocBudget } from '../../engine/settlement/budget';
import { shanghaiDay } from '../../engine/time';
import { GreenBook } from '../../engine/settlement/green-book';
import { emptyWrites, planBatch } from '../../engine/settlement/plan';
import type { OrderWork } from '../../engine/settlement/types';
import { col, MAX_TX_DOCS, runTransaction, s, type Store, type Tx } from '../../repo/db';
import type { EntryDoc, GreenStateDoc, OrderDoc, SettlerDoc } from '../../repo/documents';
import { postBatch } from '../../repo/ledger';
import { newId } from '../../repo/ids';
import { loadConfig } from '../config';
import { fence, type Lease } from './lease';
import { BATCH_ORDERS, EXIT_STEP_CANDIDATES, dueOrders, loadBuyers, loadCounters, loadGreen, loadGreenState, loadQueues, loadScopes, loadUnion, workFor } from './load';
import { saveJob } from './jobs';
import { exitPayoutStep, payoutsPending } from './exit-payouts';
import { PLAN_READS, releaseStep } from './release';
import { SETTLER_BOOK, writeBatch } from './write';

/**
 * The settler's steps. Each is ONE bounded transaction that starts with the fence (the lease
 * token) and does the most urgent thing there is, in this order:
 *   1. a scheduled reset that is due before the next order (队列奖励清零, SPEC §3.4),
 *   2. a step of a requested job (the day's union release, release.ts),
 *   3. a chunk of the green exit cascade, when the pool changed since it was last checked;
 *      once no more exits are due, the payouts of those exits, shopper by shopper (exit-payouts.ts),
 *   4. a batch of due orders, in payment order (a cut settlement first).
 * 4 takes turns with 2 and 3 while both have work, so neither a long release nor a long cascade
 * holds up the payments (while a release runs, the cascade waits for it, as before).
 * Everything is resumable from the database: a settler that dies between steps, or inside one
 * (its transaction never commits), leaves nothing half done.
 */

/** Documents the settler's own bookkeeping writes per step (its document, the book head, an outbox bundle) besides the plan's. */
export const OWN_DOCS = 6;
/** Entries expired per reset transaction: each writes the entry and, at most, its owner's QENT balance and row. */
export const RESET_CHUNK = 150;

export type StepKind = 'reset' | 'release' | 'exits' | 'batch';

export interface StepResult {
  kind: StepKind;
  /** orders finished by a batch */
  settled: string[];
  docs: number;
  /** a job step with more to do that comes next, before any order (the next step may be lazy) */
  continues?: boolean;
}

/**
 * A lazy step (committed without waiting for the journal) found orders to settle. A batch must be
 * durable when it commits: a waiting `order.pay` answers as soon as it sees its order settled.
 * The settler runs the step again, durable.
 */
export class DurableStepNeeded extends Error {
  constructor() {
    super('settler: a lazy step found a batch of orders; run it durable');
  }
}

export interface StepContext {
  store: Store;
  lease: Lease;
  random: Random;
  /** the business clock of the call that runs the settler (for resets and jobs when no order is due) */
  now: Date;
}

/**
 * One step; null when there is nothing to do. `lazy`: the step is acknowledged once applied,
 * without waiting for the journal (the previous step said a job continues: its next step then
 * computes while this one is written). A lazy step never settles orders (DurableStepNeeded).
 */
export function settlerStep(ctx: StepContext, lazy = false): Promise<StepResult | null> {
  return runTransaction(ctx.store, ctx.now, async (tx) => {
    // wall-clock time the step reads its snapshot: recorded on the orders it settles (settlement lag, payment order)
    const takenAt = new Date();
    const settler = await fence(tx, ctx.lease);
    const config = await loadConfig(tx);
    const due = await dueOrders(tx, settler, config, BATCH_ORDERS);
    const horizon = due[0] ? workAt(due[0]) : ctx.now;
    const instant = lastResetInstant(config.rebate.reset, horizon);
    if (instant && (!settler.resetAt || instant.getTime() > settler.resetAt.getTime())) return resetChunk(tx, instant, horizon);
    // The day's union release and a long cascade of exits take turns with due orders, so payments
    // keep settling while they run: after a job or exit step, a batch of due orders goes first.
    const ordersTurn = due.length > 0 && (settler.lastStep === 'release' || settler.lastStep === 'exits');
    const job = ordersTurn ? null : await col(tx.db, 'jobs').findOne({ kind: 'union-release', status: 'running' }, { ...s(tx), sort: { startedAt: 1, _id: 1 } });
    if (job) {
      const r = await releaseStep(tx, job, { planReads: PLAN_READS, maxDocs: MAX_TX_DOCS - OWN_DOCS });
      // (recorded once per run of release steps, not at every step: a payment recorded during any of
      // them then waits for this one step only, and a release without payments writes it once)
      if (settler.lastStep !== 'release') await settlerSet(tx, { lastStep: 'release' });
      // with orders due, a batch takes the next turn
      return { kind: 'release', settled: [], docs: r.docs, continues: r.running && due.length === 0 };
    }
    const green = await loadGreenState(tx, config);
    // each exit is its own event at the pool as it then is, and an order settled between two exit
    // steps simply comes before the later exits
    const exitsDue = (green.version ?? 0) !== settler.greenVersion;
    if (exitsDue && !ordersTurn) {
      const r = await exitChunk(tx, config, green, horizon);
      return { ...r, continues: r.continues === true && due.length === 0 };
    }
    // the exits' payouts, once no more exits are due (a shopper's exits of the whole cascade are then paid together)
    if (!exitsDue && payoutsPending(green) && !ordersTurn) {
      const r = await exitPayoutStep(tx, green, MAX_TX_DOCS - OWN_DOCS, horizon);
      if (settler.lastStep !== 'exits') await settlerSet(tx, { lastStep: 'exits' });
      return { kind: 'exits', settled: [], docs: tx.docsWritten(), continues: r.more && due.length === 0 };
    }
    if (due.length) {
      if (lazy) throw new DurableStepNeeded();
      return orderBatch(tx, config, settler, green, due, ctx.random, takenAt);
    }
    return null;
  }, { lazy });
}

const workAt = (o: OrderDoc) => o.settleDueAt ?? o.paidAt ?? o.createdAt;

const settlerSet = (tx: Tx, set: Partial<SettlerDoc>) => col(tx.db, 'settler').updateOne({ _id: 'settler' }, { $set: set }, s(tx));

/** 队列奖励清零: expire pending entries created before the instant, a chunk at a time. */
async function resetChunk(tx: Tx, instant: Date, at: Date): Promise<StepResult> {
  const batch = (await col(tx.db, 'entries').find({ status: 'pending', createdAt: { $lt: instant } }, s(tx)).sort({ createdAt: 1 }).limit(RESET_CHUNK).toArray()) as EntryDoc[];
  const mv = new Movements();
  const queues = new Map<string, { fen: number; count: number }>();
  let fen = 0;
  for (const e of batch) {
    const left = e.entitlementFen - e.receivedFen;
    mv.move(acct.userQueueEntitlement(e.userId), acct.queueEntitlementIssuer, left, '队列奖励清零');
    const q = queues.get(e.queueKey) ?? { fen: 0, count: 0 };
    queues.set(e.queueKey, { fen: q.fen + left, count: q.count + 1 });
    fen += left;
  }
  if (batch.length) {
    const r = await col(tx.db, 'entries').bulkWrite(
      batch.map((e) => ({ updateOne: { filter: { _id: e._id, status: 'pending' as const }, update: { $set: { status: 'expired' as const, closedAt: at } } } })),
      { ...s(tx), ordered: true },
    );
    if (r.matchedCount !== batch.length) throw new Error('invariant: an entry to expire was no longer pending');
    await col(tx.db, 'queues').bulkWrite(
      [...queues].map(([_id, q]) => ({ updateOne: { filter: { _id }, update: { $inc: { pendingFen: -q.fen, pendingCount: -q.count } } } })),
      { ...s(tx), ordered: true },
    );
  }
  const jobId = `reset:${instant.toISOString()}`;
  const job = await col(tx.db, 'jobs').findOne({ _id: jobId }, s(tx));
  const chunk = (job?.chunks ?? 0) + 1;
  await postBatch(tx, SETTLER_BOOK, [{ draft: { eventKey: `queue.reset:${instant.toISOString()}:${chunk}`, type: 'queue.reset', postings: mv.postings, refs: { instant: instant.toISOString() } }, at }]);
  const done = batch.length < RESET_CHUNK;
  await saveJob(tx, jobId, 'reset', done, { processed: batch.length, amountFen: fen });
  if (done) await settlerSet(tx, { resetAt: instant });
  return { kind: 'reset', settled: [], docs: tx.docsWritten(), continues: !done };
}

/** A chunk of the forced-exit cascade (出局), after the pool changed outside a batch (a withdrawal, a refund …). */
async function exitChunk(tx: Tx, config: PluginConfig, green: GreenStateDoc, at: Date): Promise<StepResult> {
  const version = green.version ?? 0;
  if (!config.green.enabled) {
    await settlerSet(tx, { greenVersion: version });
    return { kind: 'exits', settled: [], docs: tx.docsWritten() };
  }
  const load = await loadGreen(tx, [], config, green, 0, EXIT_STEP_CANDIDATES);
  const book = new GreenBook(load);
  const w = emptyWrites();
  const budget = new DocBudget(MAX_TX_DOCS - OWN_DOCS);
  // what an exit step writes besides the lots and the shoppers' accounts: the pool state, its day and the exits' journal entry
  budget.touch(doc.greenState, doc.greenDay(shanghaiDay(at)), doc.journal('exits'));
  // (each exit writes its lot; its holder is paid by a payout step, with their other exits: exit-payouts.ts)
  const r = book.runExits(w, budget, config.green, at, 0, { deferPayouts: true });
  w.journal.push(...r.journal);
  book.finish(w);
  await writeBatch(tx, w);
  // our own write bumps the version: when nothing more is due, that is the version checked
  await settlerSet(tx, r.more ? { lastStep: 'exits' } : { lastStep: 'exits', greenVersion: r.exited > 0 ? version + 1 : version });
  // (the exits' payouts follow once no more exits are due)
  return { kind: 'exits', settled: [], docs: tx.docsWritten(), continues: r.more || (green.exitPendingCount ?? 0) + r.exited > 0 };
}

/** A batch of due orders: load, plan (pure), write; the settler document records the sequence and any cut. */
async function orderBatch(tx: Tx, config: PluginConfig, settler: SettlerDoc, greenBefore: GreenStateDoc, due: OrderDoc[], random: Random, takenAt: Date): Promise<StepResult> {
  const scopes = await loadScopes(tx, due);
  const works: OrderWork[] = due.map((o) => workFor(o, scopes.get(o._id)!));
  const maxDocs = MAX_TX_DOCS - OWN_DOCS;
  const buyers = await loadBuyers(tx, works, config);
  const plan = planBatch({
    config,
    works,
    queues: await loadQueues(tx, works, config, Math.floor(maxDocs / 5)),
    union: await loadUnion(tx, works, buyers, config),
    green: await loadGreen(tx, works, config, greenBefore),
    buyers,
    counters: await loadCounters(tx, works, config),
    random,
    newId,
    maxDocs,
  });
  // the settlement sequence: payment order as the settler took it (no counter any payment writes)
  let seq = settler.seq;
  const wall = new Date();
  for (const d of plan.done) {
    const set = plan.writes.orders.get(d.orderId)!;
    Object.assign(set, { settleSeq: ++seq, settleTakenAt: takenAt, settledWallAt: wall });
  }
  await writeBatch(tx, plan.writes);
  const set: Partial<SettlerDoc> = { seq, cut: plan.cut?.orderId ?? null, lastStep: 'batch' };
  if (plan.writes.green && !plan.greenExitsPending && (greenBefore.version ?? 0) === settler.greenVersion) set.greenVersion = (greenBefore.version ?? 0) + 1;
  await settlerSet(tx, set);
  return { kind: 'batch', settled: plan.done.map((d) => d.orderId), docs: tx.docsWritten() };
}
