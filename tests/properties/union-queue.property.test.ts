import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { eligibleDay } from '../../server/src/engine/union/union';
import { shanghaiDay } from '../../server/src/engine/time';
import { col } from '../../server/src/repo/db';
import type { OrderDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import { ADMIN, createTestApp, shop, type TestApp } from '../helpers/app';
import { allOrders, allUnionEntries, announce, attempt, Clock, db, expectLedgerOk, expectOk, expectOkOr, runsFor, seedFor, timeoutFor, userBalanceSum } from './support';

/**
 * SPEC §4 union queue, driven through the public actions: random orders on random days (x-now)
 * for products locked 15/30/45 days and cashier payments, referrals bound on first sign-in
 * (acceleration to the direct referrer), refunds, and the daily job on random days (sometimes
 * twice for the same day). After every step:
 *  - the pool never goes negative and moves exactly by inflows minus payouts,
 *  - no union entry is paid beyond its entitlement; shoppers' cash = what union entries received,
 *  - each settled order put floor(profit × poolShare) into the pool and got an entry with
 *    floor(paid × entitlement), its lock days and eligible day (order day counts as day 1),
 *  - the daily release pays only eligible entries, each in full, in seq order, and stops at the
 *    first the pool cannot pay; the same day run again releases nothing,
 *  - acceleration pays only the buyer's direct referrer, oldest entries first, up to
 *    min(paid × accelerationBp, pool, what the referrer is owed),
 *  - verifyLedger passes.
 */

const SEED = seedFor(20260801);
const RUNS = runsFor(60);
const USERS = ['w1', 'w2', 'w3', 'w4', 'w5'];
const LOCKS = [15, 30, 45];

let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

interface Settings {
  poolShareBp: number;
  entitlementBp: number;
  accelerationBp: number;
  settleOn: 'pay' | 'complete';
  products: { priceFen: number; costFen: number }[];
  commissionBp: number;
  /** who invited each shopper (an earlier one), bound on first sign-in */
  refs: (number | null)[];
}

type SimpleOp =
  | { k: 'buy'; u: number; p: number; qty: number }
  | { k: 'cashier'; u: number; amount: number }
  | { k: 'refund'; o: number }
  | { k: 'join'; u: number; ref: number | null }
  /** the daily job, only inside a batch: concurrent with orders, accelerations and another run */
  | { k: 'job' };
type Op = SimpleOp | { k: 'batch'; ops: SimpleOp[] } | { k: 'advance'; days: number } | { k: 'daily'; twice: boolean; concurrent: boolean };

const settingsArb: fc.Arbitrary<Settings> = fc.record({
  poolShareBp: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(5000, 6000)),
  entitlementBp: fc.oneof(fc.constantFrom(10_000, 11_000), fc.integer({ min: 1, max: 20_000 })),
  accelerationBp: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000 }), fc.constant(2000)),
  settleOn: fc.constantFrom('pay' as const, 'complete' as const),
  products: fc.array(
    fc.integer({ min: 100, max: 100_000 }).chain((priceFen) => fc.record({ priceFen: fc.constant(priceFen), costFen: fc.integer({ min: 0, max: priceFen }) })),
    { minLength: 3, maxLength: 3 },
  ),
  commissionBp: fc.constantFrom(1000, 3000),
  refs: fc.array(fc.option(fc.nat({ max: 4 }), { nil: null, freq: 4 }), { minLength: 5, maxLength: 5 }),
});

const simpleOpArb: fc.Arbitrary<SimpleOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('buy' as const), u: fc.nat({ max: 4 }), p: fc.nat({ max: 2 }), qty: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cashier' as const), u: fc.nat({ max: 4 }), amount: fc.integer({ min: 1, max: 200_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('refund' as const), o: fc.nat({ max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('join' as const), u: fc.nat({ max: 4 }), ref: fc.option(fc.nat({ max: 4 }), { nil: null }) }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: simpleOpArb },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('batch' as const),
      ops: fc.array(fc.oneof({ weight: 5, arbitrary: simpleOpArb }, { weight: 1, arbitrary: fc.constant({ k: 'job' as const }) }), { minLength: 2, maxLength: 5 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('daily' as const), twice: fc.boolean(), concurrent: fc.boolean() }) },
);

interface Snap {
  entries: Map<string, UnionEntryDoc>;
  orders: Map<string, OrderDoc>;
  poolFen: number;
}

class World {
  users = new Map<string, { userId: string; inviteCode: string; referrerId: string | null }>(); // openid →
  orders: string[] = [];
  stats = { releases: 0, released: 0, accelerations: 0, blocked: 0 };
  constructor(
    readonly app: TestApp,
    readonly s: Settings,
    readonly ids: { products: string[]; cashierId: string; lockDays: number[] },
    readonly clock: Clock,
  ) {}

  async snap(): Promise<Snap> {
    const st = await col(db(this.app), 'union_state').findOne({ _id: 'union' });
    return { entries: new Map((await allUnionEntries(this.app)).map((e) => [e._id, e])), orders: new Map((await allOrders(this.app)).map((o) => [o._id, o])), poolFen: st?.poolFen ?? 0 };
  }

  async login(openid: string, ref?: string) {
    const me = expectOk(await attempt(this.app, openid, 'user', 'login', ref ? { ref } : {}, this.clock.now), 'user.login');
    if (!this.users.has(openid)) this.users.set(openid, { userId: me.userId, inviteCode: me.inviteCode, referrerId: me.referrer?.userId ?? null });
    return this.users.get(openid)!;
  }

  async run(op: SimpleOp, sequential: boolean): Promise<void> {
    const a = this.app;
    const now = this.clock.now;
    switch (op.k) {
      case 'join': {
        const openid = USERS[op.u]!;
        const first = !this.users.has(openid);
        const referrer = op.ref !== null && op.ref !== op.u ? this.users.get(USERS[op.ref]!) : undefined;
        const before = this.users.get(openid)?.referrerId ?? null;
        const me = await this.login(openid, referrer?.inviteCode);
        const bound = expectOk(await attempt(a, openid, 'user', 'me', {}, now), 'user.me').referrer?.userId ?? null;
        // bound once, on first sign-in, never changed afterwards
        if (first && sequential) expect(bound).toBe(referrer?.userId ?? null);
        if (!first) expect(bound).toBe(before);
        me.referrerId = bound;
        return;
      }
      case 'buy': {
        const openid = USERS[op.u]!;
        await this.login(openid);
        const created = expectOk(await attempt(a, openid, 'order', 'create', { lines: [{ productId: this.ids.products[op.p], qty: op.qty }] }, now), 'order.create');
        this.orders.push(created.orderId);
        expectOk(await attempt(a, openid, 'order', 'pay', { orderId: created.orderId }, now), 'order.pay');
        expectOkOr(await attempt(a, openid, 'order', 'complete', { orderId: created.orderId }, now), sequential ? [] : ['CONFLICT'], 'order.complete');
        return;
      }
      case 'cashier': {
        const openid = USERS[op.u]!;
        await this.login(openid);
        const created = expectOk(await attempt(a, openid, 'order', 'cashier', { cashierId: this.ids.cashierId, amountFen: op.amount }, now), 'order.cashier');
        this.orders.push(created.orderId);
        expectOk(await attempt(a, openid, 'order', 'pay', { orderId: created.orderId }, now), 'order.pay');
        return;
      }
      case 'job': {
        const r = expectOk(await attempt(a, ADMIN, 'admin', 'runDaily', {}, now), 'admin.runDaily (in a batch)');
        this.daysRun.add(r.day);
        return;
      }
      case 'refund': {
        if (!this.orders.length) return;
        const orderId = this.orders[op.o % this.orders.length]!;
        expectOk(await attempt(a, ADMIN, 'order', 'refund', { orderId }, now), 'order.refund');
        return;
      }
    }
  }

  async check(before: Snap, after: Snap, step: { kind: string; sequential: boolean; day?: string; release?: { released: number; paidFen: number } }) {
    const where = `after ${step.kind} on ${shanghaiDay(this.clock.now)}`;
    const s = this.s;
    expect(after.poolFen, `union pool never negative ${where}`).toBeGreaterThanOrEqual(0);
    let paid = 0;
    const gainers: { e: UnionEntryDoc; delta: number }[] = [];
    for (const e of after.entries.values()) {
      const b = before.entries.get(e._id);
      expect(e.receivedFen).toBeGreaterThanOrEqual(0);
      expect(e.receivedFen, `union entry ${e._id} within its entitlement`).toBeLessThanOrEqual(e.entitlementFen);
      if (e.status === 'completed') expect(e.receivedFen).toBe(e.entitlementFen);
      if (e.status === 'pending') expect(e.receivedFen).toBeLessThan(e.entitlementFen);
      if (b && b.status !== 'pending') expect(e.status).toBe(b.status);
      const delta = e.receivedFen - (b?.receivedFen ?? 0);
      expect(delta).toBeGreaterThanOrEqual(0);
      if (delta > 0) {
        paid += delta;
        gainers.push({ e, delta });
      }
      expect(e.eligibleDay).toBe(eligibleDay(e.orderDay, e.lockDays));
    }
    // orders settled in the step: inflow and entries as configured
    let inflow = 0;
    for (const o of after.orders.values()) {
      if (!o.settledAt || before.orders.get(o._id)?.settledAt) continue;
      const line = o.lines[0]!;
      const profit = o.kind === 'cashier' ? Math.floor((line.cashFen * 1000) / 10_000) : Math.max(0, line.cashFen - line.costFen * line.qty);
      expect(o.settlement!.unionInflowFen, `order ${o._id} pool inflow = floor(profit × share)`).toBe(Math.min(Math.floor((profit * s.poolShareBp) / 10_000), o.cashFen));
      inflow += o.settlement!.unionInflowFen;
      const entry = after.entries.get(`${o._id}:0`);
      const entitlement = Math.floor((o.cashFen * s.entitlementBp) / 10_000);
      if (entitlement === 0) expect(entry).toBeUndefined();
      else {
        const lock = o.kind === 'cashier' ? 15 : this.ids.lockDays[this.ids.products.indexOf(line.productId!)]!;
        expect(entry, `order ${o._id} has its union entry`).toMatchObject({ entitlementFen: entitlement, lockDays: lock, orderDay: shanghaiDay(o.paidAt!), userId: o.userId });
      }
    }
    expect(after.poolFen, `pool moved by inflow − payouts ${where}`).toBe(before.poolFen + inflow - paid);

    if (step.kind === 'daily') {
      const day = step.day!;
      expect(paid).toBe(step.release!.paidFen);
      expect(gainers.length).toBe(step.release!.released);
      for (const { e, delta } of gainers) {
        const b = before.entries.get(e._id)!;
        expect(b.eligibleDay <= day, `entry ${e._id} released before its eligible day ${b.eligibleDay} (day ${day})`).toBe(true);
        expect(delta, 'static release pays an entry in full').toBe(b.entitlementFen - b.receivedFen);
        expect(e.status).toBe('completed');
      }
      // in seq order, stopping at the first entry the pool cannot pay in full
      const eligibleLeft = [...after.entries.values()].filter((e) => e.status === 'pending' && e.eligibleDay <= day).sort((x, y) => x.seq - y.seq);
      if (gainers.length && eligibleLeft.length) {
        const lastPaid = Math.max(...gainers.map((g) => g.e.seq));
        expect(eligibleLeft[0]!.seq, 'release skipped an eligible entry').toBeGreaterThan(lastPaid);
      }
      if (step.release!.released > 0 || !this.daysRun.has(day)) {
        if (eligibleLeft.length) {
          expect(after.poolFen, `release stopped at #${eligibleLeft[0]!.seq} though the pool could pay it`).toBeLessThan(eligibleLeft[0]!.entitlementFen - eligibleLeft[0]!.receivedFen);
          this.stats.blocked++;
        }
      }
      this.stats.releases++;
      this.stats.released += gainers.length;
    } else if (step.sequential) {
      // outside the daily job money reaches union entries only by acceleration: the buyer's direct referrer, oldest first
      const settledNow = [...after.orders.values()].filter((o) => o.settledAt && !before.orders.get(o._id)?.settledAt);
      if (settledNow.length === 1) {
        const o = settledNow[0]!;
        const buyer = [...this.users.values()].find((u) => u.userId === o.userId)!;
        const owedBefore = [...before.entries.values()].filter((e) => e.userId === buyer.referrerId && e.status === 'pending').sort((x, y) => x.seq - y.seq);
        const owed = owedBefore.reduce((x, e) => x + e.entitlementFen - e.receivedFen, 0);
        const budget = buyer.referrerId ? Math.min(Math.floor((o.cashFen * s.accelerationBp) / 10_000), before.poolFen + o.settlement!.unionInflowFen) : 0;
        expect(paid, `acceleration for order ${o._id}`).toBe(Math.min(budget, owed));
        expect(o.settlement!.accelerationFen).toBe(paid);
        for (const { e } of gainers) expect(e.userId, 'acceleration goes to the direct referrer only').toBe(buyer.referrerId);
        // waterfall over the referrer's entries in seq order
        let left = paid;
        for (const e of owedBefore) {
          const take = Math.min(left, e.entitlementFen - e.receivedFen);
          expect(after.entries.get(e._id)!.receivedFen - e.receivedFen, `acceleration order over the referrer's entries`).toBe(take);
          left -= take;
        }
        if (paid > 0) this.stats.accelerations++;
      } else {
        expect(paid, `no union payout without a settlement ${where}`).toBe(0);
      }
    }
    // conservation: shoppers' cash is what union entries received plus one-level commissions paid
    const report = await expectLedgerOk(this.app, where);
    expect(report.systemBalances['CASH:pool:union'] ?? 0).toBe(after.poolFen);
    const commissions = [...after.orders.values()].reduce((x, o) => x + (o.settlement?.commissionFen ?? 0), 0);
    const received = [...after.entries.values()].reduce((x, e) => x + e.receivedFen, 0);
    expect(await userBalanceSum(this.app, 'CASH'), `shoppers' cash = union payouts + commissions ${where}`).toBe(received + commissions);
  }
  daysRun = new Set<string>();
}

describe('union queue properties (SPEC §4) through the public actions', () => {
  announce('union queue release and acceleration', SEED, RUNS);
  it(
    `union entries are released in order, in full, never beyond the pool; acceleration goes to the direct referrer (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      const totals = { releases: 0, released: 0, accelerations: 0, blocked: 0 };
      await fc.assert(
        fc.asyncProperty(settingsArb, fc.array(opArb, { minLength: 15, maxLength: 45, size: 'max' }), async (s, ops) => {
          await app?.close();
          const a = await createTestApp();
          app = a;
          await a.configure((c) => {
            c.rebate.enabled = false;
            c.rebate.settleOn = s.settleOn;
            c.union = { enabled: true, poolShareBp: s.poolShareBp, entitlementBp: s.entitlementBp, defaultLockDays: 15, accelerationBp: s.accelerationBp };
            c.referral.commissionBp = Math.min(s.commissionBp, 10_000 - s.poolShareBp);
          });
          const base = await shop(a, { priceFen: s.products[0]!.priceFen, costFen: s.products[0]!.costFen, product: { lockDays: LOCKS[0] } });
          const products = [base.productId];
          for (let i = 1; i < 3; i++) {
            products.push((await a.call(ADMIN, 'admin', 'upsertProduct', { name: `锁定${LOCKS[i]}天`, priceFen: s.products[i]!.priceFen, costFen: s.products[i]!.costFen, stock: 100_000, lockDays: LOCKS[i] })).productId);
          }
          const clock = new Clock('2026-08-01T10:00:00+08:00');
          const w = new World(a, s, { products, cashierId: base.cashierId, lockDays: LOCKS }, clock);
          // first sign-ins, some from an earlier shopper's invite code (one level: acceleration goes to that shopper)
          for (const [i, openid] of USERS.entries()) {
            const r = s.refs[i];
            if (r !== null && r !== undefined && r < i) await w.run({ k: 'join', u: i, ref: r }, true);
            else if (i < 2) await w.login(openid);
          }
          for (const op of ops) {
            clock.tick(5);
            const before = await w.snap();
            if (op.k === 'batch') {
              await Promise.all(op.ops.map((x) => w.run(x, false)));
              await w.check(before, await w.snap(), { kind: 'batch', sequential: false });
            } else if (op.k === 'advance') {
              clock.tick(op.days * 24 * 60);
            } else if (op.k === 'daily') {
              const day = shanghaiDay(clock.now);
              // two timer deliveries at once release what one would: the day's job document decides
              const runs = await Promise.all(Array.from({ length: op.concurrent ? 2 : 1 }, () => attempt(a, ADMIN, 'admin', 'runDaily', {}, clock.now)));
              const rs = runs.map((x) => expectOk(x, 'admin.runDaily')) as any[];
              for (const r of rs) expect(r.day).toBe(day);
              const release = { released: rs.reduce((x, r) => x + r.union.released, 0), paidFen: rs.reduce((x, r) => x + r.union.paidFen, 0) };
              if (rs.length === 2) expect(rs.filter((r) => r.union.released > 0).length, 'only one of two concurrent runs releases').toBeLessThanOrEqual(1);
              await w.check(before, await w.snap(), { kind: 'daily', sequential: true, day, release });
              w.daysRun.add(day);
              if (op.twice) {
                const again = await w.snap();
                const r2 = expectOk(await attempt(a, ADMIN, 'admin', 'runDaily', {}, clock.tick(30)), 'admin.runDaily (again)');
                expect(r2.union.released, 'the same day run again releases nothing').toBe(0);
                expect(r2.union.paidFen).toBe(0);
                await w.check(again, await w.snap(), { kind: 'daily', sequential: true, day, release: r2.union });
              }
            } else {
              await w.run(op, true);
              await w.check(before, await w.snap(), { kind: op.k, sequential: true });
            }
          }
          for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += w.stats[k];
        }),
        { seed: SEED, numRuns: RUNS },
      );
      console.info(`[property] union totals: ${JSON.stringify(totals)}`);
    },
    timeoutFor(RUNS, 5_000),
  );
});
