import type { ExchangeTarget } from '../../../../shared/contract';
import type { Filter } from 'mongodb';
import type { PluginConfig } from '../../engine/config/types';
import { lineRebateRules } from '../../engine/rebate/line-rules';
import { spendQueries } from '../../engine/rebate/ratio';
import type { Completion, OrderFact, RecordedEvent } from '../../engine/simulation/types';
import { AppError } from '../../runtime/errors';
import { col, s, type Tx } from '../../repo/db';
import type { DrawDoc, EntryDoc, JobDoc, JournalDoc, OrderDoc } from '../../repo/documents';
import { loadScopes } from '../settler/load';

/**
 * What a period's replay needs from the database besides the state at its start: the orders it
 * settles or completes, and what else was recorded in it. Every read goes through an index in
 * pages of PAGE documents, so the work grows with the period's activity, not with the history.
 */

/** Documents per read (a cursor page): memory per round trip stays small on a real server. */
export const PAGE = 1000;

/**
 * The stated bound of one simulation (it must fit one call of the `admin` cloud function, 60 s):
 * at most MAX_DAYS days and MAX_ORDERS orders in the period. A busy store — 1,000 orders a day —
 * fits 60 days; see docs/BENCHMARKS.md for the measured time of a month of one.
 */
export const MAX_DAYS = 90;
export const MAX_ORDERS = 60_000;

export interface PeriodFacts {
  orders: OrderFact[];
  referrers: Map<string, string | null>;
  completions: Map<string, Completion[]>;
  events: RecordedEvent[];
  /** the period's draws and union-release jobs as stored (the start state rewinds draws and counts releases) */
  draws: DrawDoc[];
  jobs: JobDoc[];
  /** documents read (for the answer's work figures) */
  reads: number;
}

/** Read a query in pages by a cursor on its sort key (never one unbounded batch). */
export async function paged<T>(tx: Tx, name: Parameters<typeof col>[1], filter: Filter<any>, sortKey: string, each: (doc: T) => void, projection?: Record<string, 0 | 1>): Promise<number> {
  let n = 0;
  let after: unknown = undefined;
  let afterId: unknown = undefined;
  for (;;) {
    const page: any[] = await (col(tx.db, name) as any)
      .find(
        after === undefined ? filter : { $and: [filter, { $or: [{ [sortKey]: { $gt: after } }, { [sortKey]: after, _id: { $gt: afterId } }] }] },
        { ...s(tx), ...(projection ? { projection } : {}) },
      )
      .sort({ [sortKey]: 1, _id: 1 })
      .limit(PAGE)
      .toArray();
    for (const d of page) each(d as T);
    n += page.length;
    if (page.length < PAGE) return n;
    const last = page[page.length - 1];
    after = sortKey.split('.').reduce((o: any, k) => o?.[k], last);
    afterId = last._id;
  }
}

/** Read documents by id, PAGE ids per query. */
export async function byIds<T>(tx: Tx, name: Parameters<typeof col>[1], ids: Iterable<string>, projection?: Record<string, 0 | 1>): Promise<Map<string, T>> {
  const all = [...new Set(ids)];
  const out = new Map<string, T>();
  for (let i = 0; i < all.length; i += PAGE) {
    const docs: any[] = await (col(tx.db, name) as any).find({ _id: { $in: all.slice(i, i + PAGE) } }, { ...s(tx), ...(projection ? { projection } : {}) }).toArray();
    for (const d of docs) out.set(d._id, d as T);
  }
  return out;
}

/** The journal event types a replay applies (see RecordedEvent), read by the {type, at} index. */
const EVENT_TYPES = ['queue.exchange', 'order.refund', 'order.cancel', 'order.create', 'green.withdraw', 'green.transfer'] as const;

export async function loadPeriod(tx: Tx, from: Date, to: Date, configs: PluginConfig[]): Promise<PeriodFacts> {
  let reads = 0;
  const orders = new Map<string, OrderDoc>();
  const tooMany = () => {
    if (orders.size > MAX_ORDERS) throw new AppError('LIMIT_REACHED', `该时段订单超过 ${MAX_ORDERS} 笔，请缩短模拟天数`);
  };
  const keep = (o: OrderDoc) => {
    orders.set(o._id, o);
    tooMany();
  };
  // 1. paid in the period; 2. paid before it, with settlement, completion or refund in it (or still due)
  reads += await paged<OrderDoc>(tx, 'orders', { paidAt: { $gte: from, $lt: to } }, 'paidAt', keep);
  const earlier = (o: OrderDoc) => o.paidAt && o.paidAt < from && keep(o);
  reads += await paged<OrderDoc>(tx, 'orders', { settleDue: false, settleDueAt: { $gte: from, $lt: to } }, 'settleDueAt', earlier);
  reads += await paged<OrderDoc>(tx, 'orders', { settleDue: true }, 'settleDueAt', earlier);
  reads += await paged<OrderDoc>(tx, 'orders', { refundedAt: { $gte: from, $lt: to } }, 'refundedAt', earlier);

  // the recorded events of the period
  const journal: JournalDoc[] = [];
  for (const type of EVENT_TYPES) reads += await paged<JournalDoc>(tx, 'journal', { type, at: { $gte: from.toISOString(), $lt: to.toISOString() } }, 'at', (j) => journal.push(j));
  const draws: DrawDoc[] = [];
  reads += await paged<DrawDoc>(tx, 'draws', { at: { $gte: from, $lt: to } }, 'at', (d) => draws.push(d));
  const jobs: JobDoc[] = [];
  for (const status of ['done', 'running'] as const) {
    reads += await paged<JobDoc>(tx, 'jobs', { kind: 'union-release', status, startedAt: { $gte: from, $lt: to } }, 'startedAt', (j) => jobs.push(j));
  }
  // entries named by draws and exchanges, orders named by refunds, cancels and spends
  const entryIds = [...draws.map((d) => d._id), ...journal.filter((j) => j.type === 'queue.exchange').map((j) => String(j.refs?.entryId))];
  const entries = await byIds<EntryDoc>(tx, 'entries', entryIds, { orderId: 1, lineIndex: 1 });
  reads += entries.size;
  const named = journal.filter((j) => j.type !== 'queue.exchange' && j.type !== 'green.withdraw' && j.type !== 'green.transfer').map((j) => String(j.refs?.orderId));
  const missing = named.filter((id) => !orders.has(id));
  for (const o of (await byIds<OrderDoc>(tx, 'orders', missing)).values()) keep(o);
  reads += missing.length;

  const events = recordedEvents(journal, draws, jobs, entries);

  // scopes (products, stores, cashiers), buyers' referrers, completed spend for tier rules
  const list = [...orders.values()];
  const scopes = await loadScopes(tx, list);
  const facts: OrderFact[] = list.map((o) => ({ order: o, scopes: scopes.get(o._id)!, settledBefore: !!o.settledAt && o.settledAt < from }));
  const buyers = [...new Set(list.map((o) => o.userId))];
  const referrers = new Map<string, string | null>();
  for (const [id, u] of await byIds<{ _id: string; referrerId: string | null }>(tx, 'users', buyers, { referrerId: 1 })) referrers.set(id, u.referrerId ?? null);
  reads += referrers.size;
  const completions = new Map<string, Completion[]>();
  const tierDays = maxTierDays(facts, configs);
  if (tierDays > 0) {
    const since = new Date(from.getTime() - tierDays * 86_400_000);
    for (const userId of buyers) {
      const mine: Completion[] = [];
      for (const status of ['completed', 'refunded'] as const) {
        reads += await paged<OrderDoc>(tx, 'orders', { userId, status, completedAt: { $gte: since, $lt: to } }, 'completedAt', (o) =>
          mine.push({ orderId: o._id, kind: o.kind, storeId: o.storeId, completedAt: o.completedAt!, refundedAt: o.refundedAt, cashFen: o.cashFen }),
        { kind: 1, storeId: 1, completedAt: 1, refundedAt: 1, cashFen: 1 });
      }
      completions.set(userId, mine);
    }
  }
  return { orders: facts, referrers, completions, events, draws, jobs, reads };
}

/** The longest tier window any line of the period may ask for, under any of the configurations replayed (0: no tiers). */
function maxTierDays(facts: OrderFact[], configs: PluginConfig[]): number {
  let days = 0;
  for (const f of facts) for (const scope of f.scopes) for (const c of configs) for (const q of spendQueries(lineRebateRules(scope, c).chain)) days = Math.max(days, q.days);
  return days;
}

/** A recorded event before it is numbered (Omit distributed over the union, so each kind keeps its fields). */
type Unsequenced = RecordedEvent extends infer E ? (E extends RecordedEvent ? Omit<E, 'seq'> : never) : never;

/** The journal's, the draws' and the jobs' records as the replay's events, in the order they happened. */
function recordedEvents(journal: JournalDoc[], draws: DrawDoc[], jobs: JobDoc[], entries: Map<string, EntryDoc>): RecordedEvent[] {
  const raw: (Unsequenced & { order: string })[] = [];
  const bookUser = (j: JournalDoc) => (j.book.startsWith('user:') ? j.book.slice('user:'.length) : null);
  // same instant: the journal's own order (book, height) decides, which is commit order within a book
  const tie = (j: JournalDoc) => `${j.at}|${j.book}|${String(j.height).padStart(12, '0')}`;
  for (const j of journal) {
    const at = new Date(j.at);
    switch (j.type) {
      case 'queue.exchange': {
        const e = entries.get(String(j.refs?.entryId));
        if (e) raw.push({ kind: 'exchange', at, orderId: e.orderId, lineIndex: e.lineIndex, to: j.refs!.to as ExchangeTarget, order: tie(j) });
        break;
      }
      case 'order.refund':
        raw.push({ kind: 'refund', at, orderId: String(j.refs?.orderId), order: tie(j) });
        break;
      case 'order.cancel':
        raw.push({ kind: 'cancel', at, orderId: String(j.refs?.orderId), order: tie(j) });
        break;
      case 'order.create': {
        const user = bookUser(j);
        const spent = j.postings.find((p) => p.account === `GREEN:user:${user}` && p.amount < 0);
        if (user && spent) raw.push({ kind: 'greenSpend', at, orderId: String(j.refs?.orderId), userId: user, units: -spent.amount, order: tie(j) });
        break;
      }
      case 'green.withdraw': {
        const user = bookUser(j);
        if (user) raw.push({ kind: 'greenWithdraw', at, userId: user, units: Number(j.refs?.units), order: tie(j) });
        break;
      }
      case 'green.transfer': {
        const user = bookUser(j);
        if (user) raw.push({ kind: 'greenTransfer', at, userId: user, toUserId: String(j.refs?.to), units: Number(j.refs?.units), order: tie(j) });
        break;
      }
    }
  }
  for (const d of draws) {
    const e = entries.get(d._id);
    if (e) raw.push({ kind: 'draw', at: d.at, orderId: e.orderId, lineIndex: e.lineIndex, roll: d.roll, rollRange: d.rollRange, order: `${d.at.toISOString()}|draw|${d._id}` });
  }
  for (const job of jobs) raw.push({ kind: 'release', at: job.startedAt, day: job.day!, order: `${job.startedAt.toISOString()}|job|${job._id}` });
  raw.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  return raw.map(({ order: _o, ...e }, seq) => ({ ...e, seq }) as RecordedEvent);
}
