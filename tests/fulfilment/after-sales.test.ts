import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { messageValues } from '../../server/src/engine/messages/kinds';
import { ADMIN, DAY, edgeApp, edgeShop, ledgerHolds, paidOrder, storeProduct, type Edge } from './support';

/**
 * After-sales (issue 13, item 2): the shopper requests a refund with a reason (before completion,
 * or within orders.afterSaleDays after it); the platform (mall orders) or the store owner (store
 * orders) approves — the existing refund, confirmed by WeChat Pay through the outbox — or rejects
 * with a note, which leaves the order as it was.
 */
let e: Edge;
afterEach(async () => e?.app.close());

describe('a refund request', () => {
  it('on a shipped mall order: requested with a reason, approved by the platform, refunded once WeChat confirms', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const order = await paidOrder(e, 'a', s.productId);
    await e.call(ADMIN, 'admin', 'shipOrder', { orderId: order.orderId, carrier: 'SF', trackingNo: 'SF1234567890' });
    // shipped: the buyer can no longer refund at once
    expect(await e.error('a', 'order', 'refund', { orderId: order.orderId })).toBe('FORBIDDEN');
    // a reason is required
    expect(await e.error('a', 'order', 'requestRefund', { orderId: order.orderId })).toBe('INVALID_INPUT');
    expect(await e.error('a', 'order', 'requestRefund', { orderId: order.orderId, reason: '   ' })).toBe('INVALID_INPUT');
    expect(await e.error('a', 'order', 'requestRefund', { orderId: order.orderId, reason: '长'.repeat(201) })).toBe('INVALID_INPUT');
    // another shopper's order is not found
    await e.call('b', 'user', 'login');
    expect(await e.error('b', 'order', 'requestRefund', { orderId: order.orderId, reason: '不想要了' })).toBe('NOT_FOUND');

    const asked = await e.call('a', 'order', 'requestRefund', { orderId: order.orderId, reason: '商品破损' });
    expect(asked).toMatchObject({ status: 'paid', afterSale: { status: 'requested', reason: '商品破损', stage: 'paid', decidedAt: null } });
    // asked twice: one request
    expect((await e.call('a', 'order', 'requestRefund', { orderId: order.orderId, reason: '商品破损' })).afterSale.requestedAt).toEqual(asked.afterSale.requestedAt);
    expect((await e.call(ADMIN, 'admin', 'orders', { filter: 'afterSale' })).map((o: any) => o.orderId)).toEqual([order.orderId]);

    // while the request waits, auto-confirm leaves the order alone
    e.later(11 * DAY);
    expect((await e.tick()).sweeps.autoConfirm).toEqual({ checked: 0, completed: 0 });

    // the shopper and a merchant cannot decide a mall order
    expect(await e.error('a', 'admin', 'reviewRefund', { orderId: order.orderId, approve: true })).toBe('FORBIDDEN');
    expect(await e.error('merchant', 'merchant', 'reviewRefund', { orderId: order.orderId, approve: true })).toBe('NOT_FOUND');

    const approved = await e.call(ADMIN, 'admin', 'reviewRefund', { orderId: order.orderId, approve: true, note: '同意退款' });
    expect(approved).toMatchObject({ status: 'refunding', refundId: `R${order.orderId}`, afterSale: { status: 'approved', decisionNote: '同意退款' } });
    // the same decision again: nothing more; the other one: a conflict
    expect((await e.call(ADMIN, 'admin', 'reviewRefund', { orderId: order.orderId, approve: true })).status).toBe('refunding');
    expect(await e.error(ADMIN, 'admin', 'reviewRefund', { orderId: order.orderId, approve: false, note: '不同意' })).toBe('CONFLICT');
    expect(await col(e.app.deps.store.db, 'refunds').countDocuments({ orderId: order.orderId })).toBe(1);

    // WeChat Pay: sent from the outbox, confirmed by the refund callback
    await e.dispatch();
    expect(e.wx.refunds.get(`R${order.orderId}`)).toMatchObject({ amountFen: 10_000 });
    e.later(60_000);
    expect(await e.refundNotify(e.wx.finishRefund(`R${order.orderId}`))).toMatchObject({ ok: true, data: { status: 'succeeded' } });
    const refunded = await e.call('a', 'order', 'get', { orderId: order.orderId });
    expect(refunded).toMatchObject({ status: 'refunded', afterSale: { status: 'approved' } });
    const report = await ledgerHolds(e);
    expect(report.systemBalances['CASH:ext:wxpay'] ?? 0).toBe(0); // paid in, refunded out
    expect(report.systemBalances['CASH:platform:refunds-in-transit'] ?? 0).toBe(0);
  });

  it('on a store order: the owner rejects with a note and the order goes on; a new request can then be approved', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const pid = await storeProduct(e, s.storeId);
    const order = await paidOrder(e, 'a', pid);
    await e.call('a', 'order', 'requestRefund', { orderId: order.orderId, reason: '拍错了' });
    // shipping waits for the decision
    expect(await e.error('merchant', 'merchant', 'shipOrder', { orderId: order.orderId, carrier: 'ZTO', trackingNo: '7700112233' })).toBe('CONFLICT');
    // who decides a store order: its owner only
    await e.call('other', 'user', 'login');
    expect(await e.error('other', 'merchant', 'reviewRefund', { orderId: order.orderId, approve: true })).toBe('NOT_FOUND');
    expect(await e.error(ADMIN, 'admin', 'reviewRefund', { orderId: order.orderId, approve: true })).toBe('FORBIDDEN');
    // a rejection needs a note
    expect(await e.error('merchant', 'merchant', 'reviewRefund', { orderId: order.orderId, approve: false })).toBe('INVALID_INPUT');
    expect(await e.error('merchant', 'merchant', 'reviewRefund', { orderId: order.orderId, approve: 'no' })).toBe('INVALID_INPUT');

    const rejected = await e.call('merchant', 'merchant', 'reviewRefund', { orderId: order.orderId, approve: false, note: '已联系买家，商品正常发出' });
    expect(rejected).toMatchObject({ status: 'paid', afterSale: { status: 'rejected', decisionNote: '已联系买家，商品正常发出' } });
    expect(await col(e.app.deps.store.db, 'refunds').countDocuments({})).toBe(0);
    expect(await e.error('merchant', 'merchant', 'reviewRefund', { orderId: order.orderId, approve: true })).toBe('CONFLICT');
    // the buyer is told (subscribe message 退款结果通知), without a word that money is on its way
    const told = await col(e.app.deps.store.db, 'outbox').find({ kind: 'refund' }).toArray();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ data: { orderId: order.orderId, amount: '10000', status: '申请未通过', outcome: 'rejected' } });
    const values = messageValues('refund', told[0]!.data as Record<string, string>, new Date());
    expect(values.note).toEqual({ type: 'text', text: '退款申请未通过，商家说明见订单详情' });
    expect(messageValues('refund', { orderId: 'O1', amount: '100', status: '退款成功' }, new Date()).note).toEqual({ type: 'text', text: '退款按原路退回' });
    // the order goes on: shipped, confirmed by the buyer, settled
    await e.call('merchant', 'merchant', 'shipOrder', { orderId: order.orderId, carrier: 'ZTO', trackingNo: '7700112233' });
    expect(await e.call('a', 'order', 'complete', { orderId: order.orderId })).toMatchObject({ status: 'completed', settled: true });

    // within the after-sales period (7 days by default) the buyer asks again; the owner approves
    e.later(3 * DAY);
    expect(await e.call('a', 'order', 'requestRefund', { orderId: order.orderId, reason: '质量问题' })).toMatchObject({ status: 'completed', afterSale: { status: 'requested', stage: 'completed' } });
    expect(await e.call('merchant', 'merchant', 'reviewRefund', { orderId: order.orderId, approve: true })).toMatchObject({ status: 'refunding', afterSale: { status: 'approved' } });
    await e.dispatch();
    e.later(60_000);
    await e.refundNotify(e.wx.finishRefund(`R${order.orderId}`));
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('refunded');
    expect((await e.call('a', 'user', 'me')).completedSpendFen).toBe(0);
    await ledgerHolds(e);
  });

  it('outside the after-sales period, or with none, a request is refused and nothing changes', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const o1 = await paidOrder(e, 'a', s.productId);
    const o2 = await paidOrder(e, 'a', s.productId);
    await e.call('a', 'order', 'complete', { orderId: o1.orderId });
    await e.call('a', 'order', 'complete', { orderId: o2.orderId });
    e.later(7 * DAY + 60_000);
    expect(await e.error('a', 'order', 'requestRefund', { orderId: o1.orderId, reason: '晚了' })).toBe('FORBIDDEN');
    expect((await e.call('a', 'order', 'get', { orderId: o1.orderId })).afterSale).toBeNull();
    // a longer period set by the platform lets it in
    await e.app.configure((c) => void (c.orders.afterSaleDays = 30));
    expect((await e.call('a', 'order', 'requestRefund', { orderId: o1.orderId, reason: '晚了' })).afterSale.status).toBe('requested');
    // none at all: only before completion
    await e.app.configure((c) => void (c.orders.afterSaleDays = 0));
    expect(await e.error('a', 'order', 'requestRefund', { orderId: o2.orderId, reason: '不要了' })).toBe('FORBIDDEN');
    // unpaid: cancel instead
    await e.call('a', 'user', 'login');
    const unpaid = await e.call('a', 'order', 'create', { lines: [{ productId: s.productId, qty: 1 }], delivery: { method: 'pickup' } });
    expect(await e.error('a', 'order', 'requestRefund', { orderId: unpaid.orderId, reason: '不要了' })).toBe('CONFLICT');
    // settings out of range are refused by the strict schema
    const c = await e.call(ADMIN, 'admin', 'getConfig');
    expect(c.orders).toEqual({ autoConfirmDays: 10, afterSaleDays: 0 });
    const code = await e.error(ADMIN, 'admin', 'setConfig', { config: { ...c, orders: { autoConfirmDays: 31, afterSaleDays: 0 } } });
    expect(['INVALID_INPUT', 'CONFIG_INVALID']).toContain(code);
    await ledgerHolds(e);
  });

  it('a request still waiting is answered by a direct refund of the order (the buyer before shipping, or the seller)', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const o = await paidOrder(e, 'a', s.productId);
    await e.call('a', 'order', 'requestRefund', { orderId: o.orderId, reason: '不想要了' });
    expect((await e.call(ADMIN, 'admin', 'orders', { filter: 'afterSale' })).map((x: any) => x.orderId)).toEqual([o.orderId]);
    // not shipped yet: the buyer may still refund at once
    const r = await e.call('a', 'order', 'refund', { orderId: o.orderId });
    expect(r).toMatchObject({ status: 'refunding', afterSale: { status: 'approved', decisionNote: '已退款' } });
    expect(await e.call(ADMIN, 'admin', 'orders', { filter: 'afterSale' })).toEqual([]);
    expect((await e.call(ADMIN, 'admin', 'orders', { filter: 'refund' })).map((x: any) => x.orderId)).toEqual([o.orderId]);
    await ledgerHolds(e);
  });
});
