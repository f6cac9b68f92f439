import { mulBpFloor } from '../../money/units';
import { addDays } from '../time';
import { runWaterfall, type PayableEntry, type WaterfallResult } from '../rebate/waterfall';

/**
 * 工会排队 (SPEC §4): a pool fed by a share of each order's profit; entries wait out a lock
 * period and are then paid in full, in queue order, while the pool can pay the next in full.
 */

/** The order day counts as day 1: an order on Aug 1 with 15 lock days is eligible on Aug 15. */
export function eligibleDay(orderDay: string, lockDays: number): string {
  if (!Number.isInteger(lockDays) || lockDays < 1) throw new Error(`invariant: lock days must be a positive integer, got ${lockDays}`);
  return addDays(orderDay, lockDays - 1);
}

export function unionPoolInflow(profitFen: number, poolShareBp: number): number {
  return mulBpFloor(profitFen, poolShareBp);
}

export function unionEntitlement(paidFen: number, entitlementBp: number): number {
  return mulBpFloor(paidFen, entitlementBp);
}

export interface StaticReleasePlan {
  paid: { id: string; amountFen: number }[];
  /** true when the release stopped at an entry the pool could not pay in full */
  blocked: boolean;
  poolAfterFen: number;
}

/** Static release over eligible entries in queue order: pay each in full, stop at the first the pool cannot pay. */
export function planStaticRelease(poolFen: number, eligibleInOrder: Iterable<PayableEntry>): StaticReleasePlan {
  let pool = poolFen;
  const paid: { id: string; amountFen: number }[] = [];
  for (const e of eligibleInOrder) {
    if (e.remainingFen > pool) return { paid, blocked: true, poolAfterFen: pool };
    paid.push({ id: e.id, amountFen: e.remainingFen });
    pool -= e.remainingFen;
  }
  return { paid, blocked: false, poolAfterFen: pool };
}

/** 动态加速: the direct referrer's oldest pending entries get `paid × accelerationBp` now, capped by the pool. */
export function planAcceleration(refereePaidFen: number, accelerationBp: number, poolFen: number, referrerPendingInOrder: Iterable<PayableEntry>): WaterfallResult {
  const budget = Math.min(mulBpFloor(refereePaidFen, accelerationBp), poolFen);
  return runWaterfall(budget, referrerPendingInOrder);
}
