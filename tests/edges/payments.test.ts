import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { ADMIN, edgeApp, edgeShop, payAtWeChat, type Edge } from './support';

/**
 * No payment lost (issue 12, item 7), zero-cash orders (item 4), and the amount anomaly (item 8),
 * in WeChat mode against the fake WeChat.
 */
let e: Edge;
afterEach(async () => e?.app.close());

const MIN = 60_000;

describe('a payment whose notification never arrives', () => {
  it('is found by the sweep (queryOrder) and recorded through the same payment path; the late notification changes nothing', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const { order, notification } = await payAtWeChat(e, 'a', s.productId);
    // the notification is lost: nothing knows the order was paid
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('created');
    // before its first check is due the sweep asks nothing
    e.later(MIN);
    expect((await e.tick()).sweeps.payments.checked).toBe(0);
    e.later(3 * MIN);
    const t = await e.tick();
    expect(t.sweeps.payments).toMatchObject({ checked: 1, found: 1 });
    const paid = await e.call('a', 'order', 'get', { orderId: order.orderId });
    expect(paid).toMatchObject({ status: 'paid', settling: false });
    const p = await col(e.app.deps.store.db, 'payments').findOne({ _id: notification.transactionId });
    expect(p).toMatchObject({ orderId: order.orderId, amountFen: 10_000, source: 'sweep', duplicate: false });
    // WeChat's notification after all, twice: answered, no second payment
    for (let i = 0; i < 2; i++) expect(await e.notify(notification)).toMatchObject({ ok: true, data: { errcode: 0, duplicate: true } });
    expect(await col(e.app.deps.store.db, 'payments').countDocuments({ orderId: order.orderId })).toBe(1);
    // the sweep stops asking about it
    e.later(60 * MIN);
    expect((await e.tick()).sweeps.payments.checked).toBe(0);
    const report = await e.app.verify();
    expect(report.problems).toEqual([]);
    expect(report.systemBalances['CASH:ext:wxpay']).toBe(-10_000);
  });

  it('a sweep that fails to reach WeChat asks again later; one that times out after the payment is found next time', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const { order } = await payAtWeChat(e, 'a', s.productId);
    e.wx.inject('queryOrder', 'fail', 'timeout');
    e.later(4 * MIN);
    expect((await e.tick()).sweeps.payments).toMatchObject({ checked: 1, errors: 1 });
    e.later(4 * MIN);
    expect((await e.tick()).sweeps.payments).toMatchObject({ checked: 0 }); // the wait grew after a failure
    e.later(10 * MIN);
    expect((await e.tick()).sweeps.payments).toMatchObject({ checked: 1, errors: 1 }); // timed out
    e.later(30 * MIN);
    expect((await e.tick()).sweeps.payments).toMatchObject({ checked: 1, found: 1 });
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('paid');
  });
});

describe('abandoned prepays', () => {
  it('are closed at WeChat Pay (closeOrder) before the order is cancelled; stock and deductions come back', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    await e.call('a', 'user', 'login');
    const o = await e.call('a', 'order', 'create', { lines: [{ productId: s.productId, qty: 2 }] });
    await e.call('a', 'order', 'pay', { orderId: o.orderId }); // a prepay, never paid
    e.later(10 * MIN);
    await e.tick(); // asked: NOTPAY, not yet abandoned (closeAfterMin 30)
    expect((await e.call('a', 'order', 'get', { orderId: o.orderId })).status).toBe('created');
    e.later(25 * MIN);
    const t = await e.tick();
    expect(t.sweeps.payments).toMatchObject({ closed: 1 });
    expect((await e.call('a', 'order', 'get', { orderId: o.orderId })).status).toBe('cancelled');
    expect(e.wx.orders.get(o.orderId)!.state).toBe('CLOSED');
    const calls = e.wx.calls.filter((c) => c.key === o.orderId).map((c) => c.method);
    expect(calls.indexOf('closeOrder')).toBeGreaterThan(calls.indexOf('queryOrder'));
    const product = (await e.call(ADMIN, 'admin', 'listProducts')).find((p: any) => p.productId === s.productId);
    expect(product.stock).toBe(100_000);
    // closed: the shopper can no longer pay it
    expect(() => e.wx.pay(o.orderId)).toThrow(/CLOSED/);
  });

  it('a shopper who cancels an order with a prepay has it closed first; if it was paid meanwhile, the payment is recorded and the cancel refused', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const { order } = await payAtWeChat(e, 'a', s.productId); // paid at WeChat, notification not yet here
    expect(await e.error('a', 'order', 'cancel', { orderId: order.orderId })).toBe('CONFLICT');
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('paid');
    // an unpaid one is closed, then cancelled
    const o2 = await e.call('a', 'order', 'create', { lines: [{ productId: s.productId, qty: 1 }] });
    await e.call('a', 'order', 'pay', { orderId: o2.orderId });
    e.later(6 * MIN);
    expect((await e.call('a', 'order', 'cancel', { orderId: o2.orderId })).status).toBe('cancelled');
    expect(e.wx.orders.get(o2.orderId)!.state).toBe('CLOSED');
    expect((await e.app.verify()).problems).toEqual([]);
  });
});

describe('zero-cash orders (deductions cover everything)', () => {
  it('complete without WeChat Pay, through the same payment and settlement path', async () => {
    e = await edgeApp();
    const s = await edgeShop(e, 1000);
    await e.call(ADMIN, 'admin', 'upsertProduct', { productId: s.productId, name: '测试商品', priceFen: 1000, costFen: 0, stock: 100_000, maxDeductBp: 10_000 });
    // points for the deduction: an exchange of an entry (queue rebate) gives them
    await e.app.configure((c) => (c.rebate.settleOn = 'pay'));
    const first = await payAtWeChat(e, 'a', s.productId, 2);
    await e.notify(first.notification);
    await e.app.settled(e.clock.now);
    const [entry] = (await e.call('a', 'queue', 'mine')).entries;
    await e.call('a', 'queue', 'exchange', { entryId: entry.entryId, to: 'points' });
    const points = (await e.call('a', 'wallet', 'balances')).points;
    expect(points).toBeGreaterThanOrEqual(1000);
    const o = await e.call('a', 'order', 'create', { lines: [{ productId: s.productId, qty: 1 }], deduct: { points: 1000 } });
    expect(o.cashFen).toBe(0);
    const before = e.wx.calls.length;
    const paid = await e.call('a', 'order', 'pay', { orderId: o.orderId });
    expect(paid.payment).toMatchObject({ zero: true });
    expect(e.wx.calls.slice(before).filter((c) => c.method === 'unifiedOrder')).toEqual([]); // WeChat Pay not involved
    await e.app.settled(e.clock.now);
    const after = await e.call('a', 'order', 'get', { orderId: o.orderId });
    expect(after).toMatchObject({ status: 'paid', settled: true });
    expect(await e.call('a', 'order', 'complete', { orderId: o.orderId })).toMatchObject({ status: 'completed' });
    // a refund of it sends nothing either: refunded at once (the points come back)
    const r = await e.call(ADMIN, 'order', 'refund', { orderId: o.orderId });
    expect(r.status).toBe('refunded');
    expect((await e.call('a', 'wallet', 'balances')).points).toBe(points);
    // reconciliation leaves it out: it was never WeChat's
    expect(await col(e.app.deps.store.db, 'payments').findOne({ _id: `ZERO${o.orderId}` })).toMatchObject({ source: 'zero', amountFen: 0 });
    expect((await e.app.verify()).problems).toEqual([]);
  });
});

describe('a notification whose amount differs from the order', () => {
  it('is recorded as an anomaly visible to admins, answered errcode 0 (WeChat stops retrying), nothing settled; resolving it records the money as gone', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const { order, notification } = await payAtWeChat(e, 'a', s.productId);
    const wrong = { ...notification, totalFee: 9_999 };
    for (let i = 0; i < 3; i++) expect(await e.notify(wrong)).toMatchObject({ ok: true, data: { errcode: 0, anomaly: true } });
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('created');
    const [a] = await e.call(ADMIN, 'admin', 'anomalies', { status: 'open' });
    expect(a).toMatchObject({ _id: notification.transactionId, orderId: order.orderId, amountFen: 9_999, expectedFen: 10_000 });
    expect((await e.app.verify()).systemBalances['CASH:platform:payment-suspense']).toBe(9_999);
    await e.call(ADMIN, 'admin', 'resolveAnomaly', { transactionId: notification.transactionId, note: '已在商户平台退款' });
    expect(await e.call(ADMIN, 'admin', 'anomalies', { status: 'open' })).toEqual([]);
    const report = await e.app.verify();
    expect(report.problems).toEqual([]);
    expect(report.systemBalances['CASH:platform:payment-suspense'] ?? 0).toBe(0);
  });
});
