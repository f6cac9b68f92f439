import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acct } from '../../server/src/engine/ledger/accounts';
import { exitPriceKey } from '../../server/src/engine/green/pool';
import { col, MAX_TX_DOCS, resetTxStats, runTransaction, txStats } from '../../server/src/repo/db';
import type { GreenLotDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import { post } from '../../server/src/repo/ledger';
import { PLAN_READS } from '../../server/src/services/settler/release';
import { acquireLease, releaseLease } from '../../server/src/services/settler/lease';
import { DurableStepNeeded, settlerStep } from '../../server/src/services/settler/steps';
import type { Settler } from '../../server/src/services/settler/settler';
import { ADMIN, createTestApp, shop, type TestApp } from '../helpers/app';
import { UNION_MEMO } from '../../server/src/engine/union/memos';

/**
 * SPEC §4/§5/§9: the daily union release and the forced-exit cascade run in bounded transactions
 * of the settler. 10⁵ eligible union entries and 10⁵ lots are bulk-loaded (with a matching
 * journal entry, so verifyLedger still holds) and the jobs run through admin.runDaily (the
 * release) and the settler (the cascade, started because the pool's version changed).
 */
const N = Number(process.env.BOUNDED_JOB_N ?? 100_000);
const USERS = 50;
let app: TestApp;

async function freshApp(): Promise<TestApp> {
  const a = await createTestApp();
  await a.configure((c) => {
    c.rebate.extractionBp = 1000;
    c.union.enabled = true;
    c.green.enabled = true;
    c.green.exitMultipleBp = 20000;
    c.green.withdrawFeeBp = 1000;
  });
  return a;
}

beforeAll(async () => {
  app = await freshApp();
}, 120_000);
afterAll(async () => app.close());

/** from, to, fen and (for a union entitlement issued) its memo */
async function fund(eventKey: string, moves: [string, string, number, string?][]) {
  await runTransaction(app.deps.store, new Date(), async (tx) => {
    const postings = moves.flatMap(([from, to, amount, memo]) => [{ account: from, amount: -amount, ...(memo ? { memo } : {}) }, { account: to, amount, ...(memo ? { memo } : {}) }]);
    await post(tx, 'test:fixture', { eventKey, type: 'fixture', postings });
  });
}

describe('bounded jobs over 10⁵ records', () => {
  it(`daily union release of ${N} eligible entries: planned in reads of ${PLAN_READS}, paid shopper by shopper in bounded transactions; a second run releases nothing`, async () => {
    const entries: UnionEntryDoc[] = [];
    const perUser = new Map<string, number>();
    for (let i = 1; i <= N; i++) {
      const userId = `U${i % USERS}`;
      entries.push({ _id: `fx:${i}`, seq: i, userId, orderId: `fx${i}`, lineIndex: 0, entitlementFen: 100, receivedFen: 0, status: 'pending', lockDays: 15, orderDay: '2026-08-01', eligibleDay: '2026-08-15', createdAt: new Date(), closedAt: null });
      perUser.set(userId, (perUser.get(userId) ?? 0) + 100);
    }
    await col(app.deps.store.db, 'union_entries').insertMany(entries);
    const poolFen = N * 100 - 50; // the pool cannot pay the very last entry in full
    await col(app.deps.store.db, 'union_state').updateOne({ _id: 'union' }, { $set: { poolFen, nextSeq: N, pendingCount: N, pendingFen: N * 100, inflowFen: poolFen, releasedFen: 0 } }, { upsert: true });
    await fund('fixture:union', [[acct.extWxPay, acct.unionPool, poolFen], ...[...perUser].map(([u, fen]) => [acct.unionEntitlementIssuer, acct.userUnionEntitlement(u), fen, UNION_MEMO.issued] as [string, string, number, string])]);

    resetTxStats(app.deps.store);
    const t0 = Date.now();
    const first = (await app.call(ADMIN, 'admin', 'runDaily', { day: '2026-08-15' }, { now: '2026-08-15T00:00:10+08:00' })).union;
    const ms = Date.now() - t0;
    expect(first.released).toBe(N - 1);
    expect(first.blocked).toBe(true);
    // plan steps (reads only), then pay steps of about 480 entries each (one shopper's entries
    // together: each of the USERS shoppers holds N / USERS entries), then one look at the blocked cut
    const planSteps = Math.ceil(N / PLAN_READS);
    expect(first.transactions).toBeGreaterThan(planSteps + N / 500);
    expect(first.transactions).toBeLessThanOrEqual(planSteps + Math.ceil(N / 450) + USERS + 3);
    // each shopper's entries move in one posting per account per step, not one per entry
    const rows = await col(app.deps.store.db, 'postings').countDocuments({ type: 'union.release' });
    expect(rows).toBeLessThan(N / 50);
    const job = await col(app.deps.store.db, 'jobs').findOne({ _id: 'union-release:2026-08-15' });
    expect(job).toMatchObject({ status: 'done', processed: N - 1, chunks: first.transactions });
    expect(txStats(app.deps.store).maxDocs).toBeLessThanOrEqual(MAX_TX_DOCS);
    console.log(`[bounded] union release: ${N - 1} entries, ${first.transactions} transactions, largest ${txStats(app.deps.store).maxDocs} documents, ${ms} ms`);

    const second = await app.call(ADMIN, 'admin', 'runDaily', { day: '2026-08-15' }, { now: '2026-08-15T09:00:00+08:00' });
    expect(second.union).toMatchObject({ released: 0, paidFen: 0, alreadyDone: true });
    expect((await app.verify()).problems).toEqual([]);
  }, 300_000);

  /**
   * Every lot holds 1 point bought for ¥0.50; the pool backs 1 point at ¥1.20, so each lot is worth
   * 2.4× its consumption and exits at 2×. Exits pay value − 10% fee; the fee raises the price.
   */
  async function exitCascade(n: number, users: number): Promise<{ commits: number; maxDocs: number; ms: number }> {
    await loadLots(n, users);
    resetTxStats(app.deps.store);
    const t0 = Date.now();
    await app.settled();
    const ms = Date.now() - t0;
    const stats = txStats(app.deps.store);
    expect(await col(app.deps.store.db, 'green_lots').countDocuments({ status: 'exited' })).toBe(n);
    expect(await col(app.deps.store.db, 'green_lots').countDocuments({ status: 'active' })).toBe(0);
    expect(stats.maxDocs).toBeLessThanOrEqual(MAX_TX_DOCS);
    expect((await app.verify()).problems).toEqual([]);
    return { commits: stats.commits, maxDocs: stats.maxDocs, ms };
  }

  /** n lots of `users` shoppers, all due to exit, and a new pool version (the settler looks for exits). */
  async function loadLots(n: number, users: number): Promise<void> {
    const lots: GreenLotDoc[] = [];
    const perUser = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const userId = `G${users}:${i % users}`;
      const lot = { units: 10_000, consumptionFen: 50 };
      lots.push({ _id: `gl:${users}:${i}`, userId, orderId: null, ...lot, exitKey: exitPriceKey(lot, 20000), status: 'active', createdAt: new Date() });
      perUser.set(userId, (perUser.get(userId) ?? 0) + lot.units);
    }
    await col(app.deps.store.db, 'green_lots').insertMany(lots);
    const poolFen = n * 120;
    // a new pool version: the settler checks for lots due to exit
    await col(app.deps.store.db, 'green_state').updateOne({ _id: 'green' }, { $set: { poolFen, totalUnits: n * 10_000, lastPriceNum: 100, lastPriceDen: 10_000, inflowFen: poolFen, paidOutFen: 0 }, $inc: { version: 1 } }, { upsert: true });
    // the fixture's own funding, in entries small enough for the transaction bound
    const holdings = [...perUser].map(([u, units]) => [acct.greenIssuer, acct.userGreen(u), units] as [string, string, number]);
    await fund(`fixture:green:${users}`, [[acct.extWxPay, acct.greenPool, poolFen], ...holdings.splice(0, 100)]);
    for (let part = 1; holdings.length; part++) await fund(`fixture:green:${users}:${part}`, holdings.splice(0, 100));
  }

  it(`forced-exit cascade over ${N} lots: bounded transactions of the settler`, async () => {
    const r = await exitCascade(N, USERS);
    // each lot is written twice (its exit, its payout), each shopper's balances and rows once per payout step
    expect(r.commits).toBeGreaterThanOrEqual(Math.ceil((N * 2) / MAX_TX_DOCS));
    const db = app.deps.store.db;
    // a shopper's exits are paid in one posting per account per payout step, not one per lot
    expect(await col(db, 'postings').countDocuments({ type: 'green.exit.payout' })).toBeLessThan(N / 50);
    expect(await col(db, 'postings').countDocuments({ type: 'green.exit', userId: { $ne: null } })).toBe(0);
    // every exit paid, what each lot recorded: the shopper's CASH is the sum of their lots' payouts
    expect(await col(db, 'green_lots').countDocuments({ payoutPending: true })).toBe(0);
    const state = await col(db, 'green_state').findOne({ _id: 'green' });
    expect(state).toMatchObject({ exitHeldFen: 0, exitPendingUnits: 0, exitPendingCount: 0 });
    const owed = new Map<string, number>();
    for (const l of await col(db, 'green_lots').find({ status: 'exited' }).toArray()) owed.set(l.userId, (owed.get(l.userId) ?? 0) + l.payoutFen!);
    for (const [u, fen] of owed) expect((await col(db, 'balances').findOne({ _id: acct.userCash(u) }))?.balance).toBe(fen);
    expect([...owed.values()].reduce((a, b) => a + b, 0)).toBe(state!.paidOutFen);
    console.log(`[bounded] forced exits: ${N} lots, ${r.commits} transactions, largest ${r.maxDocs} documents, ${r.ms} ms`);
  }, 300_000);

  it('forced exits of 3,000 lots of 200 shoppers (steps where lots share some documents) stay within the bound', async () => {
    // regression: the pool's closing documents were counted after the last lot, so a step could write 501
    await app.close();
    app = await freshApp(); // a pool of its own
    const r = await exitCascade(3000, 200);
    expect(r.maxDocs).toBeGreaterThan(MAX_TX_DOCS - 20); // the budget is used, not wasted
  }, 300_000);

  it('job steps after the first commit lazily (from memory); a lazy step that finds an order due settles nothing and is run again durable', async () => {
    await app.close();
    app = await freshApp();
    await loadLots(3000, 100);
    await app.settled();
    // the cascade's steps after the first were acknowledged without waiting for the journal
    const stats = (app.deps.settler as Settler).stats;
    expect(stats.lazySteps).toBeGreaterThan(10);
    expect(stats.lazySteps).toBe(stats.steps - 1);

    const { cashierId } = await shop(app);
    await app.call('lazy-buyer', 'user', 'login');
    const { orderId } = await app.call('lazy-buyer', 'order', 'cashier', { cashierId, amountFen: 5_000 });
    await app.deps.settler.stop(); // no pass of its own: this test takes the steps
    await app.call(null, 'payNotify', 'notify', { outTradeNo: orderId, transactionId: `WX${orderId}`, totalFee: 5_000, resultCode: 'SUCCESS' }, { source: 'wx_paycallback' });
    const db = app.deps.store.db;
    const lease = (await acquireLease(db, 'test-settler', 15_000))!;
    const ctx = { store: app.deps.store, lease, random: { below: () => 0 }, now: new Date() };
    const before = await col(db, 'settler').findOne({ _id: 'settler' });
    await expect(settlerStep(ctx, true)).rejects.toBeInstanceOf(DurableStepNeeded);
    expect((await col(db, 'orders').findOne({ _id: orderId }))!.settleDue).toBe(true);
    expect((await col(db, 'settler').findOne({ _id: 'settler' }))!.transactions).toBe(before!.transactions);
    const r = await settlerStep(ctx, false);
    expect(r).toMatchObject({ kind: 'batch', settled: [orderId] });
    await releaseLease(db, lease);
    expect((await app.verify()).problems).toEqual([]);
  }, 120_000);

  it('a long cascade takes turns with due payments: payments recorded meanwhile settle before it ends', async () => {
    await app.close();
    app = await freshApp();
    const { cashierId } = await shop(app);
    const shoppers = ['turn-a', 'turn-b', 'turn-c'];
    const orders: string[] = [];
    for (const who of shoppers) {
      await app.call(who, 'user', 'login');
      orders.push((await app.call(who, 'order', 'cashier', { cashierId, amountFen: 10_000 })).orderId);
    }
    await loadLots(6000, 300); // 15 exit steps, then the payouts
    // WeChat Pay's notifications: each records its payment and starts the settler, which finds the cascade due
    await Promise.all(orders.map((orderId) => app.call(null, 'payNotify', 'notify', { outTradeNo: orderId, transactionId: `WX${orderId}`, totalFee: 10_000, resultCode: 'SUCCESS' }, { source: 'wx_paycallback' })));
    await app.settled();
    const journal = col(app.deps.store.db, 'journal');
    const exits = await journal.find({ type: 'green.exit' }).sort({ height: 1 }).toArray();
    const settled = await journal.find({ 'refs.orderId': { $in: orders }, book: exits[0]!.book }).sort({ height: 1 }).toArray();
    expect(exits.length).toBeGreaterThan(10);
    expect(settled.length).toBeGreaterThan(0);
    // every payment settled while exits were still to come, not after the whole cascade
    expect(settled[settled.length - 1]!.height).toBeLessThan(exits[exits.length - 1]!.height);
    expect(await col(app.deps.store.db, 'orders').countDocuments({ _id: { $in: orders }, status: 'completed', settleDue: false })).toBe(orders.length);
    // every fixture lot exited (the three payments minted lots of their own, at the new price)
    expect(await col(app.deps.store.db, 'green_lots').countDocuments({ status: 'active', orderId: null })).toBe(0);
    expect((await app.verify()).problems).toEqual([]);
  }, 120_000);
});
