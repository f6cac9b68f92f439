import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getEngineStats, resetEngineStats } from '../../server/src/db';
import { col } from '../../server/src/repo/db';
import type { EntryDoc } from '../../server/src/repo/documents';
import { createTestApp, payAtCashier, shop, type TestApp } from '../helpers/app';

/**
 * Paying into a queue costs the same whatever its length: the payable head is read through the
 * (queueKey, status, seq) index and no position is stored, so no other entry is rewritten.
 * Measured in the engine's work counters (index keys and documents examined), not in time.
 */
let app: TestApp;
beforeEach(async () => (app = await createTestApp()));
afterEach(async () => app.close());

async function workToSettleOneOrderOn(queueLength: number): Promise<number> {
  const ids = await shop(app, { priceFen: 10000 });
  const queueKey = `cashier:${ids.cashierId}`;
  const entries: EntryDoc[] = Array.from({ length: queueLength }, (_, i) => ({
    _id: `bulk:${queueLength}:${i}`, queueKey, seq: i + 1, userId: `U${i % 100}`, orderId: `bulk${i}`, lineIndex: 0,
    source: { kind: 'cashier', cashierId: ids.cashierId }, baseFen: 1_000_000, ratioBp: 13000, ratioRule: 'own', ratioSource: 'plugin',
    entitlementFen: 1_300_000, receivedFen: 0, status: 'pending', orderDone: true, lottery: null, convertedToPoints: false, exchanged: null,
    createdAt: new Date(), firstPaidAt: null, closedAt: null,
  }));
  await col(app.deps.store.db, 'entries').insertMany(entries);
  await col(app.deps.store.db, 'queues').insertOne({ _id: queueKey, name: 'bulk', kind: 'cashier', nextSeq: queueLength, pendingCount: queueLength, pendingFen: queueLength * 1_300_000, paidFen: 0, entryCount: queueLength, rr: null, createdAt: new Date() });
  await app.call('buyer', 'user', 'login');
  await payAtCashier(app, 'buyer', ids.cashierId, 10000); // warm-up: first order of this shopper
  resetEngineStats(app.deps.store.client);
  await payAtCashier(app, 'buyer', ids.cashierId, 10000);
  const s = getEngineStats(app.deps.store.client);
  return s.docsExamined + s.keysExamined;
}

if (process.env.MONGODB_URI) console.warn('[constant-cost] skipped: work counters exist only in the embedded engine (MONGODB_URI is set)');

describe('constant cost per settled order', () => {
  it.skipIf(!!process.env.MONGODB_URI)('settling an order examines the same work on a queue of 10 and of 20,000 entries (CC_N to change)', async () => {
    const small = await workToSettleOneOrderOn(10);
    await app.close();
    app = await createTestApp();
    const n = Number(process.env.CC_N ?? 20_000);
    const large = await workToSettleOneOrderOn(n);
    console.log(`[constant-cost] work units per settled order: 10 entries → ${small}, ${n} entries → ${large}`);
    expect(large).toBeLessThanOrEqual(Math.ceil(small * 1.2));
  }, 120_000);
});
