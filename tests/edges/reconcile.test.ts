import { afterEach, describe, expect, it } from 'vitest';
import { addDays, shanghaiDay } from '../../server/src/engine/time';
import { ADMIN, edgeApp, edgeShop, payAtWeChat, type Edge } from './support';

/**
 * Every day reconciled (issue 12, item 7): WeChat Pay's bill of a day against our payments and
 * confirmed refunds; a planted difference is found, a clean day has none.
 */
let e: Edge;
afterEach(async () => e?.app.close());

async function dayOfTrade() {
  const s = await edgeShop(e);
  const orders = [];
  for (let i = 0; i < 3; i++) {
    const { order, notification } = await payAtWeChat(e, `s${i}`, s.productId);
    await e.notify(notification);
    orders.push({ order, notification });
  }
  await e.app.settled(e.clock.now);
  // one refund, confirmed the same day
  await e.call(ADMIN, 'order', 'refund', { orderId: orders[0]!.order.orderId });
  await e.dispatch();
  await e.refundNotify(e.wx.finishRefund(`R${orders[0]!.order.orderId}`));
  return orders;
}

describe('daily reconciliation with WeChat Pay’s bill', () => {
  it('a clean day has no differences', async () => {
    e = await edgeApp();
    await dayOfTrade();
    const day = shanghaiDay(e.clock.now);
    e.later(24 * 3600_000); // the next day, after the bill is out
    const r = await e.call(ADMIN, 'admin', 'reconcile', { day });
    expect(r).toMatchObject({ _id: day, status: 'done', differenceCount: 0, differences: [] });
    expect(r.wechat).toEqual({ payments: 3, paymentFen: 30_000, refunds: 1, refundFen: 10_000 });
    expect(r.ours).toEqual(r.wechat);
    // the default day is yesterday; a day not over yet is refused
    expect((await e.call(ADMIN, 'admin', 'reconcile', {}))._id).toBe(day);
    expect(await e.error(ADMIN, 'admin', 'reconcile', { day: shanghaiDay(e.clock.now) })).toBe('INVALID_INPUT');
  });

  it('finds every planted difference: a payment only WeChat has, one only we have, a different amount, a refund missing from the bill', async () => {
    e = await edgeApp();
    const orders = await dayOfTrade();
    const day = shanghaiDay(e.clock.now);
    e.wx.plantBillPayment(day, '4200099999', 'O_UNKNOWN', 777); // a payment we never heard of
    e.wx.billDrop.add(orders[1]!.notification.transactionId); // WeChat's bill lacks one of ours
    e.wx.billAmount.set(orders[2]!.notification.transactionId, 9_990); // another differs by ¥0.10
    e.wx.billDrop.add(`R${orders[0]!.order.orderId}`); // the refund is missing from the bill
    e.later(24 * 3600_000);
    const r = await e.call(ADMIN, 'daily', 'reconcile', {});
    expect(r.differenceCount).toBe(4);
    expect(r.differences).toEqual(
      expect.arrayContaining([
        { kind: 'payment', id: '4200099999', orderId: 'O_UNKNOWN', problem: 'missing_ours', oursFen: null, wechatFen: 777 },
        { kind: 'payment', id: orders[1]!.notification.transactionId, orderId: orders[1]!.order.orderId, problem: 'missing_wechat', oursFen: 10_000, wechatFen: null },
        { kind: 'payment', id: orders[2]!.notification.transactionId, orderId: orders[2]!.order.orderId, problem: 'amount', oursFen: 10_000, wechatFen: 9_990 },
        { kind: 'refund', id: `R${orders[0]!.order.orderId}`, orderId: orders[0]!.order.orderId, problem: 'missing_wechat', oursFen: 10_000, wechatFen: null },
      ]),
    );
    // admins list it; running the day again replaces it
    const [listed] = await e.call(ADMIN, 'admin', 'reconciliations', {});
    expect(listed).toMatchObject({ _id: day, differenceCount: 4 });
    e.wx.billDrop.clear();
    e.wx.billAmount.clear();
    e.wx.billExtra.clear();
    expect((await e.call(ADMIN, 'admin', 'reconcile', { day })).differenceCount).toBe(0);
    expect(addDays(day, 1)).toBe(shanghaiDay(e.clock.now));
  });

  it('in local mode there is no bill: the day is marked unavailable', async () => {
    const { createTestApp } = await import('../helpers/app');
    const app = await createTestApp();
    try {
      await app.call(ADMIN, 'user', 'login');
      const r = await app.call(ADMIN, 'admin', 'reconcile', { day: '2026-01-01' });
      expect(r).toMatchObject({ status: 'unavailable', differenceCount: 0 });
    } finally {
      await app.close();
    }
  });
});
