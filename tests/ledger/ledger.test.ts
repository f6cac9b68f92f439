import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDuplicateKeyError } from '../../server/src/db';
import { eligibleDay } from '../../server/src/engine/union/union';
import { acct } from '../../server/src/engine/ledger/accounts';
import { col, runTransaction } from '../../server/src/repo/db';
import { post, verifyLedger } from '../../server/src/repo/ledger';
import { Movements } from '../../server/src/services/movements';
import { createTestApp, type TestApp } from '../helpers/app';

/** SPEC §1: balanced, hash-chained, idempotent journal; verifyLedger re-checks it all. */

let app: TestApp;
beforeEach(async () => (app = await createTestApp()));
afterEach(async () => app.close());

const USERS = ['u1', 'u2', 'u3', 'u4'];
const SEED = Number(process.env.LEDGER_SEED ?? 20261123);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);

type Op = { eventKey: number; from: number; to: number; amount: number; book: number };

async function apply(op: Op): Promise<'ok' | 'duplicate' | 'insufficient'> {
  try {
    await runTransaction(app.deps.store, new Date(), async (tx) => {
      const mv = new Movements();
      // users may only spend what they hold; the external account can always pay in
      const from = op.from === 0 ? acct.extWxPay : acct.userCash(USERS[op.from - 1]!);
      const to = op.to === 0 ? acct.extPayout : acct.userCash(USERS[op.to - 1]!);
      mv.move(from, to, op.amount, 'test');
      await post(tx, `book:${op.book}`, { eventKey: `e${op.eventKey}`, type: 'test', postings: mv.postings });
    });
    return 'ok';
  } catch (err) {
    if (isDuplicateKeyError(err)) return 'duplicate';
    if ((err as { code?: string }).code === 'INSUFFICIENT_BALANCE') return 'insufficient';
    throw err;
  }
}

describe('ledger properties', () => {
  it(`random transfers, duplicated, retried and concurrent, create and lose nothing (seed ${SEED})`, async () => {
    const op = fc.record({ eventKey: fc.integer({ min: 1, max: 40 }), from: fc.integer({ min: 0, max: 4 }), to: fc.integer({ min: 0, max: 4 }), amount: fc.integer({ min: 1, max: 5000 }), book: fc.integer({ min: 0, max: 2 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }), async (batches) => {
        await app.close();
        app = await createTestApp();
        const applied = new Map<number, Op>();
        for (const batch of batches) {
          // each batch runs concurrently; some ops repeat an event key (a duplicate delivery)
          const results = await Promise.all(batch.map(async (o) => [o, await apply(o)] as const));
          for (const [o, r] of results) {
            // a transfer to the same account moves nothing and records nothing
            if (r === 'ok' && !(o.from === o.to && o.from !== 0)) {
              expect(applied.has(o.eventKey)).toBe(false); // an event never posts twice
              applied.set(o.eventKey, o);
            }
          }
        }
        const report = await verifyLedger(app.deps.store);
        expect(report.problems).toEqual([]);
        expect(report.assetSums.CASH ?? 0).toBe(0);
        // what came in minus what went out is exactly what the users hold
        const held = (await col(app.deps.store.db, 'balances').find({}).toArray()).reduce((a, b) => a + b.balance, 0);
        expect(held).toBe(0 - (report.systemBalances['CASH:ext:wxpay'] ?? 0) - (report.systemBalances['CASH:ext:payout'] ?? 0) + 0);
        for (const b of await col(app.deps.store.db, 'balances').find({}).toArray()) expect(b.balance).toBeGreaterThanOrEqual(0);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('verifyLedger detects an edited, a removed and an unbalanced journal entry', async () => {
    for (let i = 1; i <= 3; i++) await apply({ eventKey: i, from: 0, to: 1, amount: 100 * i, book: 0 });
    expect((await verifyLedger(app.deps.store)).ok).toBe(true);
    const journal = col(app.deps.store.db, 'journal');
    // edit an amount on both sides (still balanced): the hash chain catches it
    await journal.updateOne({ _id: 'book:0#2' }, { $set: { 'postings.0.amount': -150, 'postings.1.amount': 150 } });
    const edited = await verifyLedger(app.deps.store);
    expect(edited.ok).toBe(false);
    expect(JSON.stringify(edited.problems)).toMatch(/hash|balance/);
    await journal.deleteOne({ _id: 'book:0#3' });
    expect((await verifyLedger(app.deps.store)).problems.length).toBeGreaterThan(edited.problems.length);
  });

  it('a movement that would take a shopper below zero fails the whole event', async () => {
    expect(await apply({ eventKey: 1, from: 1, to: 2, amount: 1, book: 0 })).toBe('insufficient');
    expect(await col(app.deps.store.db, 'journal').countDocuments({})).toBe(0);
  });
});

describe('lock period', () => {
  it('the order day counts as day 1 (Asia/Shanghai)', () => {
    expect(eligibleDay('2026-08-01', 15)).toBe('2026-08-15');
    expect(eligibleDay('2026-08-02', 15)).toBe('2026-08-16');
    expect(eligibleDay('2026-12-20', 30)).toBe('2027-01-18');
  });
});
