import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, buy, createTestApp, type TestApp } from '../helpers/app';

/**
 * SPEC §4 and §5 worked examples, through the public actions (x-now dates in Asia/Shanghai,
 * admin.runDaily as the daily job).
 */

let app: TestApp;
beforeEach(async () => (app = await createTestApp()));
afterEach(async () => {
  expect((await app.verify()).problems).toEqual([]);
  await app.close();
});

const POINT = 10_000; // green units per point

/**
 * The pool is funded by one ¥20,000 order of a product with no cost at a 50% pool share: ¥10,000.
 * That order's own union entry is locked 300 days, so it stays out of the way of the example.
 */
async function unionShop(opts: { accelerationBp?: number } = {}) {
  await app.configure((c) => {
    c.rebate.enabled = false;
    c.union = { enabled: true, poolShareBp: 5000, entitlementBp: 10_000, defaultLockDays: 15, accelerationBp: opts.accelerationBp ?? 2000 };
  });
  await app.call(ADMIN, 'user', 'login');
  const funding = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '奖金池注资', priceFen: 2_000_000, costFen: 0, stock: 10, lockDays: 300 });
  // ¥100 products whose price is all cost: they add nothing to the pool
  const item = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '锁定15天', priceFen: 10_000, costFen: 10_000, stock: 100, lockDays: 15 });
  return { fundingId: funding.productId as string, itemId: item.productId as string };
}

describe('SPEC §4 union queue worked examples', () => {
  it('pool ¥10,000; ¥100 orders on Aug 1 and Aug 2 (15 days) are paid on Aug 15 and Aug 16, leaving ¥9,900 then ¥9,800', async () => {
    const { fundingId, itemId } = await unionShop();
    await buy(app, 'funder', fundingId, { now: '2026-07-31T10:00:00+08:00' });
    expect((await app.call('funder', 'union', 'mine', {}, { now: '2026-07-31T10:00:00+08:00' })).poolFen).toBe(1_000_000);

    await buy(app, 'a', itemId, { now: '2026-08-01T10:00:00+08:00' });
    await buy(app, 'b', itemId, { now: '2026-08-02T10:00:00+08:00' });
    const a = (await app.call('a', 'union', 'mine', {}, { now: '2026-08-02T10:00:00+08:00' })).entries[0];
    expect(a).toMatchObject({ entitlementFen: 10_000, orderDay: '2026-08-01', eligibleDay: '2026-08-15', lockDays: 15, status: 'pending', eligible: false });
    const b = (await app.call('b', 'union', 'mine', {}, { now: '2026-08-02T10:00:00+08:00' })).entries[0];
    expect(b).toMatchObject({ entitlementFen: 10_000, orderDay: '2026-08-02', eligibleDay: '2026-08-16' });

    // Aug 14: nothing is eligible yet
    const aug14 = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-14T00:00:05+08:00' });
    expect(aug14.union).toMatchObject({ released: 0, paidFen: 0 });

    // Aug 15: A's entry (day 15 of 15) is paid in full → ¥9,900
    const aug15 = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-15T00:00:05+08:00' });
    expect(aug15.union).toMatchObject({ released: 1, paidFen: 10_000 });
    expect((await app.call('a', 'union', 'mine', {}, { now: '2026-08-15T09:00:00+08:00' })).entries[0]).toMatchObject({ status: 'completed', receivedFen: 10_000 });
    expect((await app.call('b', 'union', 'mine', {}, { now: '2026-08-15T09:00:00+08:00' })).entries[0]).toMatchObject({ status: 'pending', receivedFen: 0 });
    expect((await app.call('a', 'union', 'mine', {}, { now: '2026-08-15T09:00:00+08:00' })).poolFen).toBe(990_000);
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(10_000);
    // the same day again: nothing more
    expect((await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-15T12:00:00+08:00' })).union).toMatchObject({ released: 0, paidFen: 0 });

    // Aug 16: B's entry → ¥9,800
    const aug16 = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-16T00:00:05+08:00' });
    expect(aug16.union).toMatchObject({ released: 1, paidFen: 10_000 });
    const mineB = await app.call('b', 'union', 'mine', {}, { now: '2026-08-16T09:00:00+08:00' });
    expect(mineB.entries[0]).toMatchObject({ status: 'completed', receivedFen: 10_000 });
    expect(mineB.poolFen).toBe(980_000);
    expect((await app.call('b', 'wallet', 'balances')).cashFen).toBe(10_000);
    // the funder's entry (locked 300 days) still waits, nothing else was paid
    expect((await app.call('funder', 'union', 'mine', {}, { now: '2026-08-16T09:00:00+08:00' })).entries[0]).toMatchObject({ status: 'pending', receivedFen: 0 });
  });

  it('acceleration: A has ¥100 queued; B, invited by A, pays ¥100 at 20% → A receives ¥20 now, ¥80 keeps waiting', async () => {
    const { fundingId, itemId } = await unionShop({ accelerationBp: 2000 });
    await buy(app, 'funder', fundingId, { now: '2026-07-31T10:00:00+08:00' });
    const a = await app.call('a', 'user', 'login', {}, { now: '2026-08-01T09:00:00+08:00' });
    await buy(app, 'a', itemId, { now: '2026-08-01T10:00:00+08:00' });
    expect((await app.call('a', 'union', 'mine', {}, { now: '2026-08-01T10:00:00+08:00' })).entries[0]).toMatchObject({ entitlementFen: 10_000, pendingFen: 10_000 });

    const b = await app.call('b', 'user', 'login', { ref: a.inviteCode }, { now: '2026-08-02T09:00:00+08:00' });
    expect(b.referrer).toMatchObject({ userId: a.userId });
    await buy(app, 'b', itemId, { now: '2026-08-02T10:00:00+08:00' });

    const mineA = await app.call('a', 'union', 'mine', {}, { now: '2026-08-02T10:00:00+08:00' });
    expect(mineA.entries[0]).toMatchObject({ receivedFen: 2_000, pendingFen: 8_000, status: 'pending' });
    expect(mineA.poolFen).toBe(1_000_000 - 2_000);
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(2_000);
    // B's own entry is untouched; nobody above A (one level only)
    expect((await app.call('b', 'union', 'mine', {}, { now: '2026-08-02T10:00:00+08:00' })).entries[0]).toMatchObject({ receivedFen: 0, pendingFen: 10_000 });
    // the ¥80 that keeps waiting is released in full when A's entry is eligible (Aug 15)
    const aug15 = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-15T00:00:05+08:00' });
    expect(aug15.union).toMatchObject({ released: 1, paidFen: 8_000 });
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(10_000);
  });
});

describe('SPEC §5 green points worked example', () => {
  it('launch, A spends ¥10,000, pool share 40%, mint 50% → pool ¥4,000, A gets 2,000 points, price ¥2.00', async () => {
    await app.configure((c) => {
      c.rebate.enabled = false;
      c.green = { enabled: true, poolShareBp: 4000, mintBp: 5000, withdrawFeeBp: 1000, exitMultipleBp: 20_000, launchPriceFen: 100 };
    });
    await app.call(ADMIN, 'user', 'login');
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '绿色商品', priceFen: 1_000_000, costFen: 0, stock: 10 });
    const launch = await app.call(null, 'green', 'state');
    expect(launch).toMatchObject({ poolFen: 0, totalUnits: 0, pricePerPointFen: 100 }); // ¥1.00 per point at launch

    const order = await buy(app, 'a', p.productId);
    expect(order.settlement).toMatchObject({ greenInflowFen: 400_000, greenUnits: 2000 * POINT });

    const state = await app.call(null, 'green', 'state');
    expect(state).toMatchObject({ poolFen: 400_000, totalUnits: 20_000_000, pricePerPointFen: 200 }); // ¥4,000 ÷ 2,000 points = ¥2.00
    const mine = await app.call('a', 'green', 'mine');
    expect(mine).toMatchObject({ units: 20_000_000, valueFen: 400_000, pricePerPointFen: 200 });
    expect(mine.lots[0]).toMatchObject({ units: 20_000_000, consumptionFen: 1_000_000, exitAtFen: 2_000_000, status: 'active' });
    expect((await app.call('a', 'wallet', 'balances')).greenUnits).toBe(20_000_000);
  });
});
