import { mulBpFloor } from '../../money/units';
import type { PluginConfig } from '../../engine/config/types';
import { exitPriceKey } from '../../engine/green/pool';
import { acct } from '../../engine/ledger/accounts';
import { lineRebateRules } from '../../engine/rebate/line-rules';
import { lineProfitFen } from '../../engine/settlement/union-book';
import type { StartQueue, StartState } from '../../engine/simulation/types';
import { shanghaiDay } from '../../engine/time';
import { col, s, type Tx } from '../../repo/db';
import type { DrawDoc, EntryDoc, GreenDayDoc, GreenLotDoc, GreenStateDoc, OrderDoc, PostingDoc, QueueDoc, UnionEntryDoc, UnionStateDoc } from '../../repo/documents';
import { CLOSED_ENTRY_STATUSES, CLOSED_UNION_STATUSES } from '../../repo/documents';
import { byIds, paged, type PeriodFacts } from './period';
import { UNION_PAYOUT_MEMOS } from '../../engine/union/memos';

/**
 * The queues and pools as they were when the period began (its `from`, a Shanghai midnight),
 * rebuilt from what the database holds now and what it recorded since — without reading the
 * history before the period:
 *
 *  - an entry was pending at the start if it was created before and is pending now or left the
 *    queue since (`closedAt` ≥ from); a draw since is undone from its draw record;
 *  - what an entry had received at the start: nothing, unless it was paid before (`firstPaidAt`),
 *    and in a queue paid in queue order only its head can be part paid: the queue's extractions
 *    since (the daily `inflows`) tell how much it has received since. Where that does not decide
 *    (several part-paid entries in one queue: the completed-first ordering), the shopper's pending
 *    entitlement on the ledger (QENT rows) does; failing both, the rest is split in seq order;
 *  - only the head of each queue the period can reach is loaded: entries behind more pending
 *    entitlement than the period's extraction could pay are never paid in it, and enter as one
 *    sum (a reset still expires them). Union entries likewise, behind more than the pool could
 *    ever pay in the period; a referrer's whole pending list is loaded (acceleration reaches it);
 *  - union and green pool balances and points outstanding come from the ledger's numbered rows
 *    (balance after the last posting before the start); lots from their exit records;
 *  - what is approximated (documented in docs/API.md): green lots of a shopper whose points moved
 *    in the period (withdrawn, transferred, spent) are rebuilt from the shopper's points balance,
 *    the shortfall put back on the oldest lot; the random-return group in progress restarts.
 */

export interface StartOptions {
  from: Date;
  configs: PluginConfig[];
  /** green lots are loaded up to this exit key (the replay asks for more when the price goes higher) */
  lotKey: number;
}

const DAY = (d: Date) => shanghaiDay(d);

/** Nothing existed before the period (the store launched within it): the replay starts from nothing. */
export const EMPTY_START: StartState = {
  queues: [],
  union: { state: null, entries: [], unloaded: { count: 0, fen: 0 }, cutoffSeq: 0 },
  green: { state: null, lots: [], loadedBelowKey: Infinity },
  counters: [],
};

/** An account's balance just before `at`: its numbered rows are in commit order, found by bisection (O(log n) reads). */
export async function balanceAt(tx: Tx, account: string, at: Date): Promise<number> {
  const bal = await col(tx.db, 'balances').findOne({ _id: account }, s(tx));
  let hi = bal?.seq ?? 0;
  let lo = 1;
  let found: PostingDoc | null = null;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = (await col(tx.db, 'postings').findOne({ account, seq: mid }, s(tx))) as PostingDoc | null;
    if (!row) break;
    if (row.at.getTime() < at.getTime()) {
      found = row;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found?.balanceAfter ?? 0;
}

export async function loadStart(tx: Tx, facts: PeriodFacts, opts: StartOptions): Promise<{ start: StartState; reads: number }> {
  const launched = await col(tx.db, 'orders').findOne({ paidAt: { $lt: opts.from } }, { ...s(tx), projection: { _id: 1 } });
  if (!launched) return { start: structuredClone(EMPTY_START), reads: 1 };
  const b = new StartBuilder(tx, facts, opts);
  return { start: await b.build(), reads: b.reads };
}

/** The state of an entry at the start, from its state now and the draw it had since (if any). */
function rewindEntry(e: EntryDoc, from: Date, draw: DrawDoc | undefined, orderDone: boolean): EntryDoc {
  const out: EntryDoc = { ...e, status: 'pending', closedAt: null, exchanged: null, orderDone };
  if (draw && draw.at >= from) {
    Object.assign(out, { entitlementFen: draw.entitlementBeforeFen, ratioBp: draw.ratioBeforeBp, ratioRule: 'own', lottery: e.lottery ? { ...e.lottery, drawnBp: null, drawnAt: null } : null });
  }
  // provisional: what it has now if it was paid before the start, else nothing (the head is settled below)
  if (!e.firstPaidAt || e.firstPaidAt >= from) Object.assign(out, { receivedFen: 0, firstPaidAt: null });
  return out;
}

const pendingAt = (e: { createdAt: Date; status: string; closedAt: Date | null }, from: Date) => e.createdAt < from && (e.status === 'pending' || (!!e.closedAt && e.closedAt >= from));

class StartBuilder {
  reads = 0;
  private readonly from: Date;
  private readonly drawByEntry: Map<string, DrawDoc>;
  private readonly settleFacts: PeriodFacts['orders'];

  constructor(
    private readonly tx: Tx,
    private readonly facts: PeriodFacts,
    private readonly opts: StartOptions,
  ) {
    this.from = opts.from;
    this.drawByEntry = new Map(facts.draws.map((d) => [d._id, d]));
    this.settleFacts = facts.orders.filter((f) => !f.settledBefore);
  }

  async build(): Promise<StartState> {
    const queues = await this.queues();
    const union = await this.union();
    const green = await this.green();
    const counters = await this.counters();
    return { queues, union, green, counters };
  }

  // ------------------------------------------------------------------ queues

  /** Most each queue's head can be asked to pay in the period, under any configuration replayed. */
  private queueNeeds(): Map<string, number> {
    const need = new Map<string, number>();
    for (const c of this.opts.configs) {
      const mine = new Map<string, number>();
      for (const f of this.settleFacts) {
        for (const scope of f.scopes) {
          const rules = lineRebateRules(scope, c);
          if (rules.enabled && !c.rebate.paused) mine.set(rules.queueKey, (mine.get(rules.queueKey) ?? 0) + mulBpFloor(scope.line.cashFen, rules.extractionBp));
        }
      }
      for (const [k, v] of mine) need.set(k, Math.max(need.get(k) ?? 0, v));
    }
    return need;
  }

  private async queues(): Promise<StartQueue[]> {
    const { tx, from } = this;
    const needs = this.queueNeeds();
    const completedFirst = this.opts.configs.some((c) => c.rebate.ordering === 'completedFirst');
    // entries that left a queue since the start (completed, exchanged, expired, cancelled), any queue
    const closed: EntryDoc[] = [];
    this.reads += await paged<EntryDoc>(tx, 'entries', { status: { $in: [...CLOSED_ENTRY_STATUSES] }, closedAt: { $gte: from } }, 'closedAt', (e) => closed.push(e));
    const closedByQueue = new Map<string, EntryDoc[]>();
    for (const e of closed) closedByQueue.set(e.queueKey, [...(closedByQueue.get(e.queueKey) ?? []), e]);
    // entries with an event in the period are always loaded (the replay applies the event to them)
    const eventful = new Set<string>(this.facts.draws.map((d) => d._id));
    const refunded = new Set(this.facts.events.filter((e) => e.kind === 'refund').map((e) => (e as { orderId: string }).orderId));
    const exchanged = new Set(this.facts.events.filter((e) => e.kind === 'exchange').map((e) => `${(e as { orderId: string }).orderId}|${(e as { lineIndex: number }).lineIndex}`));

    const docs: QueueDoc[] = [];
    this.reads += await paged<QueueDoc>(tx, 'queues', { createdAt: { $lt: from } }, '_id', (q) => docs.push(q));
    const out: (StartQueue & { candidates: EntryDoc[]; rNowAlive: number; inflowFen: number })[] = [];
    for (const q of docs) {
      const key = q._id;
      const oldClosed = (closedByQueue.get(key) ?? []).filter((e) => e.createdAt < from);
      const firstPending = await col(tx.db, 'entries').find({ queueKey: key, status: 'pending' }, s(tx)).sort({ seq: 1 }).limit(1).toArray();
      this.reads++;
      const starts = [...firstPending.filter((e) => e.createdAt < from).map((e) => e.seq), ...oldClosed.map((e) => e.seq)];
      const need = needs.get(key) ?? 0;
      const loaded = new Map<string, EntryDoc>();
      let cutoffSeq = 0;
      let lastOldSeq = 0;
      let scanned = false;
      if (starts.length && need === 0) cutoffSeq = Math.min(...starts) - 1; // the period extracts nothing from it: load only the head (below)
      else if (starts.length) {
        let guaranteed = 0;
        let after = Math.min(...starts) - 1;
        let done = false;
        // the head at the start, in seq order, until it can surely absorb everything the period can extract
        while (!done) {
          const page = (await col(tx.db, 'entries').find({ queueKey: key, seq: { $gt: after } }, s(tx)).sort({ seq: 1 }).limit(500).toArray()) as EntryDoc[];
          this.reads += page.length;
          const orders = completedFirst ? await byIds<OrderDoc>(tx, 'orders', page.map((e) => e.orderId), { completedAt: 1, kind: 1 }) : null;
          for (const e of page) {
            if (e.createdAt >= from) {
              done = true;
              scanned = true;
              break;
            }
            lastOldSeq = e.seq;
            cutoffSeq = e.seq;
            if (!pendingAt(e, from)) continue;
            const o = orders?.get(e.orderId);
            const doneAtStart = e.orderDone && (!completedFirst || !!o && (o.kind === 'cashier' || (!!o.completedAt && o.completedAt < from)));
            loaded.set(e._id, e);
            const unstable = eventful.has(e._id) || refunded.has(e.orderId) || exchanged.has(`${e.orderId}|${e.lineIndex}`);
            if (!unstable && (!completedFirst || doneAtStart)) guaranteed += Math.max(0, e.entitlementFen - e.receivedFen);
            if (guaranteed >= need) {
              done = true;
              break;
            }
          }
          // the page ran out before the head was enough: every entry pending at the start is loaded
          if (!done && page.length < 500) {
            done = true;
            scanned = true;
          }
          if (page.length) after = page[page.length - 1]!.seq;
        }
      }
      // part-paid entries (paid before the start) and entries with an event: loaded wherever they are
      const extra = (await col(tx.db, 'entries').find({ queueKey: key, status: 'pending', receivedFen: { $gt: 0 } }, s(tx)).toArray()) as EntryDoc[];
      this.reads += extra.length;
      const rNowPending = extra.reduce((a, e) => a + e.receivedFen, 0);
      const more: EntryDoc[] = [...extra.filter((e) => e.firstPaidAt && e.firstPaidAt < from), ...oldClosed.filter((e) => (e.firstPaidAt && e.firstPaidAt < from) || eventful.has(e._id) || refunded.has(e.orderId) || exchanged.has(`${e.orderId}|${e.lineIndex}`))];
      const eventEntries = await byIds<EntryDoc>(tx, 'entries', [...eventful].filter((id) => !loaded.has(id)));
      for (const e of eventEntries.values()) if (e.queueKey === key) more.push(e);
      for (const e of more) if (pendingAt(e, from) && !loaded.has(e._id)) loaded.set(e._id, e);

      // orderDone at the start: completed before it (cashier payments complete when paid)
      const orders = await byIds<OrderDoc>(tx, 'orders', [...loaded.values()].map((e) => e.orderId), { completedAt: 1, kind: 1 });
      this.reads += orders.size;
      const rewound = [...loaded.values()]
        .map((e) => {
          const o = orders.get(e.orderId);
          const done = e.orderDone && (!o || o.kind === 'cashier' || (!!o.completedAt && o.completedAt < from));
          return rewindEntry(e, from, this.drawByEntry.get(e._id), done);
        })
        .sort((a, b) => a.seq - b.seq);

      // the unloaded rest: pending at the start, behind the cutoff (nothing paid before the start: not a head)
      let unloaded = { count: 0, fen: 0 };
      if (!scanned && starts.length) {
        const agg = await col(tx.db, 'entries')
          .aggregate<{ n: number; fen: number }>([{ $match: { queueKey: key, status: 'pending', seq: { $gt: cutoffSeq }, createdAt: { $lt: from } } }, { $group: { _id: null, n: { $sum: 1 }, fen: { $sum: '$entitlementFen' } } }], s(tx))
          .toArray();
        unloaded = { count: agg[0]?.n ?? 0, fen: agg[0]?.fen ?? 0 };
        for (const e of loaded.values()) if (e.seq > cutoffSeq && e.status === 'pending') unloaded = { count: unloaded.count - 1, fen: unloaded.fen - e.entitlementFen };
        for (const e of oldClosed) if (e.seq > cutoffSeq && !loaded.has(e._id)) unloaded = { count: unloaded.count + 1, fen: unloaded.fen + e.entitlementFen };
      }
      if (!scanned) {
        // the last seq given before the start: new entries of the period continue after it
        const last = await col(tx.db, 'entries').find({ queueKey: key, createdAt: { $lt: from } }, s(tx)).sort({ seq: -1 }).limit(1).toArray();
        this.reads++;
        lastOldSeq = Math.max(lastOldSeq, last[0]?.seq ?? 0);
      }
      if (scanned) unloaded = { count: 0, fen: 0 };
      // extracted from this queue since the start
      let inflowFen = 0;
      this.reads += await paged<{ fen: number }>(tx, 'inflows', { target: `queue:${key}`, day: { $gte: DAY(from) } }, 'day', (d) => (inflowFen += d.fen));
      const rNowAlive = rNowPending + (closedByQueue.get(key) ?? []).reduce((a, e) => a + e.receivedFen, 0);
      out.push({
        doc: { ...q, nextSeq: lastOldSeq, entryCount: lastOldSeq, paidFen: Math.max(0, q.paidFen - inflowFen), rr: null, pendingCount: 0, pendingFen: 0 },
        entries: rewound,
        unloaded,
        cutoffSeq: scanned ? Number.MAX_SAFE_INTEGER : cutoffSeq,
        candidates: rewound.filter((e) => e.firstPaidAt !== null),
        rNowAlive,
        inflowFen,
      });
    }
    await this.settleHeads(out);
    return out.map(({ candidates: _c, rNowAlive: _r, inflowFen: _i, ...q }) => {
      const pending = q.entries.filter((e) => e.status === 'pending');
      q.doc.pendingCount = pending.length + q.unloaded.count;
      q.doc.pendingFen = pending.reduce((a, e) => a + e.entitlementFen - e.receivedFen, 0) + q.unloaded.fen;
      return q;
    });
  }

  /**
   * What each part-paid entry had received at the start. Per queue, everything its entries
   * alive since the start hold now, less what the queue paid since, is what its part-paid
   * entries held at the start; one such entry takes it all. Otherwise the shopper's pending
   * entitlement at the start (QENT rows) settles a shopper with one such entry; what is left is
   * split in seq order (approximate; only under the completed-first ordering or a change of it).
   */
  private async settleHeads(queues: { entries: EntryDoc[]; candidates: EntryDoc[]; rNowAlive: number; inflowFen: number }[]): Promise<void> {
    const { tx, from } = this;
    const open: { c: EntryDoc[]; total: number }[] = [];
    const candidatesOf = new Map<string, EntryDoc[]>();
    for (const q of queues) {
      const total = Math.max(0, q.rNowAlive - q.inflowFen);
      if (q.candidates.length === 1) q.candidates[0]!.receivedFen = Math.min(total, q.candidates[0]!.entitlementFen);
      else if (q.candidates.length > 1) {
        open.push({ c: q.candidates, total });
        for (const e of q.candidates) candidatesOf.set(e.userId, [...(candidatesOf.get(e.userId) ?? []), e]);
      } else for (const e of q.candidates) e.receivedFen = 0;
    }
    if (!open.length) return;
    const solved = new Set<string>();
    for (const [userId, mine] of candidatesOf) {
      if (mine.length !== 1) continue;
      // the shopper's entries pending at the start, all queues: their entitlement less QENT at the start is what the head had
      let entitled = 0;
      this.reads += await paged<EntryDoc>(tx, 'entries', { userId, createdAt: { $lt: from } }, 'createdAt', (e) => {
        if (!pendingAt(e, from)) return;
        const d = this.drawByEntry.get(e._id);
        entitled += d && d.at >= from ? d.entitlementBeforeFen : e.entitlementFen;
      });
      const owed = await balanceAt(tx, acct.userQueueEntitlement(userId), from);
      mine[0]!.receivedFen = Math.max(0, Math.min(mine[0]!.entitlementFen, entitled - owed));
      solved.add(mine[0]!._id);
    }
    for (const q of open) {
      let left = q.total - q.c.filter((e) => solved.has(e._id)).reduce((a, e) => a + e.receivedFen, 0);
      for (const e of q.c) {
        if (solved.has(e._id)) continue;
        const r = Math.max(0, Math.min(left, e.receivedFen, e.entitlementFen));
        e.receivedFen = r;
        left -= r;
      }
    }
    for (const q of queues) for (const e of q.candidates) if (e.receivedFen === 0) e.firstPaidAt = null;
  }

  // ------------------------------------------------------------------ union

  private async union(): Promise<StartState['union']> {
    const { tx, from } = this;
    const now = (await col(tx.db, 'union_state').findOne({ _id: 'union' }, s(tx))) as UnionStateDoc | null;
    if (!now) return { state: null, entries: [], unloaded: { count: 0, fen: 0 }, cutoffSeq: 0 };
    // (with what a release running at the start had set aside: the pool's money, owed to entries still pending then)
    const poolFen = (await balanceAt(tx, acct.unionPool, from)) + (await balanceAt(tx, acct.unionReleaseHold, from));
    const closed: UnionEntryDoc[] = [];
    this.reads += await paged<UnionEntryDoc>(tx, 'union_entries', { status: { $in: [...CLOSED_UNION_STATUSES] }, closedAt: { $gte: from } }, 'closedAt', (e) => closed.push(e));
    // entries created since the start: seq is given at creation, so they are the highest seqs
    const created: UnionEntryDoc[] = [];
    const lastOld = await col(tx.db, 'union_entries').find({ createdAt: { $lt: from } }, s(tx)).sort({ seq: -1 }).limit(1).toArray();
    const s0 = lastOld[0]?.seq ?? 0;
    this.reads += await paged<UnionEntryDoc>(tx, 'union_entries', { seq: { $gt: s0 } }, 'seq', (e) => created.push(e), { entitlementFen: 1, seq: 1, createdAt: 1 });
    const releasedFen = this.facts.jobs.reduce((a, j) => a + j.amountFen, 0);
    const acceleratedFen = this.settleFacts.reduce((a, f) => a + (f.order.settledAt && f.order.settledAt >= from ? (f.order.settlement?.accelerationFen ?? 0) : 0), 0);
    const cancelledFen = closed.filter((e) => e.status === 'cancelled').reduce((a, e) => a + e.entitlementFen - e.receivedFen, 0);
    const pendingFen = now.pendingFen - created.reduce((a, e) => a + e.entitlementFen, 0) + releasedFen + acceleratedFen + cancelledFen;
    const pendingCount = now.pendingCount - created.length + closed.length;
    const state: UnionStateDoc = { ...now, poolFen, nextSeq: s0, pendingFen, pendingCount, releasedFen: Math.max(0, now.releasedFen - releasedFen - acceleratedFen) };

    // the bound: the most the pool can pay out in the period (what it holds + the most that can flow in)
    let maxOut = poolFen;
    const share = Math.max(0, ...this.opts.configs.map((c) => (c.union.enabled ? c.union.poolShareBp : 0)));
    for (const f of this.settleFacts) for (const scope of f.scopes) maxOut += mulBpFloor(lineProfitFen(scope), share);
    const releaseDays = this.facts.events.filter((e) => e.kind === 'release').map((e) => (e as { day: string }).day);
    const firstRelease = releaseDays.length ? releaseDays.reduce((a, d) => (d < a ? d : a)) : null;
    const cancelled = new Set(this.facts.events.filter((e) => e.kind === 'refund').map((e) => (e as { orderId: string }).orderId));

    const loaded = new Map<string, UnionEntryDoc>();
    let cutoffSeq = 0;
    let scanned = false;
    const oldClosed = closed.filter((e) => e.createdAt < from);
    if (firstRelease) {
      const firstPending = await col(tx.db, 'union_entries').find({ status: 'pending' }, s(tx)).sort({ seq: 1 }).limit(1).toArray();
      const starts = [...firstPending.filter((e) => e.createdAt < from).map((e) => e.seq), ...oldClosed.map((e) => e.seq)];
      if (starts.length) {
        let after = Math.min(...starts) - 1;
        let blocking = 0;
        let done = false;
        // a release pays in seq order and stops at the first eligible entry it cannot pay: behind
        // more than the pool can ever pay out, among entries eligible at every release, nothing is reached
        while (!done) {
          const page = (await col(tx.db, 'union_entries').find({ seq: { $gt: after } }, s(tx)).sort({ seq: 1 }).limit(500).toArray()) as UnionEntryDoc[];
          this.reads += page.length;
          for (const e of page) {
            if (e.createdAt >= from) {
              done = scanned = true;
              break;
            }
            cutoffSeq = e.seq;
            if (!pendingAt(e, from)) continue;
            loaded.set(e._id, e);
            if (e.eligibleDay <= firstRelease && !cancelled.has(e.orderId)) blocking += e.entitlementFen;
            if (blocking > maxOut) {
              done = true;
              break;
            }
          }
          if (!done && page.length < 500) done = scanned = true;
          if (page.length) after = page[page.length - 1]!.seq;
        }
      } else scanned = true;
    }
    // referrers' whole pending lists (acceleration pays their oldest), refunded orders' entries
    const referrers = new Set<string>();
    if (this.opts.configs.some((c) => c.union.enabled && c.union.accelerationBp > 0)) {
      for (const f of this.settleFacts) {
        const r = this.facts.referrers.get(f.order.userId);
        if (r) referrers.add(r);
      }
    }
    for (const userId of referrers) {
      const mine = (await col(tx.db, 'union_entries').find({ userId, status: 'pending', createdAt: { $lt: from } }, s(tx)).toArray()) as UnionEntryDoc[];
      this.reads += mine.length;
      for (const e of [...mine, ...oldClosed.filter((x) => x.userId === userId)]) if (pendingAt(e, from)) loaded.set(e._id, e);
    }
    for (const e of oldClosed) if (cancelled.has(e.orderId) && pendingAt(e, from)) loaded.set(e._id, e);

    // received at the start: only a shopper's oldest pending entry can be part paid (acceleration pays oldest first)
    const rewound = [...loaded.values()].map((e) => ({ ...e, status: 'pending' as const, closedAt: null }));
    const byUser = new Map<string, UnionEntryDoc[]>();
    for (const e of rewound) byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
    for (const [userId, mine] of byUser) {
      const touched = mine.some((e) => e.receivedFen > 0) || oldClosed.some((e) => e.userId === userId);
      for (const e of mine) e.receivedFen = 0;
      if (!touched) continue;
      // what the entries pending at the start had received then: every union payout the shopper
      // received before it (their cash rows), less what the entries closed before it received
      // (all they ever did: a closed entry receives nothing more)
      const all = (await col(tx.db, 'union_entries').find({ userId, createdAt: { $lt: from } }, s(tx)).toArray()) as UnionEntryDoc[];
      this.reads += all.length;
      const pendingThen = all.filter((e) => pendingAt(e, from)).sort((a, b) => a.seq - b.seq);
      const closedBefore = all.filter((e) => !pendingAt(e, from)).reduce((a, e) => a + e.receivedFen, 0);
      const payouts = (await col(tx.db, 'postings')
        .find({ account: acct.userCash(userId), at: { $lt: from }, memo: { $in: [...UNION_PAYOUT_MEMOS] } }, { ...s(tx), projection: { amount: 1 } })
        .toArray()) as { amount: number }[];
      this.reads += payouts.length;
      const receivedThen = payouts.reduce((a, p) => a + p.amount, 0) - closedBefore;
      const oldest = pendingThen[0];
      const mineOldest = oldest ? mine.find((e) => e._id === oldest._id) : undefined;
      if (mineOldest) mineOldest.receivedFen = Math.max(0, Math.min(mineOldest.entitlementFen, receivedThen));
    }
    rewound.sort((a, b) => a.seq - b.seq);
    const loadedFen = rewound.reduce((a, e) => a + e.entitlementFen - e.receivedFen, 0);
    const unloaded = scanned ? { count: 0, fen: 0 } : { count: Math.max(0, pendingCount - rewound.length), fen: Math.max(0, pendingFen - loadedFen) };
    return { state, entries: rewound, unloaded, cutoffSeq: scanned ? Number.MAX_SAFE_INTEGER : cutoffSeq };
  }

  // ------------------------------------------------------------------ green

  private async green(): Promise<StartState['green']> {
    const { tx, from } = this;
    const now = (await col(tx.db, 'green_state').findOne({ _id: 'green' }, s(tx))) as GreenStateDoc | null;
    if (!now) return { state: null, lots: [], loadedBelowKey: Infinity };
    const poolFen = await balanceAt(tx, acct.greenPool, from);
    const totalUnits = -(await balanceAt(tx, acct.greenIssuer, from));
    let last = { num: now.lastPriceNum, den: now.lastPriceDen };
    if (totalUnits === 0) {
      const day = (await col(tx.db, 'green_days').find({ _id: { $lt: DAY(from) } }, s(tx)).sort({ _id: -1 }).limit(1).toArray()) as GreenDayDoc[];
      if (day[0]) last = { num: day[0].closeNum, den: day[0].closeDen };
      else last = { num: this.opts.configs[0]!.green.launchPriceFen, den: 10_000 };
    }
    const state: GreenStateDoc = { _id: 'green', poolFen, totalUnits, lastPriceNum: last.num, lastPriceDen: last.den, inflowFen: 0, paidOutFen: 0, version: 0 };
    const exitMultipleBp = this.opts.configs[0]!.green.exitMultipleBp;
    const lots = new Map<string, GreenLotDoc>();
    const atStart = (l: GreenLotDoc): GreenLotDoc | null => {
      if (l.createdAt >= from) return null;
      if (l.status === 'active') return { ...l };
      if (l.status === 'exited' && l.exitedAt && l.exitedAt >= from) {
        const { exitedAt: _a, exitedUnits, ...rest } = l;
        return { ...rest, status: 'active', units: exitedUnits ?? 0 };
      }
      return null;
    };
    this.reads += await paged<GreenLotDoc>(tx, 'green_lots', { status: 'active', exitKey: { $lte: this.opts.lotKey } }, 'exitKey', (l) => {
      const x = atStart(l);
      if (x) lots.set(x._id, x);
    });
    this.reads += await paged<GreenLotDoc>(tx, 'green_lots', { status: 'exited', exitedAt: { $gte: from } }, 'exitedAt', (l) => {
      const x = atStart(l);
      if (x) lots.set(x._id, x);
    });
    // shoppers whose points moved in the period: every lot of theirs, fitted to their balance at the start
    const movers = new Set<string>();
    const refundedLots = new Map<string, OrderDoc>();
    for (const e of this.facts.events) {
      if (e.kind === 'greenWithdraw' || e.kind === 'greenSpend') movers.add(e.userId);
      if (e.kind === 'greenTransfer') movers.add(e.userId);
      if (e.kind === 'refund') {
        const f = this.facts.orders.find((x) => x.order._id === e.orderId);
        if (f) refundedLots.set(`lot:${f.order._id}`, f.order);
      }
    }
    for (const [lotId, o] of refundedLots) {
      const l = (await col(tx.db, 'green_lots').findOne({ _id: lotId }, s(tx))) as GreenLotDoc | null;
      // voided by the refund in the period: it held what the order minted (unless points were taken from it)
      if (l && l.createdAt < from && l.status === 'empty' && o.settlement) lots.set(l._id, { ...l, status: 'active', units: o.settlement.greenUnits, consumptionFen: o.cashFen, exitKey: exitPriceKey({ units: o.settlement.greenUnits, consumptionFen: o.cashFen }, exitMultipleBp) });
    }
    for (const userId of movers) {
      // every lot of theirs made before the start, whatever its state now (one emptied in the period was whole then)
      const mine: GreenLotDoc[] = [];
      this.reads += await paged<GreenLotDoc>(tx, 'green_lots', { userId, createdAt: { $lt: from } }, 'createdAt', (l) => mine.push(lots.get(l._id) ?? { ...l }));
      mine.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : 1));
      // what each lot held when it was made: a purchase's lot what the order minted; others what we see
      const minted = await byIds<OrderDoc>(tx, 'orders', mine.filter((l) => l._id === `lot:${l.orderId}`).map((l) => l.orderId!), { settlement: 1, cashFen: 1 });
      const whole = (l: GreenLotDoc) => {
        const o = l._id === `lot:${l.orderId}` ? minted.get(l.orderId!) : undefined;
        return o?.settlement ? { units: o.settlement.greenUnits, consumptionFen: o.cashFen } : { units: Math.max(l.units, l.exitedUnits ?? 0), consumptionFen: l.consumptionFen };
      };
      // points leave lots oldest first: at the start, the lots newer than the one being used up were
      // whole, older ones already empty. Fill from the newest back until the balance at the start is reached.
      let left = await balanceAt(tx, acct.userGreen(userId), from);
      for (let i = mine.length - 1; i >= 0; i--) {
        const l = mine[i]!;
        lots.delete(l._id);
        if (l.exitedAt && l.exitedAt < from) continue; // exited before the start
        if (left <= 0) continue;
        const w = whole(l);
        const units = Math.min(w.units, left);
        // a take moves floor(basis × taken / units) (engine/green/pool.ts takeFromLots): what stays is the rest
        const consumptionFen = units === w.units ? w.consumptionFen : w.consumptionFen - Math.floor((w.consumptionFen * (w.units - units)) / Math.max(1, w.units));
        left -= units;
        const { exitedAt: _a, exitedUnits: _u, ...rest } = l;
        lots.set(l._id, { ...rest, units, consumptionFen, status: 'active', exitKey: exitPriceKey({ units, consumptionFen }, exitMultipleBp) });
      }
    }
    return { state, lots: [...lots.values()].filter((l) => l.status === 'active'), loadedBelowKey: this.opts.lotKey };
  }

  // ------------------------------------------------------------------ limit counters

  private async counters(): Promise<[string, number][]> {
    const { tx, from } = this;
    const config = this.opts.configs[0]!;
    const keys = new Set<string>();
    const users = new Set<string>();
    for (const f of this.settleFacts) {
      for (const scope of f.scopes) {
        for (const c of this.opts.configs) {
          for (const { scope: sc } of lineRebateRules(scope, c).limits) {
            keys.add(`limit|${f.order.userId}|${sc}|${DAY(f.order.paidAt ?? f.order.createdAt)}`);
            keys.add(`limit|${f.order.userId}|${sc}|total`);
            users.add(f.order.userId);
          }
        }
      }
    }
    if (!keys.size) return [];
    const now = await byIds<{ _id: string; count: number }>(tx, 'counters', keys);
    const counts = new Map([...now].map(([id, d]) => [id, d.count]));
    // take back the slots the period's own entries took (they are replayed)
    const factById = new Map(this.facts.orders.map((f) => [f.order._id, f]));
    for (const userId of users) {
      this.reads += await paged<EntryDoc>(tx, 'entries', { userId, createdAt: { $gte: from } }, 'createdAt', (e) => {
        const f = factById.get(e.orderId);
        const scope = f?.scopes[e.lineIndex];
        if (!f || !scope) return;
        for (const { scope: sc } of lineRebateRules(scope, config).limits) {
          for (const id of [`limit|${userId}|${sc}|${DAY(f.order.paidAt ?? f.order.createdAt)}`, `limit|${userId}|${sc}|total`]) {
            if (counts.has(id)) counts.set(id, Math.max(0, counts.get(id)! - 1));
          }
        }
      });
    }
    return [...counts];
  }
}
