import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import type { GreenStateDoc, OrderDoc } from '../../server/src/repo/documents';
import { ADMIN, createTestApp, seededRandom, type TestApp } from '../helpers/app';
import { allEntries, allOrders, allUnionEntries, announce, attempt, Clock, db, expectLedgerOk, expectOk, expectOkOr, runsFor, seedFor, timeoutFor, userBalanceSum } from './support';

/**
 * SPEC §2/§6: when several schemes are on, each takes its own share of an order, and together they
 * never take more than the order paid. Random settings for the queue rebate, union pool, green pool,
 * one-level commission and recruiter reward (the compliance guard's ≤ 100% respected), random mall,
 * store-online and cashier orders, completions, refunds, exchanges, green withdrawals/transfers/
 * spends, daily jobs, some concurrent. After every step:
 *  - every settled order: extraction + union inflow + green inflow + commission + recruiter ≤ cash paid;
 *    a completed order's clearing is split exactly (the rest is revenue, never negative),
 *  - commission only to the buyer's direct referrer (one level), recruiter reward only to the store's inviter,
 *  - shoppers' cash = queue payouts + union payouts + commissions + recruiter rewards + green paid out,
 *  - pools never negative, the green price never falls, a refund before settlement loses nothing,
 *  - verifyLedger passes.
 */

const SEED = seedFor(20260601);
const RUNS = runsFor(60);
const SHOPPERS = ['s1', 's2', 's3', 's4'];

let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

interface Settings {
  extractionBp: number;
  unionBp: number;
  greenBp: number;
  commissionBp: number;
  recruiterBp: number;
  settleOn: 'pay' | 'complete';
  ordering: 'queue' | 'completedFirst';
  mintBp: number;
  exitMultipleBp: number;
  accelerationBp: number;
  storeCommissionBp: number;
  prices: { priceFen: number; costFen: number }[];
}

/** Five shares that add up to at most 100%. */
const sharesArb = fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 6, maxLength: 6 }).map((w) => {
  const total = w.reduce((a, b) => a + b, 0) || 1;
  return w.slice(0, 5).map((x) => Math.floor((x * 10_000) / total));
});

const settingsArb: fc.Arbitrary<Settings> = fc
  .record({
    shares: sharesArb,
    settleOn: fc.constantFrom('pay' as const, 'complete' as const),
    ordering: fc.constantFrom('queue' as const, 'completedFirst' as const),
    mintBp: fc.integer({ min: 0, max: 10_000 }),
    exitMultipleBp: fc.oneof(fc.constant(0), fc.integer({ min: 2000, max: 30_000 })),
    accelerationBp: fc.integer({ min: 0, max: 5000 }),
    storeCommissionBp: fc.integer({ min: 0, max: 5000 }),
    prices: fc.array(
      fc.integer({ min: 100, max: 100_000 }).chain((priceFen) => fc.record({ priceFen: fc.constant(priceFen), costFen: fc.integer({ min: 0, max: priceFen }) })),
      { minLength: 2, maxLength: 2 },
    ),
  })
  .map(({ shares: [extractionBp, unionBp, greenBp, commissionBp, recruiterBp], ...s }) => ({ extractionBp: extractionBp!, unionBp: unionBp!, greenBp: greenBp!, commissionBp: commissionBp!, recruiterBp: recruiterBp!, ...s }));

type SimpleOp =
  | { k: 'buy'; u: number; store: boolean; qty: number; spend: number; complete: boolean }
  | { k: 'cashier'; u: number; amount: number }
  | { k: 'complete'; o: number }
  | { k: 'refund'; o: number }
  | { k: 'exchange'; e: number }
  | { k: 'gwithdraw'; u: number; frac: number }
  | { k: 'gtransfer'; u: number; to: number; frac: number }
  | { k: 'withdraw'; u: number; frac: number }
  | { k: 'review'; w: number; approve: boolean };
type Op = SimpleOp | { k: 'batch'; ops: SimpleOp[] } | { k: 'daily'; days: number };

const frac = fc.integer({ min: 1, max: 100 });
const simpleOpArb: fc.Arbitrary<SimpleOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('buy' as const), u: fc.nat({ max: 3 }), store: fc.boolean(), qty: fc.integer({ min: 1, max: 3 }), spend: fc.oneof(fc.constant(0), fc.constant(0), frac), complete: fc.constantFrom(true, true, false) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cashier' as const), u: fc.nat({ max: 3 }), amount: fc.integer({ min: 1, max: 100_000 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('complete' as const), o: fc.nat({ max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('refund' as const), o: fc.nat({ max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('exchange' as const), e: fc.nat({ max: 1000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('gwithdraw' as const), u: fc.nat({ max: 3 }), frac }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('gtransfer' as const), u: fc.nat({ max: 3 }), to: fc.nat({ max: 3 }), frac }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('withdraw' as const), u: fc.nat({ max: 3 }), frac }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('review' as const), w: fc.nat({ max: 1000 }), approve: fc.boolean() }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: simpleOpArb },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('batch' as const), ops: fc.array(simpleOpArb, { minLength: 2, maxLength: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('daily' as const), days: fc.integer({ min: 1, max: 20 }) }) },
);

type Price = { num: bigint; den: bigint };
const priceOf = (g: GreenStateDoc | null, launch: number): Price =>
  !g ? { num: BigInt(launch), den: 10_000n } : g.totalUnits > 0 ? { num: BigInt(g.poolFen), den: BigInt(g.totalUnits) } : { num: BigInt(g.lastPriceNum), den: BigInt(g.lastPriceDen) };

describe('all schemes together (SPEC §2, §3–§6) through the public actions', () => {
  announce('all schemes share one order', SEED, RUNS);
  it(
    `queue rebate, union pool, green pool, commission and recruiter reward never take more than the order paid; money is conserved (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(settingsArb, fc.array(opArb, { minLength: 10, maxLength: 35, size: 'max' }), async (s, ops) => {
          await app?.close();
          const a = await createTestApp({ random: seededRandom(7) });
          app = a;
          await a.configure((c) => {
            c.rebate.extractionBp = s.extractionBp;
            c.rebate.settleOn = s.settleOn;
            c.rebate.ordering = s.ordering;
            c.union = { enabled: true, poolShareBp: s.unionBp, entitlementBp: 10_000, defaultLockDays: 15, accelerationBp: s.accelerationBp };
            c.green = { enabled: true, poolShareBp: s.greenBp, mintBp: s.mintBp, withdrawFeeBp: 1000, exitMultipleBp: s.exitMultipleBp, launchPriceFen: 100 };
            c.referral = { commissionBp: s.commissionBp, recruiterBp: s.recruiterBp };
          });
          const clock = new Clock('2026-06-01T10:00:00+08:00');
          const now = () => clock.now;
          const call = async (openid: string, fn: string, action: string, params: Record<string, unknown> = {}) => expectOk(await attempt(a, openid, fn, action, params, now()), `${fn}.${action}`);
          // s1 invites s2 and the merchant; s2 invites s3 (a two-level chain: s1 must never earn from s3)
          const users = new Map<string, { userId: string; referrerId: string | null }>();
          const login = async (openid: string, ref?: string) => {
            const me = await call(openid, 'user', 'login', ref ? { ref } : {});
            users.set(openid, { userId: me.userId, referrerId: me.referrer?.userId ?? null });
            return me;
          };
          await login(ADMIN);
          const s1 = await login('s1');
          const s2 = await login('s2', s1.inviteCode);
          await login('s3', s2.inviteCode);
          await login('s4');
          await login('merchant', s1.inviteCode);
          const mallProduct = await call(ADMIN, 'admin', 'upsertProduct', { name: '商城商品', priceFen: s.prices[0]!.priceFen, costFen: s.prices[0]!.costFen, stock: 100_000, maxDeductBp: 5000, lockDays: 15 });
          const store = await call('merchant', 'merchant', 'applyStore', { name: '门店' });
          await call(ADMIN, 'admin', 'approveStore', { storeId: store.storeId, approve: true, commissionBp: s.storeCommissionBp });
          const cashier = await call('merchant', 'merchant', 'createCashier', { storeId: store.storeId, name: '收银台' });
          const storeProduct = await call('merchant', 'merchant', 'upsertStoreProduct', { storeId: store.storeId, name: '门店商品', priceFen: s.prices[1]!.priceFen, costFen: s.prices[1]!.costFen, stock: 100_000, maxDeductBp: 5000 });
          const recruiterOf = new Map([[store.storeId as string, s1.userId as string]]);
          const orders: string[] = [];
          let lastPrice = priceOf(null, 100);

          const run = async (op: SimpleOp, sequential: boolean): Promise<void> => {
            const race = sequential ? [] : ['CONFLICT', 'INSUFFICIENT_BALANCE', 'INVALID_AMOUNT'];
            const ord = (o: number) => (orders.length ? orders[o % orders.length]! : null);
            switch (op.k) {
              case 'buy': {
                const openid = SHOPPERS[op.u]!;
                let deduct: Record<string, number> | undefined;
                if (op.spend) {
                  const units = Math.floor(((await call(openid, 'wallet', 'balances')).greenUnits * op.spend) / 100);
                  if (units > 0) deduct = { greenUnits: units };
                }
                const created = await attempt(a, openid, 'order', 'create', { lines: [{ productId: op.store ? storeProduct.productId : mallProduct.productId, qty: op.qty }], ...(deduct ? { deduct } : {}) }, now());
                expectOkOr(created, ['INVALID_AMOUNT', ...race], 'order.create');
                if (!created.ok) return;
                orders.push(created.data.orderId);
                if (created.data.cashFen === 0) return;
                await call(openid, 'order', 'pay', { orderId: created.data.orderId });
                if (op.complete) expectOkOr(await attempt(a, openid, 'order', 'complete', { orderId: created.data.orderId }, now()), race, 'order.complete');
                return;
              }
              case 'cashier': {
                const o = await call(SHOPPERS[op.u]!, 'order', 'cashier', { cashierId: cashier.cashierId, amountFen: op.amount });
                orders.push(o.orderId);
                await call(SHOPPERS[op.u]!, 'order', 'pay', { orderId: o.orderId });
                return;
              }
              case 'complete':
              case 'refund': {
                const orderId = ord(op.o);
                if (!orderId) return;
                const before = (await col(db(a), 'orders').findOne({ _id: orderId })) as OrderDoc;
                const out = await attempt(a, ADMIN, 'order', op.k, { orderId }, now());
                expectOkOr(out, ['CONFLICT', ...race], `order.${op.k}`);
                if (out.ok && op.k === 'refund' && sequential && before.status !== 'refunded' && !before.settledAt) {
                  const ev = await col(db(a), 'journal').findOne({ eventKey: `order.refund:${orderId}` });
                  expect(ev?.refs?.lossFen ?? 0, 'a refund before settlement loses nothing').toBe(0);
                }
                return;
              }
              case 'exchange': {
                const entries = await col(db(a), 'entries').find({ status: 'pending' }).sort({ createdAt: 1, _id: 1 }).toArray();
                if (!entries.length) return;
                const e = entries[op.e % entries.length]!;
                const owner = [...users].find(([, u]) => u.userId === e.userId)![0];
                expectOkOr(await attempt(a, owner, 'queue', 'exchange', { entryId: e._id, to: 'points' }, now()), ['CONFLICT'], 'queue.exchange');
                return;
              }
              case 'withdraw': {
                const openid = SHOPPERS[op.u]!;
                const amountFen = Math.floor(((await call(openid, 'wallet', 'balances')).cashFen * op.frac) / 100);
                if (amountFen < 100) return; // below the minimum withdrawal
                expectOkOr(await attempt(a, openid, 'wallet', 'withdraw', { amountFen }, now()), race, 'wallet.withdraw');
                return;
              }
              case 'review': {
                const pending = await col(db(a), 'withdrawals').find({}).sort({ createdAt: 1, _id: 1 }).toArray();
                if (!pending.length) return;
                const w = pending[op.w % pending.length]!;
                const out = await attempt(a, ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w._id, approve: op.approve }, now());
                // a reviewed request cannot be reviewed again
                expectOkOr(out, sequential && w.status === 'pending' ? [] : ['CONFLICT'], 'admin.reviewWithdrawal');
                // an approved one is paid out manually in local mode: the admin records the reference (twice is a conflict)
                if (out.ok && op.approve) expectOkOr(await attempt(a, ADMIN, 'admin', 'confirmPayout', { withdrawalId: w._id, reference: `REF-${w._id}` }, now()), race, 'admin.confirmPayout');
                return;
              }
              case 'gwithdraw':
              case 'gtransfer': {
                const openid = SHOPPERS[op.u]!;
                const units = Math.floor(((await call(openid, 'wallet', 'balances')).greenUnits * op.frac) / 100);
                if (units === 0) return;
                const out =
                  op.k === 'gwithdraw'
                    ? await attempt(a, openid, 'green', 'withdraw', { units }, now())
                    : await attempt(a, openid, 'green', 'transfer', { toUserId: users.get(SHOPPERS[op.to]!)!.userId, units }, now());
                expectOkOr(out, op.k === 'gtransfer' && op.to === op.u ? ['INVALID_INPUT'] : race, `green.${op.k}`);
                return;
              }
            }
          };

          const check = async (where: string) => {
            const os = await allOrders(a);
            for (const o of os) {
              if (!o.settlement) continue;
              const st = o.settlement;
              const shares = st.extractedFen + st.unionInflowFen + st.greenInflowFen + st.commissionFen + st.recruiterFen;
              expect(shares, `order ${o._id}: the schemes took ${shares} of ${o.cashFen} paid ${where}`).toBeLessThanOrEqual(o.cashFen);
              expect(st.extractedFen).toBeLessThanOrEqual(Math.floor((o.cashFen * s.extractionBp) / 10_000));
              expect(st.greenInflowFen).toBe(Math.floor((o.cashFen * s.greenBp) / 10_000));
              const buyer = [...users.values()].find((u) => u.userId === o.userId)!;
              if (o.status === 'completed') {
                expect(st.revenueFen, `order ${o._id}: revenue never negative`).toBeGreaterThanOrEqual(0);
                expect(shares + st.revenueFen, `order ${o._id}: clearing split exactly`).toBe(o.cashFen + o.deduct.greenFen);
                expect(o.clearingFen).toBe(0);
                // one level: the buyer's direct referrer, nobody above
                expect(st.commissionFen).toBe(buyer.referrerId ? Math.floor((o.cashFen * s.commissionBp) / 10_000) : 0);
                expect(st.recruiterFen).toBe(o.storeId && recruiterOf.has(o.storeId) ? Math.floor((o.cashFen * s.recruiterBp) / 10_000) : 0);
              } else if (o.status === 'paid') {
                expect(o.clearingFen).toBe(o.cashFen + o.deduct.greenFen - st.extractedFen - st.unionInflowFen - st.greenInflowFen);
              }
            }
            const union = await col(db(a), 'union_state').findOne({ _id: 'union' });
            const green = (await col(db(a), 'green_state').findOne({ _id: 'green' })) as GreenStateDoc | null;
            expect(union?.poolFen ?? 0, 'union pool never negative').toBeGreaterThanOrEqual(0);
            expect(green?.poolFen ?? 0, 'green pool never negative').toBeGreaterThanOrEqual(0);
            const p = priceOf(green, 100);
            expect(p.num * lastPrice.den >= lastPrice.num * p.den, `green price fell ${where}`).toBe(true);
            lastPrice = p;
            const report = await expectLedgerOk(a, where);
            const queuePaid = (await allEntries(a)).reduce((x, e) => x + e.receivedFen, 0);
            const unionPaid = (await allUnionEntries(a)).reduce((x, e) => x + e.receivedFen, 0);
            const referral = os.reduce((x, o) => x + (o.settlement?.commissionFen ?? 0) + (o.settlement?.recruiterFen ?? 0), 0);
            const greenPaid = (green?.paidOutFen ?? 0) - os.reduce((x, o) => x + o.deduct.greenFen, 0);
            // what shoppers hold (available + under review) plus what approved withdrawals paid out
            const withdrawing = (await col(db(a), 'balances').find({}).toArray()).filter((b) => /^CASH:user:[^:]+:withdrawing$/.test(b._id)).reduce((x, b) => x + b.balance, 0);
            // local mode pays out manually: the money counts as out only once the admin recorded the payout
            const paidOut = (report.systemBalances['CASH:ext:payout'] ?? 0) + (report.systemBalances['CASH:ext:manual'] ?? 0);
            const approved = (await col(db(a), 'withdrawals').find({ status: 'paid' }).toArray()).reduce((x, w) => x + w.amountFen, 0);
            const underReview = (await col(db(a), 'withdrawals').find({ status: { $in: ['pending', 'paying'] } }).toArray()).reduce((x, w) => x + w.amountFen, 0);
            expect(paidOut, 'paid out = confirmed payouts').toBe(approved);
            expect(withdrawing, 'withdrawing = requests under review or being paid').toBe(underReview);
            expect((await userBalanceSum(a, 'CASH')) + withdrawing + paidOut, `shoppers' cash = queue + union + referral + green payouts ${where}`).toBe(queuePaid + unionPaid + referral + greenPaid);
            // one level: what a shopper received as 直推佣金 is exactly the commission of its direct referees'
            // completed orders (a later refund does not claw it back); s1 never earns from s3's orders
            const referrerOf = (userId: string) => [...users.values()].find((u) => u.userId === userId)!.referrerId;
            for (const [openid, u] of users) {
              const expected = os.filter((o) => o.completedAt && referrerOf(o.userId) === u.userId).reduce((x, o) => x + o.settlement!.commissionFen, 0);
              const got = (await col(db(a), 'postings').find({ account: `CASH:user:${u.userId}`, memo: '直推佣金' }).toArray()).reduce((x, q) => x + q.amount, 0);
              expect(got, `${openid}: commission = its direct referees' completed orders ${where}`).toBe(expected);
            }
            expect(report.systemBalances['CASH:pool:union'] ?? 0).toBe(union?.poolFen ?? 0);
          };

          for (const [i, op] of ops.entries()) {
            clock.tick(11);
            const where = `after step ${i} (${op.k})`;
            if (op.k === 'batch') await Promise.all(op.ops.map((x) => run(x, false)));
            else if (op.k === 'daily') {
              clock.tick(op.days * 24 * 60);
              await call(ADMIN, 'admin', 'runDaily');
            } else await run(op, true);
            await check(where);
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 6_000),
  );
});
