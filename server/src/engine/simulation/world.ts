import BTreeDefault from 'sorted-btree';
import { mulBpFloor } from '../../money/units';
import type { EntryDoc, GreenLotDoc, GreenStateDoc, QueueDoc, UnionEntryDoc, UnionStateDoc } from '../../repo/documents';
import type { PluginConfig } from '../config/types';
import { launchState, type GreenState } from '../green/pool';
import { lineRebateRules, type LineRebateRules, type LineScope } from '../rebate/line-rules';
import { spendQueries } from '../rebate/ratio';
import { shanghaiDay } from '../time';
import { ACCELERATION_MAX_ENTRIES } from '../settlement/union-book';
import type { BatchWrites, BuyerLoad, GreenLoad, OrderWork, QueueLoad, UnionLoad } from '../settlement/types';
import { EXIT_CANDIDATES, exitCandidateBound, spendScope } from '../settlement/work';
import type { Completion, StartState } from './types';

// sorted-btree is CommonJS with `exports.default`: Node's ESM loader hands us the whole module object, bundlers and vitest the default export. Accept both.
const BTree: typeof BTreeDefault = (BTreeDefault as unknown as { default?: typeof BTreeDefault }).default ?? BTreeDefault;

/**
 * The replay's database: the documents the settler would read and write, in memory. It answers
 * the planner's prefetch the way services/settler/load.ts answers it from the database (queue
 * heads in seq order, the referrer's oldest pending union entries, exit candidates by exit key
 * with the same bound and limit, limit counters, completed spend), and it applies the planner's
 * writes the way services/settler/write.ts applies them. Nothing here decides money: the
 * planner does, and the few events outside it (engine/simulation/events.ts) use the engine's
 * own pure functions.
 */

export interface QueueState {
  doc: QueueDoc;
  /** known entries in seq order (pending and closed; closed ones are skipped) */
  entries: EntryDoc[];
  /** entries before this index are closed: never looked at again */
  from: number;
  /** pending entries at the start that were not loaded (never payable in the period; a reset expires them) */
  unloaded: { count: number; fen: number };
  /** the loaded head covers every pending entry up to this seq; beyond it, while `unloaded` is not empty, nothing may be paid */
  cutoffSeq: number;
}

const lotKeyCompare = (a: [number, string], b: [number, string]) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

export class World {
  readonly queues = new Map<string, QueueState>();
  readonly entriesById = new Map<string, EntryDoc>();
  /** `${orderId}|${lineIndex}` → entry: how recorded events find the replay's own entries */
  readonly entriesByLine = new Map<string, EntryDoc>();
  union: UnionStateDoc;
  readonly unionEntries: UnionEntryDoc[] = [];
  unionFrom = 0;
  readonly unionById = new Map<string, UnionEntryDoc>();
  readonly unionByUser = new Map<string, UnionEntryDoc[]>();
  readonly unionUnloaded: { count: number; fen: number };
  readonly unionCutoffSeq: number;
  green: GreenStateDoc | null;
  readonly lots = new Map<string, GreenLotDoc>();
  /** active lots by (exitKey, _id): the settler's exit-candidate index */
  readonly lotIndex = new BTree<[number, string], GreenLotDoc>(undefined, lotKeyCompare);
  /** lots per shopper (any status), oldest first, for withdrawals, transfers and spends */
  readonly lotsByUser = new Map<string, GreenLotDoc[]>();
  readonly loadedBelowKey: number;
  /** highest exit key the replay asked candidates for (to tell the service when it needs more lots) */
  maxBoundAsked = 0;
  readonly counters: Map<string, number>;
  /** entry ids, union entry ids and lot ids the replay created (the period's own) */
  readonly created = new Set<string>();

  constructor(start: StartState) {
    // the replay mutates what it is given: work on copies, so one loaded start serves several replays
    const s = structuredClone(start);
    for (const q of s.queues) {
      const state: QueueState = { doc: q.doc, entries: q.entries, from: 0, unloaded: q.unloaded, cutoffSeq: q.cutoffSeq };
      this.queues.set(q.doc._id, state);
      for (const e of q.entries) this.indexEntry(e);
    }
    this.union = s.union.state ?? { _id: 'union', poolFen: 0, nextSeq: 0, pendingCount: 0, pendingFen: 0, inflowFen: 0, releasedFen: 0 };
    for (const e of s.union.entries) this.addUnionEntry(e);
    this.unionUnloaded = s.union.unloaded;
    this.unionCutoffSeq = s.union.cutoffSeq;
    this.green = s.green.state;
    for (const l of s.green.lots) this.addLot(l);
    this.loadedBelowKey = s.green.loadedBelowKey;
    this.counters = new Map(s.counters);
  }

  private indexEntry(e: EntryDoc): void {
    this.entriesById.set(e._id, e);
    this.entriesByLine.set(`${e.orderId}|${e.lineIndex}`, e);
  }

  addUnionEntry(e: UnionEntryDoc): void {
    this.unionEntries.push(e);
    this.unionById.set(e._id, e);
    let list = this.unionByUser.get(e.userId);
    if (!list) this.unionByUser.set(e.userId, (list = []));
    list.push(e);
  }

  addLot(l: GreenLotDoc): void {
    this.lots.set(l._id, l);
    if (l.status === 'active') this.lotIndex.set([l.exitKey, l._id], l);
    let list = this.lotsByUser.get(l.userId);
    if (!list) this.lotsByUser.set(l.userId, (list = []));
    // oldest first, as services/green.ts takes them (createdAt, _id)
    let i = list.length;
    while (i > 0 && (list[i - 1]!.createdAt.getTime() > l.createdAt.getTime() || (list[i - 1]!.createdAt.getTime() === l.createdAt.getTime() && list[i - 1]!._id > l._id))) i--;
    list.splice(i, 0, l);
  }

  /** Change a lot (status, units, basis, exit key), keeping the candidate index right. */
  updateLot(lot: GreenLotDoc, set: Partial<GreenLotDoc>): void {
    if (lot.status === 'active') this.lotIndex.delete([lot.exitKey, lot._id]);
    Object.assign(lot, set);
    if (lot.status === 'active') this.lotIndex.set([lot.exitKey, lot._id], lot);
  }

  /** The green pool as the settler reads it: the stored state, or the launch state of the configuration in force. */
  greenState(config: PluginConfig): GreenStateDoc {
    return this.green ?? { _id: 'green', ...launchState(config.green.launchPriceFen), inflowFen: 0, paidOutFen: 0, version: 0 };
  }

  greenPool(config: PluginConfig): GreenState {
    const g = this.greenState(config);
    return { poolFen: g.poolFen, totalUnits: g.totalUnits, lastPriceNum: g.lastPriceNum, lastPriceDen: g.lastPriceDen };
  }

  /** A line's rules under a configuration (remembered per line and configuration by lineRebateRules itself). */
  rules(scope: LineScope, config: PluginConfig): LineRebateRules {
    return lineRebateRules(scope, config);
  }

  // ------------------------------------------------------------------ the planner's prefetch

  /**
   * Payable entries of a queue from its head, in seq order, until they can absorb `needFen`
   * (as loadQueues reads them). `more`: payable entries may follow the ones handed over.
   */
  head(key: string, needFen: number, completedFirst: boolean): { head: EntryDoc[]; more: boolean } {
    const q = this.queues.get(key);
    if (!q) return { head: [], more: false };
    while (q.from < q.entries.length && q.entries[q.from]!.status !== 'pending') q.from++;
    const head: EntryDoc[] = [];
    let absorbable = 0;
    for (let i = q.from; i < q.entries.length; i++) {
      const e = q.entries[i]!;
      if (q.unloaded.count > 0 && e.seq > q.cutoffSeq) return { head, more: true };
      if (e.status !== 'pending' || (completedFirst && !e.orderDone) || e.entitlementFen - e.receivedFen <= 0) continue;
      if (absorbable >= needFen && needFen > 0) return { head, more: true };
      head.push(e);
      absorbable += e.entitlementFen - e.receivedFen;
    }
    return { head, more: q.unloaded.count > 0 };
  }

  queueLoads(work: OrderWork, config: PluginConfig): Map<string, QueueLoad> {
    const need = new Map<string, number>();
    for (const scope of work.scopes) {
      const rules = this.rules(scope, config);
      if (!rules.enabled) continue;
      let fen = work.settle && !config.rebate.paused ? mulBpFloor(scope.line.cashFen, rules.extractionBp) : 0;
      const p = work.order.settleProgress;
      if (p && scope.index < p.line) fen = 0;
      if (p && scope.index === p.line) fen -= p.lineExtractedFen;
      need.set(rules.queueKey, (need.get(rules.queueKey) ?? 0) + Math.max(0, fen));
    }
    const out = new Map<string, QueueLoad>();
    for (const [key, needFen] of need) {
      const q = this.queues.get(key);
      const { head, more } = needFen > 0 ? this.head(key, needFen, config.rebate.ordering === 'completedFirst') : { head: [], more: true };
      out.set(key, { doc: q ? { ...q.doc } : null, head, more });
    }
    return out;
  }

  /** The union pool and the buyer's direct referrer's oldest pending entries (as loadUnion reads them). */
  unionLoad(work: OrderWork, referrerId: string | null, config: PluginConfig): UnionLoad {
    if (!config.union.enabled) return { state: { _id: 'union', poolFen: 0, nextSeq: 0, pendingCount: 0, pendingFen: 0, inflowFen: 0, releasedFen: 0 }, referrers: new Map() };
    const referrers: UnionLoad['referrers'] = new Map();
    if (config.union.accelerationBp > 0 && work.settle && referrerId) {
      const pending = (this.unionByUser.get(referrerId) ?? []).filter((e) => e.status === 'pending');
      referrers.set(referrerId, { pending: pending.slice(0, ACCELERATION_MAX_ENTRIES), more: pending.length > ACCELERATION_MAX_ENTRIES });
    }
    return { state: { ...this.union }, referrers };
  }

  /** Exit candidates: active lots by exit key up to the bound, at most `limit` (as loadGreen reads them). */
  greenLoad(works: OrderWork[], config: PluginConfig, extraInflowFen?: number, limit = EXIT_CANDIDATES): GreenLoad {
    const state = { ...this.greenState(config) };
    if (!config.green.enabled || state.totalUnits === 0) return { state, candidates: [], completeBelowKey: Infinity };
    const bound = exitCandidateBound(state, works, config, extraInflowFen);
    if (bound > this.maxBoundAsked) this.maxBoundAsked = bound;
    const candidates: GreenLotDoc[] = [];
    for (const [key, lot] of this.lotIndex.entries()) {
      if (key[0] > bound || candidates.length === limit) break;
      candidates.push({ ...lot });
    }
    const completeBelowKey = candidates.length === limit ? candidates[candidates.length - 1]!.exitKey : bound;
    return { state, candidates, completeBelowKey };
  }

  /** The buyer's referrer and the completed spend each tier rule of the work's lines asks for (as loadBuyers reads it). */
  buyerLoad(work: OrderWork, referrerId: string | null, completions: Completion[] | undefined, config: PluginConfig): Map<string, BuyerLoad> {
    const buyer: BuyerLoad = { referrerId, spendFen: new Map() };
    if (work.settle) {
      for (const scope of work.scopes) {
        const rules = this.rules(scope, config);
        if (!rules.enabled) continue;
        for (const q of spendQueries(rules.chain)) {
          const within = spendScope(scope, q.source);
          const at = work.order.createdAt.getTime();
          let sum = 0;
          for (const c of completions ?? []) {
            // completed when the settler read it: completed by the order's creation, not refunded before the settlement
            if (c.orderId === work.order._id) continue;
            const t = c.completedAt.getTime();
            if (t < at - q.days * 86_400_000 || t > at) continue;
            if (c.refundedAt && c.refundedAt.getTime() <= work.at.getTime()) continue;
            if ('storeId' in within ? c.storeId !== within.storeId : c.kind !== 'mall') continue;
            sum += c.cashFen;
          }
          buyer.spendFen.set(`${work.order._id}|${scope.index}|${q.source}|${q.days}`, sum);
        }
      }
    }
    return new Map([[work.order.userId, buyer]]);
  }

  /** The limit counters the work's lines may take (as loadCounters reads them). */
  counterLoad(work: OrderWork, config: PluginConfig): Map<string, number> {
    const out = new Map<string, number>();
    if (!work.settle) return out;
    const day = shanghaiDay(work.order.paidAt ?? work.order.createdAt);
    for (const scope of work.scopes) {
      for (const { scope: sc } of this.rules(scope, config).limits) {
        for (const id of [`limit|${work.order.userId}|${sc}|${day}`, `limit|${work.order.userId}|${sc}|total`]) {
          const v = this.counters.get(id);
          if (v !== undefined) out.set(id, v);
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ the settler's writes

  /** Apply a batch's writes as writeBatch does (the order documents are the replay's: see replay.ts). */
  apply(w: BatchWrites): void {
    for (const [key, q] of w.queues) {
      let state = this.queues.get(key);
      if (!state) {
        if (!q.insert) throw new Error(`invariant: the planner updated queue ${key}, which does not exist`);
        state = { doc: { ...q.insert, pendingCount: 0, pendingFen: 0, paidFen: 0, entryCount: 0 }, entries: [], from: 0, unloaded: { count: 0, fen: 0 }, cutoffSeq: 0 };
        this.queues.set(key, state);
      }
      const doc = state.doc as unknown as Record<string, number>;
      for (const [k, v] of Object.entries(q.inc)) doc[k] = (doc[k] ?? 0) + v;
      Object.assign(state.doc, q.set);
    }
    for (const inserted of w.entryInserts) {
      const e = { ...inserted };
      const q = this.queues.get(e.queueKey);
      if (!q) throw new Error(`invariant: entry ${e._id} joins queue ${e.queueKey}, which does not exist`);
      q.entries.push(e);
      this.indexEntry(e);
      this.created.add(e._id);
    }
    for (const [id, set] of w.entryUpdates) {
      const e = this.entriesById.get(id);
      if (!e || e.status !== 'pending') throw new Error(`invariant: the planner paid entry ${id}, which is not pending in the replay`);
      Object.assign(e, set);
    }
    for (const inserted of w.unionEntryInserts) {
      const e = { ...inserted };
      this.addUnionEntry(e);
      this.created.add(e._id);
    }
    for (const [id, set] of w.unionEntryUpdates) {
      const e = this.unionById.get(id);
      if (!e || e.status !== 'pending') throw new Error(`invariant: the planner paid union entry ${id}, which is not pending in the replay`);
      Object.assign(e, set);
    }
    if (Object.keys(w.unionInc).length || w.unionNextSeq !== null) {
      const u = this.union as unknown as Record<string, number>;
      for (const [k, v] of Object.entries(w.unionInc)) u[k] = (u[k] ?? 0) + v;
      if (w.unionNextSeq !== null) this.union.nextSeq = w.unionNextSeq;
    }
    if (w.green) {
      const before = this.green;
      this.green = {
        ...w.green,
        inflowFen: (before?.inflowFen ?? 0) + (w.greenInc.inflowFen ?? 0),
        paidOutFen: (before?.paidOutFen ?? 0) + (w.greenInc.paidOutFen ?? 0),
        version: (before?.version ?? 0) + 1,
      };
    }
    for (const lot of w.lotInserts) {
      this.addLot({ ...lot });
      this.created.add(lot._id);
    }
    for (const [id, set] of w.lotUpdates) {
      const lot = this.lots.get(id);
      if (!lot || lot.status !== 'active') throw new Error(`invariant: the planner changed lot ${id}, which is not active in the replay`);
      this.updateLot(lot, set as Partial<GreenLotDoc>);
    }
    for (const [id, count] of w.counters) this.counters.set(id, count);
  }

  /** Pending queue entitlement, all queues (the queue documents' counters, as the dashboard reads them). */
  queueOutstandingFen(): number {
    let fen = 0;
    for (const q of this.queues.values()) fen += q.doc.pendingFen;
    return fen;
  }
}
