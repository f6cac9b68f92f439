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
import type { GreenLotDoc, PostingDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import { WALLET_ASSETS } from '../../server/src/repo/ledger';
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
  const rows: PostingDoc[] = [];
  for (let i = 0; i < 40; i++) {
    const asset = (['CASH', 'GREEN', 'QENT', 'UENT'] as const)[i % 4]!;
    rows.push({ _id: `pp#${i}/0`, userId: `P${i % 2}`, account: `${asset}:user:P${i % 2}`, asset, amount: 1, seq: i + 1, balanceAfter: i + 1, type: 'fixture', memo: '', eventKey: `pp${i}`, at: new Date(at.getTime() + i) });
  }
  await col(db, 'postings').insertMany(rows);
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
    // the cascade's exits waiting for their payout: the payout step, a shopper's wallet, verifyLedger
    expect(await indexOf(lots.find({ payoutPending: true }).sort({ userId: 1, _id: 1 }).limit(480))).toBe('userId_id_payoutPending');
    expect(await indexOf(lots.find({ userId: 'P1', payoutPending: true }))).toBe('userId_id_payoutPending');
    expect(await indexOf(lots.find({ userId: { $in: ['P1', 'P2'] }, payoutPending: true }))).toBe('userId_id_payoutPending');
  });

  it('postings: a shopper’s wallet history, all assets or one, first page and next (the memo assets’ rows are outside the index)', async () => {
    const postings = col(db, 'postings');
    const wallet = { userId: 'P1', asset: { $in: WALLET_ASSETS } };
    const newest = { at: -1, _id: -1 } as const;
    expect(await indexOf(postings.find(wallet).sort(newest).limit(5))).toBe('userId_at_id_wallet');
    expect(await indexOf(postings.find({ ...wallet, $and: [{ asset: 'GREEN' }] }).sort(newest).limit(5))).toBe('userId_at_id_wallet');
    expect(await indexOf(postings.find({ ...wallet, at: { $lt: new Date() } }).sort(newest).limit(5))).toBe('userId_at_id_wallet');
    expect(await indexOf(postings.find({ ...wallet, at: new Date(), _id: { $lt: 'pp#9/0' } }).sort(newest).limit(5))).toBe('userId_at_id_wallet');
    // without the partial filter the index may not serve the query: it does not hold every row
    expect(await indexOf(postings.find({ userId: 'P1' }).sort(newest).limit(5))).not.toBe('userId_at_id_wallet');
    // and it holds no memo-asset row
    expect((await postings.find({ userId: 'P1', asset: { $in: WALLET_ASSETS } }).toArray()).every((r) => r.asset === 'CASH' || r.asset === 'GREEN')).toBe(true);
  });

  it('union entries: the release’s plan and pay steps, a shopper’s pending entries', async () => {
    const entries = col(db, 'union_entries');
    expect(await indexOf(entries.find({ status: 'pending', eligibleDay: { $lte: '2026-08-15' }, seq: { $gt: 0 } }).sort({ seq: 1 }).limit(100))).toBe('status_seq_pending');
    expect(await indexOf(entries.find({ status: 'pending' }).sort({ seq: 1 }).limit(1))).toBe('status_seq_pending');
    expect(await indexOf(entries.find({ userId: 'P1', status: 'pending' }).sort({ seq: 1 }))).toBe('userId_status_seq_pending');
  });
});
