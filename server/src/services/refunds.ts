import { acct } from '../engine/ledger/accounts';
import { MONEY_RETRY } from '../engine/outbox/retry';
import { shanghaiDay } from '../engine/time';
import { AppError } from '../runtime/errors';
import type { AppDeps } from '../runtime/context';
import { asWxError, type WxRefundState } from '../runtime/wx';
import { col, runTransaction, s, type Tx } from '../repo/db';
import type { OrderDoc, RefundDoc } from '../repo/documents';
import { postEvent, userBook } from './events';
import { Movements } from './movements';
import type { OutboxKind } from './outbox/kinds';
import { queueOutbox } from './outbox/queue';

/**
 * Refunds through WeChat Pay, confirmed (SPEC §7: a refund counts as money out only when WeChat
 * confirms it; until then the order is 退款中).
 *
 * Accounting while in flight: the refund's business effects (entries cancelled, deductions
 * returned, stock back) happen when it is requested, and its cash moves from the order's clearing
 * account to CASH:platform:refunds-in-transit — still the platform's money, owed to the shopper.
 * WeChat's confirmation (its answer, the refund callback or the queryRefund sweep, whichever comes
 * first; the others find it done) moves it on to CASH:ext:wxpay, the money that left. A refund
 * WeChat refuses stays in transit, `failed`, in front of the admin and the merchant, until an admin
 * retries it (same refund number, as WeChat requires) or records a refund made outside WeChat Pay
 * (CASH:ext:manual). So the in-transit balance is always the sum of the refunds not yet confirmed.
 */

/** The refund number WeChat sees (out_refund_no): one full refund per order. */
export const refundNoOf = (orderId: string) => `R${orderId}`;

/** The outbox kind of the WeChat Pay refund call (the subscribe message about a refund's result is `refund`). */
export const REFUND_CALL = 'wxpay.refund';

/** The cloud function that receives WeChat Pay's refund results. */
export const REFUND_NOTIFY_FUNCTION = 'refundNotify';

/** When the queryRefund sweep first asks about an accepted refund, and how the wait grows (WeChat: usually minutes, bank cards days). */
const FIRST_CHECK_MS = 2 * 60_000;
const MAX_CHECK_MS = 6 * 60 * 60_000;
const checkDelay = (checks: number) => Math.min(MAX_CHECK_MS, FIRST_CHECK_MS * 2 ** Math.min(checks, 20));

/**
 * Record a requested refund in the refund's transaction (orders.ts refundOrder): the refund
 * document, the order's 退款中 state and the call in the outbox. Returns null when there is no cash
 * to send back (an order paid entirely by deductions is refunded at once).
 */
export async function requestRefund(tx: Tx, order: OrderDoc, requestedBy: string): Promise<RefundDoc | null> {
  if (order.cashFen === 0) return null;
  const refund: RefundDoc = {
    _id: refundNoOf(order._id),
    orderId: order._id,
    userId: order.userId,
    storeId: order.storeId,
    amountFen: order.cashFen,
    totalFen: order.cashFen,
    status: 'requested',
    requestedAt: tx.now,
    requestedBy,
    acceptedAt: null,
    confirmedAt: null,
    day: null,
    wxRefundId: null,
    error: null,
    checkAt: null,
    checks: 0,
    confirmedBy: null,
    reference: null,
  };
  await col(tx.db, 'refunds').insertOne(refund, s(tx));
  await queueOutbox(tx, order.userId, REFUND_CALL, { orderId: order._id, totalFen: String(refund.totalFen), refundFen: String(refund.amountFen) }, { key: refund._id });
  return refund;
}

/** The money left: in transit → out (WeChat Pay, or a manual refund), the order 已退款, the shopper told. */
async function confirmRefund(tx: Tx, r: RefundDoc, how: { by: RefundDoc['confirmedBy']; to: string; wxRefundId?: string | null; reference?: string | null; at?: Date }): Promise<void> {
  const mv = new Movements();
  mv.move(acct.refundsInTransit, how.to, r.amountFen, how.to === acct.extManual ? '退款已线下支付' : '退款已到账 (微信支付确认)');
  const confirmedAt = tx.now;
  const done = await col(tx.db, 'refunds').updateOne(
    { _id: r._id, status: r.status },
    {
      $set: {
        status: how.to === acct.extManual ? 'manual' : 'succeeded',
        confirmedAt,
        day: shanghaiDay(how.at ?? confirmedAt),
        confirmedBy: how.by,
        wxRefundId: how.wxRefundId ?? r.wxRefundId,
        reference: how.reference ?? r.reference,
        error: null,
        checkAt: null,
      },
    },
    s(tx),
  );
  if (done.modifiedCount !== 1) throw new AppError('CONFLICT', '退款状态已变化，请刷新');
  await col(tx.db, 'orders').updateOne({ _id: r.orderId, status: 'refunding' }, { $set: { status: 'refunded', refundedAt: confirmedAt } }, s(tx));
  await postEvent(tx, userBook(r.userId), `refund.confirm:${r._id}`, 'order.refund.confirm', mv, { orderId: r.orderId, refundId: r._id });
  await queueOutbox(tx, r.userId, 'refund', { orderId: r.orderId, amount: String(r.amountFen), status: '退款成功' });
}

export type RefundUpdate = { refundId: string; status: RefundDoc['status']; changed: boolean };

/**
 * Apply what WeChat says about a refund — its answer to the request, the refund callback, or the
 * queryRefund sweep. Idempotent: a final refund ignores anything later, so the callback and the
 * sweep may both arrive, twice, late, in any order.
 */
export async function applyRefundState(tx: Tx, refundId: string, st: WxRefundState, by: 'answer' | 'notify' | 'sweep'): Promise<RefundUpdate> {
  const r = await col(tx.db, 'refunds').findOne({ _id: refundId }, s(tx));
  if (!r) throw new AppError('NOT_FOUND', '找不到该退款');
  const same = { refundId, status: r.status, changed: false };
  if (r.status === 'succeeded' || r.status === 'manual') return same;
  const set = (fields: Partial<RefundDoc>) => col(tx.db, 'refunds').updateOne({ _id: r._id, status: r.status }, { $set: fields }, s(tx));
  switch (st.status) {
    case 'SUCCESS':
      await confirmRefund(tx, r, { by, to: acct.extWxPay, wxRefundId: st.wxRefundId ?? null, at: st.successAt });
      return { refundId, status: 'succeeded', changed: true };
    case 'PROCESSING':
      if (r.status !== 'requested') return same;
      await set({ status: 'processing', acceptedAt: tx.now, wxRefundId: st.wxRefundId ?? null, checkAt: new Date(tx.now.getTime() + checkDelay(0)), checks: 0 });
      return { refundId, status: 'processing', changed: true };
    case 'CHANGE':
    case 'REFUNDCLOSE': {
      if (r.status === 'failed') return same;
      const error = st.status === 'CHANGE' ? '退款异常：收款账户异常，请在微信支付商户平台处理后重试或线下退款' : '退款已关闭：请重试或线下退款';
      await set({ status: 'failed', error, checkAt: null });
      return { refundId, status: 'failed', changed: true };
    }
    case 'NOT_FOUND':
      // WeChat has no such refund: the request never arrived. Send it again (same number).
      if (r.status !== 'processing') return same;
      await set({ status: 'requested', checkAt: null });
      await col(tx.db, 'outbox').updateOne({ _id: `${REFUND_CALL}:${r._id}` }, { $set: { status: 'pending', nextAt: tx.now, attempts: 0, lease: null, leaseUntil: null } }, s(tx));
      return { refundId, status: 'requested', changed: true };
  }
}

/** The outbox kind that sends a refund to WeChat Pay (key: the refund number). */
export const refundCallKind: OutboxKind = {
  retry: MONEY_RETRY,
  async send(ctx, msg) {
    const st = await ctx.wx.refund({
      orderId: msg.data.orderId!,
      refundNo: msg.key!,
      totalFen: Number(msg.data.totalFen),
      refundFen: Number(msg.data.refundFen),
      notifyFunction: REFUND_NOTIFY_FUNCTION,
    });
    return { status: 'done', result: { ...st } };
  },
  async record(tx, msg, outcome) {
    const r = await col(tx.db, 'refunds').findOne({ _id: msg.key! }, s(tx));
    if (!r) return; // a refund message written before refunds were tracked: nothing to record
    await applyRefundState(tx, r._id, outcome.result as unknown as WxRefundState, 'answer');
  },
  async onDead(tx, msg, error) {
    // WeChat never accepted it: in front of the admin and the merchant; the money stays in transit
    await col(tx.db, 'refunds').updateOne({ _id: msg.key!, status: 'requested' }, { $set: { status: 'failed', error: `微信支付未受理：${error}` } }, s(tx));
  },
};

/** Refund messages written before refunds were tracked (kind `refund` with data.refundId): sent, nothing recorded. */
export const legacyRefundKind: OutboxKind = {
  retry: MONEY_RETRY,
  async send(ctx, msg) {
    const st = await ctx.wx.refund({ orderId: msg.data.orderId!, refundNo: msg.data.refundId!, totalFen: Number(msg.data.totalFen), refundFen: Number(msg.data.refundFen), notifyFunction: REFUND_NOTIFY_FUNCTION });
    return { status: 'done', result: { ...st } };
  },
};

export interface SweepReport {
  checked: number;
  changed: number;
  errors: number;
}

/**
 * The queryRefund sweep: every accepted refund not confirmed by its due time is asked about, and
 * the answer recorded as the callback's would be. A refund is claimed by moving its checkAt on
 * before the call (two sweeps never ask at once); a failed query is asked again later.
 */
export async function sweepRefunds(deps: Pick<AppDeps, 'store' | 'wx'>, now: Date, limit = 20): Promise<SweepReport> {
  const report: SweepReport = { checked: 0, changed: 0, errors: 0 };
  const refunds = col(deps.store.db, 'refunds');
  const due = await refunds.find({ status: 'processing', checkAt: { $lte: now } }).sort({ checkAt: 1 }).limit(limit).toArray();
  for (const r of due) {
    const next = new Date(now.getTime() + checkDelay(r.checks + 1));
    const claimed = await refunds.findOneAndUpdate({ _id: r._id, status: 'processing', checkAt: r.checkAt }, { $set: { checkAt: next }, $inc: { checks: 1 } }, { returnDocument: 'after' });
    if (!claimed) continue;
    report.checked++;
    try {
      const st = await deps.wx.queryRefund(r._id);
      const u = await runTransaction(deps.store, now, (tx) => applyRefundState(tx, r._id, st, 'sweep'));
      if (u.changed) report.changed++;
    } catch (err) {
      report.errors++;
      console.error('queryRefund failed', r._id, asWxError(err).message);
    }
  }
  return report;
}

/**
 * An admin's decision on a failed refund: `retry` sends it to WeChat Pay again with the same refund
 * number; `manual` records that the shopper was refunded outside WeChat Pay (the reference is
 * kept), which confirms it.
 */
export async function resolveRefund(tx: Tx, refundId: string, action: 'retry' | 'manual', reference: string | null): Promise<RefundDoc> {
  const r = await col(tx.db, 'refunds').findOne({ _id: refundId }, s(tx));
  if (!r) throw new AppError('NOT_FOUND', '找不到该退款');
  if (r.status !== 'failed') throw new AppError('CONFLICT', '只有退款失败的记录需要处理');
  if (action === 'manual') {
    if (!reference) throw new AppError('INVALID_INPUT', '请填写线下退款的凭证号');
    await confirmRefund(tx, r, { by: 'admin', to: acct.extManual, reference });
  } else {
    await col(tx.db, 'refunds').updateOne({ _id: r._id, status: 'failed' }, { $set: { status: 'requested', error: null } }, s(tx));
    const msgId = `${REFUND_CALL}:${r._id}`;
    const moved = await col(tx.db, 'outbox').updateOne({ _id: msgId }, { $set: { status: 'pending', nextAt: tx.now, attempts: 0, lease: null, leaseUntil: null, error: null } }, s(tx));
    if (moved.matchedCount === 0) await queueOutbox(tx, r.userId, REFUND_CALL, { orderId: r.orderId, totalFen: String(r.totalFen), refundFen: String(r.amountFen) }, { key: r._id });
  }
  return (await col(tx.db, 'refunds').findOne({ _id: r._id }, s(tx)))!;
}

export function refundView(r: RefundDoc) {
  return {
    refundId: r._id,
    orderId: r.orderId,
    storeId: r.storeId,
    amountFen: r.amountFen,
    status: r.status,
    requestedAt: r.requestedAt,
    acceptedAt: r.acceptedAt,
    confirmedAt: r.confirmedAt,
    confirmedBy: r.confirmedBy,
    error: r.error,
    reference: r.reference,
    wxRefundId: r.wxRefundId,
  };
}
