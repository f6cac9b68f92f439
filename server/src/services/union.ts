import { acct } from '../engine/ledger/accounts';
import type { PluginConfig } from '../engine/config/types';
import { eligibleDay, planAcceleration, planStaticRelease, unionEntitlement, unionPoolInflow } from '../engine/union/union';
import { shanghaiDay } from '../engine/time';
import { mulBpFloor } from '../money/units';
import { col, runTransaction, s, type Store, type Tx } from '../repo/db';
import type { OrderDoc, UnionEntryDoc, UnionStateDoc } from '../repo/documents';
import { postEvent } from './events';
import { Movements } from './movements';
import { loadConfig } from './config';
import { queueOutbox } from './outbox';
import { addInflow } from './rebate';
import type { LineScope } from './rebate-rules';

/**
 * 工会排队 on the database (SPEC §4). The pool's state document mirrors CASH:pool:union;
 * pending entitlements are the memo asset UENT. Entries are paid in full, in seq order.
 */

/** Entries examined per static-release transaction. */
export const RELEASE_CHUNK = 500;
/** Bound on the referrer's entries one acceleration may touch. */
const ACCELERATION_MAX_ENTRIES = 200;

async function loadUnion(tx: Tx): Promise<UnionStateDoc> {
  return (
    (await col(tx.db, 'union_state').findOne({ _id: 'union' }, s(tx))) ?? { _id: 'union', poolFen: 0, nextSeq: 0, pendingCount: 0, pendingFen: 0, inflowFen: 0, releasedFen: 0 }
  );
}

/** Profit of a line: price − cost for products; paid × store commission for O2O (cashier) payments. */
export function lineProfitFen(scope: LineScope): number {
  if (scope.source.kind === 'cashier') return mulBpFloor(scope.line.cashFen, scope.store?.commissionBp ?? 0);
  return Math.max(0, scope.line.cashFen - scope.line.costFen * scope.line.qty);
}

function lockDaysFor(scope: LineScope, config: PluginConfig): number {
  return scope.product?.lockDays ?? scope.store?.lockDays ?? config.union.defaultLockDays;
}

/** Settlement share: pool inflow from each line's profit and one union entry per line for the buyer. */
export async function unionOnSettle(tx: Tx, order: OrderDoc, scopes: LineScope[], config: PluginConfig, mv: Movements): Promise<{ inflowFen: number; entries: number }> {
  if (!config.union.enabled) return { inflowFen: 0, entries: 0 };
  const state = await loadUnion(tx);
  const orderDay = shanghaiDay(order.paidAt ?? order.createdAt);
  let inflowFen = 0;
  let pendingFen = 0;
  let seq = state.nextSeq;
  for (const scope of scopes) {
    inflowFen += unionPoolInflow(lineProfitFen(scope), config.union.poolShareBp);
    const entitlementFen = unionEntitlement(scope.line.cashFen, config.union.entitlementBp);
    if (entitlementFen === 0) continue;
    const lockDays = lockDaysFor(scope, config);
    seq++;
    const entry: UnionEntryDoc = {
      _id: `${order._id}:${scope.index}`,
      seq,
      userId: order.userId,
      orderId: order._id,
      lineIndex: scope.index,
      entitlementFen,
      receivedFen: 0,
      status: 'pending',
      lockDays,
      orderDay,
      eligibleDay: eligibleDay(orderDay, lockDays),
      createdAt: tx.now,
      closedAt: null,
    };
    await col(tx.db, 'union_entries').insertOne(entry, s(tx));
    mv.move(acct.unionEntitlementIssuer, acct.userUnionEntitlement(order.userId), entitlementFen, '工会排队权益');
    pendingFen += entitlementFen;
  }
  inflowFen = Math.min(inflowFen, order.clearingFen);
  mv.move(acct.orderClearing(order._id), acct.unionPool, inflowFen, '工会池注入');
  await col(tx.db, 'union_state').updateOne(
    { _id: 'union' },
    { $set: { nextSeq: seq }, $inc: { poolFen: inflowFen, inflowFen, pendingFen, pendingCount: seq - state.nextSeq } },
    { ...s(tx), upsert: true },
  );
  await addInflow(tx, 'pool:union', inflowFen);
  return { inflowFen, entries: seq - state.nextSeq };
}

/** Pay union entries from the pool (full or partial) and keep the state document in step. */
async function payUnionEntries(tx: Tx, entries: UnionEntryDoc[], payouts: { id: string; amountFen: number }[], memo: string, mv: Movements): Promise<number> {
  let total = 0;
  let completed = 0;
  for (const p of payouts) {
    const e = entries.find((x) => x._id === p.id)!;
    const completes = e.receivedFen + p.amountFen === e.entitlementFen;
    await col(tx.db, 'union_entries').updateOne(
      { _id: e._id, status: 'pending' },
      { $inc: { receivedFen: p.amountFen }, $set: completes ? { status: 'completed', closedAt: tx.now } : {} },
      s(tx),
    );
    mv.move(acct.unionPool, acct.userCash(e.userId), p.amountFen, memo);
    mv.move(acct.userUnionEntitlement(e.userId), acct.unionEntitlementIssuer, p.amountFen, memo);
    await queueOutbox(tx, e.userId, completes ? 'completed' : 'payout', { amount: String(p.amountFen), entryId: e._id, queue: '工会排队' });
    total += p.amountFen;
    if (completes) completed++;
  }
  if (total > 0) {
    await col(tx.db, 'union_state').updateOne({ _id: 'union' }, { $inc: { poolFen: -total, pendingFen: -total, releasedFen: total, pendingCount: -completed } }, s(tx));
  }
  return total;
}

/** 加速: the buyer's direct referrer gets part of the paid amount released from the pool onto their oldest pending entries. */
export async function accelerateReferrer(tx: Tx, order: OrderDoc, referrerId: string | null, config: PluginConfig, mv: Movements): Promise<number> {
  if (!config.union.enabled || !referrerId || config.union.accelerationBp === 0) return 0;
  const state = await loadUnion(tx);
  const pending = (await col(tx.db, 'union_entries')
    .find({ userId: referrerId, status: 'pending' }, s(tx))
    .sort({ seq: 1 })
    .limit(ACCELERATION_MAX_ENTRIES)
    .toArray()) as UnionEntryDoc[];
  const plan = planAcceleration(
    order.cashFen,
    config.union.accelerationBp,
    state.poolFen,
    pending.map((e) => ({ id: e._id, remainingFen: e.entitlementFen - e.receivedFen })),
  );
  return payUnionEntries(tx, pending, plan.payouts.map((p) => ({ id: p.id, amountFen: p.amountFen })), '工会排队加速', mv);
}

/** A refund cancels the order's pending union entries (unpaid remainder written off). */
export async function cancelUnionEntries(tx: Tx, orderId: string, mv: Movements): Promise<void> {
  const entries = await col(tx.db, 'union_entries').find({ orderId, status: 'pending' }, s(tx)).toArray();
  let fen = 0;
  for (const e of entries) {
    const left = e.entitlementFen - e.receivedFen;
    await col(tx.db, 'union_entries').updateOne({ _id: e._id }, { $set: { status: 'cancelled', closedAt: tx.now } }, s(tx));
    mv.move(acct.userUnionEntitlement(e.userId), acct.unionEntitlementIssuer, left, '退款取消工会权益');
    fen += left;
  }
  if (entries.length) await col(tx.db, 'union_state').updateOne({ _id: 'union' }, { $inc: { pendingFen: -fen, pendingCount: -entries.length } }, s(tx));
}

/**
 * 静态释放 for `day`: eligible entries (eligibleDay ≤ day) in seq order, each paid in full while
 * the pool can; stops at the first it cannot pay. One bounded transaction per chunk; the job
 * document (`union-release:<day>`) holds the cursor, so a re-run resumes, and a finished day
 * releases nothing more.
 */
export async function runUnionRelease(store: Store, now: Date, day: string): Promise<{ released: number; paidFen: number; transactions: number; blocked: boolean; alreadyDone: boolean }> {
  const jobId = `union-release:${day}`;
  let released = 0;
  let paidFen = 0;
  let transactions = 0;
  for (;;) {
    const r = await runTransaction(store, now, async (tx) => {
      const jobs = col(tx.db, 'jobs');
      const job = (await jobs.findOne({ _id: jobId }, s(tx))) ?? {
        _id: jobId, status: 'running' as const, cursor: 0, chunks: 0, processed: 0, amountFen: 0, transactions: 0, note: '', startedAt: tx.now, finishedAt: null,
      };
      if (job.status === 'done') return { done: true, already: true, count: 0, fen: 0, blocked: job.note === 'blocked' };
      const state = await loadUnion(tx);
      const batch = (await col(tx.db, 'union_entries')
        .find({ status: 'pending', eligibleDay: { $lte: day }, seq: { $gt: job.cursor } }, s(tx))
        .sort({ seq: 1 })
        .limit(RELEASE_CHUNK)
        .toArray()) as UnionEntryDoc[];
      const plan = planStaticRelease(state.poolFen, batch.map((e) => ({ id: e._id, remainingFen: e.entitlementFen - e.receivedFen })));
      const mv = new Movements();
      const fen = await payUnionEntries(tx, batch, plan.paid, '工会排队释放', mv);
      const lastPaid = plan.paid.length ? batch[plan.paid.length - 1]!.seq : job.cursor;
      const done = plan.blocked || batch.length < RELEASE_CHUNK;
      await postEvent(tx, 'job:union', `union.release:${day}:${job.chunks + 1}`, 'union.release', mv, { day, chunk: job.chunks + 1 });
      await jobs.updateOne(
        { _id: jobId },
        {
          $set: { status: done ? 'done' : 'running', cursor: lastPaid, note: plan.blocked ? 'blocked' : '', finishedAt: done ? tx.now : null },
          $inc: { chunks: 1, processed: plan.paid.length, amountFen: fen, transactions: 1 },
          $setOnInsert: { startedAt: tx.now },
        },
        { ...s(tx), upsert: true },
      );
      return { done, already: false, count: plan.paid.length, fen, blocked: plan.blocked };
    });
    transactions++;
    released += r.count;
    paidFen += r.fen;
    if (r.done) return { released, paidFen, transactions, blocked: r.blocked, alreadyDone: r.already };
  }
}

export async function myUnion(tx: Tx, userId: string, now: Date) {
  const config = await loadConfig(tx);
  const state = await loadUnion(tx);
  const entries = await col(tx.db, 'union_entries').find({ userId }, s(tx)).sort({ seq: -1 }).limit(100).toArray();
  const today = shanghaiDay(now);
  return {
    enabled: config.union.enabled,
    poolFen: state.poolFen,
    pendingFen: state.pendingFen,
    entries: entries.map((e) => ({
      entryId: e._id,
      orderId: e.orderId,
      seq: e.seq,
      entitlementFen: e.entitlementFen,
      receivedFen: e.receivedFen,
      pendingFen: e.entitlementFen - e.receivedFen,
      status: e.status,
      lockDays: e.lockDays,
      orderDay: e.orderDay,
      eligibleDay: e.eligibleDay,
      eligible: e.eligibleDay <= today,
    })),
  };
}
