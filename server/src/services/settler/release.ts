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
import { UNION_MEMO } from '../../engine/union/memos';

/**
 * 静态释放 (SPEC §4): the day's union release, as settler steps (each one bounded transaction).
 *
 * The rule is about WHICH entries are paid: eligible entries in full, in queue (seq) order, while
 * the pool can pay the next one; it stops at the first it cannot pay. So the job works in two
 * phases:
 *
 *   plan  read eligible pending entries in seq order (PLAN_READS per step) and find the cut: the
 *         last entry the pool pays in full. Every eligible pending entry up to the cut is paid,
 *         and no other. Each step sets aside what it counted (below).
 *   pay   pay those entries shopper by shopper: a step takes the lowest unpaid entry's shopper
 *         and all of that shopper's entries up to the cut (then the next shopper's, while the
 *         bound allows), and moves each shopper's total in ONE posting per account, with one
 *         message per shopper.
 *
 * Why not pay in seq order, chunk by chunk: consecutive entries mostly belong to different
 * shoppers, so each paid entry would write its own balance and ledger row (three documents);
 * paying a shopper's entries together writes those two once. The set paid is the
 * same, because the money for all of them is set aside.
 *
 * Batches of orders settle between the job's steps (steps.ts: they take turns), so a payment made
 * while a long release runs is not held up until it ends. Their accelerations pay from the same
 * pool, so each plan step sets aside what it counted: it moves that money from the pool to the
 * release's hold account (CASH:pool:union:release, union_state.heldFen), and the pay steps pay from
 * there. What a batch can spend is the pool without it, so the entries counted are paid in full
 * whatever settles in between; money that reaches the pool meanwhile counts for the entries the
 * plan has not reached yet. An acceleration may still pay part of a counted entry (it pays a
 * referrer's oldest pending entries) and a refund may cancel one: the pay step pays what is left of
 * each entry when it gets to it, and when every planned entry is paid, what is left in the hold goes
 * back to the pool. A cut the pool stopped is then looked at again (the pool may now pay the next
 * entry); otherwise the day is done.
 */

/** Entries read (not written) per plan step. */
export const PLAN_READS = 10_000;
/** Pending entries read per pay step to find the next shoppers in seq order: with one entry per shopper, a little more than a step has room for (about 160 at the bound of 500: one entry and PER_SHOPPER documents each). */
const PAY_SCAN = 168;
/** Documents a pay step writes besides its entries and per-shopper documents: the hold's balance and row, union_state, the journal entry and its book's head, the messages' outbox bundle, the job. */
const PAY_FIXED = 7;
/** Per shopper: the CASH balance and its row (their UENT is in the journal only: engine/ledger/accounts.ts `isChained`). */
const PER_SHOPPER = 2;

/** A shopper with at most this many planned entries suggests the next ones have few too (see payStep). */
const FEW_ENTRIES = 4;

type Step = { docs: number };

/** What a step reads of an entry (the engine copies only these fields out: a release reads each entry two or three times). */
const ENTRY_FIELDS = { seq: 1, userId: 1, entitlementFen: 1, receivedFen: 1 } as const;
type PlannedEntry = Pick<UnionEntryDoc, '_id' | 'seq' | 'userId' | 'entitlementFen' | 'receivedFen'>;

const pendingEligible = (day: string, from: number, to?: number) => ({
  status: 'pending' as const,
  eligibleDay: { $lte: day },
  seq: to === undefined ? { $gt: from } : { $gt: from, $lte: to },
});

async function poolFen(tx: Tx): Promise<number> {
  return (await col(tx.db, 'union_state').findOne({ _id: 'union' }, s(tx)))?.poolFen ?? 0;
}

/** Set money aside for the entries a plan step counted (pool → hold), or give back what the paid entries left (hold → pool). */
async function moveHold(tx: Tx, job: JobDoc, fen: number, direction: 'aside' | 'back'): Promise<void> {
  const day = job.day!;
  const chunk = job.chunks + 1;
  const mv = new Movements();
  if (direction === 'aside') mv.move(acct.unionPool, acct.unionReleaseHold, fen, '工会排队释放预留');
  else mv.move(acct.unionReleaseHold, acct.unionPool, fen, '工会排队释放结余退回');
  const type = direction === 'aside' ? 'union.release.hold' : 'union.release.unhold';
  await postBatch(tx, SETTLER_BOOK, [{ draft: { eventKey: `${type}:${day}:${chunk}`, type, postings: mv.postings, refs: { day, chunk } }, at: job.startedAt }]);
  const sign = direction === 'aside' ? 1 : -1;
  await col(tx.db, 'union_state').updateOne({ _id: 'union' }, { $inc: { poolFen: -sign * fen, heldFen: sign * fen } }, s(tx));
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
  if (job.heldFen === undefined && (job.phase === 'pay' || (job.planFen ?? 0) > 0)) {
    // planned by an earlier version, which set nothing aside: plan again from where it stands
    // (below the cursor of its pay phase everything is paid; a plan starts again where it started)
    await saveJob(tx, job, { phase: 'plan', cursor: job.phase === 'pay' ? job.cursor : (job.planFrom ?? job.cursor), planFen: 0, planFrom: null, heldFen: 0 });
    return { docs: tx.docsWritten(), running: true };
  }
  const step = job.phase === 'pay' ? await payStep(tx, job, limits) : await planStep(tx, job, limits);
  return { ...step, running: job.status === 'running' };
}

/** Count eligible pending entries in seq order from the cursor until the pool runs out or they end; set their money aside. */
async function planStep(tx: Tx, job: JobDoc, limits: ReleaseLimits): Promise<Step> {
  const day = job.day!;
  // what the pool holds now, without what this job set aside already: money that reached it since
  // the last step counts, what an acceleration took does not
  const pool = await poolFen(tx);
  const batch = (await col(tx.db, 'union_entries').find(pendingEligible(day, job.cursor), { ...s(tx), projection: ENTRY_FIELDS }).sort({ seq: 1 }).limit(limits.planReads).toArray()) as PlannedEntry[];
  const plan = planStaticRelease(
    pool,
    batch.map((e) => ({ id: e._id, remainingFen: e.entitlementFen - e.receivedFen })),
  );
  const fen = plan.paid.reduce((a, p) => a + p.amountFen, 0);
  if (fen > 0) await moveHold(tx, job, fen, 'aside');
  const held = (job.heldFen ?? 0) + fen;
  const last = plan.paid.length ? batch[plan.paid.length - 1]!.seq : job.cursor;
  const ended = plan.blocked || batch.length < limits.planReads;
  const start = job.planFrom ?? job.cursor;
  if (!ended) {
    await saveJob(tx, job, { phase: 'plan', cursor: last, planFrom: start, heldFen: held });
  } else if (last === start) {
    // the plan counted no entry (so nothing is set aside): nothing (more) the pool can pay, the day is done
    if (held !== 0) throw new Error(`invariant: a union release that counted nothing holds ${held}`);
    await saveJob(tx, job, { status: 'done', phase: 'plan', note: plan.blocked ? 'blocked' : '', heldFen: 0 });
  } else {
    // pay everything from where this plan started up to the cut, from what is set aside
    await saveJob(tx, job, { phase: 'pay', cursor: start, cutSeq: last, blocked: plan.blocked, planFrom: null, heldFen: held });
  }
  return { docs: tx.docsWritten() };
}

/** Pay the lowest unpaid shoppers' planned entries, each shopper's together. */
async function payStep(tx: Tx, job: JobDoc, limits: ReleaseLimits): Promise<Step> {
  const day = job.day!;
  const at = job.startedAt;
  const cut = job.cutSeq ?? job.cursor;
  const held = job.heldFen ?? 0;
  const entries = col(tx.db, 'union_entries');
  const scan = limits.payScan ?? PAY_SCAN;
  const head = (await entries.find(pendingEligible(day, job.cursor, cut), { ...s(tx), projection: ENTRY_FIELDS }).sort({ seq: 1 }).limit(scan).toArray()) as PlannedEntry[];
  if (head.length === 0) {
    // every planned entry is paid (or was cancelled): what they left (a cancelled entry, a part an
    // acceleration paid meanwhile) goes back to the pool. A blocked cut is then looked at again,
    // since the pool may now pay the next entry; otherwise the day is done.
    if (held > 0) await moveHold(tx, job, held, 'back');
    if (job.blocked) await saveJob(tx, job, { phase: 'plan', cursor: cut, planFrom: null, note: 'blocked', heldFen: 0 });
    else await saveJob(tx, job, { status: 'done', note: '', heldFen: 0 });
    return { docs: tx.docsWritten() };
  }
  // everything below the lowest unpaid planned entry is settled for this day
  const from = head[0]!.seq - 1;
  // `head` holds every planned entry up to its last one (it reads them all, in seq order), so a
  // shopper's entries need a query only beyond it; none at all when it read up to the cut
  const headLast = head.length < scan ? cut : head[head.length - 1]!.seq;
  const inHead = new Map<string, PlannedEntry[]>();
  for (const e of head) {
    const list = inHead.get(e.userId);
    if (list) list.push(e);
    else inHead.set(e.userId, [e]);
  }
  let room = limits.maxDocs - PAY_FIXED;
  const shoppers: { userId: string; entries: PlannedEntry[] }[] = [];
  // (in the seq order of their first planned entry)
  const candidates = [...inHead.keys()];
  // Shoppers' entries beyond `head`: the first one's from its own query; when that shopper has
  // few entries, the next ones' from ONE query over all of them (a queue where most shoppers hold
  // one entry would otherwise cost a query per entry). That query is used only when it returns
  // fewer than its limit, i.e. every matching entry; otherwise each shopper's own.
  let known: Map<string, PlannedEntry[]> | null = null;
  for (const userId of candidates) {
    if (room <= PER_SHOPPER) break;
    const max = room - PER_SHOPPER;
    let mine = inHead.get(userId)!;
    if (headLast < cut && mine.length < max) {
      const later =
        known?.get(userId) ??
        ((await entries
          .find({ ...pendingEligible(day, headLast, cut), userId }, { ...s(tx), projection: ENTRY_FIELDS })
          .sort({ seq: 1 })
          .limit(max - mine.length)
          .toArray()) as PlannedEntry[]);
      if (later.length > 0) mine = mine.concat(later);
    }
    if (mine.length > max) mine = mine.slice(0, max);
    shoppers.push({ userId, entries: mine });
    room -= mine.length + PER_SHOPPER;
    // (only the shoppers that can still fit: each takes at least one entry and PER_SHOPPER documents)
    if (known === null && shoppers.length === 1 && headLast < cut && mine.length <= FEW_ENTRIES) known = await entriesOf(tx, day, headLast, cut, candidates.slice(1, 1 + Math.floor(room / (PER_SHOPPER + 1))), room);
  }
  if (shoppers.length === 0) throw new Error(`invariant: a union release step has no room for one shopper (maxDocs ${limits.maxDocs})`);
  const mv = new Movements();
  const messages: PlannedMessage[] = [];
  let fen = 0;
  let count = 0;
  for (const { userId, entries: mine } of shoppers) {
    const amount = mine.reduce((a, e) => a + e.entitlementFen - e.receivedFen, 0);
    mv.move(acct.unionReleaseHold, acct.userCash(userId), amount, UNION_MEMO.released);
    mv.move(acct.userUnionEntitlement(userId), acct.unionEntitlementIssuer, amount, UNION_MEMO.released);
    // (an entry with nothing left to pay is closed without telling anyone it received ¥0)
    if (amount > 0) messages.push({ userId, kind: 'completed', data: { amount: String(amount), entryId: mine[0]!._id, count: String(mine.length), queue: '工会排队' } });
    fen += amount;
    count += mine.length;
  }
  // (an entry's remainder only shrinks after it was counted, and no entry up to the cut appears later)
  if (fen > held) throw new Error(`invariant: a union release step pays ${fen} with ${held} set aside`);
  const paid = shoppers.flatMap((x) => x.entries);
  const r = await entries.bulkWrite(
    paid.map((e) => ({ updateOne: { filter: { _id: e._id, status: 'pending' as const }, update: { $set: { receivedFen: e.entitlementFen, status: 'completed' as const, closedAt: at } } } })),
    { ...s(tx), ordered: true },
  );
  if (r.matchedCount !== paid.length) throw new Error('invariant: a union entry to release was no longer pending');
  await col(tx.db, 'union_state').updateOne({ _id: 'union' }, { $inc: { heldFen: -fen, pendingFen: -fen, releasedFen: fen, pendingCount: -count } }, s(tx));
  const chunk = job.chunks + 1;
  await postBatch(tx, SETTLER_BOOK, [{ draft: { eventKey: `union.release:${day}:${chunk}`, type: 'union.release', postings: mv.postings, refs: { day, chunk } }, at }]);
  await queueMessages(tx, messages);
  await saveJob(tx, job, { cursor: from, heldFen: held - fen }, { processed: count, amountFen: fen });
  return { docs: tx.docsWritten() };
}

/**
 * Every planned entry of these shoppers in (from, cut] (seq order per shopper), in one query;
 * null when there are more than `limit` of them (then each shopper's are read on their own, as
 * many as fit).
 */
async function entriesOf(tx: Tx, day: string, from: number, cut: number, userIds: string[], limit: number): Promise<Map<string, PlannedEntry[]> | null> {
  if (userIds.length === 0 || limit <= 0) return null;
  const found = (await col(tx.db, 'union_entries')
    .find({ ...pendingEligible(day, from, cut), userId: { $in: userIds } }, { ...s(tx), projection: ENTRY_FIELDS })
    .limit(limit + 1)
    .toArray()) as PlannedEntry[];
  if (found.length > limit) return null;
  const by = new Map<string, PlannedEntry[]>(userIds.map((u) => [u, []]));
  for (const e of found) by.get(e.userId)!.push(e);
  for (const list of by.values()) list.sort((a, b) => a.seq - b.seq);
  return by;
}
