import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, buy, createTestApp, shop, type TestApp } from '../helpers/app';
import { dispatch } from '../../server/src/runtime/handler';
import { payNotify } from '../../server/src/functions/order';
import { col, runTransaction } from '../../server/src/repo/db';
import { post } from '../../server/src/repo/ledger';
import { acct } from '../../server/src/engine/ledger/accounts';

let app: TestApp;
let ids: { productId: string; storeId: string; cashierId: string };
const POINT = 10_000; // units per point

beforeEach(async () => {
  app = await createTestApp();
  await app.configure((c) => {
    c.rebate.enabled = false;
    c.green = { enabled: true, poolShareBp: 4000, mintBp: 5000, withdrawFeeBp: 1000, exitMultipleBp: 20000, launchPriceFen: 100 };
    c.union = { ...c.union, enabled: true, poolShareBp: 5000, accelerationBp: 2000, defaultLockDays: 15 };
  });
  ids = await shop(app, { priceFen: 1_000_000, costFen: 500_000 });
});
afterEach(async () => {
  expect((await app.verify()).problems).toEqual([]);
  await app.close();
});

const price = async () => (await app.call(null, 'green', 'state')).pricePerPointFen as number;

describe('§5 green points through the actions', () => {
  it('withdraw: value minus the fee to the wallet; the fee stays in the pool so the price rises', async () => {
    await buy(app, 'a', ids.productId); // ¥10,000 → pool ¥4,000, 2,000 points, price ¥2.00
    expect(await price()).toBe(200);
    const w = await app.call('a', 'green', 'withdraw', { units: 100 * POINT });
    expect(w).toMatchObject({ valueFen: 20000, feeFen: 2000, paidFen: 18000 });
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(18000);
    expect(await price()).toBeGreaterThan(200);
    expect(await app.error('a', 'green', 'withdraw', { units: 5000 * POINT })).toBe('INSUFFICIENT_BALANCE');
  });

  it('transfer moves points and their basis; spending pays part of an order at the current price', async () => {
    const b = await app.call('b', 'user', 'login');
    await buy(app, 'a', ids.productId);
    await app.call('a', 'green', 'transfer', { toUserId: b.userId, units: 500 * POINT });
    const mineB = await app.call('b', 'green', 'mine');
    expect(mineB.units).toBe(500 * POINT);
    expect(mineB.lots[0].consumptionFen).toBe(250_000); // a quarter of A's ¥10,000 basis
    expect(await app.error('a', 'green', 'transfer', { toUserId: 'U-nobody', units: 1 })).toBe('NOT_FOUND');
    expect(await app.error('a', 'green', 'transfer', { toUserId: (await app.call('a', 'user', 'me')).userId, units: 1 })).toBe('INVALID_INPUT');
    // spend 10 points (¥20 at ¥2.00) on a product that allows 50% deduction
    const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '可抵', priceFen: 10000, costFen: 0, stock: 5, maxDeductBp: 5000 });
    const before = await price();
    const o = await app.call('b', 'order', 'create', { lines: [{ productId: p.productId, qty: 1 }], deduct: { greenUnits: 10 * POINT } });
    expect(o.deduct.greenFen).toBe(2000);
    expect(o.cashFen).toBe(8000);
    expect(await price()).toBeGreaterThanOrEqual(before);
    // cancelling gives the points' value back as points at today's price
    await app.call('b', 'order', 'cancel', { orderId: o.orderId });
    expect((await app.call('b', 'green', 'mine')).units).toBe(500 * POINT);
  });

  it('forced exit: a lot whose value reaches the set multiple of its consumption is withdrawn automatically', async () => {
    await app.configure((c) => (c.green.exitMultipleBp = 5000)); // exit at 0.5× for a short test
    await buy(app, 'a', ids.productId); // A: 2,000 points for ¥10,000 at ¥2.00 → worth 0.4×
    expect((await app.call('a', 'green', 'mine')).lots[0].status).toBe('active');
    // the next order puts ¥4,000 into the pool but mints only ¥2,000 of points: price ¥2.00 → ¥2.67,
    // A's lot is worth 0.53× its consumption and exits, fee included
    const p = await price();
    await buy(app, 'b', ids.productId);
    const mineA = await app.call('a', 'green', 'mine');
    expect(mineA).toMatchObject({ units: 0 });
    expect(mineA.lots[0].status).toBe('exited');
    const cashA = (await app.call('a', 'wallet', 'balances')).cashFen;
    expect(cashA).toBeGreaterThanOrEqual(Math.floor(0.5 * 1_000_000 * 0.9));
    expect(await price()).toBeGreaterThanOrEqual(p); // the fee stays: the price does not fall
    expect((await app.call('b', 'green', 'mine')).lots.every((l: any) => l.status === 'active')).toBe(true);
    const msgs = await col(app.deps.store.db, 'outbox').find({ kind: 'exit' }).toArray();
    expect(msgs).toHaveLength(1);
  });
});

describe('§4 union through the actions', () => {
  it('entries carry the eligible day; the daily job pays eligible entries in full; acceleration goes to the direct referrer', async () => {
    const a = await app.call('a', 'user', 'login');
    await buy(app, 'a', ids.productId, { now: '2026-08-01T10:00:00+08:00' });
    const u = await app.call('a', 'union', 'mine', {}, { now: '2026-08-01T10:00:00+08:00' });
    expect(u.entries[0]).toMatchObject({ entitlementFen: 1_000_000, orderDay: '2026-08-01', eligibleDay: '2026-08-15', eligible: false });
    await app.call('b', 'user', 'login', { ref: a.inviteCode });
    await buy(app, 'b', ids.productId, { now: '2026-08-02T10:00:00+08:00' }); // acceleration: 20% of ¥10,000 to A, capped by the pool
    const after = (await app.call('a', 'union', 'mine')).entries[0];
    expect(after.receivedFen).toBe(200_000);
    const nothingYet = await app.call(ADMIN, 'admin', 'runDaily', {}, { now: '2026-08-14T00:00:00+08:00' });
    expect(nothingYet.union.released).toBe(0);
  });
});

describe('§7 operator views, withdrawals and messages', () => {
  it('withdrawal request → review (approve starts the payout, paid only when confirmed; reject returns the balance); only admins review', async () => {
    await app.configure((c) => ((c.rebate.enabled = true), (c.rebate.extractionBp = 1000)));
    await buy(app, 'a', ids.productId);
    await buy(app, 'b', ids.productId);
    const bal = (await app.call('a', 'wallet', 'balances')).cashFen;
    expect(bal).toBeGreaterThan(0);
    expect(await app.error('a', 'wallet', 'withdraw', { amountFen: bal + 1 })).toBe('INSUFFICIENT_BALANCE');
    expect(await app.error('a', 'wallet', 'withdraw', { amountFen: 1 })).toBe('INVALID_AMOUNT'); // below the minimum
    const w1 = await app.call('a', 'wallet', 'withdraw', { amountFen: 1000 });
    const w2 = await app.call('a', 'wallet', 'withdraw', { amountFen: 2000 });
    expect((await app.call('a', 'wallet', 'balances')).withdrawingFen).toBe(3000);
    expect(await app.error('a', 'admin', 'reviewWithdrawal', { withdrawalId: w1.withdrawalId, approve: true })).toBe('FORBIDDEN');
    await app.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w1.withdrawalId, approve: true });
    await app.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w2.withdrawalId, approve: false });
    expect(await app.error(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w2.withdrawalId, approve: true })).toBe('CONFLICT');
    // approved: paying (manual payout in local mode) — the cash is not paid out until the payout is confirmed
    expect(await app.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: bal - 1000, withdrawingFen: 1000 });
    expect((await app.call('a', 'wallet', 'withdrawals')).find((w: any) => w.withdrawalId === w1.withdrawalId)).toMatchObject({ status: 'paying', method: 'manual', payoutState: 'MANUAL' });
    await app.call(ADMIN, 'admin', 'confirmPayout', { withdrawalId: w1.withdrawalId, reference: 'BANK-001' });
    expect(await app.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: bal - 1000, withdrawingFen: 0 });
    const ledger = await app.call('a', 'wallet', 'ledger', { asset: 'CASH' });
    expect(ledger.some((p: any) => p.memo === '提现已线下打款')).toBe(true);
    expect((await app.verify()).problems).toEqual([]);
  });

  it('wallet ledger: pages by (at, id) with no row lost or repeated, the rows of one instant included', async () => {
    const me = await app.call('a', 'user', 'login');
    const userId: string = me.userId ?? me._id ?? me.id;
    expect(typeof userId).toBe('string');
    // five events, each writing two rows at one instant (as an exit does with CASH and GREEN)
    for (let i = 0; i < 5; i++) {
      await runTransaction(app.deps.store, new Date(Date.UTC(2026, 7, 1, 4, 0, i)), (tx) =>
        post(tx, 'test:fixture', {
          eventKey: `fixture:paging:${i}`,
          type: 'fixture',
          postings: [
            { account: acct.extWxPay, amount: -(100 + i) },
            { account: acct.userCash(userId), amount: 100 + i },
            { account: acct.pointsIssuer, amount: -(10 + i) },
            { account: acct.userPoints(userId), amount: 10 + i },
          ],
        }),
      );
    }
    const all = await app.call('a', 'wallet', 'ledger', { limit: 100 });
    expect(all.map((r: any) => r.asset).sort()).toEqual([...Array(5).fill('CASH'), ...Array(5).fill('POINTS')]);
    // newest first, ties by id descending
    const key = (r: any) => `${new Date(r.at).toISOString()}|${r.id}`;
    expect(all.map(key)).toEqual(all.map(key).sort().reverse());
    for (const limit of [1, 2, 3, 4]) {
      const seen: any[] = [];
      let page = await app.call('a', 'wallet', 'ledger', { limit });
      while (page.length > 0) {
        seen.push(...page);
        const last = page[page.length - 1];
        page = await app.call('a', 'wallet', 'ledger', { limit, before: new Date(last.at).toISOString(), beforeId: last.id });
      }
      expect(seen.map((r) => r.id)).toEqual(all.map((r: any) => r.id));
    }
    const points = await app.call('a', 'wallet', 'ledger', { asset: 'POINTS', limit: 2 });
    expect(points.map((r: any) => r.amount)).toEqual([14, 13]);
    expect((await app.call('a', 'wallet', 'ledger', { asset: 'POINTS', limit: 2, before: new Date(points[1].at).toISOString(), beforeId: points[1].id })).map((r: any) => r.amount)).toEqual([12, 11]);
    expect(await app.error('a', 'wallet', 'ledger', { asset: 'QENT' })).toBe('INVALID_INPUT');
    // the cursor is the caller's own row, at its own time
    expect((await app.call('a', 'wallet', 'ledger', { limit: 3, beforeId: all[1].id })).map((r: any) => r.id)).toEqual(all.slice(2, 5).map((r: any) => r.id));
    expect(await app.error('a', 'wallet', 'ledger', { beforeId: all[1].id, before: new Date(0).toISOString() })).toBe('INVALID_INPUT');
    await app.call('b', 'user', 'login');
    expect(await app.error('b', 'wallet', 'ledger', { beforeId: all[1].id })).toBe('NOT_FOUND');
  });

  it('liability dashboard: outstanding per queue and pool, inflow over 7/30 days, clearance estimate', async () => {
    await app.configure((c) => ((c.rebate.enabled = true), (c.rebate.extractionBp = 1000)));
    await buy(app, 'a', ids.productId);
    await buy(app, 'b', ids.productId);
    const d = await app.call(ADMIN, 'admin', 'dashboard');
    const mall = d.queues.find((q: any) => q.queueKey === 'mall');
    expect(mall.outstandingFen).toBeGreaterThan(0);
    expect(mall.inflow7Fen).toBeGreaterThan(0);
    expect(mall.estimatedClearanceDays).toBeGreaterThan(0);
    expect(d.green.poolFen).toBeGreaterThan(0);
    expect(d.union.poolFen).toBeGreaterThanOrEqual(0);
    expect(await app.error('a', 'admin', 'dashboard')).toBe('FORBIDDEN');
  });

  it('subscribe messages are sent after the answer, never for a failed call', async () => {
    await app.configure((c) => ((c.rebate.enabled = true), (c.rebate.extractionBp = 1000), (c.messages.payout.templateId = 'TPL-payout')));
    await buy(app, 'a', ids.productId);
    await buy(app, 'b', ids.productId);
    const msgs = await col(app.deps.store.db, 'outbox').find({}).toArray();
    expect(msgs.length).toBeGreaterThan(0);
    // local mode: done means recorded (nothing leaves the machine); kinds without a template are skipped
    expect(msgs.every((m) => m.status === 'done' || m.status === 'skipped')).toBe(true);
    expect(msgs.some((m) => m.kind === 'payout' && m.status === 'done' && (m.result as any)?.templateId === 'TPL-payout')).toBe(true);
    const count = msgs.length;
    await app.error('a', 'order', 'complete', { orderId: 'O-none' });
    expect(await col(app.deps.store.db, 'outbox').countDocuments({})).toBe(count);
  });
});

describe('payment callback access', () => {
  it('in WeChat mode payNotify accepts only calls whose SOURCE is the pay callback', async () => {
    const wechatDeps = { ...app.deps, wx: { ...app.deps.wx, mode: 'wechat' as const } };
    await app.call('a', 'user', 'login');
    const o = await app.call('a', 'order', 'create', { lines: [{ productId: ids.productId, qty: 1 }] });
    const event = { action: 'notify', outTradeNo: o.orderId, transactionId: 'T1', totalFee: o.cashFen, resultCode: 'SUCCESS' };
    const forged = await dispatch(payNotify, event, wechatDeps, { openid: 'a', source: 'wx_client', now: new Date() });
    expect(forged).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await app.call('a', 'order', 'get', { orderId: o.orderId })).status).toBe('created');
    const real = await dispatch(payNotify, event, wechatDeps, { openid: null, source: 'wx_paycallback', now: new Date() });
    expect(real).toMatchObject({ ok: true, data: { errcode: 0 } });
    expect((await app.call('a', 'order', 'get', { orderId: o.orderId })).status).toBe('paid');
    // a notification whose amount differs is recorded as an anomaly and answered, so WeChat stops retrying
    const o2 = await app.call('a', 'order', 'create', { lines: [{ productId: ids.productId, qty: 1 }] });
    const wrongAmount = await dispatch(payNotify, { ...event, outTradeNo: o2.orderId, transactionId: 'T2', totalFee: o2.cashFen - 1 }, wechatDeps, { openid: null, source: 'wx_paycallback', now: new Date() });
    expect(wrongAmount).toMatchObject({ ok: true, data: { errcode: 0, anomaly: true } });
    expect((await app.call('a', 'order', 'get', { orderId: o2.orderId })).status).toBe('created');
    expect(await app.call(ADMIN, 'admin', 'anomalies', {})).toMatchObject([{ _id: 'T2', orderId: o2.orderId, amountFen: o2.cashFen - 1, expectedFen: o2.cashFen, status: 'open' }]);
  });
});
