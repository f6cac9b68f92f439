import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { autoConfirmShipped } from '../../server/src/services/fulfilment';
import { defaultMessageSettings } from '../../server/src/engine/config/defaults';
import { messageValues } from '../../server/src/engine/messages/kinds';
import { renderTemplate } from '../../server/src/engine/messages/template';
import { ADDRESS, ADMIN, DAY, edgeApp, edgeShop, ledgerHolds, outboxOf, paidOrder, storeProduct, type Edge } from './support';

/**
 * Fulfilment of mall and store-product orders (issue 13, item 1): delivery at checkout, shipping
 * by the platform (mall) or the store owner (store orders), the upload to WeChat's 发货信息管理
 * through the outbox, and the auto-confirm that completes and settles shipped orders after N days.
 */
let e: Edge;
afterEach(async () => e?.app.close());

describe('buy → ship → auto-confirm → settled', () => {
  it('a mall order shipped by the platform is uploaded to WeChat once and completed and settled N days after shipping', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const order = await paidOrder(e, 'a', s.productId, { method: 'express', address: ADDRESS }, '请放门卫处');
    expect(order).toMatchObject({ status: 'paid', delivery: { method: 'express', address: ADDRESS }, note: '请放门卫处', shippedAt: null, shipping: null, afterSale: null });

    const shipped = await e.call(ADMIN, 'admin', 'shipOrder', { orderId: order.orderId, carrier: 'SF', trackingNo: 'SF1234567890' });
    expect(shipped).toMatchObject({ status: 'paid', shipping: { method: 'express', carrier: 'SF', carrierName: '顺丰速运', trackingNo: 'SF1234567890' }, shippingUploaded: false });
    expect(shipped.shippedAt).toBeTruthy();
    // queued in the shipping's transaction, not sent before the answer
    let queued = await outboxOf(e, 'wxa.shipping');
    expect(queued.map((m) => [m._id, m.status])).toEqual([[`wxa.shipping:${order.orderId}`, 'pending']]);
    expect(e.wx.shippings.size).toBe(0);

    // the same shipment again (a retry) changes nothing; another one is a conflict
    expect(await e.call(ADMIN, 'admin', 'shipOrder', { orderId: order.orderId, carrier: 'SF', trackingNo: 'SF1234567890' })).toMatchObject({ shippedAt: shipped.shippedAt });
    expect(await e.error(ADMIN, 'admin', 'shipOrder', { orderId: order.orderId, carrier: 'ZTO', trackingNo: '7700112233' })).toBe('CONFLICT');
    expect(await outboxOf(e, 'wxa.shipping')).toHaveLength(1);
    // the buyer's 订单发货通知, queued once with the shipment
    const told = await outboxOf(e, 'shipped');
    expect(told.map((m) => [m._id, m.data])).toEqual([[`shipped:${order.orderId}`, { orderId: order.orderId, goods: '测试商品', method: 'express', carrier: '顺丰速运', trackingNo: 'SF1234567890' }]]);
    const filled = renderTemplate('shipped', defaultMessageSettings().shipped, messageValues('shipped', told[0]!.data as Record<string, string>, new Date('2026-08-01T04:00:00Z')));
    expect(filled).toEqual({ character_string1: { value: order.orderId }, thing2: { value: '测试商品' }, thing3: { value: '顺丰速运' }, character_string4: { value: 'SF1234567890' }, time5: { value: '2026年8月1日 12:00' } });

    await e.dispatch();
    const tx = (await col(e.app.deps.store.db, 'orders').findOne({ _id: order.orderId }))!.transactionId!;
    const a = await col(e.app.deps.store.db, 'users').findOne({ openid: 'a' });
    expect(e.wx.shippings.get(tx)).toMatchObject({ orderId: order.orderId, transactionId: tx, openid: 'a', logisticsType: 1, expressCompany: 'SF', trackingNo: 'SF1234567890', receiverContact: '138****5678', itemDesc: '测试商品*1' });
    expect(a).toBeTruthy();
    queued = await outboxOf(e, 'wxa.shipping');
    expect(queued[0]!.status).toBe('done');
    expect(await e.call('a', 'order', 'get', { orderId: order.orderId })).toMatchObject({ shippingUploaded: true, status: 'paid', settled: false });
    // dispatching again sends nothing more
    await e.dispatch();
    expect(e.wx.calls.filter((c) => c.method === 'uploadShippingInfo')).toHaveLength(1);

    // 9 days later: still waiting for receipt
    e.later(9 * DAY);
    expect((await e.tick()).sweeps.autoConfirm).toEqual({ checked: 0, completed: 0 });
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('paid');
    // 10 days after shipping (the default orders.autoConfirmDays): completed as order.complete would, then settled
    e.later(DAY);
    expect((await e.tick()).sweeps.autoConfirm).toEqual({ checked: 1, completed: 1 });
    const done = await e.call('a', 'order', 'get', { orderId: order.orderId });
    expect(done).toMatchObject({ status: 'completed', autoConfirmed: true, settled: true, settling: false });
    expect(done.settlement).not.toBeNull();
    expect(done.settlement.entries).toHaveLength(1); // the queue entry of the rebate scheme (on by default)
    expect((await e.call('a', 'user', 'me')).completedSpendFen).toBe(10_000);
    const revenue = await col(e.app.deps.store.db, 'orders').findOne({ _id: order.orderId });
    expect(revenue!.distributedAt).toBeTruthy();
    // nothing more to do on the next pass
    expect((await e.tick()).sweeps.autoConfirm).toEqual({ checked: 0, completed: 0 });
    await ledgerHolds(e);
  });

  it('the daily job auto-confirms too and settles what it completed before it answers; orders.autoConfirmDays 0 turns it off', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const o1 = await paidOrder(e, 'a', s.productId);
    const o2 = await paidOrder(e, 'b', s.productId);
    await e.call(ADMIN, 'admin', 'shipOrder', { orderId: o1.orderId, carrier: 'ZTO', trackingNo: '7700112233' });
    e.later(DAY);
    await e.call(ADMIN, 'admin', 'shipOrder', { orderId: o2.orderId, carrier: 'YTO', trackingNo: 'YT998877' });
    // the settings: 3 days
    await e.app.configure((c) => void (c.orders.autoConfirmDays = 3));
    e.later(2 * DAY + 60_000);
    const daily = await e.call(ADMIN, 'admin', 'runDaily', {});
    expect(daily.sweeps.autoConfirm).toEqual({ checked: 1, completed: 1 });
    expect(await e.call('a', 'order', 'get', { orderId: o1.orderId })).toMatchObject({ status: 'completed', autoConfirmed: true, settled: true });
    expect(await e.call('b', 'order', 'get', { orderId: o2.orderId })).toMatchObject({ status: 'paid', settled: false });
    await e.app.configure((c) => void (c.orders.autoConfirmDays = 0));
    e.later(30 * DAY);
    expect((await e.tick()).sweeps.autoConfirm).toEqual({ checked: 0, completed: 0 });
    expect((await e.call('b', 'order', 'get', { orderId: o2.orderId })).status).toBe('paid');
    // the buyer confirms receipt (确认收货) as before
    expect(await e.call('b', 'order', 'complete', { orderId: o2.orderId })).toMatchObject({ status: 'completed', autoConfirmed: false });
    await ledgerHolds(e);
  });
});

describe('store orders, pickup, and who may ship', () => {
  it('the store owner ships its own store orders; pickup is 已备货 without tracking; others get NOT_FOUND / FORBIDDEN', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const pid = await storeProduct(e, s.storeId);
    const pickup = await paidOrder(e, 'a', pid, { method: 'pickup' });
    const express = await paidOrder(e, 'b', pid);
    // another shopper, another merchant, the admin on a store order
    await e.call('other-merchant', 'user', 'login');
    expect(await e.error('other-merchant', 'merchant', 'shipOrder', { orderId: express.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('NOT_FOUND');
    expect(await e.error('a', 'merchant', 'shipOrder', { orderId: express.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('NOT_FOUND');
    expect(await e.error('a', 'admin', 'shipOrder', { orderId: express.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('FORBIDDEN');
    expect(await e.error(ADMIN, 'admin', 'shipOrder', { orderId: express.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('FORBIDDEN');
    expect(await e.error(null, 'merchant', 'shipOrder', { orderId: express.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('FORBIDDEN');
    // a mall order is the platform's, not a merchant's
    const mall = await paidOrder(e, 'a', s.productId);
    expect(await e.error('merchant', 'merchant', 'shipOrder', { orderId: mall.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('NOT_FOUND');

    // pickup: no carrier or tracking
    expect(await e.error('merchant', 'merchant', 'shipOrder', { orderId: pickup.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('INVALID_INPUT');
    const ready = await e.call('merchant', 'merchant', 'shipOrder', { orderId: pickup.orderId });
    expect(ready.shipping).toEqual({ method: 'pickup', carrier: null, carrierName: null, trackingNo: null });
    // the buyer is told to come to the store, with no carrier to look for
    const told = (await outboxOf(e, 'shipped')).find((m) => m.data.orderId === pickup.orderId)!;
    const values = messageValues('shipped', told.data as Record<string, string>, new Date());
    expect([values.carrier, values.tracking, values.note]).toEqual([{ type: 'text', text: '到店自提' }, { type: 'code', text: '-' }, { type: 'text', text: '商品已备好，请到店自提' }]);
    await e.dispatch();
    const tx = (await col(e.app.deps.store.db, 'orders').findOne({ _id: pickup.orderId }))!.transactionId!;
    expect(e.wx.shippings.get(tx)).toMatchObject({ logisticsType: 4, expressCompany: null, trackingNo: null, receiverContact: null });

    // the merchant's order list filters
    const toShip = await e.call('merchant', 'merchant', 'orders', { storeId: s.storeId, filter: 'toShip' });
    expect(toShip.map((o: any) => o.orderId)).toEqual([express.orderId]);
    const shippedList = await e.call('merchant', 'merchant', 'orders', { storeId: s.storeId, filter: 'shipped' });
    expect(shippedList.map((o: any) => o.orderId)).toEqual([pickup.orderId]);
    const mallToShip = await e.call(ADMIN, 'admin', 'orders', { filter: 'toShip' });
    expect(mallToShip.map((o: any) => o.orderId)).toEqual([mall.orderId]);
    await ledgerHolds(e);
  });

  it('bad input: a clear code, and nothing changes', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const order = await paidOrder(e, 'a', s.productId);
    const bad = [
      { carrier: 'sf', trackingNo: 'SF0001112223' }, // not a code
      { carrier: 'XX', trackingNo: 'SF0001112223' }, // not a carrier we know
      { carrier: 'SF' }, // no tracking number
      { trackingNo: 'SF0001112223' }, // no carrier
      { carrier: 'SF', trackingNo: '12' }, // too short
      { carrier: 'SF', trackingNo: 'SF 0001' }, // a space
      { carrier: 'SF', trackingNo: 'SF0001112223', extra: 1 }, // unknown parameter
    ];
    for (const p of bad) expect(await e.error(ADMIN, 'admin', 'shipOrder', { orderId: order.orderId, ...p }), JSON.stringify(p)).toBe('INVALID_INPUT');
    expect(await e.error(ADMIN, 'admin', 'shipOrder', { orderId: 'O-nope', carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('NOT_FOUND');
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).shippedAt).toBeNull();
    expect(await outboxOf(e, 'wxa.shipping')).toHaveLength(0);

    // an unpaid order cannot ship; a cashier order needs no shipping
    await e.call('a', 'user', 'login');
    const unpaid = await e.call('a', 'order', 'create', { lines: [{ productId: s.productId, qty: 1 }], delivery: { method: 'express', address: ADDRESS } });
    expect(await e.error(ADMIN, 'admin', 'shipOrder', { orderId: unpaid.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('CONFLICT');
    const cashier = await e.call('a', 'order', 'cashier', { cashierId: s.cashierId, amountFen: 500 });
    expect(await e.error('merchant', 'merchant', 'shipOrder', { orderId: cashier.orderId, carrier: 'SF', trackingNo: 'SF0001112223' })).toBe('INVALID_INPUT');

    // checkout: a delivery that is not whole, a note too long → INVALID_INPUT, no order, no stock taken
    const before = await col(e.app.deps.store.db, 'orders').countDocuments({});
    const stock = (await e.call('a', 'mall', 'getProduct', { productId: s.productId })).stock;
    const badCreates = [
      { delivery: { method: 'express' } },
      { delivery: { method: 'express', address: { ...ADDRESS, phone: 'abc' } } },
      { delivery: { method: 'express', address: { ...ADDRESS, detail: '' } } },
      { delivery: { method: 'courier' } },
      { delivery: { method: 'pickup', address: ADDRESS } },
      { delivery: { method: 'pickup' }, note: '长'.repeat(101) },
    ];
    for (const p of badCreates) expect(await e.error('a', 'order', 'create', { lines: [{ productId: s.productId, qty: 1 }], ...p }), JSON.stringify(p)).toBe('INVALID_INPUT');
    expect(await col(e.app.deps.store.db, 'orders').countDocuments({})).toBe(before);
    expect((await e.call('a', 'mall', 'getProduct', { productId: s.productId })).stock).toBe(stock);
  });

  it('an upload WeChat refuses for good is a dead letter the order shows; a failure that can pass is retried', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const o1 = await paidOrder(e, 'a', s.productId);
    const o2 = await paidOrder(e, 'b', s.productId);
    e.wx.inject('uploadShippingInfo', 'permanent');
    await e.call(ADMIN, 'admin', 'shipOrder', { orderId: o1.orderId, carrier: 'EMS', trackingNo: 'EE123456789CN' });
    await e.dispatch();
    expect(await e.call('a', 'order', 'get', { orderId: o1.orderId })).toMatchObject({ shippingUploaded: false, shippingUploadError: expect.stringContaining('PARAM_ERROR') });
    expect((await outboxOf(e, 'wxa.shipping'))[0]!.status).toBe('dead');

    e.wx.inject('uploadShippingInfo', 'fail');
    await e.call(ADMIN, 'admin', 'shipOrder', { orderId: o2.orderId, carrier: 'JD', trackingNo: 'JD0012345678' });
    await e.dispatch();
    expect((await e.call('b', 'order', 'get', { orderId: o2.orderId })).shippingUploaded).toBe(false);
    e.later(10 * 60_000);
    await e.dispatch();
    expect((await e.call('b', 'order', 'get', { orderId: o2.orderId })).shippingUploaded).toBe(true);
    expect(e.wx.calls.filter((c) => c.method === 'uploadShippingInfo' && c.key === o2.orderId)).toHaveLength(2);
  });

  it('auto-confirm is bounded: each pass completes at most `limit` orders, oldest shipment first, one transaction each', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const orders: string[] = [];
    for (const who of ['a', 'b', 'c']) {
      const o = await paidOrder(e, who, s.productId);
      await e.call(ADMIN, 'admin', 'shipOrder', { orderId: o.orderId, carrier: 'STO', trackingNo: `77${who.charCodeAt(0)}0001` });
      orders.push(o.orderId);
      e.later(60_000);
    }
    e.later(10 * DAY);
    expect(await autoConfirmShipped(e.app.deps, e.clock.now, 2)).toEqual({ checked: 2, completed: 2 });
    const status = async () => Promise.all(orders.map(async (id) => (await col(e.app.deps.store.db, 'orders').findOne({ _id: id }))!.status));
    expect(await status()).toEqual(['completed', 'completed', 'paid']);
    expect(await autoConfirmShipped(e.app.deps, e.clock.now, 2)).toEqual({ checked: 1, completed: 1 });
    expect(await autoConfirmShipped(e.app.deps, e.clock.now, 2)).toEqual({ checked: 0, completed: 0 });
    await e.app.settled(e.clock.now);
    for (const id of orders) expect((await col(e.app.deps.store.db, 'orders').findOne({ _id: id }))!.settledAt).toBeTruthy();
    await ledgerHolds(e);
  });
});
