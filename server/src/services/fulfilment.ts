import { MONEY_RETRY } from '../engine/outbox/retry';
import { AppError } from '../runtime/errors';
import type { AppDeps } from '../runtime/context';
import type { ShippingUpload } from '../runtime/wx';
import { col, runTransaction, s, type Tx } from '../repo/db';
import type { AfterSale, OrderDoc, ShippingInfo, UserDoc } from '../repo/documents';
import { loadConfig, readConfig } from './config';
import { completeOrder, ownOrder, refundOrder } from './orders';
import type { OutboxKind } from './outbox/kinds';
import { queueOutbox } from './outbox/queue';

/**
 * Fulfilment and after-sales of mall and store-product orders (issue 13; SPEC §2):
 *
 *   paid ──ship──▶ paid + shippedAt ──receipt (buyer, or auto-confirm N days after shipping)──▶ completed
 *
 * Shipping moves no money: the order stays `paid` (every money path — refunds, settlement,
 * reconciliation — is unchanged) and carries `shippedAt` / `shipping`; the shipping information is
 * uploaded to WeChat (发货信息管理) through the outbox, keyed by the order so it is queued once.
 * A refund request (售后) is a record on the order; the store owner (store and cashier orders) or
 * the platform (mall orders) decides, and an approval is the existing refund (orders.ts refundOrder,
 * confirmed by WeChat Pay through the outbox) in the same transaction as the decision.
 */

/** The outbox kind of the shipping upload (key: the order id). */
export const SHIPPING_UPLOAD = 'wxa.shipping';

/** Carriers offered when shipping: WeChat's delivery ids (get_delivery_list) and their names. */
export const CARRIERS: readonly { code: string; name: string }[] = [
  { code: 'SF', name: '顺丰速运' },
  { code: 'ZTO', name: '中通快递' },
  { code: 'YTO', name: '圆通速递' },
  { code: 'STO', name: '申通快递' },
  { code: 'YD', name: '韵达快递' },
  { code: 'JTSD', name: '极兔速递' },
  { code: 'EMS', name: 'EMS' },
  { code: 'YZPY', name: '邮政快递包裹' },
  { code: 'JD', name: '京东物流' },
  { code: 'DBL', name: '德邦快递' },
];

const DAY_MS = 86_400_000;

/** Who ships or decides: the owner of the order's store, or a platform admin (mall orders). */
export type Operator = { kind: 'owner'; user: UserDoc } | { kind: 'admin'; openid: string };

/** The order, if this operator handles it: a store's orders are its owner's, the mall's the platform's. */
async function operatedOrder(tx: Tx, orderId: string, op: Operator): Promise<OrderDoc> {
  const order = await col(tx.db, 'orders').findOne({ _id: orderId }, s(tx));
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  if (op.kind === 'owner') {
    const st = order.storeId ? await col(tx.db, 'stores').findOne({ _id: order.storeId }, s(tx)) : null;
    if (!st || st.ownerId !== op.user._id) throw new AppError('NOT_FOUND', '找不到该订单');
  } else if (order.storeId) {
    throw new AppError('FORBIDDEN', '门店订单由门店商家处理');
  }
  return order;
}

const operatorId = (op: Operator) => (op.kind === 'owner' ? op.user._id : `admin:${op.openid}`);

/** The receiver's phone for WeChat: masked except the last 4 digits. */
function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 4) return '';
  return `${digits.slice(0, Math.min(3, digits.length - 4))}****${digits.slice(-4)}`;
}

/**
 * 发货 (or 已备货 for pickup): an express order needs a carrier (CARRIERS) and a tracking number, a
 * pickup order neither. Idempotent: the same shipment again answers the order as it is; another
 * one for a shipped order is a CONFLICT. Queues the upload to WeChat (orders paid with WeChat Pay).
 */
export async function shipOrder(tx: Tx, orderId: string, op: Operator, p: { carrier?: string; trackingNo?: string }): Promise<OrderDoc> {
  const order = await operatedOrder(tx, orderId, op);
  if (order.kind === 'cashier') throw new AppError('INVALID_INPUT', '收银台订单当面付款，无需发货');
  const method = order.delivery?.method ?? 'express';
  if (method === 'pickup' && (p.carrier !== undefined || p.trackingNo !== undefined)) throw new AppError('INVALID_INPUT', '到店自提的订单不填快递公司和单号');
  const carrier = method === 'express' ? CARRIERS.find((c) => c.code === p.carrier) : null;
  if (method === 'express' && !carrier) throw new AppError('INVALID_INPUT', '请选择快递公司 (carrier)');
  if (method === 'express' && !p.trackingNo) throw new AppError('INVALID_INPUT', '请填写快递单号 (trackingNo)');
  if (order.shippedAt) {
    const same = order.shipping?.carrier === (carrier?.code ?? null) && order.shipping?.trackingNo === (p.trackingNo ?? null);
    if (same) return order; // a retry of the same shipment
    throw new AppError('CONFLICT', '订单已发货');
  }
  if (order.status !== 'paid') throw new AppError('CONFLICT', order.status === 'created' ? '订单未付款，不能发货' : '订单已完成或已退款，不能发货');
  if (order.afterSale?.status === 'requested') throw new AppError('CONFLICT', '买家已申请退款，请先处理售后');
  const shipping: ShippingInfo = { method, carrier: carrier?.code ?? null, carrierName: carrier?.name ?? null, trackingNo: method === 'express' ? p.trackingNo! : null, by: operatorId(op) };
  const done = await col(tx.db, 'orders').updateOne({ _id: order._id, status: 'paid', shippedAt: null }, { $set: { shippedAt: tx.now, shipping } }, s(tx));
  if (done.modifiedCount !== 1) throw new AppError('CONFLICT', '订单状态已变化，请刷新');
  // only a WeChat Pay payment can be uploaded (an order paid entirely by deductions has no transaction at WeChat)
  if (order.cashFen > 0 && order.transactionId) {
    const buyer = await col(tx.db, 'users').findOne({ _id: order.userId }, s(tx));
    const address = order.delivery?.method === 'express' ? order.delivery.address : null;
    const itemDesc = order.lines.map((l) => `${l.name}*${l.qty}`).join('，').slice(0, 120);
    const data: Record<string, string> = {
      orderId: order._id,
      transactionId: order.transactionId,
      openid: buyer?.openid ?? '',
      logisticsType: method === 'express' ? '1' : '4',
      expressCompany: shipping.carrier ?? '',
      trackingNo: shipping.trackingNo ?? '',
      itemDesc,
      receiverContact: address ? maskPhone(address.phone) : '',
      uploadTime: tx.now.toISOString(),
    };
    await queueOutbox(tx, order.userId, SHIPPING_UPLOAD, data, { key: order._id });
  }
  // the buyer is told (订单发货通知; sent only if they subscribed and the operator set a template)
  const goods = order.lines.map((l) => l.name).join('，').slice(0, 20);
  await queueOutbox(tx, order.userId, 'shipped', { orderId: order._id, goods, method, carrier: shipping.carrierName ?? '', trackingNo: shipping.trackingNo ?? '' }, { key: order._id });
  return { ...order, shippedAt: tx.now, shipping };
}

/** The outbox kind that uploads an order's shipping information to WeChat (发货信息管理). */
export const shippingUploadKind: OutboxKind = {
  retry: MONEY_RETRY, // WeChat Pay keeps the money frozen until the shipping information arrives
  async send(ctx, msg) {
    const d = msg.data;
    const upload: ShippingUpload = {
      orderId: d.orderId!,
      transactionId: d.transactionId!,
      openid: d.openid!,
      logisticsType: d.logisticsType === '4' ? 4 : 1,
      expressCompany: d.expressCompany || null,
      trackingNo: d.trackingNo || null,
      itemDesc: d.itemDesc ?? '',
      receiverContact: d.receiverContact || null,
      uploadTime: d.uploadTime!,
    };
    await ctx.wx.uploadShippingInfo(upload);
    return { status: 'done', result: { transactionId: upload.transactionId } };
  },
  async record(tx, msg) {
    await col(tx.db, 'orders').updateOne({ _id: msg.data.orderId! }, { $set: { shippingUploadedAt: tx.now, shippingUploadError: null } }, s(tx));
  },
  async onDead(tx, msg, error) {
    await col(tx.db, 'orders').updateOne({ _id: msg.data.orderId! }, { $set: { shippingUploadError: error.slice(0, 300) } }, s(tx));
  },
};

/**
 * 申请退款 (售后): the buyer, with a reason, before completion or within `orders.afterSaleDays`
 * after it. Idempotent while a request waits; after a rejection the buyer may ask again.
 */
export async function requestAfterSale(tx: Tx, user: UserDoc, orderId: string, reason: string): Promise<OrderDoc> {
  const order = await ownOrder(tx, orderId, user);
  if (order.afterSale?.status === 'requested') return order;
  if (order.status !== 'paid' && order.status !== 'completed') throw new AppError('CONFLICT', order.status === 'created' ? '订单未付款，可直接取消' : '订单已退款或已取消');
  if (order.status === 'completed') {
    const days = (await loadConfig(tx)).orders.afterSaleDays;
    const until = order.completedAt ? order.completedAt.getTime() + days * DAY_MS : 0;
    if (days === 0 || tx.now.getTime() > until) throw new AppError('FORBIDDEN', days === 0 ? '订单已完成，不能再申请退款' : `已超过售后期 (完成后 ${days} 天内可申请)`);
  }
  const afterSale: AfterSale = { status: 'requested', reason, requestedAt: tx.now, stage: order.status, decidedAt: null, decidedBy: null, decisionNote: '' };
  await col(tx.db, 'orders').updateOne({ _id: order._id, status: order.status }, { $set: { afterSale } }, s(tx));
  return { ...order, afterSale };
}

/**
 * 处理退款申请: approve (the refund, in this same transaction) or reject (with a note; the order
 * goes on as it was). The same decision again answers the order as it is; the other one CONFLICT.
 */
export async function reviewAfterSale(tx: Tx, orderId: string, op: Operator, approve: boolean, note: string): Promise<OrderDoc> {
  const order = await operatedOrder(tx, orderId, op);
  const a = order.afterSale;
  if (!a) throw new AppError('CONFLICT', '该订单没有退款申请');
  if (a.status !== 'requested') {
    if ((a.status === 'approved') === approve) return order;
    throw new AppError('CONFLICT', a.status === 'approved' ? '退款申请已同意' : '退款申请已拒绝');
  }
  if (!approve && !note) throw new AppError('INVALID_INPUT', '拒绝退款请填写说明 (note)');
  const decided: AfterSale = { ...a, status: approve ? 'approved' : 'rejected', decidedAt: tx.now, decidedBy: operatorId(op), decisionNote: note };
  let after = order;
  if (approve) {
    const actor = op.kind === 'owner' ? { user: op.user, isAdmin: false, openid: op.user.openid } : { user: null, isAdmin: true, openid: op.openid };
    after = await refundOrder(tx, orderId, actor);
  }
  await col(tx.db, 'orders').updateOne({ _id: order._id }, { $set: { afterSale: decided } }, s(tx));
  // an approval is told by the refund's own message once WeChat confirms it; a rejection now
  // (one message per request: the shopper may ask again and be answered again)
  if (!approve) await queueOutbox(tx, order.userId, 'refund', { orderId: order._id, amount: String(order.cashFen), status: '申请未通过', outcome: 'rejected' }, { key: `${order._id}:rejected:${a.requestedAt.getTime()}` });
  return { ...after, afterSale: decided };
}

export interface AutoConfirmReport {
  checked: number;
  completed: number;
}

/**
 * 自动确认收货: shipped orders still awaiting receipt `orders.autoConfirmDays` after shipping are
 * completed exactly as order.complete does (completeOrder; the settler then settles them). Bounded
 * (`limit` orders, one transaction each, through the `orders {status, shippedAt}` index); an order
 * with a refund request waiting is left for the decision. Run by the sweeps (every minute) and
 * the daily job; idempotent (a completed order no longer matches).
 */
export async function autoConfirmShipped(deps: Pick<AppDeps, 'store' | 'settler'>, now: Date, limit = 50): Promise<AutoConfirmReport> {
  const report: AutoConfirmReport = { checked: 0, completed: 0 };
  const days = (await readConfig(deps.store.db)).orders.autoConfirmDays;
  if (days === 0) return report;
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  const due = await col(deps.store.db, 'orders')
    .find({ status: 'paid', shippedAt: { $lte: cutoff }, 'afterSale.status': { $ne: 'requested' } }, { projection: { _id: 1 } })
    .sort({ shippedAt: 1 })
    .limit(limit)
    .toArray();
  for (const { _id } of due) {
    report.checked++;
    const done = await runTransaction(deps.store, now, async (tx) => {
      const o = await col(tx.db, 'orders').findOne({ _id }, s(tx));
      if (!o || o.status !== 'paid' || !o.shippedAt || o.shippedAt > cutoff || o.afterSale?.status === 'requested') return false;
      await completeOrder(tx, _id, { user: null, isAdmin: true });
      await col(tx.db, 'orders').updateOne({ _id }, { $set: { autoConfirmed: true } }, s(tx));
      return true;
    });
    if (done) report.completed++;
  }
  if (report.completed > 0) await deps.settler.nudge(now);
  return report;
}
