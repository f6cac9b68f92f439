import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDay } from '../../server/src/engine/time';
import { col } from '../../server/src/repo/db';
import { createTestApp, type TestApp } from '../helpers/app';
import { Clock, expectSameAsDatabase, replayNow, runScenario, START } from './scenario';

/**
 * Issue 14, differential: replaying a period under the configuration that was in force
 * reproduces, to the fen, every payout, entry and pool balance that actually happened. The
 * replay and production share one planner: any difference is a bug in one of them.
 *
 * Three weeks of a shop (tests/simulation/scenario.ts): several queues, the union queue with
 * acceleration and releases, green points with exits, a draw, an exchange, refunds, green
 * withdrawals, a transfer and a spend. Replayed from launch (empty start), and from two days in
 * the middle of it (the start state rebuilt from the database and the ledger).
 */
let app: TestApp;
let now: Date;

beforeAll(async () => {
  app = await createTestApp();
  const clock = new Clock(START);
  await runScenario(app, clock);
  now = clock.tick(30);
  expect((await app.verify()).problems).toEqual([]);
}, 240_000);
afterAll(async () => app?.close());

describe('replaying under the configuration in force reproduces the database', () => {
  it('from launch (the whole history in the period)', async () => {
    const r = await replayNow(app, now, 30);
    expect(r.from.getTime()).toBeLessThan(Date.parse(START));
    const counts = await expectSameAsDatabase(app, r);
    // the scenario did what it should: something in every part
    expect(counts.entries).toBeGreaterThan(40);
    expect(counts.unionEntries).toBeGreaterThan(40);
    expect(counts.payees).toBeGreaterThan(3);
    const db = app.deps.store.db;
    expect(await col(db, 'draws').countDocuments({})).toBe(1);
    expect(await col(db, 'entries').countDocuments({ status: 'exchanged' })).toBe(1);
    expect(await col(db, 'orders').countDocuments({ status: 'refunded' })).toBe(2);
    expect(await col(db, 'green_lots').countDocuments({ status: 'exited' })).toBeGreaterThan(0);
    expect(await col(db, 'jobs').countDocuments({ kind: 'union-release', processed: { $gt: 0 } })).toBeGreaterThan(0);
    expect(await col(db, 'journal').countDocuments({ type: { $in: ['green.withdraw', 'green.transfer'] } })).toBeGreaterThan(1);
  });

  for (const daysBack of [20, 17, 14, 11, 8, 5, 2]) {
    it(`from the middle: the last ${daysBack} days (start state rebuilt)`, async () => {
      const r = await replayNow(app, now, daysBack);
      expect(shanghaiDay(r.from) > shanghaiDay(new Date(START))).toBe(true);
      const counts = await expectSameAsDatabase(app, r);
      console.log(`[simulation] last ${daysBack} days: ${counts.entries} entries compared (${counts.unloaded} not loaded: unreachable in the period), ${counts.unionEntries} union entries, ${counts.lots} lots, ${counts.payees} payees`);
    });
  }
});
