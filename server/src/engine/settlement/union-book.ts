import type { OrderDoc, UnionEntryDoc, UnionStateDoc } from '../../repo/documents';
import type { PluginConfig } from '../config/types';
import { acct } from '../ledger/accounts';
import type { Movements } from '../ledger/movements';
import type { LineScope } from '../rebate/line-rules';
import { shanghaiDay } from '../time';
import { eligibleDay, planAcceleration, unionEntitlement, unionPoolInflow } from '../union/union';
import { mulBpFloor } from '../../money/units';
import { DocBudget, doc } from './budget';
import type { BatchWrites, PlannedMessage, UnionLoad } from './types';
import { UNION_MEMO } from '../union/memos';

/** Bound on the referrer's entries one acceleration may touch (their oldest pending ones). */
export const ACCELERATION_MAX_ENTRIES = 50;

/** Profit of a line: price − cost for products; paid × store commission for O2O (cashier) payments. */
export function lineProfitFen(scope: LineScope): number {
  if (scope.source.kind === 'cashier') return mulBpFloor(scope.line.cashFen, scope.store?.commissionBp ?? 0);
  return Math.max(0, scope.line.cashFen - scope.line.costFen * scope.line.qty);
}

function lockDaysFor(scope: LineScope, config: PluginConfig): number {
  return scope.product?.lockDays ?? scope.store?.lockDays ?? config.union.defaultLockDays;
}

/**
 * The union pool during a batch, in memory (SPEC §4): each settled order's profit share flows
 * in and its lines join at the tail (seq order); the buyer's direct referrer gets part of the
 * paid amount released from the pool onto their oldest pending entries (加速).
 */
export class UnionBook {
  private readonly state: UnionStateDoc;
  private readonly referrers: UnionLoad['referrers'];
  readonly inc = { poolFen: 0, inflowFen: 0, pendingFen: 0, pendingCount: 0, releasedFen: 0 };
  private nextSeq: number;
  private seqChanged = false;

  constructor(load: UnionLoad) {
    this.state = { ...load.state };
    this.nextSeq = load.state.nextSeq;
    this.referrers = new Map([...load.referrers].map(([u, r]) => [u, { pending: r.pending.map((e) => ({ ...e })), more: r.more }]));
  }

  get poolFen(): number {
    return this.state.poolFen + this.inc.poolFen;
  }

  /** Inflow from the lines' profit (capped by what the order still holds) and one entry per line. */
  onSettle(w: BatchWrites, budget: DocBudget, order: OrderDoc, scopes: LineScope[], clearingFen: number, config: PluginConfig, at: Date, mv: Movements): number {
    const orderDay = shanghaiDay(order.paidAt ?? order.createdAt);
    let inflowFen = 0;
    for (const scope of scopes) {
      inflowFen += unionPoolInflow(lineProfitFen(scope), config.union.poolShareBp);
      const entitlementFen = unionEntitlement(scope.line.cashFen, config.union.entitlementBp);
      if (entitlementFen === 0) continue;
      const lockDays = lockDaysFor(scope, config);
      this.nextSeq++;
      this.seqChanged = true;
      const entry: UnionEntryDoc = {
        _id: `${order._id}:${scope.index}`,
        seq: this.nextSeq,
        userId: order.userId,
        orderId: order._id,
        lineIndex: scope.index,
        entitlementFen,
        receivedFen: 0,
        status: 'pending',
        lockDays,
        orderDay,
        eligibleDay: eligibleDay(orderDay, lockDays),
        createdAt: at,
        closedAt: null,
      };
      w.unionEntryInserts.push(entry);
      budget.touch(doc.unionEntry(entry._id));
      // a referrer whose whole pending list was loaded sees their new entry for later accelerations
      const r = this.referrers.get(order.userId);
      if (r && !r.more) r.pending.push(entry);
      mv.move(acct.unionEntitlementIssuer, acct.userUnionEntitlement(order.userId), entitlementFen, UNION_MEMO.issued);
      this.inc.pendingFen += entitlementFen;
      this.inc.pendingCount += 1;
    }
    inflowFen = Math.min(inflowFen, clearingFen);
    mv.move(acct.orderClearing(order._id), acct.unionPool, inflowFen, '工会池注入');
    this.inc.poolFen += inflowFen;
    this.inc.inflowFen += inflowFen;
    budget.touch(doc.unionState);
    if (inflowFen > 0) addInflow(w, budget, 'pool:union', at, inflowFen);
    return inflowFen;
  }

  /** 加速: part of the referee's payment, from the pool, onto the referrer's oldest pending entries. */
  accelerate(w: BatchWrites, budget: DocBudget, paidFen: number, referrerId: string | null, config: PluginConfig, at: Date, mv: Movements): number {
    if (!referrerId || config.union.accelerationBp === 0) return 0;
    const r = this.referrers.get(referrerId);
    if (!r) return 0;
    const pending = r.pending.filter((e) => e.status === 'pending').slice(0, ACCELERATION_MAX_ENTRIES);
    const plan = planAcceleration(paidFen, config.union.accelerationBp, this.poolFen, pending.map((e) => ({ id: e._id, remainingFen: e.entitlementFen - e.receivedFen })));
    const messages: PlannedMessage[] = [];
    let total = 0;
    for (const p of plan.payouts) {
      const e = pending.find((x) => x._id === p.id)!;
      e.receivedFen += p.amountFen;
      const set: Record<string, unknown> = { receivedFen: e.receivedFen };
      if (p.completes) {
        e.status = 'completed';
        e.closedAt = at;
        Object.assign(set, { status: 'completed', closedAt: at });
        this.inc.pendingCount -= 1;
      }
      const inserted = w.unionEntryInserts.find((x) => x._id === e._id);
      if (inserted) Object.assign(inserted, set);
      else w.unionEntryUpdates.set(e._id, set);
      budget.touch(doc.unionEntry(e._id));
      mv.move(acct.unionPool, acct.userCash(e.userId), p.amountFen, UNION_MEMO.accelerated);
      mv.move(acct.userUnionEntitlement(e.userId), acct.unionEntitlementIssuer, p.amountFen, UNION_MEMO.accelerated);
      messages.push({ userId: e.userId, kind: p.completes ? 'completed' : 'payout', data: { amount: String(p.amountFen), entryId: e._id, queue: '工会排队' } });
      total += p.amountFen;
    }
    this.inc.poolFen -= total;
    this.inc.pendingFen -= total;
    this.inc.releasedFen += total;
    w.messages.push(...messages);
    return total;
  }

  finish(w: BatchWrites): void {
    const changed = Object.values(this.inc).some((v) => v !== 0) || this.seqChanged;
    if (!changed) return;
    w.unionInc = { ...this.inc };
    w.unionNextSeq = this.seqChanged ? this.nextSeq : null;
  }
}

/** Daily inflow per target (queue, union pool, green pool), for the liability dashboard's 7/30-day figures. */
export function addInflow(w: BatchWrites, budget: DocBudget, target: string, at: Date, fen: number): void {
  if (fen <= 0) return;
  const id = `${target}|${shanghaiDay(at)}`;
  w.inflows.set(id, (w.inflows.get(id) ?? 0) + fen);
  budget.touch(doc.inflow(id));
}
