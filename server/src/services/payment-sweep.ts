import { col, runTransaction, type Store } from '../repo/db';
import type { OrderDoc } from '../repo/documents';
import type { AppDeps } from '../runtime/context';
import { asWxError, type WxOrderState } from '../runtime/wx';
import { readConfig } from './config';
import { cancelUnpaid, handlePayment, type PaymentOutcome } from './orders';

/**
 * No payment lost (SPEC §9): WeChat Pay's notification can be lost (a function that failed, two
 * days of retries that ended), so an order that got a prepay is asked about until it is paid or
 * closed. The sweep asks WeChat (cloudPay.queryOrder) about every such order whose check is due:
 *  - paid at WeChat → recorded through the same payment path as the notification (handlePayment,
 *    idempotent by the transaction id: a notification arriving as well changes nothing);
 *  - not paid, and its last prepay older than `payment.closeAfterMin` → closed at WeChat Pay
 *    (closeOrder: no payment can be made on it any more) and only then cancelled; if the close
 *    says it was paid meanwhile, that payment is recorded instead;
 *  - otherwise asked again later (a growing wait).
 * An order is claimed by moving its payCheckAt on before the call, so two sweeps never ask at once.
 */

/** The first ask, a few minutes after the prepay (the notification normally arrives within seconds). */
export const FIRST_PAY_CHECK_MS = 3 * 60_000;
const MAX_PAY_CHECK_MS = 30 * 60_000;
const checkDelay = (checks: number) => Math.min(MAX_PAY_CHECK_MS, FIRST_PAY_CHECK_MS * 2 ** Math.min(checks, 20));

/** WeChat's states in which the shopper's money reached us (REFUND: paid, then refunded at WeChat). */
const PAID = new Set<WxOrderState['state']>(['SUCCESS', 'REFUND']);

/** Before order.pay asks WeChat for a prepay: from now on the sweep looks after this order. */
export async function notePrepay(store: Store, orderId: string, now: Date): Promise<void> {
  await col(store.db, 'orders').updateOne({ _id: orderId, status: 'created' }, { $set: { prepayAt: now, payCheckAt: new Date(now.getTime() + FIRST_PAY_CHECK_MS) } });
}

/** Record a payment WeChat knows of (the sweep's, or the close's "already paid"). */
async function recordFound(deps: AppDeps, order: OrderDoc, st: WxOrderState, now: Date): Promise<PaymentOutcome | null> {
  if (!st.transactionId || st.totalFen === undefined || !Number.isSafeInteger(st.totalFen)) return null;
  const outcome = await handlePayment(deps, now, { outTradeNo: order._id, transactionId: st.transactionId, totalFee: st.totalFen, paidAt: st.paidAt, source: 'sweep' });
  if (outcome.settling) await deps.settler.nudge(now);
  return outcome;
}

/**
 * Close an order's prepay at WeChat Pay before it is cancelled. Returns 'paid' when it turns out
 * to be paid (the payment is then recorded and the order must not be cancelled). WeChat refuses a
 * close within 5 minutes of the prepay; then the order is asked about instead, and an unpaid one
 * is cancelled anyway (a payment that still arrives is recorded as a duplicate and credited to the
 * shopper's wallet).
 */
export async function closeBeforeCancel(deps: AppDeps, order: OrderDoc, now: Date): Promise<'paid' | 'closed' | 'unknown'> {
  if (deps.wx.mode !== 'wechat' || !order.prepayAt || order.status !== 'created') return 'closed';
  try {
    const r = await deps.wx.closeOrder(order._id);
    if (!r.paid) return 'closed';
  } catch (err) {
    console.error('closeOrder failed; asking instead', order._id, asWxError(err).message);
  }
  const st = await deps.wx.queryOrder(order._id);
  if (PAID.has(st.state)) {
    await recordFound(deps, order, st, now);
    return 'paid';
  }
  return 'unknown';
}

export interface PaymentSweepReport {
  checked: number;
  found: number;
  closed: number;
  errors: number;
}

export async function sweepPayments(deps: AppDeps, now: Date, limit = 20): Promise<PaymentSweepReport> {
  const report: PaymentSweepReport = { checked: 0, found: 0, closed: 0, errors: 0 };
  const orders = col(deps.store.db, 'orders');
  const due = await orders.find({ payCheckAt: { $lte: now } }).sort({ payCheckAt: 1 }).limit(limit).toArray();
  if (due.length === 0) return report;
  const config = await readConfig(deps.store.db);
  for (const o of due) {
    if (o.status !== 'created') {
      await orders.updateOne({ _id: o._id, payCheckAt: o.payCheckAt }, { $set: { payCheckAt: null } });
      continue;
    }
    const claimed = await orders.findOneAndUpdate(
      { _id: o._id, status: 'created', payCheckAt: o.payCheckAt },
      { $set: { payCheckAt: new Date(now.getTime() + checkDelay((o.payChecks ?? 0) + 1)) }, $inc: { payChecks: 1 } },
      { returnDocument: 'after' },
    );
    if (!claimed) continue;
    report.checked++;
    try {
      const st = await deps.wx.queryOrder(o._id);
      if (PAID.has(st.state)) {
        if (await recordFound(deps, claimed, st, now)) report.found++;
        continue;
      }
      const abandoned = claimed.prepayAt && now.getTime() - claimed.prepayAt.getTime() >= config.payment.closeAfterMin * 60_000;
      if (!abandoned || st.state === 'USERPAYING') continue;
      const close = await deps.wx.closeOrder(o._id);
      if (close.paid) {
        if (await recordFound(deps, claimed, await deps.wx.queryOrder(o._id), now)) report.found++;
        continue;
      }
      await runTransaction(deps.store, now, async (tx) => {
        const fresh = await col(tx.db, 'orders').findOne({ _id: o._id }, { session: tx.session });
        if (fresh?.status === 'created') await cancelUnpaid(tx, fresh);
      });
      report.closed++;
      // returned green points are minted in the pool's favour: the price may rise, lots may exit
      if (claimed.deduct.greenUnits > 0) await deps.settler.nudge(now);
    } catch (err) {
      report.errors++;
      console.error('payment sweep failed', o._id, asWxError(err).message);
    }
  }
  return report;
}
