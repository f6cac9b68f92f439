import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import type { EntryDoc, OrderDoc } from '../../server/src/repo/documents';
import { ADMIN, createTestApp, seededRandom, shop, type TestApp } from '../helpers/app';
import {
  allEntries,
  allOrders,
  announce,
  attempt,
  Clock,
  db,
  expectLedgerOk,
  expectOk,
  expectOkOr,
  runsFor,
  seedFor,
  timeoutFor,
  userBalanceSum,
} from './support';

/**
 * SPEC §3 queue rebate, driven only through the public actions with random operation sequences
 * (orders, payments, duplicate payment notifications, completions, refunds, cancels, draws,
 * exchanges, resets, pauses, and batches of these run concurrently), under random settings.
 * After every step:
 *  - money is conserved per asset (verifyLedger; shoppers' cash = queue payouts + returned
 *    duplicate payments; WeChat Pay's external account = payments − refunds),
 *  - no entry is ever paid more than its entitlement, and payouts never go backwards,
 *  - every order settled in the step extracted exactly what its journal entry paid out, never
 *    more than floor(cash × extraction), and only what eligible entries could absorb,
 *  - within a queue no entry received money while an earlier payable pending entry was left
 *    waiting (queue order; for completedFirst only entries of completed orders are payable),
 *  - a payment notification delivered any number of times, concurrently, makes one payment
 *    record, one entry and one extraction; a different transaction is returned as 重复支付退回.
 */

const SEED = seedFor(20260301);
const RUNS = runsFor(80);
const DUP_SEED = seedFor(20260302);
const DUP_RUNS = runsFor(20);
const USERS = ['u1', 'u2', 'u3', 'u4'];

let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

interface Settings {
  settleOn: 'pay' | 'complete';
  ordering: 'queue' | 'completedFirst';
  extractionBp: number;
  /** §3.5 overrides: cashier 1's own extraction / ratio / random return, store 1's own extraction */
  cashierRules: { extractionBp: number; ratioBp: number | null; randomReturn: { enabled: boolean; cashCount: number; pointsCount: number } | null } | null;
  storeExtractionBp: number | null;
  defaultRatioBp: number;
  lottery: { kind: 'fixed'; options: { ratioBp: number; weight: number }[] } | { kind: 'range'; minBp: number; maxBp: number } | null;
  randomReturn: { cashCount: number; pointsCount: number } | null;
  deductionMode: 'join' | 'extractOnly';
  mallQueue: boolean;
  allCashiersQueue: boolean;
  allStoresQueue: boolean;
  reset: boolean;
  loveFrozen: boolean;
  prices: number[];
}

type SimpleOp =
  | { k: 'buy'; u: number; p: number; qty: number; deduct: 'none' | 'points' | 'love'; pay: boolean; complete: boolean }
  | { k: 'cashier'; u: number; c: number; amount: number }
  | { k: 'pay'; o: number }
  | { k: 'notify'; o: number; copies: number; fresh: boolean }
  | { k: 'complete'; o: number }
  | { k: 'refund'; o: number; admin: boolean }
  | { k: 'cancel'; o: number }
  | { k: 'draw'; e: number; copies: number }
  | { k: 'exchange'; e: number; to: 'points' | 'love' | 'voucher' };
type Op = SimpleOp | { k: 'batch'; ops: SimpleOp[] } | { k: 'reset'; minutes: number; again: boolean } | { k: 'pause' };

const settingsArb: fc.Arbitrary<Settings> = fc.record({
  settleOn: fc.constantFrom('pay' as const, 'complete' as const),
  ordering: fc.constantFrom('queue' as const, 'completedFirst' as const),
  extractionBp: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(1000, 6500, 10_000)),
  cashierRules: fc.option(
    fc.record({
      extractionBp: fc.integer({ min: 0, max: 10_000 }),
      ratioBp: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: null }),
      randomReturn: fc.option(fc.record({ enabled: fc.boolean(), cashCount: fc.integer({ min: 1, max: 2 }), pointsCount: fc.integer({ min: 0, max: 2 }) }), { nil: null }),
    }),
    { nil: null },
  ),
  storeExtractionBp: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
  defaultRatioBp: fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom(10_000, 13_000)),
  lottery: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('fixed' as const), options: fc.array(fc.record({ ratioBp: fc.integer({ min: 0, max: 30_000 }), weight: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 30_000 })).map(([x, y]) => ({ kind: 'range' as const, minBp: Math.min(x, y), maxBp: Math.max(x, y) })) },
  ),
  // random return on in about one run of four (most runs exercise the plain cash queue)
  randomReturn: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ cashCount: fc.integer({ min: 0, max: 2 }), pointsCount: fc.integer({ min: 0, max: 2 }) }).filter((r) => r.cashCount + r.pointsCount >= 1) },
  ),
  deductionMode: fc.constantFrom('join' as const, 'extractOnly' as const),
  mallQueue: fc.constantFrom(true, true, false),
  allCashiersQueue: fc.constantFrom(true, true, false),
  allStoresQueue: fc.boolean(),
  reset: fc.boolean(),
  loveFrozen: fc.boolean(),
  // two mall products (self-operated, supplier) and one online product in each of two stores
  prices: fc.array(fc.integer({ min: 100, max: 50_000 }), { minLength: 4, maxLength: 4 }),
});

const ref = fc.nat({ max: 1000 });
const simpleOpArb: fc.Arbitrary<SimpleOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('buy' as const), u: fc.nat({ max: 3 }), p: fc.nat({ max: 3 }), qty: fc.integer({ min: 1, max: 3 }), deduct: fc.constantFrom('none' as const, 'none' as const, 'points' as const, 'love' as const), pay: fc.constantFrom(true, true, true, false), complete: fc.constantFrom(true, true, false) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('cashier' as const), u: fc.nat({ max: 3 }), c: fc.nat({ max: 1 }), amount: fc.integer({ min: 1, max: 60_000 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('pay' as const), o: ref }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('notify' as const), o: ref, copies: fc.integer({ min: 1, max: 5 }), fresh: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('complete' as const), o: ref }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('refund' as const), o: ref, admin: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cancel' as const), o: ref }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('draw' as const), e: ref, copies: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('exchange' as const), e: ref, to: fc.constantFrom('points' as const, 'love' as const, 'voucher' as const) }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: simpleOpArb },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('batch' as const), ops: fc.array(simpleOpArb, { minLength: 2, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reset' as const), minutes: fc.integer({ min: 1, max: 600 }), again: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ k: 'pause' as const }) },
);

interface Snapshot {
  entries: Map<string, EntryDoc>;
  orders: Map<string, OrderDoc>;
}

async function snapshot(a: TestApp): Promise<Snapshot> {
  await a.settled(); // payment notifications answer before settlement: look at the state once it is settled
  return { entries: new Map((await allEntries(a)).map((e) => [e._id, e])), orders: new Map((await allOrders(a)).map((o) => [o._id, o])) };
}

/** Cash the order's settlement paid to shoppers, as its journal entries say (rebate-only runs: nothing else pays shoppers from an order). */
async function journalPaidOut(a: TestApp, orderId: string): Promise<number> {
  // the settler's entry for the order, and the parts of a settlement cut across transactions
  const events = await col(db(a), 'journal').find({ eventKey: { $regex: `^order\\.settle:${orderId}(:part\\d+)?$` } }).toArray();
  let fen = 0;
  for (const e of events) for (const p of e.postings) if (/^CASH:user:[^:]+$/.test(p.account) && p.amount > 0) fen += p.amount;
  return fen;
}

class World {
  users = new Map<string, string>(); // userId → openid
  orders: string[] = [];
  delivered = new Map<string, Set<string>>(); // orderId → transaction ids delivered
  paused = false;
  resetsDone = new Set<string>();
  notes: string[] = [];
  constructor(
    readonly app: TestApp,
    readonly s: Settings,
    readonly ids: { products: string[]; cashiers: string[]; stores: string[] },
    readonly clock: Clock,
  ) {}

  order(o: number): string | null {
    return this.orders.length ? this.orders[o % this.orders.length]! : null;
  }
  deliver(orderId: string, tx: string) {
    if (!this.delivered.has(orderId)) this.delivered.set(orderId, new Set());
    this.delivered.get(orderId)!.add(tx);
  }
  queueKeyOf(o: OrderDoc): string {
    if (o.kind === 'cashier') return this.s.allCashiersQueue ? 'cashiers' : `cashier:${o.cashierId}`;
    if (o.kind === 'store') return this.s.allStoresQueue ? 'stores' : `store:${o.storeId}`;
    return this.s.mallQueue ? 'mall' : `product:${o.lines[0]!.productId}`;
  }
  /** the extraction ratio of an order's line: the cashier's / store's own setting, else the plugin's (§3.5) */
  extractionBpOf(o: OrderDoc): number {
    if (o.kind === 'cashier' && o.cashierId === this.ids.cashiers[0] && this.s.cashierRules) return this.s.cashierRules.extractionBp;
    if (o.kind === 'store' && o.storeId === this.ids.stores[0] && this.s.storeExtractionBp !== null) return this.s.storeExtractionBp;
    return this.s.extractionBp;
  }
  /** payable: pending, owed something, and (completedFirst) its order is completed */
  payable(e: EntryDoc): boolean {
    return e.status === 'pending' && e.receivedFen < e.entitlementFen && (this.s.ordering === 'queue' || e.orderDone);
  }

  async run(op: SimpleOp, sequential: boolean): Promise<void> {
    const a = this.app;
    const now = this.clock.now;
    switch (op.k) {
      case 'buy': {
        const openid = USERS[op.u]!;
        const productId = this.ids.products[op.p]!;
        let deduct: Record<string, number> | undefined;
        if (op.deduct !== 'none') {
          const bal = expectOk(await attempt(a, openid, 'wallet', 'balances', {}, now), 'balances');
          const cap = Math.floor((this.s.prices[op.p]! * op.qty * 5000) / 10_000);
          const have = op.deduct === 'points' ? bal.points : bal.love;
          const n = Math.min(have, cap);
          if (n > 0) deduct = { [op.deduct]: n };
        }
        const created = await attempt(a, openid, 'order', 'create', { lines: [{ productId, qty: op.qty }], ...(deduct ? { deduct } : {}) }, now);
        expectOkOr(created, sequential ? [] : ['INSUFFICIENT_BALANCE', 'CONFLICT'], 'order.create');
        if (!created.ok) return;
        const orderId = created.data.orderId as string;
        this.orders.push(orderId);
        if (!op.pay) return;
        const paid = expectOk(await attempt(a, openid, 'order', 'pay', { orderId }, now), 'order.pay');
        if (!paid.alreadyPaid) this.deliver(orderId, paid.payment.transactionId);
        if (!op.complete) return;
        const done = await attempt(a, openid, 'order', 'complete', { orderId }, now);
        expectOkOr(done, sequential ? [] : ['CONFLICT'], 'order.complete');
        return;
      }
      case 'cashier': {
        const openid = USERS[op.u]!;
        const created = expectOk(await attempt(a, openid, 'order', 'cashier', { cashierId: this.ids.cashiers[op.c], amountFen: op.amount }, now), 'order.cashier');
        this.orders.push(created.orderId);
        const paid = expectOk(await attempt(a, openid, 'order', 'pay', { orderId: created.orderId }, now), 'order.pay (cashier)');
        if (!paid.alreadyPaid) this.deliver(created.orderId, paid.payment.transactionId);
        return;
      }
      case 'pay': {
        const orderId = this.order(op.o);
        if (!orderId) return;
        const o = (await col(db(a), 'orders').findOne({ _id: orderId }))!;
        const paid = expectOk(await attempt(a, this.users.get(o.userId)!, 'order', 'pay', { orderId }, now), 'order.pay');
        if (sequential) expect(paid.alreadyPaid).toBe(o.status !== 'created');
        if (!paid.alreadyPaid) this.deliver(orderId, paid.payment.transactionId);
        return;
      }
      case 'notify': {
        const orderId = this.order(op.o);
        if (!orderId) return;
        const o = (await col(db(a), 'orders').findOne({ _id: orderId }))!;
        const txs = Array.from({ length: op.copies }, () => `T${orderId}`);
        if (op.fresh) txs.push(`N${orderId}x${(this.delivered.get(orderId)?.size ?? 0) + 1}`);
        const outs = await Promise.all(txs.map((transactionId) => attempt(a, null, 'payNotify', 'notify', { outTradeNo: orderId, transactionId, totalFee: o.cashFen, resultCode: 'SUCCESS' }, now)));
        for (const [i, out] of outs.entries()) {
          const data = expectOk(out, `payNotify.notify ×${op.copies}`);
          expect(data.errcode).toBe(0);
          this.deliver(orderId, txs[i]!);
        }
        // the copies of one transaction: at most one of them is the first delivery
        const sameCopies = outs.slice(0, op.copies).filter((x) => x.ok && !x.data.duplicate);
        expect(sameCopies.length).toBeLessThanOrEqual(1);
        return;
      }
      case 'complete': {
        const orderId = this.order(op.o);
        if (!orderId) return;
        const o = (await col(db(a), 'orders').findOne({ _id: orderId }))!;
        const out = await attempt(a, this.users.get(o.userId)!, 'order', 'complete', { orderId }, now);
        expectOkOr(out, sequential && (o.status === 'paid' || o.status === 'completed') ? [] : ['CONFLICT'], 'order.complete');
        return;
      }
      case 'refund': {
        const orderId = this.order(op.o);
        if (!orderId) return;
        const o = (await col(db(a), 'orders').findOne({ _id: orderId }))!;
        const out = await attempt(a, op.admin ? ADMIN : this.users.get(o.userId)!, 'order', 'refund', { orderId }, now);
        const refundable = o.status === 'paid' || o.status === 'refunded' || (o.status === 'completed' && op.admin);
        expectOkOr(out, sequential && refundable ? [] : ['CONFLICT', 'FORBIDDEN'], 'order.refund');
        return;
      }
      case 'cancel': {
        const orderId = this.order(op.o);
        if (!orderId) return;
        const o = (await col(db(a), 'orders').findOne({ _id: orderId }))!;
        const out = await attempt(a, this.users.get(o.userId)!, 'order', 'cancel', { orderId }, now);
        expectOkOr(out, sequential && (o.status === 'created' || o.status === 'cancelled') ? [] : ['CONFLICT', 'INSUFFICIENT_BALANCE'], 'order.cancel');
        return;
      }
      case 'draw': {
        const entries = (await col(db(a), 'entries').find({}).sort({ createdAt: 1, _id: 1 }).toArray()) as EntryDoc[];
        if (!entries.length) return;
        const e = entries[op.e % entries.length]!;
        const available = !!e.lottery && e.lottery.drawnBp === null && e.status === 'pending' && e.receivedFen === 0;
        const outs = await Promise.all(Array.from({ length: op.copies }, () => attempt(a, this.users.get(e.userId)!, 'queue', 'draw', { entryId: e._id }, now)));
        for (const out of outs) expectOkOr(out, ['LOTTERY_USED', 'CONFLICT', 'INVALID_INPUT'], 'queue.draw');
        const wins = outs.filter((x) => x.ok);
        expect(wins.length, 'a lottery is drawn at most once').toBeLessThanOrEqual(1);
        if (sequential) expect(wins.length).toBe(available ? 1 : 0);
        for (const w of wins) {
          if (!w.ok) continue;
          expect(w.data.entitlementFen).toBe(Math.floor((e.baseFen * w.data.ratioBp) / 10_000));
          // the drawn ratio is one the rule offers
          const rule = this.s.lottery!;
          if (rule.kind === 'fixed') expect(rule.options.map((o) => o.ratioBp)).toContain(w.data.ratioBp);
          else expect(w.data.ratioBp >= rule.minBp && w.data.ratioBp <= rule.maxBp, `drawn ${w.data.ratioBp} in [${rule.minBp}, ${rule.maxBp}]`).toBe(true);
        }
        return;
      }
      case 'exchange': {
        const entries = (await col(db(a), 'entries').find({}).sort({ createdAt: 1, _id: 1 }).toArray()) as EntryDoc[];
        if (!entries.length) return;
        const e = entries[op.e % entries.length]!;
        const out = await attempt(a, this.users.get(e.userId)!, 'queue', 'exchange', { entryId: e._id, to: op.to }, now);
        expectOkOr(out, sequential && e.status === 'pending' ? [] : ['CONFLICT'], 'queue.exchange');
        if (out.ok && sequential) expect(out.data.remainingFen).toBe(e.entitlementFen - e.receivedFen);
        return;
      }
    }
  }

  /** Invariants between two snapshots around one step. */
  async check(before: Snapshot, after: Snapshot, step: { sequential: boolean; kind: string; paused: boolean }): Promise<void> {
    const where = `after ${step.kind}`;
    const s = this.s;
    // --- per entry
    let paidInStep = 0;
    const gainers: EntryDoc[] = [];
    for (const e of after.entries.values()) {
      const b = before.entries.get(e._id);
      expect(e.receivedFen, `entry ${e._id} received ≥ 0`).toBeGreaterThanOrEqual(0);
      expect(e.receivedFen, `entry ${e._id} never paid beyond its entitlement ${where}`).toBeLessThanOrEqual(e.entitlementFen);
      // pending means something is still owed, except a lottery entry whose fallback entitlement is ¥0 (it waits for its draw)
      if (e.status === 'pending' && !(e.entitlementFen === 0 && e.lottery?.drawnBp === null)) expect(e.receivedFen, `pending ${e._id} owes something`).toBeLessThan(e.entitlementFen);
      if (e.status === 'completed' && !e.convertedToPoints) expect(e.receivedFen, `completed entry ${e._id} fully paid`).toBe(e.entitlementFen);
      if (e.convertedToPoints) expect(e.receivedFen).toBe(0);
      if (s.ordering === 'completedFirst' && e.receivedFen > 0) expect(e.orderDone, `completedFirst: ${e._id} paid before its order completed`).toBe(true);
      // §3.2: which queue a line joins; cashier and store-online sales never share a queue
      const src = e.source;
      const key = src.kind === 'mall' ? (s.mallQueue ? 'mall' : `product:${src.productId}`) : src.kind === 'store' ? (s.allStoresQueue ? 'stores' : `store:${src.storeId}`) : s.allCashiersQueue ? 'cashiers' : `cashier:${src.cashierId}`;
      expect(e.queueKey, `entry ${e._id} of a ${src.kind} line`).toBe(key);
      const delta = e.receivedFen - (b?.receivedFen ?? 0);
      expect(delta, `entry ${e._id} payouts never go back`).toBeGreaterThanOrEqual(0);
      if (b && b.status !== 'pending') expect(e.status, `closed entry ${e._id} stays closed`).toBe(b.status);
      if (b && b.entitlementFen !== e.entitlementFen) {
        expect(b.receivedFen, `entitlement of ${e._id} changed after a payout`).toBe(0);
        expect(e.lottery?.drawnBp, `entitlement of ${e._id} changed without a draw`).not.toBeNull();
        expect(e.entitlementFen).toBe(Math.floor((e.baseFen * e.lottery!.drawnBp!) / 10_000));
      }
      if (delta > 0) {
        paidInStep += delta;
        gainers.push(e);
        expect(step.paused, `entry ${e._id} paid while paused`).toBe(false);
      }
    }
    // --- waterfall order: nothing paid past a payable entry that was left waiting
    for (const e of gainers) {
      for (const f of before.entries.values()) {
        if (f.queueKey !== e.queueKey || f.seq >= e.seq || f.orderId === e.orderId || !this.payable(f)) continue;
        const fa = after.entries.get(f._id)!;
        const msg = `queue ${e.queueKey}: entry #${e.seq} paid while earlier payable #${f.seq} (${f.receivedFen}/${f.entitlementFen}) waits ${where}`;
        expect(fa.status === 'pending', msg).toBe(false);
        if (step.sequential) {
          expect(fa.status, msg).toBe('completed');
          expect(fa.receivedFen).toBe(fa.entitlementFen);
        }
      }
    }
    // --- settlements of the step
    let extractedInStep = 0;
    const settled: OrderDoc[] = [];
    for (const o of after.orders.values()) {
      const b = before.orders.get(o._id);
      if (!o.settledAt || b?.settledAt) continue;
      settled.push(o);
      const extracted = o.settlement!.extractedFen;
      const budget = Math.floor((o.lines[0]!.cashFen * this.extractionBpOf(o)) / 10_000);
      expect(extracted, `order ${o._id} extraction within floor(cash × ${this.extractionBpOf(o)}bp)`).toBeLessThanOrEqual(budget);
      expect(extracted, `order ${o._id} extraction = what its journal paid out`).toBe(await journalPaidOut(this.app, o._id));
      if (step.paused) expect(extracted, 'nothing extracted while paused').toBe(0);
      extractedInStep += extracted;
    }
    expect(paidInStep, `entries received exactly what settlements extracted ${where}`).toBe(extractedInStep);
    // only what eligible entries can absorb: a short extraction means the queue had nothing more payable
    if (step.sequential && settled.length === 1 && !step.paused) {
      const o = settled[0]!;
      const budget = Math.floor((o.lines[0]!.cashFen * this.extractionBpOf(o)) / 10_000);
      if (o.settlement!.extractedFen < budget) {
        const key = this.queueKeyOf(o);
        for (const f of before.entries.values()) {
          if (f.queueKey !== key || !this.payable(f) || f.orderId === o._id) continue;
          expect(after.entries.get(f._id)!.status, `order ${o._id} extracted ${o.settlement!.extractedFen} < ${budget} while #${f.seq} still waited`).toBe('completed');
        }
      }
    }
    // --- global state
    const orders = [...after.orders.values()];
    const entries = [...after.entries.values()];
    for (const o of orders) {
      const mine = entries.filter((e) => e.orderId === o._id);
      expect(mine.length, `order ${o._id}: one entry per line at most`).toBeLessThanOrEqual(o.lines.length);
      if (o.status === 'refunded' || o.status === 'cancelled') expect(mine.filter((e) => e.status === 'pending')).toEqual([]);
      if (s.deductionMode === 'extractOnly' && (o.deduct.points > 0 || o.deduct.love > 0)) expect(mine, 'extractOnly: deduction orders get no entry').toEqual([]);
      if (!o.settledAt) expect(mine).toEqual([]);
      const got = await col(db(this.app), 'payments').find({ orderId: o._id }).toArray();
      const sent = this.delivered.get(o._id) ?? new Set();
      expect(got.map((p) => p._id).sort(), `order ${o._id}: one payment record per distinct transaction`).toEqual([...sent].sort());
      expect(got.filter((p) => !p.duplicate).length).toBe(o.status === 'created' || (o.status === 'cancelled' && !o.paidAt) ? 0 : 1);
      expect(await col(db(this.app), 'journal').countDocuments({ eventKey: `order.pay:${o._id}` })).toBeLessThanOrEqual(1);
    }
    // queue documents agree with their entries
    for (const q of await col(db(this.app), 'queues').find({}).toArray()) {
      const pending = entries.filter((e) => e.queueKey === q._id && e.status === 'pending');
      expect(q.pendingFen, `queue ${q._id} pendingFen ${where}`).toBe(pending.reduce((x, e) => x + e.entitlementFen - e.receivedFen, 0));
      expect(q.pendingCount, `queue ${q._id} pendingCount ${where}`).toBe(pending.length);
      expect(q.paidFen).toBe(entries.filter((e) => e.queueKey === q._id).reduce((x, e) => x + e.receivedFen, 0));
    }
    // conservation: shoppers hold exactly the queue payouts plus the returned duplicate payments
    const report = await expectLedgerOk(this.app, where);
    const payments = await col(db(this.app), 'payments').find({}).toArray();
    const returned = payments.filter((p) => p.duplicate).reduce((x, p) => x + p.amountFen, 0);
    const received = entries.reduce((x, e) => x + e.receivedFen, 0);
    expect(await userBalanceSum(this.app, 'CASH'), `shoppers' cash = payouts + returned payments ${where}`).toBe(received + returned);
    const refunded = orders.filter((o) => o.status === 'refunded').reduce((x, o) => x + o.cashFen, 0);
    expect(report.systemBalances['CASH:ext:wxpay'] ?? 0, 'WeChat Pay: paid in − refunded').toBe(-payments.reduce((x, p) => x + p.amountFen, 0) + refunded);
  }
}

async function setUp(s: Settings, seed: number) {
  const a = await createTestApp({ random: seededRandom(seed) });
  app = a;
  await a.configure((c) => {
    c.rebate.settleOn = s.settleOn;
    c.rebate.ordering = s.ordering;
    c.rebate.extractionBp = s.extractionBp;
    c.rebate.defaultRatioBp = s.defaultRatioBp;
    c.rebate.lottery = s.lottery;
    c.rebate.randomReturn = s.randomReturn ? { enabled: true, ...s.randomReturn } : { enabled: false, cashCount: 1, pointsCount: 2 };
    c.rebate.deductionMode = s.deductionMode;
    c.rebate.mallQueue = s.mallQueue;
    c.rebate.allCashiersQueue = s.allCashiersQueue;
    c.rebate.allStoresQueue = s.allStoresQueue;
    c.rebate.exchange.loveFrozen = s.loveFrozen;
    c.rebate.reset = { enabled: s.reset, schedule: 'daily', time: '00:00', weekday: 1, monthDay: 1, onceAt: null };
  });
  const base = await shop(a, { priceFen: s.prices[0], product: { maxDeductBp: 5000, source: 'self' } });
  const second = await a.call(ADMIN, 'admin', 'upsertProduct', { name: '供应链商品', priceFen: s.prices[1], costFen: 0, stock: 100_000, maxDeductBp: 5000, source: 'supplier' });
  const cashier2 = await a.call('merchant', 'merchant', 'createCashier', { storeId: base.storeId, name: '2号收银台' });
  const online1 = await a.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: base.storeId, name: '门店商品', priceFen: s.prices[2], costFen: 0, stock: 100_000, maxDeductBp: 5000 });
  await a.call('merchant2', 'user', 'login');
  const store2 = await a.call('merchant2', 'merchant', 'applyStore', { name: '第二门店' });
  await a.call(ADMIN, 'admin', 'approveStore', { storeId: store2.storeId, approve: true, commissionBp: 500 });
  const online2 = await a.call('merchant2', 'merchant', 'upsertStoreProduct', { storeId: store2.storeId, name: '第二门店商品', priceFen: s.prices[3], costFen: 0, stock: 100_000, maxDeductBp: 5000 });
  if (s.cashierRules) {
    const r = s.cashierRules;
    await a.call('merchant', 'merchant', 'setCashierConfig', { cashierId: base.cashierId, rebate: { enabled: true, extractionBp: r.extractionBp, ratioBp: r.ratioBp, randomReturn: r.randomReturn } });
  }
  if (s.storeExtractionBp !== null) await a.call('merchant', 'merchant', 'setStoreConfig', { storeId: base.storeId, rebate: { enabled: true, extractionBp: s.storeExtractionBp } });
  return {
    a,
    ids: { products: [base.productId, second.productId, online1.productId, online2.productId], cashiers: [base.cashierId, cashier2.cashierId], stores: [base.storeId, store2.storeId] },
  };
}

describe('queue rebate properties (SPEC §1, §3) through the public actions', () => {
  announce('queue rebate random sequences', SEED, RUNS);
  it(
    `random orders, payments, duplicate notifications, completions, refunds, draws, exchanges, resets and pauses keep money and queue order (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(settingsArb, fc.array(opArb, { minLength: 15, maxLength: 45, size: 'max' }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (s, ops, rseed) => {
          await app?.close();
          const { a, ids } = await setUp(s, rseed);
          const clock = new Clock('2026-03-02T09:00:00+08:00');
          const w = new World(a, s, ids, clock);
          for (const openid of USERS) {
            const me = expectOk(await attempt(a, openid, 'user', 'login', {}, clock.now), 'login');
            w.users.set(me.userId, openid);
          }
          for (const op of ops) {
            clock.tick(3);
            const before = await snapshot(a);
            if (op.k === 'batch') {
              await Promise.all(op.ops.map((x) => w.run(x, false)));
              await w.check(before, await snapshot(a), { sequential: false, kind: 'batch', paused: w.paused });
            } else if (op.k === 'pause') {
              w.paused = !w.paused;
              await a.configure((c) => (c.rebate.paused = w.paused));
              await w.check(before, await snapshot(a), { sequential: true, kind: 'pause', paused: w.paused });
            } else if (op.k === 'reset') {
              let midnight: Date;
              if (op.again && w.resetsDone.size) {
                midnight = new Date([...w.resetsDone].sort().at(-1)!);
              } else {
                midnight = clock.nextShanghaiDay(op.minutes).midnight;
              }
              const r = expectOk(await attempt(a, ADMIN, 'admin', 'runDaily', {}, clock.now), 'admin.runDaily');
              const after = await snapshot(a);
              const fresh = s.reset && !w.resetsDone.has(midnight.toISOString());
              expect(r.reset.due).toBe(s.reset);
              for (const e of after.entries.values()) {
                const b = before.entries.get(e._id)!;
                expect(e.receivedFen).toBe(b.receivedFen);
                if (fresh && b.status === 'pending' && b.createdAt < midnight) expect(e.status, 'reset expires every pending entry before the instant').toBe('expired');
                else expect(e.status, 'a reset that is not due (or already done) changes nothing').toBe(b.status);
              }
              if (s.reset) w.resetsDone.add(midnight.toISOString());
              await w.check(before, after, { sequential: true, kind: 'reset', paused: w.paused });
            } else {
              await w.run(op, true);
              await w.check(before, await snapshot(a), { sequential: true, kind: op.k, paused: w.paused });
            }
          }
          if (process.env.PROPERTY_STATS) {
            const es = await allEntries(a);
            const os = await allOrders(a);
            console.info(`[stats] ops=${ops.length} orders=${os.length} settled=${os.filter((o) => o.settledAt).length} entries=${es.length} paid=${es.filter((e) => e.receivedFen > 0).length} statuses=${JSON.stringify(es.reduce((m: any, e) => ((m[e.status] = (m[e.status] ?? 0) + 1), m), {}))} dup=${(await col(db(a), 'payments').countDocuments({ duplicate: true }))}`);
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 8_000),
  );

  announce('duplicate payment notifications', DUP_SEED, DUP_RUNS);
  it(
    `the same payment notification delivered many times, concurrently, creates one entry and one extraction (seed ${DUP_SEED}, ${DUP_RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 10 }),
          fc.integer({ min: 0, max: 3 }),
          fc.constantFrom('pay' as const, 'complete' as const),
          fc.integer({ min: 100, max: 100_000 }),
          fc.boolean(),
          async (copies, others, settleOn, priceFen, cashier) => {
            await app?.close();
            const a = await createTestApp();
            app = a;
            await a.configure((c) => ((c.rebate.settleOn = settleOn), (c.rebate.extractionBp = 5000), (c.rebate.defaultRatioBp = 10_000)));
            const ids = await shop(a, { priceFen });
            // a waiting entry ahead, so the extraction has somewhere to go
            await a.call('a', 'user', 'login');
            const first = cashier
              ? await a.call('a', 'order', 'cashier', { cashierId: ids.cashierId, amountFen: priceFen })
              : await a.call('a', 'order', 'create', { lines: [{ productId: ids.productId, qty: 1 }] });
            await a.call('a', 'order', 'pay', { orderId: first.orderId });
            if (!cashier) await a.call('a', 'order', 'complete', { orderId: first.orderId });
            await a.call('b', 'user', 'login');
            const o = cashier
              ? await a.call('b', 'order', 'cashier', { cashierId: ids.cashierId, amountFen: priceFen })
              : await a.call('b', 'order', 'create', { lines: [{ productId: ids.productId, qty: 1 }] });
            // the same transaction many times, and `others` different transactions (second real payments), all at once
            const txs = [...Array.from({ length: copies }, () => 'WX-SAME-1'), ...Array.from({ length: others }, (_, i) => `WX-OTHER-${i}`)];
            const outs = await Promise.all(txs.map((transactionId) => a.call(null, 'payNotify', 'notify', { outTradeNo: o.orderId, transactionId, totalFee: o.cashFen })));
            expect(outs.every((x) => x.errcode === 0)).toBe(true);
            expect(outs.filter((x) => !x.duplicate)).toHaveLength(1); // exactly one delivery paid the order
            if (!cashier && settleOn === 'complete') await a.call('b', 'order', 'complete', { orderId: o.orderId });
            const payments = await col(db(a), 'payments').find({ orderId: o.orderId }).toArray();
            expect(payments).toHaveLength(1 + others);
            expect(payments.filter((p) => !p.duplicate)).toHaveLength(1);
            const entries = await col(db(a), 'entries').find({ orderId: o.orderId }).toArray();
            expect(entries).toHaveLength(1);
            expect(await col(db(a), 'journal').countDocuments({ eventKey: `order.pay:${o.orderId}` })).toBe(1);
            const after = (await a.call('b', 'order', 'get', { orderId: o.orderId })) as any;
            const expected = Math.min(Math.floor((priceFen * 5000) / 10_000), priceFen); // A's entitlement is ¥priceFen at 100%
            expect(after.settlement.extractedFen).toBe(expected);
            const aEntry = (await a.call('a', 'queue', 'mine')).entries[0];
            expect(aEntry.receivedFen).toBe(expected); // one extraction, not one per copy
            // the other transactions are the shopper's money: returned to B's wallet
            const b = await a.call('b', 'wallet', 'balances');
            expect(b.cashFen).toBe(others * o.cashFen);
            const ledger = await a.call('b', 'wallet', 'ledger', { asset: 'CASH' });
            expect(ledger.filter((p: any) => p.memo === '重复支付退回')).toHaveLength(others);
            await expectLedgerOk(a, 'after duplicate notifications');
          },
        ),
        { seed: DUP_SEED, numRuns: DUP_RUNS },
      );
    },
    timeoutFor(DUP_RUNS, 3_000),
  );
});
