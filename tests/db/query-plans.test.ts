/**
 * The index each hot query was designed for is the one the planner picks. Several of them are
 * partial (over pending entries, active lots, exited lots): a query that stops stating the
 * partial filter, or an index change, would silently fall back to another index or a scan. On
 * the embedded engine the plan is its own description; on MongoDB (MONGODB_URI) explain's
 * winning plan names the index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, FindCursor } from 'mongodb';
import { getEngineStats, resetEngineStats } from '../../server/src/db';
import { col } from '../../server/src/repo/db';
import type { GreenLotDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import { createTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
let db: Db;

beforeAll(async () => {
  app = await createTestApp();
  db = app.deps.store.db;
  const at = new Date('2026-08-01T04:00:00Z');
  const lots: GreenLotDoc[] = [];
  const entries: UnionEntryDoc[] = [];
  for (let i = 0; i < 60; i++) {
    const status = (['active', 'exited', 'empty'] as const)[i % 3]!;
    lots.push({ _id: `pl:${i}`, userId: `P${i % 4}`, orderId: `po${i}`, units: 100, consumptionFen: 10, exitKey: i, status, createdAt: new Date(at.getTime() + i), ...(status === 'exited' ? { exitedAt: at } : {}) } as GreenLotDoc);
    const ustatus = (['pending', 'paid', 'cancelled'] as const)[i % 3]!;
    entries.push({ _id: `pu:${i}`, seq: i + 1, userId: `P${i % 4}`, orderId: `po${i}`, lineIndex: 0, entitlementFen: 100, receivedFen: 0, status: ustatus, lockDays: 15, orderDay: '2026-08-01', eligibleDay: '2026-08-15', createdAt: at, closedAt: ustatus === 'pending' ? null : at } as UnionEntryDoc);
  }
  await col(db, 'green_lots').insertMany(lots);
  await col(db, 'union_entries').insertMany(entries);
});

afterAll(async () => {
  await app?.close();
});

/** The name of the index the query's winning plan scans ('' for none). */
async function indexOf(cursor: FindCursor<unknown>): Promise<string> {
  const client = app.deps.store.client;
  if (!process.env.MONGODB_URI) {
    resetEngineStats(client);
    await cursor.toArray();
    // (the embedded plan's description starts with the index's name)
    return getEngineStats(client).lastPlan.split(' ')[0] ?? '';
  }
  const explained = JSON.stringify(await cursor.explain('queryPlanner'));
  const m = /"winningPlan".*?"indexName":"([^"]+)"/.exec(explained);
  return m?.[1] ?? '';
}

describe('the planner picks the index each hot query was designed for', () => {
  it('green lots: the cascade, a shopper’s active lots, a shopper’s lots newest first, the what-if', async () => {
    const lots = col(db, 'green_lots');
    expect(await indexOf(lots.find({ status: 'active', exitKey: { $lte: 40 } }).sort({ exitKey: 1 }).limit(10))).toBe('exitKey_active');
    expect(await indexOf(lots.find({ userId: 'P1', status: 'active' }).sort({ createdAt: 1, _id: 1 }))).toBe('userId_status_createdAt_active');
    expect(await indexOf(lots.find({ userId: { $in: ['P1', 'P2'] }, status: 'active' }))).toBe('userId_status_createdAt_active');
    expect(await indexOf(lots.find({ userId: 'P1', status: { $in: ['active', 'exited'] } }).sort({ createdAt: -1 }).limit(100))).toBe('userId_1_createdAt_1');
    expect(await indexOf(lots.find({ userId: 'P1', createdAt: { $lt: new Date() } }).sort({ createdAt: 1 }))).toBe('userId_1_createdAt_1');
    expect(await indexOf(lots.find({ status: 'exited', exitedAt: { $gte: new Date(0) } }).sort({ exitedAt: 1 }))).toBe('exitedAt_exited');
  });

  it('union entries: the release’s plan and pay steps, a shopper’s pending entries', async () => {
    const entries = col(db, 'union_entries');
    expect(await indexOf(entries.find({ status: 'pending', eligibleDay: { $lte: '2026-08-15' }, seq: { $gt: 0 } }).sort({ seq: 1 }).limit(100))).toBe('status_seq_pending');
    expect(await indexOf(entries.find({ status: 'pending' }).sort({ seq: 1 }).limit(1))).toBe('status_seq_pending');
    expect(await indexOf(entries.find({ userId: 'P1', status: 'pending' }).sort({ seq: 1 }))).toBe('userId_status_seq_pending');
  });
});
