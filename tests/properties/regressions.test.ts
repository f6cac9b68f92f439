import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, buy, createTestApp, shop, type TestApp } from '../helpers/app';

/** Deterministic reproductions of what the property tests in this folder found. */

let app: TestApp;
beforeEach(async () => (app = await createTestApp()));
afterEach(async () => {
  expect((await app.verify()).problems).toEqual([]);
  await app.close();
});

describe('found by the queue rebate property', () => {
  it('a lottery entry whose fallback entitlement is ¥0 does not block its queue (was: INTERNAL for every later order)', async () => {
    await app.configure((c) => {
      c.rebate.defaultRatioBp = 14; // ¥5 × 0.14% = ¥0.007 → ¥0 until drawn
      c.rebate.extractionBp = 5000;
      c.rebate.lottery = { kind: 'fixed', options: [{ ratioBp: 10_000, weight: 1 }] };
    });
    const { productId } = await shop(app, { priceFen: 500 });
    await buy(app, 'a', productId);
    const [a] = (await app.call('a', 'queue', 'mine')).entries;
    expect(a).toMatchObject({ entitlementFen: 0, status: 'pending', lottery: { available: true } });
    // the next orders in the queue complete normally; the ¥0 entry is skipped, not paid and not closed
    const b = await buy(app, 'b', productId);
    expect(b.status).toBe('completed');
    expect(b.settlement.extractedFen).toBe(0);
    // once drawn, A's entry is owed ¥5 and is paid first, before B's
    const drawn = await app.call('a', 'queue', 'draw', { entryId: a.entryId });
    expect(drawn.entitlementFen).toBe(500);
    await buy(app, 'c', productId);
    expect((await app.call('a', 'queue', 'mine')).entries[0]).toMatchObject({ receivedFen: 250, status: 'pending' });
    expect((await app.call('b', 'queue', 'mine')).entries[0].receivedFen).toBe(0);
  });
});

describe('found by the green points property', () => {
  it('a refund that raises the green price runs the forced-exit cascade: no lot is left active at its exit value', async () => {
    await app.configure((c) => {
      c.rebate.enabled = false;
      c.rebate.settleOn = 'pay';
      c.green = { enabled: true, poolShareBp: 4000, mintBp: 5000, withdrawFeeBp: 1000, exitMultipleBp: 5000, launchPriceFen: 100 };
    });
    const { productId } = await shop(app, { priceFen: 1_000_000 });
    await buy(app, 'a', productId); // pool ¥4,000, A 2,000 points at ¥2.00: worth 0.4× of ¥10,000
    await buy(app, 'b', productId, { complete: false }); // pool ¥8,000, B mints ¥2,000 at ¥2.00 = 1,000 points: ¥2.67
    // A's lot is worth 2,000 × ¥2.67 = ¥5,333 ≥ 0.5 × ¥10,000: it exited after B's settlement
    expect((await app.call('a', 'green', 'mine')).lots[0].status).toBe('exited');
    // (A exits: pool ¥3,200 for B's 1,000 points, ¥3.20.) C's ¥10,000 mints 625 points: ¥7,200 for 1,625 points
    await buy(app, 'c', productId);
    const lotC = (await app.call('c', 'green', 'mine')).lots[0];
    expect(lotC.status).toBe('active'); // ≈625 points (rounding in the pool's favour) worth ≈¥2,769 < ¥5,000
    expect(lotC.valueFen).toBeLessThan(lotC.exitAtFen);
    // B's order is refunded: B's 1,000 points are burned, their value stays in the pool → ¥7,200 for 625 points = ¥11.52,
    // so C's lot (625 points for ¥10,000) is worth ¥7,200 ≥ 0.5 × ¥10,000
    const before = (await app.call(null, 'green', 'state')).pricePerPointFen;
    const order = (await app.call('b', 'order', 'list'))[0];
    await app.call(ADMIN, 'order', 'refund', { orderId: order.orderId });
    expect((await app.call(null, 'green', 'state')).pricePerPointFen).toBeGreaterThan(before);
    // whatever reached its exit value through the refund's price rise has exited, without waiting for the daily job
    const mineC = await app.call('c', 'green', 'mine');
    expect(mineC.lots[0].status).toBe('exited');
    expect(mineC.units).toBe(0);
  });

  it('green points given back by a cancelled spend keep their basis, so the next cascade does not force them out (was: basis 0, exited at once)', async () => {
    await app.configure((c) => {
      c.rebate.enabled = false;
      c.rebate.settleOn = 'pay';
      c.green = { enabled: true, poolShareBp: 4000, mintBp: 5000, withdrawFeeBp: 1000, exitMultipleBp: 20000, launchPriceFen: 100 };
    });
    const { productId } = await shop(app, { priceFen: 1_000_000 });
    const deductible = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '可抵', priceFen: 10_000, costFen: 0, stock: 5, maxDeductBp: 5000 });
    await buy(app, 'a', productId); // 2,000 points for ¥10,000 at ¥2.00, exit at 2× = ¥20,000
    const o = await app.call('a', 'order', 'create', { lines: [{ productId: deductible.productId, qty: 1 }], deduct: { greenUnits: 10 * 10_000 } });
    await app.call('a', 'order', 'cancel', { orderId: o.orderId });
    await buy(app, 'b', productId); // a settlement: the forced-exit cascade runs
    await app.call(ADMIN, 'admin', 'runDaily', {}); // and the daily job
    const mine = await app.call('a', 'green', 'mine');
    expect(mine.units).toBe(2000 * 10_000);
    expect(mine.lots.every((l: any) => l.status === 'active' && l.consumptionFen > 0)).toBe(true);
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(0);
  });
});

describe('found by the idempotency property', () => {
  it('a retried withdrawal (same requestId) that took the whole balance answers with the first result, not 余额不足', async () => {
    await app.configure((c) => ((c.rebate.extractionBp = 1000), (c.rebate.defaultRatioBp = 10_000)));
    const { productId } = await shop(app, { priceFen: 10_000 });
    await buy(app, 'a', productId);
    await buy(app, 'b', productId); // pays A ¥10
    const cash = (await app.call('a', 'wallet', 'balances')).cashFen;
    expect(cash).toBe(1000);
    const first = await app.call('a', 'wallet', 'withdraw', { amountFen: cash, requestId: 'retry-0001' });
    const again = await app.call('a', 'wallet', 'withdraw', { amountFen: cash, requestId: 'retry-0001' });
    expect(again).toEqual(first);
    expect(await app.call('a', 'wallet', 'withdrawals')).toHaveLength(1);
    expect(await app.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: 0, withdrawingFen: 1000 });
  });
});
