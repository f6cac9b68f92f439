import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, buy, createTestApp, payAtCashier, shop, type TestApp } from '../helpers/app';
import { col } from '../../server/src/repo/db';

/**
 * Each setting of SPEC §3.4 (plugin) and §3.5 (product / store / cashier) changes the outcome,
 * shown through the public actions. Simple numbers: ¥100 orders, 100% ratio, 10% extraction
 * unless a test says otherwise.
 */

let app: TestApp;
let ids: { productId: string; storeId: string; cashierId: string };

const mine = async (who: string) => (await app.call(who, 'queue', 'mine')).entries as any[];
const cash = async (who: string) => (await app.call(who, 'wallet', 'balances')).cashFen as number;

beforeEach(async () => {
  app = await createTestApp();
  await app.configure((c) => {
    c.rebate.defaultRatioBp = 10000;
    c.rebate.extractionBp = 1000;
  });
  ids = await shop(app, { priceFen: 10000 });
});
afterEach(async () => {
  const report = await app.verify();
  expect(report.problems).toEqual([]);
  await app.close();
});

describe('§3.4 plugin-wide settings', () => {
  it('on/off: switched off, orders neither queue nor extract', async () => {
    await buy(app, 'a', ids.productId);
    await app.configure((c) => (c.rebate.enabled = false));
    const o = await buy(app, 'b', ids.productId);
    expect(o.settlement.extractedFen).toBe(0);
    expect(await mine('b')).toHaveLength(0);
  });

  it('default-on for new products, and one-click enable for all', async () => {
    await app.configure((c) => (c.rebate.newProductsDefaultOn = false));
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '新品', priceFen: 10000, costFen: 0, stock: 10 });
    expect(p.rebateEnabled).toBe(false);
    await buy(app, 'a', p.productId);
    expect(await mine('a')).toHaveLength(0);
    expect((await app.call(ADMIN, 'admin', 'enableRebateForAll')).updated).toBe(1);
    await buy(app, 'a', p.productId);
    expect(await mine('a')).toHaveLength(1);
  });

  it('deduction switch: with extractOnly an order paid partly with points extracts from its cash but gets no entry', async () => {
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '可抵扣', priceFen: 10000, costFen: 0, stock: 10, maxDeductBp: 5000 });
    await buy(app, 'a', p.productId); // A queued: ¥100
    await buy(app, 'b', p.productId);
    const [bEntry] = await mine('b');
    await app.call('b', 'queue', 'exchange', { entryId: bEntry.entryId, to: 'points' }); // B now holds 10000 points
    expect((await app.call('b', 'wallet', 'balances')).points).toBe(10000);
    await app.configure((c) => (c.rebate.deductionMode = 'extractOnly'));
    const o = await buy(app, 'b', p.productId, { deduct: { points: 2000 } });
    expect(o.cashFen).toBe(8000);
    expect(o.settlement.extractedFen).toBe(800); // 10% of the ¥80 cash
    expect(o.settlement.entries).toHaveLength(0);
    await app.configure((c) => (c.rebate.deductionMode = 'join'));
    const o2 = await buy(app, 'b', p.productId, { deduct: { points: 2000 } });
    expect(o2.settlement.entries).toHaveLength(1);
  });

  it('settlement event: on payment extracts at payment; on completion only at completion', async () => {
    await buy(app, 'a', ids.productId);
    const paidOnly = await buy(app, 'b', ids.productId, { complete: false });
    expect(paidOnly.settled).toBe(false);
    expect(await cash('a')).toBe(0);
    await app.configure((c) => (c.rebate.settleOn = 'pay'));
    const settledAtPay = await buy(app, 'c', ids.productId, { complete: false });
    expect(settledAtPay.settled).toBe(true);
    expect(await cash('a')).toBe(1000);
  });

  it('ordering: completed-first pays only entries whose order is completed; the others keep their place', async () => {
    await app.configure((c) => {
      c.rebate.settleOn = 'pay';
      c.rebate.ordering = 'completedFirst';
    });
    const a = await buy(app, 'a', ids.productId, { complete: false }); // A first in line, order not completed
    await buy(app, 'b', ids.productId); // B completed
    await buy(app, 'c', ids.productId); // pays B, not A
    expect((await mine('a'))[0]).toMatchObject({ receivedFen: 0, waitingForCompletion: true });
    expect((await mine('b'))[0].receivedFen).toBe(1000);
    await app.call('a', 'order', 'complete', { orderId: a.orderId });
    await buy(app, 'd', ids.productId); // A completed now and is ahead of B
    expect((await mine('a'))[0].receivedFen).toBe(1000);
    expect((await mine('b'))[0].receivedFen).toBe(1000);
  });

  it('custom names for the feature and the exchange button', async () => {
    await app.configure((c) => {
      c.rebate.name = '共享链';
      c.rebate.exchangeName = '转积分';
    });
    await buy(app, 'a', ids.productId);
    const q = await app.call('a', 'queue', 'mine');
    expect(q).toMatchObject({ name: '共享链', exchangeName: '转积分' });
  });

  it('member-level ratios: the level reached by completed spend gives its ratio', async () => {
    await app.configure((c) => {
      c.memberLevels = [
        { id: 'L0', name: '普通', minSpendFen: 0 },
        { id: 'VIP', name: 'VIP', minSpendFen: 10000 },
      ];
      c.rebate.levelRatios = { VIP: 15000 };
    });
    await buy(app, 'a', ids.productId); // level L0 at order time
    await buy(app, 'a', ids.productId); // now VIP (¥100 completed)
    const [second, first] = await mine('a');
    expect(first.entitlementFen).toBe(10000);
    expect(second).toMatchObject({ entitlementFen: 15000, ratioRule: 'level' });
  });

  it('lottery: one draw, before the first payout; the drawn ratio replaces the ratio', async () => {
    await app.configure((c) => (c.rebate.lottery = { kind: 'fixed', options: [{ ratioBp: 20000, weight: 1 }] }));
    await buy(app, 'a', ids.productId);
    const [e] = await mine('a');
    expect(e.lottery.available).toBe(true);
    expect(e.entitlementFen).toBe(10000); // the fallback ratio until drawn
    const drawn = await app.call('a', 'queue', 'draw', { entryId: e.entryId });
    expect(drawn).toMatchObject({ ratioBp: 20000, entitlementFen: 20000 });
    expect(await app.error('a', 'queue', 'draw', { entryId: e.entryId })).toBe('LOTTERY_USED');
    // another shopper's entry is not mine to draw
    await buy(app, 'b', ids.productId);
    const [eb] = await mine('b');
    expect(await app.error('a', 'queue', 'draw', { entryId: eb.entryId })).toBe('NOT_FOUND');
    // after a first payout the draw is gone: A leaves the queue, B is paid by C's order
    await app.call('a', 'queue', 'exchange', { entryId: e.entryId, to: 'points' });
    await buy(app, 'c', ids.productId);
    expect((await mine('b'))[0]).toMatchObject({ receivedFen: 1000, lottery: { available: false } });
    expect(await app.error('b', 'queue', 'draw', { entryId: eb.entryId })).toBe('CONFLICT');
  });

  it('exchange to points, love (frozen when set) and vouchers at the set ratios; the entry leaves the queue', async () => {
    await app.configure((c) => (c.rebate.exchange = { pointsBp: 20000, loveBp: 10000, loveFrozen: true, voucherBp: 5000 }));
    for (let i = 0; i < 3; i++) await buy(app, 'a', ids.productId);
    const [e1, e2, e3] = await mine('a');
    // the oldest (e3) has been paid ¥20 by the two later orders: only the unpaid ¥80 is exchanged
    expect(await app.call('a', 'queue', 'exchange', { entryId: e3.entryId, to: 'points' })).toMatchObject({ amount: 16000, remainingFen: 8000 });
    expect(await app.call('a', 'queue', 'exchange', { entryId: e2.entryId, to: 'love' })).toMatchObject({ amount: 10000, frozen: true });
    expect(await app.call('a', 'queue', 'exchange', { entryId: e1.entryId, to: 'voucher' })).toMatchObject({ amount: 5000 });
    const b = await app.call('a', 'wallet', 'balances');
    expect(b).toMatchObject({ points: 16000, love: 0, loveFrozen: 10000, voucherFen: 5000, cashFen: 2000 });
    expect(await app.error('a', 'queue', 'exchange', { entryId: e1.entryId, to: 'points' })).toBe('CONFLICT');
    expect((await mine('a')).every((e) => e.status === 'exchanged')).toBe(true);
  });

  it('random return: in each group of 3, one entry gets cash, two go straight to points', async () => {
    await app.configure((c) => (c.rebate.randomReturn = { enabled: true, cashCount: 1, pointsCount: 2 }));
    for (const who of ['a', 'b', 'c', 'd', 'e', 'f']) await buy(app, who, ids.productId);
    const entries = (await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map(mine))).map((l) => l[0]);
    const converted = entries.filter((e) => e.convertedToPoints);
    expect(converted).toHaveLength(4);
    expect(converted.every((e) => e.status === 'completed' && e.exchanged.to === 'points')).toBe(true);
    expect(entries.slice(0, 3).filter((e) => !e.convertedToPoints)).toHaveLength(1);
    expect(entries.slice(3, 6).filter((e) => !e.convertedToPoints)).toHaveLength(1);
  });

  it('reset: at the scheduled time every pending entry expires, once', async () => {
    await app.configure((c) => (c.rebate.reset = { ...c.rebate.reset, enabled: true, schedule: 'daily', time: '00:00' }));
    await buy(app, 'a', ids.productId, { now: '2026-08-01T10:00:00+08:00' });
    await buy(app, 'b', ids.productId, { now: '2026-08-01T11:00:00+08:00' });
    const r = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-02T00:00:05+08:00' });
    expect(r.reset).toMatchObject({ due: true, expired: 2, writtenOffFen: 9000 + 10000 });
    expect((await mine('a'))[0]).toMatchObject({ status: 'expired', receivedFen: 1000 });
    const again = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-02T08:00:00+08:00' });
    expect(again.reset.expired).toBe(0);
    // a new order after the reset queues normally
    await buy(app, 'c', ids.productId, { now: '2026-08-02T09:00:00+08:00' });
    expect((await mine('c'))[0].status).toBe('pending');
  });

  it('reset at a set time (12:00) applies before the first extraction after it, without waiting for the daily job', async () => {
    await app.configure((c) => (c.rebate.reset = { ...c.rebate.reset, enabled: true, schedule: 'daily', time: '12:00' }));
    await buy(app, 'a', ids.productId, { now: '2026-08-01T10:00:00+08:00' });
    await buy(app, 'b', ids.productId, { now: '2026-08-01T11:59:00+08:00' }); // pays A before the reset
    expect((await mine('a'))[0]).toMatchObject({ status: 'pending', receivedFen: 1000 });
    // the first order after 12:00: the settler expires A's and B's entries before it extracts, so it pays nobody
    const c = await buy(app, 'c', ids.productId, { now: '2026-08-01T12:01:00+08:00' });
    expect(c.settlement.extractedFen).toBe(0);
    expect((await mine('a'))[0]).toMatchObject({ status: 'expired', receivedFen: 1000 });
    expect((await mine('b'))[0]).toMatchObject({ status: 'expired', receivedFen: 0 });
    expect((await mine('c'))[0].status).toBe('pending');
    // the daily job later finds the 12:00 reset done and does it no second time
    const r = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-01T18:00:00+08:00' });
    expect(r.reset).toMatchObject({ due: true, expired: 0 });
    expect((await mine('c'))[0].status).toBe('pending');
    expect((await app.verify()).problems).toEqual([]);
  });

  it('pause: entries are still created but nothing is extracted or paid', async () => {
    await buy(app, 'a', ids.productId);
    await app.configure((c) => (c.rebate.paused = true));
    const o = await buy(app, 'b', ids.productId);
    expect(o.settlement.extractedFen).toBe(0);
    expect(await mine('b')).toHaveLength(1);
    await app.configure((c) => (c.rebate.paused = false));
    await buy(app, 'c', ids.productId);
    expect((await mine('a'))[0].receivedFen).toBe(1000);
  });

  it('display toggles decide what the queue board shows of other shoppers', async () => {
    await buy(app, 'a', ids.productId);
    await buy(app, 'b', ids.productId);
    let board = await app.call('b', 'queue', 'board', { queueKey: 'mall' });
    expect(board.head[0]).toMatchObject({ mine: false, receivedFen: 1000, seq: 1 });
    expect(board.head[0].member).toMatch(/\*/); // masked nickname
    await app.configure((c) => (c.rebate.display = { queueId: false, progress: false, received: false, pending: false, member: false, pendingAmount: false }));
    board = await app.call('b', 'queue', 'board', { queueKey: 'mall' });
    expect(board.head[0]).toMatchObject({ seq: null, member: null, receivedFen: null, pendingFen: null, progressBp: null });
    expect(board.pendingFen).toBeNull();
  });

  it('mall queue switch off: one queue per product', async () => {
    const p2 = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '另一商品', priceFen: 10000, costFen: 0, stock: 10 });
    await app.configure((c) => (c.rebate.mallQueue = false));
    await buy(app, 'a', ids.productId);
    const o = await buy(app, 'b', p2.productId); // different product: a different queue, nothing for A
    expect(o.settlement.extractedFen).toBe(0);
    expect((await mine('b'))[0].queueKey).toBe(`product:${p2.productId}`);
  });
});

describe('§3.5 per product / store / cashier settings', () => {
  it('product: own ratio and extraction; switched off product neither queues nor extracts', async () => {
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '自定义', priceFen: 10000, costFen: 0, stock: 10, rebate: { enabled: true, ratioBp: 12000, extractionBp: 5000 } });
    await buy(app, 'a', p.productId);
    expect((await mine('a'))[0].entitlementFen).toBe(12000);
    const o = await buy(app, 'b', p.productId);
    expect(o.settlement.extractedFen).toBe(5000);
    const off = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '不参与', priceFen: 10000, costFen: 0, stock: 10, rebate: { enabled: false } });
    const o2 = await buy(app, 'c', off.productId);
    expect(o2.settlement).toMatchObject({ extractedFen: 0, entries: [] });
  });

  it('reward window: orders outside get no entry but still extract', async () => {
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', {
      name: '限时', priceFen: 10000, costFen: 0, stock: 10, rebate: { enabled: true, window: { dailyStart: '09:00', dailyEnd: '12:00' } },
    });
    await buy(app, 'a', p.productId, { now: '2026-08-01T10:00:00+08:00' });
    const late = await buy(app, 'b', p.productId, { now: '2026-08-01T20:00:00+08:00' });
    expect(late.settlement).toMatchObject({ extractedFen: 1000, entries: [] });
  });

  it('limits: entries per person per day and in total', async () => {
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '限购返', priceFen: 10000, costFen: 0, stock: 10, rebate: { enabled: true, limits: { perDay: 1, total: 2 } } });
    await buy(app, 'a', p.productId, { now: '2026-08-01T10:00:00+08:00' });
    const sameDay = await buy(app, 'a', p.productId, { now: '2026-08-01T11:00:00+08:00' });
    expect(sameDay.settlement.entries).toHaveLength(0);
    await buy(app, 'a', p.productId, { now: '2026-08-02T10:00:00+08:00' });
    const third = await buy(app, 'a', p.productId, { now: '2026-08-03T10:00:00+08:00' });
    expect(third.settlement.entries).toHaveLength(0);
    expect(await mine('a')).toHaveLength(2);
  });

  it('cumulative tiers: the highest satisfied tier within its window applies', async () => {
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', {
      name: '累计', priceFen: 10000, costFen: 0, stock: 10,
      rebate: { enabled: true, tiers: [{ days: 30, minSpendFen: 10000, ratioBp: 11000 }, { days: 30, minSpendFen: 20000, ratioBp: 12000 }] },
    });
    await buy(app, 'a', p.productId, { now: '2026-08-01T10:00:00+08:00' }); // no spend yet → default 100%
    await buy(app, 'a', p.productId, { now: '2026-08-02T10:00:00+08:00' }); // ¥100 in 30 days → 110%
    await buy(app, 'a', p.productId, { now: '2026-08-03T10:00:00+08:00' }); // ¥200 → 120%
    await buy(app, 'a', p.productId, { now: '2026-10-01T10:00:00+08:00' }); // window passed → 100%
    const ratios = (await mine('a')).map((e) => e.ratioBp).reverse();
    expect(ratios).toEqual([10000, 11000, 12000, 10000]);
  });

  it('cashier settings: own ratio, extraction and random return, independent of the plugin', async () => {
    await app.call('merchant', 'merchant', 'setCashierConfig', { cashierId: ids.cashierId, rebate: { enabled: true, ratioBp: 15000, extractionBp: 2000, randomReturn: { enabled: true, cashCount: 1, pointsCount: 1 } } });
    await payAtCashier(app, 'a', ids.cashierId, 10000);
    await payAtCashier(app, 'b', ids.cashierId, 10000);
    const entries = [(await mine('a'))[0], (await mine('b'))[0]];
    expect(entries.map((e) => e.entitlementFen)).toEqual([15000, 15000]);
    expect(entries.filter((e) => e.convertedToPoints)).toHaveLength(1);
    expect(entries.every((e) => e.queueKey === `cashier:${ids.cashierId}`)).toBe(true);
  });

  it('store settings apply to the store’s online products; stores never share a queue with cashiers', async () => {
    await app.call('merchant', 'merchant', 'setStoreConfig', { storeId: ids.storeId, rebate: { enabled: true, ratioBp: 14000 } });
    const sp = await app.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: ids.storeId, name: '门店商品', priceFen: 10000, costFen: 0, stock: 10 });
    await buy(app, 'a', sp.productId);
    const [e] = await mine('a');
    expect(e).toMatchObject({ entitlementFen: 14000, queueKey: `store:${ids.storeId}` });
    const c = await payAtCashier(app, 'b', ids.cashierId, 10000);
    expect(c.settlement.extractedFen).toBe(0); // the cashier queue is a different queue
  });

  it('a merchant cannot change another store, cashier or product', async () => {
    await app.call('other', 'user', 'login');
    const other = await app.call('other', 'merchant', 'applyStore', { name: '别家' });
    await app.call(ADMIN, 'admin', 'approveStore', { storeId: other.storeId });
    expect(await app.error('other', 'merchant', 'setStoreConfig', { storeId: ids.storeId, rebate: { enabled: false } })).toBe('NOT_FOUND');
    expect(await app.error('other', 'merchant', 'setCashierConfig', { cashierId: ids.cashierId, rebate: { enabled: false } })).toBe('NOT_FOUND');
    expect(await app.error('other', 'merchant', 'dashboard', { storeId: ids.storeId })).toBe('NOT_FOUND');
    expect(await app.error('other', 'merchant', 'createCashier', { storeId: ids.storeId, name: 'x' })).toBe('NOT_FOUND');
  });
});

describe('§3.3 ratio chains through the actions', () => {
  it('mall: product member-level ratio beats plugin member-level ratio beats product tiers beats product own ratio', async () => {
    await app.configure((c) => (c.rebate.levelRatios = { L0: 11000 }));
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', {
      name: '链', priceFen: 10000, costFen: 0, stock: 10,
      rebate: { enabled: true, levelRatios: { L0: 12000 }, tiers: [{ days: 30, minSpendFen: 0, ratioBp: 13000 }], ratioBp: 14000 },
    });
    await buy(app, 'a', p.productId);
    expect((await mine('a'))[0]).toMatchObject({ ratioBp: 12000, ratioRule: 'level' });
    await app.call(ADMIN, 'admin', 'upsertProduct', { productId: p.productId, name: '链', priceFen: 10000, costFen: 0, stock: 10, rebate: { enabled: true, tiers: [{ days: 30, minSpendFen: 0, ratioBp: 13000 }], ratioBp: 14000 } });
    await buy(app, 'b', p.productId);
    expect((await mine('b'))[0].ratioBp).toBe(11000); // plugin level ratio
    await app.configure((c) => (c.rebate.levelRatios = {}));
    await buy(app, 'c', p.productId);
    expect((await mine('c'))[0].ratioBp).toBe(13000); // product tier
  });

  it('cashier: cashier level ratio beats cashier lottery beats cashier default beats plugin default', async () => {
    await app.call('merchant', 'merchant', 'setCashierConfig', { cashierId: ids.cashierId, rebate: { enabled: true, levelRatios: { L0: 16000 }, lottery: { kind: 'fixed', options: [{ ratioBp: 30000, weight: 1 }] }, ratioBp: 12000 } });
    await payAtCashier(app, 'a', ids.cashierId, 10000);
    expect((await mine('a'))[0]).toMatchObject({ ratioBp: 16000, lottery: null });
    await app.call('merchant', 'merchant', 'setCashierConfig', { cashierId: ids.cashierId, rebate: { enabled: true, lottery: { kind: 'fixed', options: [{ ratioBp: 30000, weight: 1 }] }, ratioBp: 12000 } });
    await payAtCashier(app, 'b', ids.cashierId, 10000);
    const [b] = await mine('b');
    expect(b).toMatchObject({ ratioBp: 12000 }); // fallback = the cashier's own ratio until drawn
    expect(b.lottery.available).toBe(true);
    await app.call('merchant', 'merchant', 'setCashierConfig', { cashierId: ids.cashierId, rebate: { enabled: true } });
    await payAtCashier(app, 'c', ids.cashierId, 10000);
    expect((await mine('c'))[0].ratioBp).toBe(10000); // plugin default
  });

  it('store product: store-product own ratio beats store default; store level ratio beats both', async () => {
    await app.call('merchant', 'merchant', 'setStoreConfig', { storeId: ids.storeId, rebate: { enabled: true, ratioBp: 14000 } });
    const sp = await app.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: ids.storeId, name: '门店商品', priceFen: 10000, costFen: 0, stock: 10, rebate: { enabled: true, ratioBp: 15000 } });
    await buy(app, 'a', sp.productId);
    expect((await mine('a'))[0].ratioBp).toBe(15000);
    await app.call('merchant', 'merchant', 'setStoreConfig', { storeId: ids.storeId, rebate: { enabled: true, ratioBp: 14000, levelRatios: { L0: 17000 } } });
    await buy(app, 'b', sp.productId);
    expect((await mine('b'))[0].ratioBp).toBe(17000);
  });
});

describe('§3.6 refunds', () => {
  it('a refund cancels the unpaid remainder; extractions already paid to others are a recorded platform loss', async () => {
    await app.configure((c) => (c.rebate.settleOn = 'pay'));
    await buy(app, 'a', ids.productId, { complete: false });
    const b = await buy(app, 'b', ids.productId, { complete: false }); // pays A ¥10
    const refunding = await app.call('b', 'order', 'refund', { orderId: b.orderId });
    expect(refunding.status).toBe('refunding'); // 退款中 until WeChat Pay confirms (local: as soon as the outbox sends it, after the answer)
    expect((await app.call('b', 'order', 'get', { orderId: b.orderId })).status).toBe('refunded');
    expect((await mine('b'))[0].status).toBe('cancelled');
    expect(await cash('a')).toBe(1000); // not clawed back
    const report = await app.verify();
    expect(report.systemBalances['CASH:platform:refund-loss']).toBe(-1000);
    // the cash goes back through WeChat Pay after the answer, keyed by the refund number (local mode: confirmed at once)
    const refunds = await col(app.deps.store.db, 'outbox').find({ kind: 'wxpay.refund' }).toArray();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ status: 'done', key: `R${b.orderId}`, data: { orderId: b.orderId, refundFen: '10000' } });
    expect(await col(app.deps.store.db, 'refunds').findOne({ _id: `R${b.orderId}` })).toMatchObject({ status: 'succeeded', amountFen: 10000, confirmedBy: 'answer' });
    expect(report.systemBalances['CASH:platform:refunds-in-transit'] ?? 0).toBe(0);
    expect(await app.error('b', 'order', 'refund', { orderId: 'O-nope' })).toBe('NOT_FOUND');
    expect(await app.error('a', 'order', 'refund', { orderId: b.orderId })).toBe('NOT_FOUND'); // not A's order
  });
});

describe('§3.6 refunds take back what an entry was turned into', () => {
  it('points from an exchange of the refunded order’s entry are taken back', async () => {
    await app.configure((c) => (c.rebate.settleOn = 'pay'));
    const o = await buy(app, 'a', ids.productId, { complete: false });
    const [e] = await mine('a');
    await app.call('a', 'queue', 'exchange', { entryId: e.entryId, to: 'points' });
    expect((await app.call('a', 'wallet', 'balances')).points).toBe(10000);
    await app.call('a', 'order', 'refund', { orderId: o.orderId });
    expect((await app.call('a', 'wallet', 'balances')).points).toBe(0);
  });
});

describe('§3.2 a delisted product’s own queue never pays again', () => {
  it('an order completed after delisting neither extracts from nor joins that product’s queue', async () => {
    await app.configure((c) => (c.rebate.mallQueue = false));
    await buy(app, 'a', ids.productId);
    const late = await buy(app, 'b', ids.productId, { complete: false });
    await app.call(ADMIN, 'admin', 'upsertProduct', { productId: ids.productId, name: '测试商品', priceFen: 10000, costFen: 0, stock: 100, listed: false });
    const done = await app.call('b', 'order', 'complete', { orderId: late.orderId });
    expect(done.settlement).toMatchObject({ extractedFen: 0, entries: [] });
    expect((await mine('a'))[0].receivedFen).toBe(0);
  });
});
