import { ORDER_STATUSES } from '../../../shared/contract';
import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { amount, id, nonNegativeAmount, requestId } from '../runtime/params';
import { col, s } from '../repo/db';
import type { OrderDoc } from '../repo/documents';
import { buyerOrderView, cancelOrder, completeOrder, createCashierOrder, createOrder, handlePayment, orderView, ownOrder, refundOrder, zeroPaymentId } from '../services/orders';
import { closeBeforeCancel, notePrepay } from '../services/payment-sweep';
import { applyRefundState } from '../services/refunds';
import { parseWxTime } from '../engine/time';
import { AppError } from '../runtime/errors';
import type { WxRefundState } from '../runtime/wx';
import type { ActionContext } from '../runtime/context';
import { afterPoolChange, asUser, inTx, once } from './tx';
import { requestAfterSale } from '../services/fulfilment';
import { loadConfig } from '../services/config';
import { deliveryParam, noteParam, reasonParam } from './fulfilment-params';

const MAX_ORDER_FEN = 100_000_000; // ¥1,000,000 per cashier payment

export const order = {
  /** 下单. Prices come from the products; deductions are checked against balances and each product's cap. */
  create: action({
    access: 'user',
    params: z.strictObject({
      lines: z.array(z.strictObject({ productId: id, qty: z.number().int().min(1).max(99) })).min(1).max(20),
      deduct: z
        .strictObject({ points: nonNegativeAmount().optional(), love: nonNegativeAmount().optional(), voucherFen: nonNegativeAmount().optional(), greenUnits: nonNegativeAmount().optional() })
        .optional(),
      /** 收货方式: express with an address, or pickup at the store */
      delivery: deliveryParam.optional(),
      /** 买家留言 */
      note: noteParam.optional(),
      requestId,
    }),
    run: async (ctx, p) => {
      const r = await once(ctx, 'order.create', p.requestId, async (tx, user) => orderView(await createOrder(tx, user, p)));
      if (p.deduct?.greenUnits) await afterPoolChange(ctx); // spending rounds in the pool's favour: the price may rise
      return r;
    },
  }),
  /** 收银台付款: the shopper types the amount at a store's cashier. */
  cashier: action({
    access: 'user',
    params: z.strictObject({ cashierId: id, amountFen: amount(MAX_ORDER_FEN), requestId }),
    run: (ctx, p) => once(ctx, 'order.cashier', p.requestId, async (tx, user) => orderView(await createCashierOrder(tx, user, p.cashierId, p.amountFen))),
  }),
  /**
   * 支付. WeChat: cloud pay unifiedOrder, returns the parameters for wx.requestPayment; the order
   * becomes paid only through the payment callback (payNotify) or the payment sweep's query. Local:
   * a simulated WeChat Pay success delivered through that same handler, with a fixed transaction id
   * per order. An order whose deductions cover everything is paid without WeChat Pay in both modes
   * (the same handler, transaction id ZERO<orderId>) and settles like any other.
   */
  pay: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: async (ctx, p) => {
      const o = await asUser(ctx, (tx, user) => ownOrder(tx, p.orderId, user));
      if (o.status !== 'created') return { order: orderView(o), payment: null, alreadyPaid: true };
      const local = ctx.deps.wx.mode === 'local';
      if (o.cashFen > 0 && !local) {
        // the sweep looks after the order from here on, even if unifiedOrder's answer is lost
        await notePrepay(ctx.deps.store, o._id, ctx.now);
        const payment = await ctx.deps.wx.unifiedOrder({ orderId: o._id, amountFen: o.cashFen, description: o.lines[0]!.name.slice(0, 40), openid: ctx.caller.openid!, notifyFunction: 'payNotify' });
        return { order: orderView(o), payment, alreadyPaid: false };
      }
      const transactionId = o.cashFen === 0 ? zeroPaymentId(o._id) : `SIM${o._id}`;
      const outcome = await handlePayment(ctx.deps, ctx.now, { outTradeNo: o._id, transactionId, totalFee: o.cashFen, source: o.cashFen === 0 ? 'zero' : 'local' });
      // SPEC §8: local order.pay answers once the payment is settled, so the caller sees its effects
      if (outcome.settling) {
        if (local) await ctx.deps.settler.waitSettled(o._id, ctx.now, ctx.deps.settleWaitMs);
        else await ctx.deps.settler.nudge(ctx.now);
      }
      const after = await col(ctx.deps.store.db, 'orders').findOne({ _id: o._id });
      const payment = o.cashFen === 0 ? { zero: true, transactionId } : { simulated: true, transactionId, duplicate: outcome.duplicate };
      return { order: orderView(after as OrderDoc), payment, alreadyPaid: false };
    },
  }),
  /** 确认收货: the buyer, the store's owner or an admin. The settler then settles and pays commission and revenue; the answer waits for it a moment. */
  complete: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: async (ctx, p) => {
      const done = await asUser(ctx, (tx, user) => completeOrder(tx, p.orderId, { user, isAdmin: ctx.isAdmin }));
      return orderView(await settled(ctx, done));
    },
  }),
  /**
   * 退款: recorded now (the order is 退款中); the refund is sent to WeChat Pay after the answer and
   * confirmed by WeChat (refundNotify, the queryRefund sweep), which makes it 已退款. Local mode's
   * simulated WeChat Pay confirms as soon as the outbox sends it.
   */
  refund: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: async (ctx, p) => {
      const r = await asUser(ctx, async (tx, user) => orderView(await refundOrder(tx, p.orderId, { user, isAdmin: ctx.isAdmin, openid: ctx.caller.openid })));
      await afterPoolChange(ctx); // a voided green lot leaves its value in the pool: the price rises, other lots may exit
      return r;
    },
  }),
  /** 申请退款 (售后): with a reason, before completion or within orders.afterSaleDays after it; the store owner / platform decides. */
  requestRefund: action({
    access: 'user',
    params: z.strictObject({ orderId: id, reason: reasonParam }),
    run: (ctx, p) => asUser(ctx, async (tx, user) => orderView(await requestAfterSale(tx, user, p.orderId, p.reason))),
  }),
  /** 取消 an unpaid order. One with a WeChat Pay prepay is closed at WeChat Pay first (closeOrder), so it cannot be paid afterwards. */
  cancel: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: async (ctx, p) => {
      const o = await asUser(ctx, (tx, user) => ownOrder(tx, p.orderId, user));
      if ((await closeBeforeCancel(ctx.deps, o, ctx.now)) === 'paid') throw new AppError('CONFLICT', '订单已支付，请刷新后申请退款');
      const r = await asUser(ctx, async (tx, user) => orderView(await cancelOrder(tx, p.orderId, user)));
      await afterPoolChange(ctx); // returned green points are minted in the pool's favour: the price may rise
      return r;
    },
  }),
  get: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: (ctx, p) => asUser(ctx, async (tx, user) => buyerOrderView(await ownOrder(tx, p.orderId, user), await loadConfig(tx))),
  }),
  list: action({
    access: 'user',
    params: z.strictObject({ status: z.enum(ORDER_STATUSES).optional(), limit: z.number().int().min(1).max(100).optional() }),
    run: (ctx, p) =>
      asUser(ctx, async (tx, user) => {
        const config = await loadConfig(tx);
        return (
          await col(tx.db, 'orders')
            .find({ userId: user._id, ...(p.status ? { status: p.status } : {}) }, s(tx))
            .sort({ createdAt: -1 })
            .limit(p.limit ?? 50)
            .toArray()
        ).map((o) => buyerOrderView(o, config));
      }),
  }),
} satisfies CloudFunction;

/** The order once the settler has had a moment with it (it stays 结算中 if the settler is slower). */
async function settled(ctx: ActionContext, order: OrderDoc): Promise<OrderDoc> {
  if (!order.settleDue) return order;
  await ctx.deps.settler.waitSettled(order._id, ctx.now, ctx.deps.settleWaitMs);
  return ((await col(ctx.deps.store.db, 'orders').findOne({ _id: order._id })) as OrderDoc | null) ?? order;
}

/**
 * payNotify: WeChat cloud pay calls this function with the payment result (context SOURCE is the
 * pay callback); it answers { errcode: 0 } once the payment is recorded, so WeChat stops retrying.
 * A notification whose amount differs from the order is recorded as an anomaly and answered too:
 * no retry can make it right, and admins see it (admin.anomalies).
 */
export const payNotify = {
  notify: action({
    access: 'payCallback',
    params: z
      .object({
        outTradeNo: id,
        transactionId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/),
        totalFee: amount(),
        resultCode: z.string().optional(),
        returnCode: z.string().optional(),
      })
      .passthrough(), // WeChat adds fields (timeEnd, subMchId, cashFee …): read as hints, never required
    run: async (ctx, p) => {
      if ((p.resultCode !== undefined && p.resultCode !== 'SUCCESS') || (p.returnCode !== undefined && p.returnCode !== 'SUCCESS')) return { errcode: 0, errmsg: 'ignored: not a success' };
      const outcome = await handlePayment(ctx.deps, ctx.now, { outTradeNo: p.outTradeNo, transactionId: p.transactionId, totalFee: p.totalFee, paidAt: parseWxTime((p as { timeEnd?: unknown }).timeEnd), source: 'notify' });
      // recorded: answer now; the settler settles (WeChat: the `settle` function, started without waiting)
      if (outcome.settling) await ctx.deps.settler.nudge(ctx.now);
      return { errcode: 0, errmsg: 'OK', ...outcome };
    },
  }),
} satisfies CloudFunction;

/** A refund result as cloud pay delivers it: camelCase fields, possibly nested in reqInfo, or WeChat's own snake_case names. */
function refundResult(event: Record<string, unknown>): { refundNo: string; status: string; wxRefundId?: string; refundFen?: number; successAt?: Date } | null {
  const src = { ...event, ...((event.reqInfo ?? event.req_info) && typeof (event.reqInfo ?? event.req_info) === 'object' ? (event.reqInfo ?? event.req_info) as Record<string, unknown> : {}) };
  const pick = (...names: string[]) => names.map((n) => src[n]).find((v) => v !== undefined && v !== null && v !== '');
  const refundNo = pick('outRefundNo', 'out_refund_no');
  const status = pick('refundStatus', 'refund_status');
  if (typeof refundNo !== 'string' || typeof status !== 'string') return null;
  const fee = Number(pick('settlementRefundFee', 'settlement_refund_fee', 'refundFee', 'refund_fee'));
  return {
    refundNo,
    status,
    wxRefundId: pick('refundId', 'refund_id') as string | undefined,
    refundFen: Number.isSafeInteger(fee) ? fee : undefined,
    successAt: parseWxTime(pick('successTime', 'success_time')),
  };
}

/**
 * refundNotify: WeChat cloud pay's refund result (the functionName given to cloudPay.refund),
 * accepted only from the pay callback's SOURCE (any caller in local mode). Records the result as
 * the queryRefund sweep would; a refund we do not know is answered as handled (nothing to do).
 */
export const refundNotify = {
  notify: action({
    access: 'payCallback',
    params: z.object({}).passthrough(),
    run: async (ctx, p) => {
      const r = refundResult(p as Record<string, unknown>);
      if (!r) throw new AppError('INVALID_INPUT', '退款通知缺少退款单号或状态');
      if (r.status !== 'SUCCESS' && r.status !== 'CHANGE' && r.status !== 'REFUNDCLOSE' && r.status !== 'PROCESSING') throw new AppError('INVALID_INPUT', `未知的退款状态 ${r.status.slice(0, 20)}`);
      const known = await col(ctx.deps.store.db, 'refunds').findOne({ _id: r.refundNo }, { projection: { _id: 1 } });
      if (!known) return { errcode: 0, errmsg: 'unknown refund', refundId: r.refundNo };
      const u = await inTx(ctx, (tx) => applyRefundState(tx, r.refundNo, { status: r.status as WxRefundState['status'], wxRefundId: r.wxRefundId, refundFen: r.refundFen, successAt: r.successAt }, 'notify'));
      return { errcode: 0, errmsg: 'OK', ...u };
    },
  }),
} satisfies CloudFunction;
