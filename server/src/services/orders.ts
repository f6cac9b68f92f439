import type { BuyerOrderView, FulfilmentView, OrderView } from '../../../shared/views';
import type { ExchangeTarget } from '../../../shared/contract';
import { acct } from '../engine/ledger/accounts';
import type { PluginConfig } from '../engine/config/types';
import { formatYuan, mulBpFloor, prorate } from '../money/units';
import { isDuplicateKeyError } from '../db/embedded/errors';
import { AppError } from '../runtime/errors';
import type { AppDeps } from '../runtime/context';
import { col, runTransaction, s, type Tx } from '../repo/db';
import type { Deductions, Delivery, OrderDoc, OrderLine, PaymentDoc, UserDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import { balanceOf } from '../repo/ledger';
import { levelFor, loadConfig } from './config';
import { postEvent, userBook } from './events';
import { restoreGreen, spendGreen, voidOrderLot } from './green';
import { Movements } from './movements';
import { cancelOrderEntries, markOrderEntriesDone } from './rebate';
import { revenueAccount } from '../engine/settlement/plan';
import { cancelUnionEntries } from './union';
import { requestRefund } from './refunds';
import { shanghaiDay } from '../engine/time';

/**
 * Orders: created → paid → completed, or cancelled (unpaid) / refunded. Every transition is one
 * transaction and one journal entry keyed by the transition (`order.pay:<id>` …), so a retried
 * or duplicated request cannot apply it twice. Prices and amounts come from the database, never
 * from the client.
 */

export interface DeductRequest {
  points?: number;
  love?: number;
  voucherFen?: number;
  greenUnits?: number;
}

const NO_DEDUCTIONS: Deductions = { points: 0, love: 0, voucherFen: 0, greenUnits: 0, pointsFen: 0, loveFen: 0, greenFen: 0 };

function baseOrder(user: UserDoc, config: PluginConfig, now: Date): Pick<OrderDoc, 'userId' | 'status' | 'levelId' | 'createdAt' | 'paidAt' | 'completedAt' | 'refundedAt' | 'settledAt' | 'transactionId' | 'settlement' | 'clearingFen'> {
  return {
    userId: user._id,
    status: 'created',
    levelId: levelFor(user.completedSpendFen, config.memberLevels).id,
    createdAt: now,
    paidAt: null,
    completedAt: null,
    refundedAt: null,
    settledAt: null,
    transactionId: null,
    settlement: null,
    clearingFen: 0,
  };
}

/** 商城下单: lines from the mall (self-operated/supplier) or from one store's online products; deductions are taken now. */
export async function createOrder(tx: Tx, user: UserDoc, req: { lines: { productId: string; qty: number }[]; deduct?: DeductRequest; delivery?: Delivery; note?: string }): Promise<OrderDoc> {
  const config = await loadConfig(tx);
  const orderId = newId('O');
  const lines: OrderLine[] = [];
  let storeId: string | null | undefined;
  let maxDeductFen = 0;
  const seen = new Set<string>();
  for (const l of req.lines) {
    if (seen.has(l.productId)) throw new AppError('INVALID_INPUT', '同一商品请合并为一行');
    seen.add(l.productId);
    const p = await col(tx.db, 'products').findOne({ _id: l.productId }, s(tx));
    if (!p || !p.listed) throw new AppError('NOT_FOUND', '商品不存在或已下架');
    if (storeId !== undefined && storeId !== p.storeId) throw new AppError('INVALID_INPUT', '商城商品与门店商品请分开下单');
    storeId = p.storeId;
    if (p.storeId) {
      const st = await col(tx.db, 'stores').findOne({ _id: p.storeId }, s(tx));
      if (st?.status !== 'approved') throw new AppError('NOT_FOUND', '门店未营业');
    }
    const stocked = await col(tx.db, 'products').updateOne({ _id: p._id, stock: { $gte: l.qty } }, { $inc: { stock: -l.qty, sold: l.qty } }, s(tx));
    if (stocked.modifiedCount !== 1) throw new AppError('CONFLICT', `${p.name} 库存不足`);
    const totalFen = p.priceFen * l.qty;
    maxDeductFen += mulBpFloor(totalFen, p.maxDeductBp);
    lines.push({ productId: p._id, name: p.name, qty: l.qty, priceFen: p.priceFen, costFen: p.costFen, totalFen, cashFen: 0, rebateEnabled: p.rebate.enabled });
  }
  const totalFen = lines.reduce((a, l) => a + l.totalFen, 0);
  if (!Number.isSafeInteger(totalFen) || totalFen > 1e11) throw new AppError('INVALID_AMOUNT', '订单金额过大');

  // Deductions: value fixed now, taken from the shopper now (returned on cancel/refund).
  const d = req.deduct ?? {};
  const mv = new Movements();
  const deduct: Deductions = { ...NO_DEDUCTIONS, points: d.points ?? 0, love: d.love ?? 0, voucherFen: d.voucherFen ?? 0, greenUnits: d.greenUnits ?? 0 };
  deduct.pointsFen = deduct.points * config.deduction.pointValueFen;
  deduct.loveFen = deduct.love * config.deduction.loveValueFen;
  mv.move(acct.userPoints(user._id), acct.pointsIssuer, deduct.points, '积分抵扣');
  mv.move(acct.userLove(user._id), acct.loveIssuer, deduct.love, '爱心值抵扣');
  mv.move(acct.userVoucher(user._id), acct.voucherIssuer, deduct.voucherFen, '购物券抵扣');
  if (deduct.greenUnits > 0) ({ fen: deduct.greenFen, basisFen: deduct.greenBasisFen } = await spendGreen(tx, user._id, orderId, deduct.greenUnits, mv));
  const deductFen = deduct.pointsFen + deduct.loveFen + deduct.voucherFen + deduct.greenFen;
  if (deductFen > maxDeductFen) throw new AppError('INVALID_AMOUNT', `抵扣超过上限 (最多 ${formatYuan(maxDeductFen)})`);
  const cashFen = totalFen - deductFen;
  const shares = prorate(cashFen, lines.map((l) => l.totalFen));
  lines.forEach((l, i) => (l.cashFen = shares[i]!));

  const order: OrderDoc = {
    _id: orderId,
    kind: storeId ? 'store' : 'mall',
    storeId: storeId ?? null,
    cashierId: null,
    lines,
    totalFen,
    deduct,
    cashFen,
    ...baseOrder(user, config, tx.now),
    clearingFen: deduct.greenFen,
    delivery: req.delivery ?? null,
    note: req.note ?? '',
    shippedAt: null,
    shipping: null,
    afterSale: null,
  };
  await col(tx.db, 'orders').insertOne(order, s(tx));
  await postEvent(tx, userBook(user._id), `order.create:${orderId}`, 'order.create', mv, { orderId });
  return order;
}

/** 收银台: the shopper types the amount at a store's cashier. */
export async function createCashierOrder(tx: Tx, user: UserDoc, cashierId: string, amountFen: number): Promise<OrderDoc> {
  const config = await loadConfig(tx);
  const cashier = await col(tx.db, 'cashiers').findOne({ _id: cashierId }, s(tx));
  if (!cashier) throw new AppError('NOT_FOUND', '找不到该收银台');
  const store = await col(tx.db, 'stores').findOne({ _id: cashier.storeId }, s(tx));
  if (store?.status !== 'approved') throw new AppError('NOT_FOUND', '门店未营业');
  const order: OrderDoc = {
    _id: newId('O'),
    kind: 'cashier',
    storeId: store._id,
    cashierId: cashier._id,
    lines: [{ productId: null, name: `${store.name} · ${cashier.name}`, qty: 1, priceFen: amountFen, costFen: 0, totalFen: amountFen, cashFen: amountFen, rebateEnabled: true }],
    totalFen: amountFen,
    deduct: { ...NO_DEDUCTIONS },
    cashFen: amountFen,
    ...baseOrder(user, config, tx.now),
  };
  await col(tx.db, 'orders').insertOne(order, s(tx));
  return order;
}

export async function ownOrder(tx: Tx, orderId: string, user: UserDoc): Promise<OrderDoc> {
  const o = await col(tx.db, 'orders').findOne({ _id: orderId }, s(tx));
  if (!o || o.userId !== user._id) throw new AppError('NOT_FOUND', '找不到该订单');
  return o;
}

export interface PaymentNotification {
  /** our order id (out_trade_no) */
  outTradeNo: string;
  /** WeChat Pay's transaction id: the idempotency key */
  transactionId: string;
  totalFee: number;
  /** WeChat's payment time (time_end), when it said */
  paidAt?: Date;
  /** how we learnt of it */
  source?: PaymentDoc['source'];
}

export type PaymentOutcome = { orderId: string; status: OrderDoc['status']; duplicate: boolean; returnedFen: number; settling: boolean; anomaly?: boolean };

/** What makes settlement due when an order is paid: cashier payments (they complete at once) and settlement on payment. */
function dueOnPayment(order: OrderDoc, config: PluginConfig): boolean {
  return order.kind === 'cashier' || config.rebate.settleOn === 'pay';
}

/**
 * The payment notification (支付回调): the only place an order becomes paid — whether WeChat's
 * notification brings it, the payment sweep finds it (queryOrder), local mode simulates it, or an
 * order paid entirely by deductions needs no WeChat Pay at all. It records the payment and the
 * order's paid state in a small transaction that touches no queue or pool — only the order, the
 * payment and the buyer's own book — so payments never conflict with each other or with the
 * settler; settlement follows, in payment order, by the settler (SPEC §9). Delivered any number
 * of times, concurrently: the payment document's primary key (the transaction id) makes the second
 * delivery fail inside its transaction, which changes nothing, and is answered as done.
 *
 * A payment whose amount differs from the order is not applied: it is recorded as an anomaly
 * (admins see it; the money waits in the suspense account) and answered as handled, so WeChat
 * stops retrying a notification that no retry can make right.
 */
export async function handlePayment(deps: AppDeps, now: Date, n: PaymentNotification): Promise<PaymentOutcome> {
  const paidAt = n.paidAt ?? now;
  const payment = (orderId: string, duplicate: boolean): PaymentDoc => ({ _id: n.transactionId, orderId, amountFen: n.totalFee, at: now, duplicate, source: n.source ?? 'notify', paidAt, day: shanghaiDay(paidAt) });
  try {
    return await runTransaction(deps.store, now, async (tx) => {
      const order = await col(tx.db, 'orders').findOne({ _id: n.outTradeNo }, s(tx));
      if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
      if (n.totalFee !== order.cashFen) return recordAnomaly(tx, order, n, payment(order._id, false));
      const config = await loadConfig(tx);
      const mv = new Movements();
      const duplicate = order.status !== 'created';
      await col(tx.db, 'payments').insertOne(payment(order._id, duplicate), s(tx));
      if (duplicate) {
        // A second, different payment of an order already paid (or cancelled): the money is the shopper's; credit it back.
        mv.move(acct.extWxPay, acct.userCash(order.userId), n.totalFee, '重复支付退回');
        await postEvent(tx, userBook(order.userId), `payment:${n.transactionId}`, 'order.duplicatePayment', mv, { orderId: order._id });
        return { orderId: order._id, status: order.status, duplicate: true, returnedFen: n.totalFee, settling: !!order.settleDue };
      }
      mv.move(acct.extWxPay, acct.orderClearing(order._id), n.totalFee, n.totalFee > 0 ? '微信支付' : '抵扣全额支付');
      const due = dueOnPayment(order, config);
      await col(tx.db, 'orders').updateOne(
        { _id: order._id, status: 'created' },
        { $set: { status: 'paid', paidAt: tx.now, transactionId: n.transactionId, clearingFen: order.clearingFen + n.totalFee, settleDue: due, settleDueAt: due ? tx.now : null, payCheckAt: null } },
        s(tx),
      );
      await postEvent(tx, userBook(order.userId), `order.pay:${order._id}`, 'order.pay', mv, { orderId: order._id, transactionId: n.transactionId });
      return { orderId: order._id, status: 'paid' as const, duplicate: false, returnedFen: 0, settling: due };
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    // This transaction id was already processed: same answer, no effect.
    const p = await col(deps.store.db, 'payments').findOne({ _id: n.transactionId });
    const o = p ? await col(deps.store.db, 'orders').findOne({ _id: p.orderId }) : null;
    if (!p || !o || p.orderId !== n.outTradeNo) throw new AppError('CONFLICT', '支付通知与订单不符');
    const anomaly = await col(deps.store.db, 'payment_anomalies').findOne({ _id: n.transactionId });
    return { orderId: o._id, status: o.status, duplicate: true, returnedFen: 0, settling: !!o.settleDue, ...(anomaly ? { anomaly: true } : {}) };
  }
}

/**
 * A payment whose amount is not the order's: recorded (payment, anomaly, the money into the
 * suspense account), the order left as it was, nothing settled. The payment's primary key keeps
 * a repeated notification from recording it twice.
 */
async function recordAnomaly(tx: Tx, order: OrderDoc, n: PaymentNotification, payment: PaymentDoc): Promise<PaymentOutcome> {
  await col(tx.db, 'payments').insertOne({ ...payment, duplicate: true }, s(tx));
  await col(tx.db, 'payment_anomalies').insertOne(
    { _id: n.transactionId, orderId: order._id, kind: 'amount', amountFen: n.totalFee, expectedFen: order.cashFen, at: tx.now, status: 'open', resolvedAt: null, resolvedBy: null, note: '' },
    s(tx),
  );
  const mv = new Movements();
  mv.move(acct.extWxPay, acct.paymentSuspense, n.totalFee, '支付金额与订单不符，待处理');
  await postEvent(tx, userBook(order.userId), `payment:${n.transactionId}`, 'order.paymentAnomaly', mv, { orderId: order._id, transactionId: n.transactionId });
  return { orderId: order._id, status: order.status, duplicate: false, returnedFen: 0, settling: false, anomaly: true };
}

/** The transaction id of an order paid without WeChat Pay (its deductions cover everything). */
export const zeroPaymentId = (orderId: string) => `ZERO${orderId}`;

/**
 * 确认收货: by the buyer, the store's owner (store orders) or a platform admin. Records the
 * completion (the buyer's cumulative spend, the entries' completed-first payability); the
 * settler then settles the order (if settlement waits for completion) and pays the commission
 * and the revenue.
 */
export async function completeOrder(tx: Tx, orderId: string, actor: { user: UserDoc | null; isAdmin: boolean }): Promise<OrderDoc> {
  const order = await col(tx.db, 'orders').findOne({ _id: orderId }, s(tx));
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  await assertActor(tx, order, actor);
  if (order.status === 'completed') return order; // idempotent: already done
  if (order.status !== 'paid') throw new AppError('CONFLICT', '订单未付款或已退款，不能确认收货');
  const set = { status: 'completed' as const, completedAt: tx.now, settleDue: true, settleDueAt: order.settleDue ? (order.settleDueAt ?? tx.now) : tx.now };
  await col(tx.db, 'orders').updateOne({ _id: order._id, status: 'paid' }, { $set: set }, s(tx));
  await col(tx.db, 'users').updateOne({ _id: order.userId }, { $inc: { completedSpendFen: order.cashFen } }, s(tx));
  await markOrderEntriesDone(tx, order._id);
  return { ...order, ...set };
}

async function assertActor(tx: Tx, order: OrderDoc, actor: { user: UserDoc | null; isAdmin: boolean }): Promise<void> {
  if (actor.isAdmin) return;
  if (actor.user && order.userId === actor.user._id) return;
  if (actor.user && order.storeId) {
    const st = await col(tx.db, 'stores').findOne({ _id: order.storeId }, s(tx));
    if (st?.ownerId === actor.user._id) return;
  }
  throw new AppError('NOT_FOUND', '找不到该订单');
}

/** Give back what an order took from the shopper: points, love, vouchers (re-issued) and green points (re-minted). */
async function returnDeductions(tx: Tx, order: OrderDoc, mv: Movements): Promise<void> {
  mv.move(acct.pointsIssuer, acct.userPoints(order.userId), order.deduct.points, '退回积分抵扣');
  mv.move(acct.loveIssuer, acct.userLove(order.userId), order.deduct.love, '退回爱心值抵扣');
  mv.move(acct.voucherIssuer, acct.userVoucher(order.userId), order.deduct.voucherFen, '退回购物券抵扣');
  await restoreGreen(tx, order, mv);
}

async function restock(tx: Tx, order: OrderDoc): Promise<void> {
  for (const l of order.lines) {
    if (l.productId) await col(tx.db, 'products').updateOne({ _id: l.productId }, { $inc: { stock: l.qty, sold: -l.qty } }, s(tx));
  }
}

/** 取消: an unpaid order; deductions come back. */
export async function cancelOrder(tx: Tx, orderId: string, user: UserDoc): Promise<OrderDoc> {
  return cancelUnpaid(tx, await ownOrder(tx, orderId, user));
}

/**
 * An unpaid order is cancelled: by its buyer, or by the payment sweep once its prepay was abandoned
 * and closed at WeChat Pay (services/payment-sweep.ts). Deductions and stock come back.
 */
export async function cancelUnpaid(tx: Tx, order: OrderDoc): Promise<OrderDoc> {
  if (order.status === 'cancelled') return order;
  if (order.status !== 'created') throw new AppError('CONFLICT', '订单已付款，请申请退款');
  const mv = new Movements();
  await returnDeductions(tx, order, mv);
  await restock(tx, order);
  await col(tx.db, 'orders').updateOne({ _id: order._id, status: 'created' }, { $set: { status: 'cancelled', clearingFen: 0, payCheckAt: null } }, s(tx));
  await postEvent(tx, userBook(order.userId), `order.cancel:${order._id}`, 'order.cancel', mv, { orderId: order._id });
  return { ...order, status: 'cancelled', clearingFen: 0 };
}

/**
 * 退款: the buyer before completion, or the store owner / an admin at any time. Unpaid queue and
 * union remainders are cancelled, the order's green lot is voided; the cash comes back from the
 * clearing account, then from the revenue the order produced, then as a recorded platform loss
 * (extractions already paid to other shoppers are never clawed back), and waits in transit for
 * WeChat Pay (services/refunds.ts): the order is 退款中 until WeChat confirms. An order paid
 * entirely by deductions has nothing to send and is refunded at once.
 */
export async function refundOrder(tx: Tx, orderId: string, actor: { user: UserDoc | null; isAdmin: boolean; openid?: string | null }): Promise<OrderDoc> {
  const order = await col(tx.db, 'orders').findOne({ _id: orderId }, s(tx));
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  await assertActor(tx, order, actor);
  if (order.status === 'refunded' || order.status === 'refunding') return order;
  if (order.status !== 'paid' && order.status !== 'completed') throw new AppError('CONFLICT', '订单未付款，不能退款');
  // the settler is moving this order's money right now: a refund waits until it is done (a second or so)
  if (order.settleDue) throw new AppError('CONFLICT', '订单结算中，请稍后再退款');
  const buyerOnly = !actor.isAdmin && actor.user?._id === order.userId && !(await isStoreOwner(tx, order, actor.user));
  if (order.status === 'completed' && buyerOnly) throw new AppError('FORBIDDEN', '订单已完成，请联系商家退款');
  // once shipped, the goods are on their way: the buyer asks (售后, services/fulfilment.ts) and the seller decides
  if (order.shippedAt && buyerOnly) throw new AppError('FORBIDDEN', '商品已发货，请申请退款 (售后) 由商家处理');
  const mv = new Movements();
  await cancelOrderEntries(tx, order._id, mv);
  await reclaimExchanges(tx, order, mv);
  await cancelUnionEntries(tx, order._id, mv);
  await voidOrderLot(tx, order, mv);

  // Bring the whole order value (cash + green deduction) back into clearing, then send the cash out.
  const needed = order.cashFen + order.deduct.greenFen;
  let short = needed - order.clearingFen;
  const fromRevenue = Math.min(short, order.settlement?.revenueFen ?? 0);
  mv.move(revenueAccount(order), acct.orderClearing(order._id), fromRevenue, '退款');
  short -= fromRevenue;
  mv.move(acct.platformRefundLoss, acct.orderClearing(order._id), short, '退款损失 (已返出的提取不追回)');
  // in transit until WeChat Pay confirms (the outbox sends it after the answer; refunds.ts records the result)
  mv.move(acct.orderClearing(order._id), acct.refundsInTransit, order.cashFen, '退款中 (待微信支付确认)');
  const refund = await requestRefund(tx, order, actor.openid ?? actor.user?._id ?? 'admin');
  const leftover = order.clearingFen - needed;
  if (leftover > 0) throw new Error('invariant: clearing holds more than the order value');
  await returnDeductions(tx, order, mv);
  await restock(tx, order);
  // a refund request still waiting is answered by this refund (the seller refunded directly, or approved it: fulfilment.ts)
  const afterSale = order.afterSale?.status === 'requested' ? { afterSale: { ...order.afterSale, status: 'approved' as const, decidedAt: tx.now, decidedBy: actor.isAdmin ? `admin:${actor.openid ?? ''}` : (actor.user?._id ?? null), decisionNote: '已退款' } } : {};
  const set = refund
    ? { status: 'refunding' as const, refundId: refund._id, refundedFrom: order.status, clearingFen: 0, ...afterSale }
    : { status: 'refunded' as const, refundedAt: tx.now, refundedFrom: order.status, clearingFen: 0, ...afterSale };
  await col(tx.db, 'orders').updateOne({ _id: order._id }, { $set: set }, s(tx));
  if (order.status === 'completed') await col(tx.db, 'users').updateOne({ _id: order.userId }, { $inc: { completedSpendFen: -order.cashFen } }, s(tx));
  await postEvent(tx, userBook(order.userId), `order.refund:${order._id}`, 'order.refund', mv, { orderId: order._id, lossFen: short });
  return { ...order, ...set };
}

/**
 * Entries of a refunded order that were turned into points/love/vouchers (random return or a
 * shopper's exchange) are taken back, as far as the shopper still holds them: a refund must not
 * leave an entitlement behind in another form. Taken from the account the credit actually went
 * to (recorded on the entry; for entries older than that record, read from the journal entry that
 * credited it), never from where today's settings would put it.
 */
async function reclaimExchanges(tx: Tx, order: OrderDoc, mv: Movements): Promise<void> {
  const entries = await col(tx.db, 'entries').find({ orderId: order._id, exchanged: { $ne: null } }, s(tx)).toArray();
  const taken = new Map<string, number>();
  for (const e of entries) {
    const ex = e.exchanged!;
    const issuer = ex.to === 'points' ? acct.pointsIssuer : ex.to === 'love' ? acct.loveIssuer : acct.voucherIssuer;
    const account = ex.account ?? (await creditedAccount(tx, e._id, issuer, order.userId)) ?? legacyAccount(ex.to, order.userId, await loadConfig(tx));
    const held = (await balanceOf(tx, account)) - (taken.get(account) ?? 0);
    const amount = Math.min(ex.amount, Math.max(0, held));
    taken.set(account, (taken.get(account) ?? 0) + amount);
    mv.move(account, issuer, amount, '退款收回兑换');
  }
}

/** The shopper's account an exchange credited, from its journal entry (`queue.exchange:<entryId>`), for entries without the record. */
async function creditedAccount(tx: Tx, entryId: string, issuer: string, userId: string): Promise<string | null> {
  const entry = await col(tx.db, 'journal').findOne({ eventKey: `queue.exchange:${entryId}` }, s(tx));
  const asset = issuer.slice(0, issuer.indexOf(':'));
  const credit = entry?.postings.find((p) => p.amount > 0 && p.account.startsWith(`${asset}:user:${userId}`));
  return credit?.account ?? null;
}

/** Last resort for a random-return entry written before the record (they always went to points). */
function legacyAccount(to: ExchangeTarget, userId: string, config: PluginConfig): string {
  switch (to) {
    case 'points':
      return acct.userPoints(userId);
    case 'voucher':
      return acct.userVoucher(userId);
    case 'love':
      return config.rebate.exchange.loveFrozen ? acct.userLoveFrozen(userId) : acct.userLove(userId);
  }
}

async function isStoreOwner(tx: Tx, order: OrderDoc, user: UserDoc | null): Promise<boolean> {
  if (!user || !order.storeId) return false;
  return (await col(tx.db, 'stores').findOne({ _id: order.storeId }, s(tx)))?.ownerId === user._id;
}

export function orderView(o: OrderDoc): OrderView<Date> {
  return {
    orderId: o._id,
    kind: o.kind,
    storeId: o.storeId,
    cashierId: o.cashierId,
    lines: o.lines.map((l) => ({ productId: l.productId, name: l.name, qty: l.qty, priceFen: l.priceFen, totalFen: l.totalFen, cashFen: l.cashFen })),
    totalFen: o.totalFen,
    deduct: o.deduct,
    cashFen: o.cashFen,
    status: o.status,
    createdAt: o.createdAt,
    paidAt: o.paidAt,
    completedAt: o.completedAt,
    refundedAt: o.refundedAt,
    /** 退款中: the refund waits for WeChat Pay's confirmation (refunds collection) */
    refundId: o.refundId ?? null,
    settled: !!o.settledAt,
    /** 结算中: paid (or completed) and waiting for the settler; never an error, it clears in about a second */
    settling: !!o.settleDue,
    settlement: o.settlement
      ? { extractedFen: o.settlement.extractedFen, entries: o.settlement.entries, unionInflowFen: o.settlement.unionInflowFen, greenUnits: o.settlement.greenUnits, greenInflowFen: o.settlement.greenInflowFen }
      : null,
    ...fulfilmentView(o),
  };
}

/**
 * The buyer's view: the order view plus `refundRequestUntil` — until when the buyer may still ask for
 * a refund (申请售后) of a completed order (`orders.afterSaleDays` after completion), null when they
 * can no longer (or the order is not completed: a paid order may be asked about at any time).
 */
export function buyerOrderView(o: OrderDoc, config: PluginConfig): BuyerOrderView<Date> {
  const days = config.orders.afterSaleDays;
  const until = o.status === 'completed' && o.completedAt && days > 0 ? new Date(o.completedAt.getTime() + days * 86_400_000) : null;
  return { ...orderView(o), refundRequestUntil: until };
}

/** What the order view says about fulfilment and after-sales (services/fulfilment.ts). */
export function fulfilmentView(o: OrderDoc): FulfilmentView<Date> {
  return {
    delivery: o.delivery ?? null,
    note: o.note ?? '',
    settledAt: o.settledAt ?? null,
    shippedAt: o.shippedAt ?? null,
    shipping: o.shipping ? { method: o.shipping.method, carrier: o.shipping.carrier, carrierName: o.shipping.carrierName, trackingNo: o.shipping.trackingNo } : null,
    shippingUploaded: !!o.shippingUploadedAt,
    shippingUploadError: o.shippingUploadError ?? null,
    autoConfirmed: !!o.autoConfirmed,
    afterSale: o.afterSale
      ? { status: o.afterSale.status, reason: o.afterSale.reason, requestedAt: o.afterSale.requestedAt, stage: o.afterSale.stage, decidedAt: o.afterSale.decidedAt, decisionNote: o.afterSale.decisionNote }
      : null,
  };
}

export { runTransaction };
