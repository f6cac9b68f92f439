import { afterEach, describe, expect, it } from 'vitest';
import { acct } from '../../server/src/engine/ledger/accounts';
import { col, runTransaction } from '../../server/src/repo/db';
import { post } from '../../server/src/repo/ledger';
import { UNION_MEMO } from '../../server/src/engine/union/memos';
import { STEP_LIMITS, verifyLedger, verifyLedgerStep, type LedgerProblem } from '../../server/src/repo/verify-ledger';
import { ADMIN, buy, createTestApp, payAtCashier, shop, type TestApp } from '../helpers/app';
import { rng } from '../reliability/helpers';

/**
 * admin.verifyLedger in bounded steps, each on one snapshot (server/src/repo/verify-ledger.ts):
 * nothing is reported while payments commit between and during the steps, every kind of tampering
 * is still found, and any paging gives the verdict of a one-shot run.
 */
let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const ONE_SHOT = { docs: Infinity, ms: Infinity };
const tiny = (docs: number) => ({ docs, ms: Infinity });
const text = (ps: LedgerProblem[]) => ps.map((p) => JSON.stringify(p)).sort();

/** A shop with every scheme on and some history: queue payouts, pools, lots, an order in its refund window, a withdrawal. */
async function busyShop(t: TestApp) {
  await t.configure((c) => {
    c.rebate.extractionBp = 3000;
    c.union.enabled = true;
    c.union.poolShareBp = 3000;
    c.green.enabled = true;
    c.green.poolShareBp = 2000;
    c.referral.commissionBp = 300;
  });
  const s = await shop(t, { priceFen: 5000, costFen: 1000 });
  const inviter = await t.call('u0', 'user', 'login');
  for (let i = 1; i < 6; i++) await t.call(`u${i}`, 'user', 'login', { ref: inviter.inviteCode });
  for (let i = 0; i < 6; i++) {
    await buy(t, `u${i}`, s.productId);
    await payAtCashier(t, `u${i}`, s.cashierId, 2000 + 100 * i);
  }
  await buy(t, 'u1', s.productId, { complete: false });
  await t.call('u0', 'wallet', 'withdraw', { amountFen: 100 });
  return s;
}

describe('verifyLedger in steps', () => {
  it('finds nothing while orders are created and paid concurrently with repeated checks (paged and one-shot)', async () => {
    app = await createTestApp();
    const a = app;
    const s = await busyShop(a);
    const r = rng(20261130);
    let running = true;
    let paid = 0;
    const shoppers = Array.from({ length: 8 }, (_, i) => `live-${i}`);
    for (const sh of shoppers) await a.call(sh, 'user', 'login');
    const traffic = shoppers.map(async (sh) => {
      while (running) {
        if (r.chance(0.5)) await payAtCashier(a, sh, s.cashierId, 100 + r.int(20_000));
        else await buy(a, sh, s.productId, { complete: r.chance(0.7) });
        paid++;
      }
    });
    const journal = col(a.deps.store.db, 'journal');
    const checks: { limits: number; steps: number; committed: number }[] = [];
    try {
      // many small steps (payments commit between them), default steps, one snapshot; until enough traffic ran
      const kinds = [tiny(40), tiny(150), STEP_LIMITS, ONE_SHOT, tiny(25), tiny(90)];
      for (let k = 0; paid < 80 || k < kinds.length; k++) {
        const limits = kinds[k % kinds.length]!;
        const before = await journal.countDocuments({});
        const report = await verifyLedger(a.deps.store, { limits });
        expect(report.problems, `check ${k}, limits ${limits.docs}`).toEqual([]);
        checks.push({ limits: limits.docs, steps: report.steps, committed: (await journal.countDocuments({})) - before });
      }
    } finally {
      running = false;
      await Promise.all(traffic);
    }
    // the traffic really ran while the checks did (journal entries committed during them), between many steps
    const during = checks.filter((c) => c.committed > 0);
    expect(during.length).toBeGreaterThanOrEqual(checks.length / 2);
    expect(during.some((c) => c.steps > 10)).toBe(true);
    console.log(`[verify] ${paid} orders paid during ${checks.length} checks; entries committed during each: ${checks.map((c) => `${c.committed} (${c.steps} steps)`).join(', ')}`);
    expect((await a.verify()).problems).toEqual([]);
  }, 120_000);

  it.each([
    ['a journal amount edited on both sides', async (t: TestApp) => {
      const e = (await col(t.deps.store.db, 'journal').find({ type: 'order.pay' }).limit(1).toArray())[0]!;
      await col(t.deps.store.db, 'journal').updateOne({ _id: e._id }, { $set: { 'postings.0.amount': e.postings[0]!.amount - 1, 'postings.1.amount': e.postings[1]!.amount + 1 } });
    }, /hash does not match/],
    ['the last entry of a book removed', async (t: TestApp) => {
      const head = (await col(t.deps.store.db, 'books').find({ _id: /^user:/ }).limit(1).toArray())[0]!;
      await col(t.deps.store.db, 'journal').deleteOne({ _id: `${head._id}#${head.height}` });
    }, /book head/],
    ['a shopper balance raised', async (t: TestApp) => {
      await col(t.deps.store.db, 'balances').updateOne({ _id: /^CASH:user:/ }, { $inc: { balance: 1 } });
    }, /balance of CASH:user:.* its rows say/],
    ['an account row changed', async (t: TestApp) => {
      await col(t.deps.store.db, 'postings').updateOne({ account: /^CASH:user:/, seq: 1 }, { $inc: { amount: 5, balanceAfter: 5 } });
    }, /differs from its journal posting/],
    ['an account row removed', async (t: TestApp) => {
      await col(t.deps.store.db, 'postings').deleteOne({ account: /^POINTS:user:|^GREEN:user:/, seq: 1 });
    }, /no account row|expected 1/],
    ['a balance document without postings', async (t: TestApp) => {
      await col(t.deps.store.db, 'balances').insertOne({ _id: 'CASH:user:ghost', userId: 'ghost', asset: 'CASH', balance: 500, seq: 1 });
    }, /ghost \(500\) has no postings/],
    ['the union pool state raised', async (t: TestApp) => {
      await col(t.deps.store.db, 'union_state').updateOne({ _id: 'union' }, { $inc: { poolFen: 1 } });
    }, /union pool state/],
    ['the green units state changed', async (t: TestApp) => {
      await col(t.deps.store.db, 'green_state').updateOne({ _id: 'green' }, { $inc: { totalUnits: 10 } });
    }, /green units state/],
    ['a pending queue entry paid without the journal', async (t: TestApp) => {
      await col(t.deps.store.db, 'entries').updateOne({ status: 'pending' }, { $inc: { receivedFen: 1 } });
    }, /pending queue entitlements of/],
    ['a pending union entry changed', async (t: TestApp) => {
      await col(t.deps.store.db, 'union_entries').updateOne({ status: 'pending' }, { $inc: { entitlementFen: 7 } });
    }, /union entitlements of order/],
    ['a union entry paid without the journal', async (t: TestApp) => {
      // (an entry of a shopper who has cash rows: the check compares them)
      const withCash = (await col(t.deps.store.db, 'balances').find({ asset: 'CASH' }).toArray()).flatMap((b) => (b.userId ? [b.userId] : []));
      const r = await col(t.deps.store.db, 'union_entries').updateOne({ status: 'pending', userId: { $in: withCash } }, { $inc: { receivedFen: 1 } });
      expect(r.modifiedCount).toBe(1);
    }, /union entries of .* received \d+, their cash rows of union payouts say/],
    ['a union entry closed as paid in full that was not', async (t: TestApp) => {
      await col(t.deps.store.db, 'union_entries').updateOne({ status: 'pending' }, { $set: { status: 'completed' } });
    }, /union entry of order .* \(completed\) received/],
    ['a union payout in cash without its entitlement', async (t: TestApp) => {
      await runTransaction(t.deps.store, new Date(), (tx) => post(tx, 'test:tamper', { eventKey: 'tamper:union', type: 'fixture', postings: [{ account: acct.unionPool, amount: -5, memo: UNION_MEMO.released }, { account: acct.userCash('u2'), amount: 5, memo: UNION_MEMO.released }] }));
    }, /工会排队释放 of u2: cash and union entitlement differ by 5/],
    ['a union entitlement moved outside a union event', async (t: TestApp) => {
      await runTransaction(t.deps.store, new Date(), (tx) => post(tx, 'test:tamper', { eventKey: 'tamper:uent', type: 'fixture', postings: [{ account: acct.unionEntitlementIssuer, amount: -9, memo: '手工调整' }, { account: acct.userUnionEntitlement('u3'), amount: 9, memo: '手工调整' }] }));
    }, /moves the union entitlement of a shopper \(UENT:user:u3\) outside a union event/],
    ['a green lot grown', async (t: TestApp) => {
      await col(t.deps.store.db, 'green_lots').updateOne({ status: 'active' }, { $inc: { units: 3 } });
    }, /active green lots \(and exits not yet paid\) of/],
    ['an order clearing amount changed', async (t: TestApp) => {
      await col(t.deps.store.db, 'orders').updateOne({ status: 'paid' }, { $inc: { clearingFen: -1 } });
    }, /clearing .* ≠ journal/],
    ['a completed order with money left in its clearing account', async (t: TestApp) => {
      await col(t.deps.store.db, 'orders').updateOne({ status: 'completed' }, { $set: { clearingFen: 0 } });
      const o = (await col(t.deps.store.db, 'orders').find({ status: 'paid' }).toArray())[0]!;
      await col(t.deps.store.db, 'orders').updateOne({ _id: o._id }, { $set: { clearingFen: 0 } });
    }, /clearing 0 ≠ journal/],
  ] as const)('finds %s, paged and in one snapshot alike', async (_what, tamper, expected) => {
    app = await createTestApp();
    await busyShop(app);
    expect((await app.verify()).problems).toEqual([]);
    await tamper(app);
    const oneShot = await verifyLedger(app.deps.store, { limits: ONE_SHOT });
    expect(oneShot.ok).toBe(false);
    expect(JSON.stringify(oneShot.problems)).toMatch(expected);
    for (const docs of [1, 13, 200]) {
      const paged = await verifyLedger(app.deps.store, { limits: tiny(docs) });
      expect(text(paged.problems), `paged by ${docs}`).toEqual(text(oneShot.problems));
    }
  });

  it('paging gives the one-shot verdict and totals; every step stays within its budget', async () => {
    app = await createTestApp();
    await busyShop(app);
    const oneShot = await verifyLedger(app.deps.store, { limits: ONE_SHOT });
    expect(oneShot).toMatchObject({ ok: true, steps: 1 });
    expect(Object.values(oneShot.assetSums).every((v) => v === 0)).toBe(true);
    expect(oneShot.systemBalances[acct.unionPool]).toBe((await col(app.deps.store.db, 'union_state').findOne({ _id: 'union' }))!.poolFen);
    for (const docs of [1, 5, 37, 400]) {
      let cursor: string | null = null;
      let steps = 0;
      let last;
      do {
        last = await verifyLedgerStep(app.deps.store, cursor, tiny(docs));
        // a step starts no page once its budget is spent, and sizes each page (with its lookups) to the room left:
        // it reads about its budget (tiny budgets: one page, whose lookups may exceed it)
        if (docs >= 37) expect(last.work.docs, `step ${steps} with budget ${docs}`).toBeLessThanOrEqual(docs * 1.5);
        expect(last.problems).toEqual([]);
        cursor = last.cursor;
        steps++;
      } while (!last.done);
      expect(last.progress).toMatchObject({ entries: oneShot.entries, books: oneShot.books, accounts: oneShot.accounts, steps });
      expect(last.assetSums).toEqual(oneShot.assetSums);
      expect(last.systemBalances).toEqual(oneShot.systemBalances);
    }
  });

  it('admin.verifyLedger: a cursor to follow to the end, admins only, a forged cursor refused', async () => {
    app = await createTestApp();
    await busyShop(app);
    let step = await app.call(ADMIN, 'admin', 'verifyLedger');
    let steps = 1;
    while (!step.done) {
      expect(typeof step.cursor).toBe('string');
      step = await app.call(ADMIN, 'admin', 'verifyLedger', { cursor: step.cursor });
      steps++;
    }
    expect(step).toMatchObject({ done: true, cursor: null, problems: [] });
    expect(step.progress.steps).toBe(steps);
    expect(await app.error('u1', 'admin', 'verifyLedger')).toBe('FORBIDDEN');
    expect(await app.error(ADMIN, 'admin', 'verifyLedger', { cursor: 'bm90IGEgY3Vyc29y' })).toBe('INVALID_INPUT');
  });
});
