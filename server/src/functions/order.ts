import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { amount, id, nonNegativeAmount, requestId } from '../runtime/params';
import { col, s } from '../repo/db';
import type { OrderDoc } from '../repo/documents';
import { cancelOrder, completeOrder, createCashierOrder, createOrder, handlePayment, orderView, ownOrder, refundOrder } from '../services/orders';
import type { ActionContext } from '../runtime/context';
import { afterPoolChange, asUser, once } from './tx';

const MAX_ORDER_FEN = 100_000_000; // ¥1,000,000 per cashier payment

export const order: CloudFunction = {
  /** 下单. Prices come from the products; deductions are checked against balances and each product's cap. */
  create: action({
    access: 'user',
    params: z.strictObject({
      lines: z.array(z.strictObject({ productId: id, qty: z.number().int().min(1).max(99) })).min(1).max(20),
      deduct: z
        .strictObject({ points: nonNegativeAmount().optional(), love: nonNegativeAmount().optional(), voucherFen: nonNegativeAmount().optional(), greenUnits: nonNegativeAmount().optional() })
        .optional(),
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
   * becomes paid only through the payment callback (payNotify). Local: a simulated WeChat Pay
   * success delivered through that same callback handler, with a fixed transaction id per order.
   */
  pay: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: async (ctx, p) => {
      const o = await asUser(ctx, (tx, user) => ownOrder(tx, p.orderId, user));
      if (o.status !== 'created') return { order: orderView(o), payment: null, alreadyPaid: true };
      if (ctx.deps.wx.mode === 'wechat') {
        const payment = await ctx.deps.wx.unifiedOrder({ orderId: o._id, amountFen: o.cashFen, description: o.lines[0]!.name.slice(0, 40), openid: ctx.caller.openid!, notifyFunction: 'payNotify' });
        return { order: orderView(o), payment, alreadyPaid: false };
      }
      const outcome = await handlePayment(ctx.deps, ctx.now, { outTradeNo: o._id, transactionId: `SIM${o._id}`, totalFee: o.cashFen });
      // SPEC §8: local order.pay answers once the payment is settled, so the caller sees its effects
      if (outcome.settling) await ctx.deps.settler.waitSettled(o._id, ctx.now, ctx.deps.settleWaitMs);
      const after = await col(ctx.deps.store.db, 'orders').findOne({ _id: o._id });
      return { order: orderView(after as OrderDoc), payment: { simulated: true, transactionId: `SIM${o._id}`, duplicate: outcome.duplicate }, alreadyPaid: false };
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
  refund: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: async (ctx, p) => {
      const r = await asUser(ctx, async (tx, user) => orderView(await refundOrder(tx, p.orderId, { user, isAdmin: ctx.isAdmin })));
      await afterPoolChange(ctx); // a voided green lot leaves its value in the pool: the price rises, other lots may exit
      return r;
    },
  }),
  cancel: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: async (ctx, p) => {
      const r = await asUser(ctx, async (tx, user) => orderView(await cancelOrder(tx, p.orderId, user)));
      await afterPoolChange(ctx); // returned green points are minted in the pool's favour: the price may rise
      return r;
    },
  }),
  get: action({
    access: 'user',
    params: z.strictObject({ orderId: id }),
    run: (ctx, p) => asUser(ctx, async (tx, user) => orderView(await ownOrder(tx, p.orderId, user))),
  }),
  list: action({
    access: 'user',
    params: z.strictObject({ status: z.enum(['created', 'paid', 'completed', 'refunded', 'cancelled']).optional(), limit: z.number().int().min(1).max(100).optional() }),
    run: (ctx, p) =>
      asUser(ctx, async (tx, user) =>
        (
          await col(tx.db, 'orders')
            .find({ userId: user._id, ...(p.status ? { status: p.status } : {}) }, s(tx))
            .sort({ createdAt: -1 })
            .limit(p.limit ?? 50)
            .toArray()
        ).map(orderView),
      ),
  }),
};

/** The order once the settler has had a moment with it (it stays 结算中 if the settler is slower). */
async function settled(ctx: ActionContext, order: OrderDoc): Promise<OrderDoc> {
  if (!order.settleDue) return order;
  await ctx.deps.settler.waitSettled(order._id, ctx.now, ctx.deps.settleWaitMs);
  return ((await col(ctx.deps.store.db, 'orders').findOne({ _id: order._id })) as OrderDoc | null) ?? order;
}

/**
 * payNotify: WeChat cloud pay calls this function with the payment result (context SOURCE is the
 * pay callback); it answers { errcode: 0 } once the payment is recorded, so WeChat stops retrying.
 */
export const payNotify: CloudFunction = {
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
      .passthrough(), // WeChat adds fields (subMchId, timeEnd …) that we do not use
    run: async (ctx, p) => {
      if ((p.resultCode !== undefined && p.resultCode !== 'SUCCESS') || (p.returnCode !== undefined && p.returnCode !== 'SUCCESS')) return { errcode: 0, errmsg: 'ignored: not a success' };
      const outcome = await handlePayment(ctx.deps, ctx.now, { outTradeNo: p.outTradeNo, transactionId: p.transactionId, totalFee: p.totalFee });
      // recorded: answer now; the settler settles (WeChat: the `settle` function, started without waiting)
      if (outcome.settling) await ctx.deps.settler.nudge(ctx.now);
      return { errcode: 0, errmsg: 'OK', ...outcome };
    },
  }),
};

