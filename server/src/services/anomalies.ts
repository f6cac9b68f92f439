import { acct } from '../engine/ledger/accounts';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import { postEvent } from './events';
import { Movements } from './movements';

/**
 * A payment anomaly (a notification whose amount differs from its order, services/orders.ts) is
 * resolved by an admin once the payment was dealt with in the WeChat Pay merchant platform —
 * usually refunded to the payer there. The suspense money is then recorded as gone
 * (suspense → CASH:ext:wxpay), with the admin's note.
 */
export async function resolveAnomaly(tx: Tx, transactionId: string, note: string, admin: string) {
  const a = await col(tx.db, 'payment_anomalies').findOne({ _id: transactionId }, s(tx));
  if (!a) throw new AppError('NOT_FOUND', '找不到该异常支付');
  if (a.status !== 'open') throw new AppError('CONFLICT', '该异常已处理');
  const mv = new Movements();
  mv.move(acct.paymentSuspense, acct.extWxPay, a.amountFen, '异常支付已在商户平台处理');
  await col(tx.db, 'payment_anomalies').updateOne({ _id: a._id, status: 'open' }, { $set: { status: 'resolved', resolvedAt: tx.now, resolvedBy: admin, note } }, s(tx));
  await postEvent(tx, 'platform:anomalies', `anomaly.resolve:${a._id}`, 'payment.anomalyResolved', mv, { orderId: a.orderId, transactionId: a._id });
  return { ...a, status: 'resolved' as const, resolvedAt: tx.now, resolvedBy: admin, note };
}
