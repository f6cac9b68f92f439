import { parseWxBill } from '../engine/reconcile/bill';
import { compareDay } from '../engine/reconcile/compare';
import { shanghaiDay } from '../engine/time';
import { AppError } from '../runtime/errors';
import type { AppDeps } from '../runtime/context';
import { col } from '../repo/db';
import type { ReconciliationDoc } from '../repo/documents';

/**
 * Every day reconciled (SPEC §9): WeChat Pay's bill of a day (downloadBill, available from about
 * 10:00 the next day — the `daily` function's second timer runs at 10:00) compared with our
 * payments of that day (by WeChat's payment time) and our refunds confirmed that day. Every
 * payment or refund on one side only, or with a different amount, is listed for admins
 * (admin.reconciliations); running a day again replaces its result. Orders paid without WeChat Pay
 * (deductions only) are not WeChat's business and are left out.
 */

/** Differences kept on the day's document (all are counted). */
export const RECONCILE_MAX_LISTED = 500;

export async function reconcileDay(deps: Pick<AppDeps, 'store' | 'wx'>, day: string, now: Date): Promise<ReconciliationDoc> {
  if (day >= shanghaiDay(now)) throw new AppError('INVALID_INPUT', '只能核对已经结束的日期（微信支付次日 10 点后提供前一天的账单）');
  const db = deps.store.db;
  const text = await deps.wx.downloadBill(day);
  const empty = { payments: 0, paymentFen: 0, refunds: 0, refundFen: 0 };
  let doc: ReconciliationDoc;
  if (text === null) {
    doc = { _id: day, status: 'unavailable', ranAt: now, wechat: empty, ours: empty, differences: [], differenceCount: 0, note: '本地模式没有微信支付账单' };
  } else {
    const bill = parseWxBill(text);
    const payments = await col(db, 'payments')
      .find({ day, source: { $nin: ['zero', 'local'] } }, { projection: { _id: 1, orderId: 1, amountFen: 1 } })
      .toArray();
    const refunds = await col(db, 'refunds').find({ day, status: 'succeeded' }, { projection: { _id: 1, orderId: 1, amountFen: 1 } }).toArray();
    const cmp = compareDay(
      { payments: payments.map((p) => ({ transactionId: p._id, orderId: p.orderId, amountFen: p.amountFen })), refunds: refunds.map((r) => ({ refundNo: r._id, orderId: r.orderId, amountFen: r.amountFen })) },
      bill,
    );
    doc = {
      _id: day,
      status: 'done',
      ranAt: now,
      wechat: cmp.wechat,
      ours: cmp.ours,
      differences: cmp.differences.slice(0, RECONCILE_MAX_LISTED),
      differenceCount: cmp.differences.length,
      note: bill.unreadable ? `账单中有 ${bill.unreadable} 行无法识别` : '',
    };
  }
  await col(db, 'reconciliations').replaceOne({ _id: day }, doc, { upsert: true });
  return doc;
}
