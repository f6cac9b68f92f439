import type { AppDeps } from '../runtime/context';
import { autoConfirmShipped } from './fulfilment';
import { sweepPayments } from './payment-sweep';
import { sweepPayouts } from './payouts';
import { sweepRefunds } from './refunds';

/**
 * The sweeps that ask WeChat about money whose outcome we have not heard of: unpaid orders with
 * a prepay (queryOrder; abandoned ones closed and cancelled), accepted refunds (queryRefund),
 * WeChat transfers (query; expired ones cancelled) — and the auto-confirm of shipped orders
 * (services/fulfilment.ts). Each is bounded and safe on many instances at
 * once. Run by the `outbox` function (its timer every minute, and whenever it is started), the
 * daily job, and admin.sweep.
 */
export async function runSweeps(deps: AppDeps, now: Date) {
  const payments = await sweepPayments(deps, now);
  const refunds = await sweepRefunds(deps, now);
  const payouts = await sweepPayouts(deps, now);
  // 自动确认收货: shipped orders N days old are completed (bounded; the settler settles them)
  const autoConfirm = await autoConfirmShipped(deps, now);
  return { payments, refunds, payouts, autoConfirm };
}
