import { acct } from '../../engine/ledger/accounts';
import { Movements } from '../../engine/ledger/movements';
import type { PlannedMessage } from '../../engine/settlement/types';
import { planStaticRelease } from '../../engine/union/union';
import { col, s, type Tx } from '../../repo/db';
import type { JobDoc, UnionEntryDoc } from '../../repo/documents';
import { postBatch } from '../../repo/ledger';
import { queueMessages } from '../outbox/queue';
import { saveJob as saveJobDoc } from './jobs';
import { SETTLER_BOOK } from './write';

/**
 * 静态释放 (SPEC §4): the day's union release, as settler steps (each one bounded transaction).
 *
 * The rule is about WHICH entries are paid: eligible entries in full, in queue (seq) order, while
 * the pool can pay the next one; it stops at the first it cannot pay. So the job works in two
 * phases:
 *
 *   plan  read eligible pending entries in seq order (PLAN_READS per step, nothing but the job
 *         document written) and find the cut: the last entry the pool pays in full. Every
 *         eligible pending entry up to the cut is paid, and no other.
 *   pay   pay those entries shopper by shopper: a step takes the lowest unpaid entry's shopper
 *         and all of that shopper's entries up to the cut (then the next shopper's, while the
 *         bound allows), and moves each shopper's total in ONE posting per account, with one
 *         message per shopper.
 *
 * Why not pay in seq order, chunk by chunk: consecutive entries mostly belong to different
 * shoppers, so each paid entry would write its own two balances and two ledger rows (five
 * documents); paying a shopper's entries together writes those four once. The set paid is the
 * same, because the pool covers all of them.
 *
 * Nothing else changes the pool while the job runs: the pool moves only in settler steps, and the
 * job's steps come before any batch of orders. A refund may cancel a planned entry meanwhile; its
 * money then stays in the pool, so when the pay phase ends at a blocked cut, the job plans again
 * from the cut (the pool may now pay the next entry). The pay phase also checks that the pool is
 * exactly what the plan left it; if anything else moved it, the job plans again from where it is.
 */

/** Entries read (not written) per plan step. */
export const PLAN_READS = 10_000;
/** Pending entries read per pay step to find the next shoppers in seq order. */
const PAY_SCAN = 128;
/** Documents a pay step writes besides its entries and per-shopper documents: the pool's balance and row, union_state, the journal entry and its book's head, the messages' outbox bundle, the job. */
const PAY_FIXED = 7;
/** Per shopper: the CASH and UENT balances and their rows. */
const PER_SHOPPER = 4;

/** A shopper with at most this many planned entries suggests the next ones have few too (see payStep). */
const FEW_ENTRIES = 4;

type Step = { docs: number };

const pendingEligible = (day: string, from: number, to?: number) => ({
  status: 'pending' as const,
  eligibleDay: { $lte: day },
  seq: to === undefined ? { $gt: from } : { $gt: from, $lte: to },
});

async function poolFen(tx: Tx): Promise<number> {
  return (await col(tx.db, 'union_state').findOne({ _id: 'union' }, s(tx)))?.poolFen ?? 0;
}

/** This job's step: its totals and where it stands (`status: 'done'` in `set` closes it). */
function saveJob(tx: Tx, job: JobDoc, set: Partial<JobDoc>, inc?: { processed: number; amountFen: number }): Promise<void> {
  const { status, ...rest } = set;
  // (this step's copy of the job records the outcome: releaseStep reports whether it runs on)
  job.status = status === 'done' ? 'done' : 'running';
  return saveJobDoc(tx, job._id, 'union-release', status === 'done', inc, rest);
}

/** Limits of a step (the settler's: PLAN_READS, PAY_SCAN and the bound less its own bookkeeping; tests make them small to reach every path with few entries). */
export interface ReleaseLimits {
  planReads: number;
  /** documents the release may write in one step */
  maxDocs: number;
  /** pending entries a pay step reads in seq order to find its shoppers (PAY_SCAN) */
  payScan?: number;
}

/** One step of the day's union release; `running`: the job has more steps. */
export async function releaseStep(tx: Tx, job: JobDoc, limits: ReleaseLimits): Promise<Step & { running: boolean }> {
  const step = job.phase === 'pay' ? await payStep(tx, job, limits) : await planStep(tx, job, limits);
  return { ...step, running: job.status === 'running' };
}

/** Count eligible pending entries in seq order from the cursor until the pool runs out or they end. */
async function planStep(tx: Tx, job: JobDoc, limits: ReleaseLimits): Promise<Step> {
  const day = job.day!;
  const pool = await poolFen(tx);
  const counted = job.planFen ?? 0;
  const batch = (await col(tx.db, 'union_entries').find(pendingEligible(day, job.cursor), s(tx)).sort({ seq: 1 }).limit(limits.planReads).toArray()) as UnionEntryDoc[];
  const plan = planStaticRelease(
    pool - counted,
    batch.map((e) => ({ id: e._id, remainingFen: e.entitlementFen - e.receivedFen })),
  );
  const fen = plan.paid.reduce((a, p) => a + p.amountFen, 0);
  const last = plan.paid.length ? batch[plan.paid.length - 1]!.seq : job.cursor;
  const ended = plan.blocked || batch.length < limits.planReads;
  const start = job.planFrom ?? job.cursor;
  if (!ended) {
    await saveJob(tx, job, { phase: 'plan', cursor: last, planFen: counted + fen, planFrom: start });
  } else if (last === start) {
    // the plan counted no entry: nothing (more) the pool can pay, the day is done
    await saveJob(tx, job, { status: 'done', phase: 'plan', note: plan.blocked ? 'blocked' : '', planFen: 0 });
  } else {
    // pay everything from where this plan started up to the cut; the pool must stay as it is now, less what is paid
    await saveJob(tx, job, { phase: 'pay', cursor: start, cutSeq: last, blocked: plan.blocked, planFen: 0, planFrom: null, expectPoolFen: pool });
  }
  return { docs: tx.docsWritten() };
}

/** Pay the lowest unpaid shoppers' planned entries, each shopper's together. */
async function payStep(tx: Tx, job: JobDoc, limits: ReleaseLimits): Promise<Step> {
  const day = job.day!;
  const at = job.startedAt;
  const cut = job.cutSeq ?? job.cursor;
  const pool = await poolFen(tx);
  if (pool !== job.expectPoolFen) {
    // something outside this job moved the pool: what the plan counted no longer holds
    await saveJob(tx, job, { phase: 'plan', planFen: 0, planFrom: null });
    return { docs: tx.docsWritten() };
  }
  const entries = col(tx.db, 'union_entries');
  const scan = limits.payScan ?? PAY_SCAN;
  const head = (await entries.find(pendingEligible(day, job.cursor, cut), s(tx)).sort({ seq: 1 }).limit(scan).toArray()) as UnionEntryDoc[];
  if (head.length === 0) {
    // every planned entry is paid (or was cancelled): a blocked cut is looked at again, since a
    // cancelled entry's money is still in the pool; otherwise the day is done
    if (job.blocked) await saveJob(tx, job, { phase: 'plan', cursor: cut, planFen: 0, planFrom: null, note: 'blocked' });
    else await saveJob(tx, job, { status: 'done', note: '' });
    return { docs: tx.docsWritten() };
  }
  // everything below the lowest unpaid planned entry is settled for this day
  const from = head[0]!.seq - 1;
  // `head` holds every planned entry up to its last one (it reads them all, in seq order), so a
  // shopper's entries need a query only beyond it; none at all when it read up to the cut
  const headLast = head.length < scan ? cut : head[head.length - 1]!.seq;
  const inHead = new Map<string, UnionEntryDoc[]>();
  for (const e of head) {
    const list = inHead.get(e.userId);
    if (list) list.push(e);
    else inHead.set(e.userId, [e]);
  }
  let room = limits.maxDocs - PAY_FIXED;
  const shoppers: { userId: string; entries: UnionEntryDoc[] }[] = [];
  // (in the seq order of their first planned entry)
  const candidates = [...inHead.keys()];
  // Shoppers' entries beyond `head`: the first one's from its own query; when that shopper has
  // few entries, the next ones' from ONE query over all of them (a queue where most shoppers hold
  // one entry would otherwise cost a query per entry). That query is used only when it returns
  // fewer than its limit, i.e. every matching entry; otherwise each shopper's own.
  let known: Map<string, UnionEntryDoc[]> | null = null;
  for (const userId of candidates) {
    if (room <= PER_SHOPPER) break;
    const max = room - PER_SHOPPER;
    let mine = inHead.get(userId)!;
    if (headLast < cut && mine.length < max) {
      const later =
        known?.get(userId) ??
        ((await entries
          .find({ ...pendingEligible(day, headLast, cut), userId }, s(tx))
          .sort({ seq: 1 })
          .limit(max - mine.length)
          .toArray()) as UnionEntryDoc[]);
      if (later.length > 0) mine = mine.concat(later);
    }
    if (mine.length > max) mine = mine.slice(0, max);
    shoppers.push({ userId, entries: mine });
    room -= mine.length + PER_SHOPPER;
    if (known === null && shoppers.length === 1 && headLast < cut && mine.length <= FEW_ENTRIES) known = await entriesOf(tx, day, headLast, cut, candidates.slice(1), room);
  }
  if (shoppers.length === 0) throw new Error(`invariant: a union release step has no room for one shopper (maxDocs ${limits.maxDocs})`);
  const mv = new Movements();
  const messages: PlannedMessage[] = [];
  let fen = 0;
  let count = 0;
  for (const { userId, entries: mine } of shoppers) {
    const amount = mine.reduce((a, e) => a + e.entitlementFen - e.receivedFen, 0);
    mv.move(acct.unionPool, acct.userCash(userId), amount, '工会排队释放');
    mv.move(acct.userUnionEntitlement(userId), acct.unionEntitlementIssuer, amount, '工会排队释放');
    // (an entry with nothing left to pay is closed without telling anyone it received ¥0)
    if (amount > 0) messages.push({ userId, kind: 'completed', data: { amount: String(amount), entryId: mine[0]!._id, count: String(mine.length), queue: '工会排队' } });
    fen += amount;
    count += mine.length;
  }
  if (fen > pool) {
    // (cannot happen while only this job moves the pool; if it did, plan again rather than fail every step)
    await saveJob(tx, job, { phase: 'plan', planFen: 0, planFrom: null });
    return { docs: tx.docsWritten() };
  }
  const paid = shoppers.flatMap((x) => x.entries);
  const r = await entries.bulkWrite(
    paid.map((e) => ({ updateOne: { filter: { _id: e._id, status: 'pending' as const }, update: { $set: { receivedFen: e.entitlementFen, status: 'completed' as const, closedAt: at } } } })),
    { ...s(tx), ordered: true },
  );
  if (r.matchedCount !== paid.length) throw new Error('invariant: a union entry to release was no longer pending');
  await col(tx.db, 'union_state').updateOne({ _id: 'union' }, { $inc: { poolFen: -fen, pendingFen: -fen, releasedFen: fen, pendingCount: -count } }, s(tx));
  const chunk = job.chunks + 1;
  await postBatch(tx, SETTLER_BOOK, [{ draft: { eventKey: `union.release:${day}:${chunk}`, type: 'union.release', postings: mv.postings, refs: { day, chunk } }, at }]);
  await queueMessages(tx, messages);
  await saveJob(tx, job, { cursor: from, expectPoolFen: pool - fen }, { processed: count, amountFen: fen });
  return { docs: tx.docsWritten() };
}

/**
 * Every planned entry of these shoppers in (from, cut] (seq order per shopper), in one query;
 * null when there are more than `limit` of them (then each shopper's are read on their own, as
 * many as fit).
 */
async function entriesOf(tx: Tx, day: string, from: number, cut: number, userIds: string[], limit: number): Promise<Map<string, UnionEntryDoc[]> | null> {
  if (userIds.length === 0 || limit <= 0) return null;
  const found = (await col(tx.db, 'union_entries')
    .find({ ...pendingEligible(day, from, cut), userId: { $in: userIds } }, s(tx))
    .limit(limit + 1)
    .toArray()) as UnionEntryDoc[];
  if (found.length > limit) return null;
  const by = new Map<string, UnionEntryDoc[]>(userIds.map((u) => [u, []]));
  for (const e of found) by.get(e.userId)!.push(e);
  for (const list of by.values()) list.sort((a, b) => a.seq - b.seq);
  return by;
}
