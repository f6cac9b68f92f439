import { mulBpFloor } from '../../money/units';
import type { PluginConfig } from '../config/types';
import { priceKeyUpperBound, type GreenState } from '../green/pool';
import type { LineScope } from '../rebate/line-rules';
import type { RatioSource } from '../rebate/ratio';
import type { OrderDoc } from '../../repo/documents';
import type { OrderWork } from './types';

/**
 * What the settler's loader decides without reading anything: the work a due order asks for,
 * the lots worth loading as exit candidates, whose completed spend a tier rule counts. Pure, so
 * that the settler (services/settler/load.ts) and the what-if replay (engine/simulation) load
 * by the same rules and hand the planner the same inputs.
 */

/** Lots loaded as exit candidates per batch (the settler's read bound; the replay mirrors it so cascades run in the same order). */
export const EXIT_CANDIDATES = 100;
/**
 * Lots loaded per exit step of the settler (a cascade outside a batch). An exit there writes
 * only its lot (its payout follows, settler/exit-payouts.ts), so a step has room for more of
 * them; the replay mirrors it as well.
 */
export const EXIT_STEP_CANDIDATES = 400;

/** The work a due order asks for, at its own event time (payment, or completion). */
export function workFor(order: OrderDoc, scopes: LineScope[]): OrderWork {
  const completeNow = order.kind === 'cashier' && order.status === 'paid';
  const completed = order.status === 'completed' || completeNow;
  return {
    order,
    scopes,
    at: order.settleDueAt ?? order.paidAt ?? order.createdAt,
    completeNow,
    settle: !order.settledAt && (order.status === 'paid' || order.status === 'completed'),
    distribute: completed && !order.distributedAt,
  };
}

/**
 * The highest exit key a lot may have to exit while these works run: the price the pool would
 * reach if every inflow of the batch were minted as nothing (an upper bound).
 */
export function exitCandidateBound(state: GreenState, works: OrderWork[], config: PluginConfig, extraInflowFen = 0): number {
  let inflow = extraInflowFen;
  for (const w of works) if (w.settle) inflow += Math.min(mulBpFloor(w.order.cashFen, config.green.poolShareBp), w.order.cashFen);
  return priceKeyUpperBound({ ...state, poolFen: state.poolFen + inflow });
}

/**
 * Which completed orders a tier rule counts for a line (SPEC §3.3): a store's or cashier's tiers
 * count that store's orders (cashier + online); product and plugin tiers count the mall's,
 * except on a store line, where they count the store's.
 */
export function spendScope(scope: LineScope, source: RatioSource): { storeId: string | null } | { kind: 'mall' } {
  const storeScoped = source !== 'product' && source !== 'plugin' ? true : scope.source.kind !== 'mall';
  return storeScoped ? { storeId: scope.store?._id ?? null } : { kind: 'mall' };
}
