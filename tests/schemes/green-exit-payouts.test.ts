import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { burn, exitPriceKey, type GreenState } from '../../server/src/engine/green/pool';
import { acct } from '../../server/src/engine/ledger/accounts';
import { col, runTransaction } from '../../server/src/repo/db';
import type { GreenLotDoc } from '../../server/src/repo/documents';
import { post } from '../../server/src/repo/ledger';
import { verifyLedger } from '../../server/src/repo/verify-ledger';
import { acquireLease, releaseLease } from '../../server/src/services/settler/lease';
import { settlerStep, type StepContext } from '../../server/src/services/settler/steps';
import { createTestApp, type TestApp } from '../helpers/app';

/**
 * SPEC §5 出局, as the settler runs a cascade outside a batch (services/settler/exit-payouts.ts):
 * an exit step decides and records each exit (pool, price, the lot and its payout), and a payout
 * step later pays all of a shopper's exits together. In between, the exited points cannot be used,
 * the wallet says the payout is on its way, and the books hold.
 */
const POINT = 10_000;
let app: TestApp;

beforeEach(async () => {
  app = await createTestApp();
  await app.configure((c) => {
    c.rebate.enabled = false;
    c.green = { ...c.green, enabled: true, exitMultipleBp: 20000, withdrawFeeBp: 1000 };
  });
});
afterEach(async () => {
  expect((await app.verify()).problems).toEqual([]);
  await app.close();
});

async function fund(eventKey: string, moves: [string, string, number][]) {
  await runTransaction(app.deps.store, new Date(), async (tx) => {
    await post(tx, 'test:fixture', { eventKey, type: 'fixture', postings: moves.flatMap(([from, to, amount]) => [{ account: from, amount: -amount }, { account: to, amount }]) });
  });
}

/**
 * Lots of one point each. A lot bought for ¥0.50 is due (the pool backs a point at ¥1.20, 2.4×
 * its consumption, and it exits at 2×); one bought for ¥100 is not.
 */
async function loadLots(lots: { id: string; userId: string; consumptionFen: number }[]): Promise<GreenState> {
  const state: GreenState = { poolFen: lots.length * 120, totalUnits: lots.length * POINT, lastPriceNum: 100, lastPriceDen: POINT };
  const docs: GreenLotDoc[] = lots.map((l) => {
    const lot = { units: POINT, consumptionFen: l.consumptionFen };
    return { _id: l.id, userId: l.userId, orderId: null, ...lot, exitKey: exitPriceKey(lot, 20000), status: 'active', createdAt: new Date('2026-08-01T00:00:00Z') };
  });
  await col(app.deps.store.db, 'green_lots').insertMany(docs);
  await col(app.deps.store.db, 'green_state').updateOne({ _id: 'green' }, { $set: { ...state, inflowFen: state.poolFen, paidOutFen: 0 }, $inc: { version: 1 } }, { upsert: true });
  const held = new Map<string, number>();
  for (const l of lots) held.set(l.userId, (held.get(l.userId) ?? 0) + POINT);
  await fund('fixture:green', [[acct.extWxPay, acct.greenPool, state.poolFen], ...[...held].map(([u, units]) => [acct.greenIssuer, acct.userGreen(u), units] as [string, string, number])]);
  return state;
}

describe('exit payouts: exits recorded by the cascade, paid shopper by shopper', () => {
  it('the points leave at the exit, the cash arrives at the payout step with the amounts of exits paid one by one; nothing can spend the points in between', async () => {
    const a = (await app.call('a', 'user', 'login')).userId as string;
    const b = (await app.call('b', 'user', 'login')).userId as string;
    // interleaved, as a cascade meets them: a, b, a, b, a (due), and one lot of a's that is not due
    const due = [
      { id: 'gl:1', userId: a },
      { id: 'gl:2', userId: b },
      { id: 'gl:3', userId: a },
      { id: 'gl:4', userId: b },
      { id: 'gl:5', userId: a },
    ];
    const before = await loadLots([...due.map((l) => ({ ...l, consumptionFen: 50 })), { id: 'gl:9', userId: a, consumptionFen: 10_000 }]);
    // what paying each exit at once would pay, in the cascade's order (exit key, then id), each at the pool as it then is
    let st = before;
    const expected = new Map<string, number>();
    for (const l of due) {
      const r = burn(st, POINT, 1000);
      st = r.state;
      expected.set(l.userId, (expected.get(l.userId) ?? 0) + r.paidFen);
    }

    await app.deps.settler.stop(); // this test takes the steps
    // (a local call that changes the pool waits for the settler to be idle: here it never is)
    (app.deps as { settleWaitMs: number }).settleWaitMs = 10;
    const db = app.deps.store.db;
    const lease = (await acquireLease(db, 'test-settler', 60_000))!;
    const ctx: StepContext = { store: app.deps.store, lease, random: { below: () => 0 }, now: new Date() };
    expect(await settlerStep(ctx)).toMatchObject({ kind: 'exits', continues: true });

    // after the exit step: the pool and the price are those after the five exits, the lots exited, nobody paid yet
    const green = (await col(db, 'green_state').findOne({ _id: 'green' }))!;
    expect(green).toMatchObject({ poolFen: st.poolFen, totalUnits: st.totalUnits, exitPendingCount: 5, exitPendingUnits: 5 * POINT, exitHeldFen: expected.get(a)! + expected.get(b)! });
    expect(await col(db, 'green_lots').countDocuments({ status: 'exited', payoutPending: true })).toBe(5);
    const wallet = await app.call('a', 'wallet', 'balances');
    expect(wallet).toMatchObject({ cashFen: 0, greenUnits: POINT, greenExitingFen: expected.get(a) });
    expect((await app.call('a', 'green', 'mine')).units).toBe(POINT);
    // the books hold in the window, one-shot and paged
    expect((await verifyLedger(app.deps.store)).problems).toEqual([]);
    expect((await verifyLedger(app.deps.store, { limits: { docs: 7, ms: 5000 } })).problems).toEqual([]);
    // a's GREEN balance still counts the exited points, but only the active lot can be used
    expect(await app.error('a', 'green', 'withdraw', { units: 2 * POINT })).toBe('INSUFFICIENT_BALANCE');
    await app.call('a', 'green', 'withdraw', { units: POINT });
    expect((await app.call('a', 'wallet', 'balances')).greenUnits).toBe(0);

    // the withdrawal moved the pool: the settler looks for exits first (none), then pays
    const kinds: string[] = [];
    for (let r = await settlerStep(ctx); r; r = await settlerStep(ctx)) kinds.push(r.kind);
    expect(kinds.length).toBeLessThanOrEqual(3);
    await releaseLease(db, lease);

    const cash = async (u: string) => (await col(db, 'balances').findOne({ _id: acct.userCash(u) }))?.balance ?? 0;
    const withdrawn = (await col(db, 'journal').findOne({ type: 'green.withdraw' }))!.postings.find((p: { account: string; amount: number }) => p.account === acct.userCash(a))!.amount;
    expect(await cash(a)).toBe(expected.get(a)! + withdrawn);
    expect(await cash(b)).toBe(expected.get(b));
    expect(await col(db, 'green_state').findOne({ _id: 'green' })).toMatchObject({ exitPendingCount: 0, exitPendingUnits: 0, exitHeldFen: 0 });
    expect(await col(db, 'green_lots').countDocuments({ payoutPending: true })).toBe(0);
    expect(await app.call('a', 'wallet', 'balances')).toMatchObject({ greenUnits: 0, greenExitingFen: 0 });
    // each shopper: one payout (one row per account) and one message for all their exits
    const rows = await col(db, 'postings').find({ type: 'green.exit.payout', userId: { $in: [a, b] } }).toArray();
    expect(rows.map((r) => `${r.userId === a ? 'a' : 'b'} ${r.asset} ${r.amount}`).sort()).toEqual(
      [`a CASH ${expected.get(a)}`, `a GREEN ${-3 * POINT}`, `b CASH ${expected.get(b)}`, `b GREEN ${-2 * POINT}`].sort(),
    );
    const bundles = await col(db, 'outbox').find({}).toArray();
    const messages = bundles.flatMap((m): { userId: string; kind: string; data: Record<string, string> }[] => (m.kind === 'bundle' ? m.messages! : [m])).filter((m) => m.kind === 'exit');
    expect(messages.map((m) => [m.userId, m.data.count, m.data.amount]).sort()).toEqual([[a, '3', String(expected.get(a))], [b, '2', String(expected.get(b))]].sort());
  });

  it('a payout step pays at most what fits its bound: a shopper with more exits than fit is paid over several steps, each within it', async () => {
    const a = (await app.call('a', 'user', 'login')).userId as string;
    await loadLots(Array.from({ length: 1200 }, (_, i) => ({ id: `gl:${String(i).padStart(5, '0')}`, userId: a, consumptionFen: 50 })));
    await app.settled();
    const db = app.deps.store.db;
    expect(await col(db, 'green_lots').countDocuments({ status: 'exited', payoutPending: { $exists: false } })).toBe(1200);
    const payouts = await col(db, 'journal').find({ type: 'green.exit.payout' }).toArray();
    expect(payouts.length).toBeGreaterThanOrEqual(3); // 1,200 lot writes do not fit two steps of 500
    const paid = (await col(db, 'green_state').findOne({ _id: 'green' }))!.paidOutFen;
    expect((await col(db, 'balances').findOne({ _id: acct.userCash(a) }))!.balance).toBe(paid);
    expect((await col(db, 'balances').findOne({ _id: acct.userGreen(a) }))!.balance).toBe(0);
  });
});
