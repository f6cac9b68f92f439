import type { PluginConfig } from '../../engine/config/types';
import { launchState } from '../../engine/green/pool';
import { lineRebateRules, type LineScope } from '../../engine/rebate/line-rules';
import { lastResetInstant } from '../../engine/rebate/rules';
import { spendQueries } from '../../engine/rebate/ratio';
import { ACCELERATION_MAX_ENTRIES } from '../../engine/settlement/union-book';
import { EXIT_CANDIDATES, EXIT_STEP_CANDIDATES, exitCandidateBound, spendScope, workFor } from '../../engine/settlement/work';
import type { BuyerLoad, GreenLoad, OrderWork, QueueLoad, UnionLoad } from '../../engine/settlement/types';
import { shanghaiDay as shanghaiDayOf } from '../../engine/time';
import { mulBpFloor } from '../../money/units';
import { col, s, type Tx } from '../../repo/db';
import type { CashierDoc, EntryDoc, GreenLotDoc, GreenStateDoc, OrderDoc, ProductDoc, SettlerDoc, StoreDoc, UnionStateDoc } from '../../repo/documents';

/**
 * The settler's prefetch: everything a batch of due orders may read, loaded once, inside the
 * batch's transaction (one snapshot). Reads are bounded: at most `limit` orders, queue heads
 * up to what the batch can extract (and at most what its document bound can pay), the
 * referrers' oldest entries, the lots that can exit at the highest price the batch can reach.
 */

/** Orders taken per batch at most (the document bound usually ends a batch first). */
export const BATCH_ORDERS = 64;
export { EXIT_CANDIDATES, EXIT_STEP_CANDIDATES, workFor };
/** The head is read in pages: a small first one (one entry usually absorbs an extraction), then bigger ones. */
const HEAD_FIRST_PAGE = 4;
const HEAD_PAGE = 32;

/** The due orders to take now, in payment order: a cut settlement first, then by due time. */
export async function dueOrders(tx: Tx, settler: SettlerDoc, config: PluginConfig, limit: number): Promise<OrderDoc[]> {
  const orders = col(tx.db, 'orders');
  const out: OrderDoc[] = [];
  if (settler.cut) {
    const cut = await orders.findOne({ _id: settler.cut, settleDue: true }, s(tx));
    if (cut) out.push(cut);
  }
  const rest = await orders
    .find({ settleDue: true, ...(settler.cut ? { _id: { $ne: settler.cut } } : {}) }, s(tx))
    .sort({ settleDueAt: 1, _id: 1 })
    .limit(limit)
    .toArray();
  // A scheduled reset applies before any extraction after its time: a batch never crosses one.
  const epoch = (o: OrderDoc) => lastResetInstant(config.rebate.reset, o.settleDueAt ?? o.paidAt ?? o.createdAt)?.getTime() ?? 0;
  const first = out[0] ?? rest[0];
  if (!first) return out;
  const e0 = epoch(first);
  for (const o of rest) {
    if (epoch(o) !== e0) break;
    out.push(o);
  }
  return out;
}

/** The product, store and cashier documents of each order's lines. */
export async function loadScopes(tx: Tx, orders: OrderDoc[]): Promise<Map<string, LineScope[]>> {
  const productIds = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.productId).filter((x): x is string => !!x)))];
  const storeIds = [...new Set(orders.map((o) => o.storeId).filter((x): x is string => !!x))];
  const cashierIds = [...new Set(orders.map((o) => o.cashierId).filter((x): x is string => !!x))];
  const byId = <T extends { _id: string }>(docs: T[]) => new Map(docs.map((d) => [d._id, d]));
  const products = byId((productIds.length ? await col(tx.db, 'products').find({ _id: { $in: productIds } }, s(tx)).toArray() : []) as ProductDoc[]);
  const stores = byId((storeIds.length ? await col(tx.db, 'stores').find({ _id: { $in: storeIds } }, s(tx)).toArray() : []) as StoreDoc[]);
  const cashiers = byId((cashierIds.length ? await col(tx.db, 'cashiers').find({ _id: { $in: cashierIds } }, s(tx)).toArray() : []) as CashierDoc[]);
  const out = new Map<string, LineScope[]>();
  for (const order of orders) {
    out.set(
      order._id,
      order.lines.map((line, index) => ({
        line,
        index,
        source:
          order.kind === 'cashier'
            ? { kind: 'cashier' as const, cashierId: order.cashierId! }
            : order.kind === 'store'
              ? { kind: 'store' as const, storeId: order.storeId! }
              : { kind: 'mall' as const, productId: line.productId! },
        product: line.productId ? (products.get(line.productId) ?? null) : null,
        store: order.storeId ? (stores.get(order.storeId) ?? null) : null,
        cashier: order.cashierId ? (cashiers.get(order.cashierId) ?? null) : null,
      })),
    );
  }
  return out;
}

/**
 * Each queue the works touch: its document, and its payable head up to what the batch can
 * extract from it (`needFen`) or `cap` entries, whichever comes first.
 */
export async function loadQueues(tx: Tx, works: OrderWork[], config: PluginConfig, cap: number): Promise<Map<string, QueueLoad>> {
  const need = new Map<string, number>();
  for (const w of works) {
    if (!w.settle) continue;
    for (const scope of w.scopes) {
      const rules = lineRebateRules(scope, config);
      if (!rules.enabled) continue;
      let fen = config.rebate.paused ? 0 : mulBpFloor(scope.line.cashFen, rules.extractionBp);
      const p = w.order.settleProgress;
      if (p && scope.index < p.line) fen = 0;
      if (p && scope.index === p.line) fen -= p.lineExtractedFen;
      need.set(rules.queueKey, (need.get(rules.queueKey) ?? 0) + Math.max(0, fen));
    }
  }
  const out = new Map<string, QueueLoad>();
  for (const [key, needFen] of need) {
    const doc = await col(tx.db, 'queues').findOne({ _id: key }, s(tx));
    const head: EntryDoc[] = [];
    let more = true;
    if (needFen > 0) {
      const filter = { queueKey: key, status: 'pending' as const, ...(config.rebate.ordering === 'completedFirst' ? { orderDone: true } : {}) };
      let absorbable = 0;
      let afterSeq = 0;
      while (absorbable < needFen && head.length < cap) {
        const want = Math.min(head.length ? HEAD_PAGE : HEAD_FIRST_PAGE, cap - head.length);
        const page = (await col(tx.db, 'entries').find({ ...filter, seq: { $gt: afterSeq } }, s(tx)).sort({ seq: 1 }).limit(want).toArray()) as EntryDoc[];
        for (const e of page) {
          head.push(e);
          absorbable += Math.max(0, e.entitlementFen - e.receivedFen);
        }
        if (page.length < want) {
          more = false; // the queue holds nothing payable beyond what was loaded
          break;
        }
        afterSeq = page[page.length - 1]!.seq;
      }
    }
    out.set(key, { doc, head, more });
  }
  return out;
}

export async function loadUnion(tx: Tx, works: OrderWork[], buyers: Map<string, BuyerLoad>, config: PluginConfig): Promise<UnionLoad> {
  const blank: UnionStateDoc = { _id: 'union', poolFen: 0, nextSeq: 0, pendingCount: 0, pendingFen: 0, inflowFen: 0, releasedFen: 0 };
  // the pool is untouched while the union queue is off: no round trip for it
  if (!config.union.enabled) return { state: blank, referrers: new Map() };
  const state: UnionStateDoc = (await col(tx.db, 'union_state').findOne({ _id: 'union' }, s(tx))) ?? {
    _id: 'union',
    poolFen: 0,
    nextSeq: 0,
    pendingCount: 0,
    pendingFen: 0,
    inflowFen: 0,
    releasedFen: 0,
  };
  const referrers: UnionLoad['referrers'] = new Map();
  if (config.union.enabled && config.union.accelerationBp > 0) {
    for (const w of works) {
      const r = buyers.get(w.order.userId)?.referrerId;
      if (!w.settle || !r || referrers.has(r)) continue;
      const pending = await col(tx.db, 'union_entries')
        .find({ userId: r, status: 'pending' }, s(tx))
        .sort({ seq: 1 })
        .limit(ACCELERATION_MAX_ENTRIES + 1)
        .toArray();
      referrers.set(r, { pending: pending.slice(0, ACCELERATION_MAX_ENTRIES), more: pending.length > ACCELERATION_MAX_ENTRIES });
    }
  }
  return { state, referrers };
}

export async function loadGreenState(tx: Tx, config: PluginConfig): Promise<GreenStateDoc> {
  const doc = await col(tx.db, 'green_state').findOne({ _id: 'green' }, s(tx));
  if (doc) return doc;
  return { _id: 'green', ...launchState(config.green.launchPriceFen), inflowFen: 0, paidOutFen: 0, version: 0 };
}

/**
 * The lots that may exit while the batch runs: active, with an exit key at most the price the
 * pool would reach if every inflow of the batch were minted as nothing (an upper bound).
 */
export async function loadGreen(tx: Tx, works: OrderWork[], config: PluginConfig, state: GreenStateDoc, extraInflowFen?: number, limit = EXIT_CANDIDATES): Promise<GreenLoad> {
  if (!config.green.enabled || state.totalUnits === 0) return { state, candidates: [], completeBelowKey: Infinity };
  const bound = exitCandidateBound(state, works, config, extraInflowFen);
  const candidates = (await col(tx.db, 'green_lots')
    .find({ status: 'active', exitKey: { $lte: bound } }, s(tx))
    .sort({ exitKey: 1 })
    .limit(limit)
    .toArray()) as GreenLotDoc[];
  const completeBelowKey = candidates.length === limit ? candidates[candidates.length - 1]!.exitKey : bound;
  return { state, candidates, completeBelowKey };
}

/** The buyers: their direct referrer and the completed spend each tier rule of their lines asks for. */
export async function loadBuyers(tx: Tx, works: OrderWork[], config: PluginConfig): Promise<Map<string, BuyerLoad>> {
  const ids = [...new Set(works.map((w) => w.order.userId))];
  const users = await col(tx.db, 'users').find({ _id: { $in: ids } }, { ...s(tx), projection: { referrerId: 1 } }).toArray();
  const out = new Map<string, BuyerLoad>(ids.map((id) => [id, { referrerId: users.find((u) => u._id === id)?.referrerId ?? null, spendFen: new Map() }]));
  for (const w of works) {
    if (!w.settle) continue;
    const buyer = out.get(w.order.userId)!;
    for (const scope of w.scopes) {
      const rules = lineRebateRules(scope, config);
      if (!rules.enabled) continue;
      for (const q of spendQueries(rules.chain)) {
        const at = w.order.createdAt;
        const filter = {
          userId: w.order.userId,
          // the order being settled may already be completed (settlement on completion): its own spend does not count
          _id: { $ne: w.order._id },
          status: 'completed' as const,
          completedAt: { $gte: new Date(at.getTime() - q.days * 86_400_000), $lte: at },
          ...spendScope(scope, q.source),
        };
        let sum = 0;
        for await (const o of col(tx.db, 'orders').find(filter, { ...s(tx), projection: { cashFen: 1 } })) sum += o.cashFen;
        buyer.spendFen.set(`${w.order._id}|${scope.index}|${q.source}|${q.days}`, sum);
      }
    }
  }
  return out;
}

/** The per-person limit counters the works' lines may take. */
export async function loadCounters(tx: Tx, works: OrderWork[], config: PluginConfig): Promise<Map<string, number>> {
  const ids = new Set<string>();
  for (const w of works) {
    if (!w.settle) continue;
    for (const scope of w.scopes) {
      const rules = lineRebateRules(scope, config);
      const day = shanghaiDayOf(w.order.paidAt ?? w.order.createdAt);
      for (const { scope: sc } of rules.limits) {
        ids.add(`limit|${w.order.userId}|${sc}|${day}`);
        ids.add(`limit|${w.order.userId}|${sc}|total`);
      }
    }
  }
  if (!ids.size) return new Map();
  const docs = await col(tx.db, 'counters').find({ _id: { $in: [...ids] } }, s(tx)).toArray();
  return new Map(docs.map((d) => [d._id, d.count]));
}
