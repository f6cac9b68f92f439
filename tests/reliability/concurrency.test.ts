import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { ADMIN, createTestApp, shop, startTestGateway, type TestApp } from '../helpers/app';
import { mapLimit, rng, seedFromEnv } from './helpers';

/**
 * Reliability: 100+ concurrent payments through the local gateway (HTTP on 127.0.0.1), on one
 * cashier queue and on the green pool. Every order is settled exactly once, money is conserved
 * (what the queue paid out is what the orders extracted; pools equal the journal), the queue
 * was paid in queue order, and verifyLedger passes.
 */
const N = 120;
const seed = seedFromEnv('concurrency', 20261123);

let app: TestApp;
let gw: { url: string; close: () => Promise<void> };

async function post(openid: string, fn: string, action: string, params: Record<string, unknown> = {}) {
  const r = await fetch(`${gw.url}/api/${fn}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-openid': openid }, body: JSON.stringify({ action, ...params }) });
  return (await r.json()) as any;
}
async function ok(openid: string, fn: string, action: string, params: Record<string, unknown> = {}) {
  const r = await post(openid, fn, action, params);
  if (!r.ok) throw new Error(`${fn}.${action}: ${JSON.stringify(r.error)}`);
  return r.data;
}

async function settledOnce(orderIds: string[]) {
  const db = app.deps.store.db;
  for (const id of orderIds) {
    const o = await col(db, 'orders').findOne({ _id: id });
    expect(o?.status, id).toBe('completed');
    expect(o?.settledAt, id).not.toBeNull();
    expect(await col(db, 'payments').countDocuments({ orderId: id }), id).toBe(1);
    expect(await col(db, 'journal').countDocuments({ eventKey: `order.pay:${id}` }), id).toBe(1);
  }
}

beforeAll(async () => {
  app = await createTestApp();
  gw = await startTestGateway(app);
});
afterAll(async () => {
  await gw.close();
  await app.close();
});

describe('concurrent payments through the gateway', () => {
  it(`${N} concurrent cashier payments on one queue: settled once each, paid in queue order, conserved`, async () => {
    const r = rng(seed);
    await app.configure((c) => {
      c.rebate.extractionBp = 3000;
      c.rebate.defaultRatioBp = 12000;
    });
    const { cashierId } = await shop(app);
    const shoppers = Array.from({ length: N }, (_, i) => `cq-${i}`);
    await mapLimit(shoppers, 16, (s) => ok(s, 'user', 'login'));
    const amounts = shoppers.map(() => 100 + r.int(50_000));
    const orders = await Promise.all(shoppers.map((s, i) => ok(s, 'order', 'cashier', { cashierId, amountFen: amounts[i] })));
    // all payments at once, in a random order
    const idx = r.shuffle(shoppers.map((_, i) => i));
    const paid = await Promise.all(idx.map((i) => post(shoppers[i]!, 'order', 'pay', { orderId: orders[i].orderId })));
    for (const p of paid) expect(p.ok, JSON.stringify(p.error)).toBe(true);
    const ids = orders.map((o) => o.orderId as string);
    await settledOnce(ids);

    const db = app.deps.store.db;
    const all = await col(db, 'orders').find({ _id: { $in: ids } }).toArray();
    const extracted = all.reduce((a, o) => a + o.settlement!.extractedFen, 0);
    const queueKey = `cashier:${cashierId}`;
    const entries = await col(db, 'entries').find({ queueKey }).sort({ seq: 1 }).toArray();
    expect(entries).toHaveLength(N); // one entry per order
    expect(new Set(entries.map((e) => e.orderId)).size).toBe(N);
    const received = entries.reduce((a, e) => a + e.receivedFen, 0);
    expect(received).toBe(extracted);
    expect((await col(db, 'queues').findOne({ _id: queueKey }))!.paidFen).toBe(extracted);
    for (const e of entries) expect(e.entitlementFen).toBe(Math.floor((e.baseFen * 12000) / 10000));
    // queue order: the entries that received anything form a prefix, all completed but its last
    const firstUnpaid = entries.findIndex((e) => e.receivedFen === 0);
    const paidPrefix = firstUnpaid === -1 ? entries : entries.slice(0, firstUnpaid);
    expect(entries.slice(paidPrefix.length).every((e) => e.receivedFen === 0)).toBe(true);
    expect(paidPrefix.slice(0, -1).every((e) => e.status === 'completed')).toBe(true);
    expect(extracted).toBeGreaterThan(0);
    // no extraction beyond 30% of what was paid
    for (const o of all) expect(o.settlement!.extractedFen).toBeLessThanOrEqual(Math.floor((o.cashFen * 3000) / 10000));
    const report = await app.verify();
    expect(report.problems).toEqual([]);
    console.log(`[reliability] queue: ${N} concurrent payments, extracted ${extracted} fen over ${paidPrefix.length} entries`);
  }, 120_000);

  it(`${N} concurrent orders on the green pool (create, pay, complete all at once): one lot each, pool = journal`, async () => {
    await app.configure((c) => {
      c.rebate.enabled = false;
      c.green.enabled = true;
      c.green.poolShareBp = 3000;
      c.green.mintBp = 7000;
    });
    const product = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '绿色商品', priceFen: 9900, costFen: 0, stock: 10_000 });
    const shoppers = Array.from({ length: N }, (_, i) => `cg-${i}`);
    await mapLimit(shoppers, 16, (s) => ok(s, 'user', 'login'));
    const orders = await Promise.all(shoppers.map((s) => ok(s, 'order', 'create', { lines: [{ productId: product.productId, qty: 1 }] })));
    const paid = await Promise.all(shoppers.map((s, i) => post(s, 'order', 'pay', { orderId: orders[i].orderId })));
    for (const p of paid) expect(p.ok, JSON.stringify(p.error)).toBe(true);
    const done = await Promise.all(shoppers.map((s, i) => post(s, 'order', 'complete', { orderId: orders[i].orderId })));
    for (const d of done) expect(d.ok, JSON.stringify(d.error)).toBe(true);
    const ids = orders.map((o) => o.orderId as string);
    await settledOnce(ids);
    const db = app.deps.store.db;
    for (const id of ids) {
      expect(await col(db, 'green_lots').countDocuments({ orderId: id }), id).toBe(1);
      expect(await col(db, 'journal').countDocuments({ eventKey: `order.settle:${id}` }), id).toBe(1);
    }
    const all = await col(db, 'orders').find({ _id: { $in: ids } }).toArray();
    const inflow = all.reduce((a, o) => a + o.settlement!.greenInflowFen, 0);
    expect(inflow).toBe(N * Math.floor((9900 * 3000) / 10000));
    const green = (await col(db, 'green_state').findOne({ _id: 'green' }))!;
    expect(green.inflowFen).toBeGreaterThanOrEqual(inflow);
    expect(green.poolFen).toBe(green.inflowFen - green.paidOutFen);
    const units = (await col(db, 'green_lots').find({ status: 'active' }).toArray()).reduce((a, l) => a + l.units, 0);
    expect(units).toBe(green.totalUnits);
    expect((await app.verify()).problems).toEqual([]);
  }, 120_000);
});
