/**
 * The daily union release over 10⁵ eligible entries and a forced-exit cascade over 10⁵ green
 * lots, on a durable data directory: total time, transactions used and the largest transaction
 * (documents written and journal bytes, read back from the journal). The fixtures are bulk-loaded
 * with a balancing journal entry (verifyLedger holds before and after); the release runs through
 * admin.runDaily, the cascade through the settler (started because the pool's version changed),
 * both as bounded settler transactions (≤ MAX_TX_DOCS documents each).
 *
 * A third release runs while shoppers pay at a cashier: its steps and the batches of their orders
 * take turns, and each payment's wait is measured.
 *
 * The apps deliver no message on their own (outbox 'off'), as in WeChat cloud, where the `outbox`
 * function delivers a job's messages in another instance while the job goes on: a job's time is
 * its settler steps'. The messages each job queued are then delivered here, and timed apart
 * (in the local gateway both share one process: the sum of the two).
 */
import * as fs from 'node:fs';
import { acct } from '../../server/src/engine/ledger/accounts';
import { exitPriceKey } from '../../server/src/engine/green/pool';
import { col, MAX_TX_DOCS } from '../../server/src/repo/db';
import type { GreenLotDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import { verifyLedger } from '../../server/src/repo/ledger';
import { PLAN_READS } from '../../server/src/services/settler/release';
import { ADMIN, benchShop, emit, log, median, openBenchApp, percentile, scanJournal, tmpDir, type BenchApp, type CommitInfo } from '../lib/app';
import { UNION_MEMO } from '../../server/src/engine/union/memos';

const N = Number(process.env.JOBS_N ?? 100_000);
const USERS = 200;
/** time given to delivering a job's messages afterwards (10⁵ of them would take minutes) */
const DELIVERY_MS = 15_000;

function summarize(commits: CommitInfo[]) {
  const largest = commits.reduce((a, c) => (c.docs > a.docs ? c : a), { docs: 0, bytes: 0, byColl: {} } as CommitInfo);
  return { journalCommits: commits.length, largestDocs: largest.docs, largestBytes: largest.bytes, largestByCollection: largest.byColl, totalDocs: commits.reduce((a, c) => a + c.docs, 0) };
}

const dir = tmpDir('jobs');
const app = await openBenchApp({ dir, fsync: 'always', outbox: 'off' });
const configure = (a: BenchApp) => a.configure((c) => {
  c.rebate.enabled = false;
  c.union.enabled = true;
  c.green.enabled = true;
  c.green.exitMultipleBp = 20000;
  c.green.withdrawFeeBp = 1000;
});
await configure(app);

/**
 * Load n eligible union entries of `shoppers` shoppers (round robin, so consecutive entries belong
 * to different shoppers) with a pool that pays them all, run the day's release, read back its commits.
 */
async function releaseRun(app: BenchApp, dir: string, n: number, shoppers: number, prefix: string, during?: (jobDone: () => Promise<boolean>) => Promise<unknown>) {
  const db = app.deps.store.db;
  log(`jobs: loading ${n} eligible union entries of ${shoppers} shoppers`);
  const perUser = new Map<string, number>();
  for (let i = 1; i <= n; i += 20_000) {
    const docs: UnionEntryDoc[] = [];
    for (let j = i; j < Math.min(n + 1, i + 20_000); j++) {
      const userId = `${prefix}${j % shoppers}`;
      perUser.set(userId, (perUser.get(userId) ?? 0) + 10_000);
      docs.push({ _id: `ub:${j}`, seq: j, userId, orderId: `ob${j}`, lineIndex: 0, entitlementFen: 10_000, receivedFen: 0, status: 'pending', lockDays: 15, orderDay: '2026-08-01', eligibleDay: '2026-08-15', createdAt: new Date('2026-08-01T04:00:00Z'), closedAt: null });
    }
    await col(db, 'union_entries').insertMany(docs);
  }
  const poolFen = n * 10_000;
  await col(db, 'union_state').updateOne({ _id: 'union' }, { $set: { poolFen, nextSeq: n, pendingCount: n, pendingFen: n * 10_000, inflowFen: poolFen, releasedFen: 0 } }, { upsert: true });
  await app.fund('fixture:union', [[acct.extWxPay, acct.unionPool, poolFen]]);
  // the shoppers' entitlements, 200 shoppers per fixture entry (one transaction each, within the bound)
  const users = [...perUser];
  for (let k = 0; k < users.length; k += 200) {
    await app.fund(`fixture:union:${k}`, users.slice(k, k + 200).map(([u, fen]) => [acct.unionEntitlementIssuer, acct.userUnionEntitlement(u), fen, UNION_MEMO.issued] as [string, string, number, string]));
  }
  const before = scanJournal(dir).length;
  const t = Date.now();
  // (runDaily runs the settler until nothing is due: with payments still coming, that is after they stop)
  const jobDone = async () => (await col(db, 'jobs').findOne({ _id: 'union-release:2026-08-15' }))?.status === 'done';
  const [daily] = await Promise.all([app.call(ADMIN, 'admin', 'runDaily', { day: '2026-08-15' }, new Date('2026-08-15T00:00:05+08:00')), during?.(jobDone)]);
  const release = daily.union;
  const ms = Date.now() - t;
  const commits = scanJournal(dir).slice(before);
  log(`  union release (${shoppers} shoppers): ${release.released} entries, ${release.transactions} transactions, ${ms} ms`);
  // (with payments during the release, its messages are not delivered afterwards: the other runs measure that)
  const delivery = during ? undefined : await deliver(app);
  return { entries: n, shoppers, released: release.released, paidFen: release.paidFen, ms, transactions: release.transactions, delivery, ...summarize(commits) };
}

/**
 * Deliver the messages the outbox holds (what the \`outbox\` function does), for at most
 * DELIVERY_MS: the count handled (sent, or skipped for want of a subscription: the fixture's
 * shoppers have none) and the rate.
 */
async function deliver(app: BenchApp): Promise<{ messages: number; ms: number; left: boolean }> {
  const t = Date.now();
  let messages = 0;
  let left = true;
  while (Date.now() - t < DELIVERY_MS) {
    const r = await app.deps.outbox.drain(new Date(), 20);
    messages += r.done + r.skipped + r.dead;
    if (!r.more) {
      left = false;
      break;
    }
  }
  const ms = Date.now() - t;
  log(`  its messages afterwards: ${messages} handled in ${ms} ms (${Math.round((messages * 1000) / Math.max(1, ms))}/s)${left ? ', the rest left to the outbox function' : ''}`);
  return { messages, ms, left };
}

const unionRelease = await releaseRun(app, dir, N, USERS, 'UU');

/** Load N green lots of USERS shoppers, all due to exit, and run the settler until the cascade is done. */
async function cascadeRun(app: BenchApp, dir: string | null) {
  const db = app.deps.store.db;
  log(`jobs: loading ${N} green lots${dir ? '' : ' (in-memory engine)'}`);
  const perUser = new Map<string, number>();
  for (let i = 0; i < N; i += 20_000) {
    const docs: GreenLotDoc[] = [];
    for (let j = i; j < Math.min(N, i + 20_000); j++) {
      const userId = `GU${j % USERS}`;
      const lot = { units: 10_000, consumptionFen: 50 };
      perUser.set(userId, (perUser.get(userId) ?? 0) + lot.units);
      docs.push({ _id: `gl:${j}`, userId, orderId: null, ...lot, exitKey: exitPriceKey(lot, 20000), status: 'active', createdAt: new Date() });
    }
    await col(db, 'green_lots').insertMany(docs);
  }
  // 1 point bought for ¥0.50 each; the pool backs ¥1.20 per point: every lot is at 2.4× and exits.
  const poolFen = N * 120;
  // a new pool version: the settler checks for lots due to exit
  await col(db, 'green_state').updateOne({ _id: 'green' }, { $set: { poolFen, totalUnits: N * 10_000, lastPriceNum: 100, lastPriceDen: 10_000, inflowFen: poolFen, paidOutFen: 0 }, $inc: { version: 1 } }, { upsert: true });
  await app.fund('fixture:green', [[acct.extWxPay, acct.greenPool, poolFen], ...[...perUser].map(([u, units]) => [acct.greenIssuer, acct.userGreen(u), units] as [string, string, number])]);
  const before = dir ? scanJournal(dir).length : 0;
  const t = Date.now();
  await app.deps.settler.drain();
  const ms = Date.now() - t;
  const commits = dir ? scanJournal(dir).slice(before) : [];
  const exited = await col(db, 'green_lots').countDocuments({ status: 'exited' });
  log(`  forced exits${dir ? '' : ' (in-memory engine)'}: ${exited} lots, ${dir ? `${commits.length} transactions, ` : ''}${ms} ms`);
  return { exited, ms, commits };
}

const cascade = await cascadeRun(app, dir);
const cascadeDelivery = await deliver(app);

const ledger = await verifyLedger(app.deps.store);
await app.close();
fs.rmSync(dir, { recursive: true, force: true });

// the same release where no two entries share a shopper: every entry writes its shopper's two
// balances and two ledger rows (the case paying shopper by shopper cannot shorten)
const dir2 = tmpDir('jobs-distinct');
const app2 = await openBenchApp({ dir: dir2, fsync: 'always', outbox: 'off' });
await configure(app2);
const distinctRelease = await releaseRun(app2, dir2, N, N, 'UD');
const ledger2 = await verifyLedger(app2.deps.store);
await app2.close();
fs.rmSync(dir2, { recursive: true, force: true });

/**
 * Payments while a release runs: its steps and batches of due orders take turns (steps.ts), so a
 * payment settles after one release step, not after the release. 8 shoppers pay at a cashier in a
 * loop (local order.pay: it answers once its payment is settled) while a release of N/5 entries,
 * one per shopper, runs; the release's time here includes those batches.
 */
const DURING_N = Math.max(1_000, Math.floor(N / 5));
const dir4 = tmpDir('jobs-during');
const app4 = await openBenchApp({ dir: dir4, fsync: 'always', outbox: 'off' });
await configure(app4);
const { cashierId } = await benchShop(app4);
const payers = Array.from({ length: 8 }, (_, i) => `during-${i}`);
for (const who of payers) await app4.call(who, 'user', 'login');
const payMs: number[] = [];
let paidDuring = 0;
const duringRelease = await releaseRun(app4, dir4, DURING_N, DURING_N, 'UP', async (jobDone) => {
  await Promise.all(
    payers.map(async (who) => {
      while (!(await jobDone())) {
        const o = await app4.call(who, 'order', 'cashier', { cashierId, amountFen: 10_000 });
        const t = performance.now();
        await app4.call(who, 'order', 'pay', { orderId: o.orderId });
        // (every payment made while the release ran counts, however long it waited)
        payMs.push(performance.now() - t);
        paidDuring++;
      }
    }),
  );
});
const unsettled = await col(app4.deps.store.db, 'orders').countDocuments({ settleDue: true });
const ledger4 = await verifyLedger(app4.deps.store);
await app4.close();
fs.rmSync(dir4, { recursive: true, force: true });
const payDuring = { payments: paidDuring, payP50Ms: +median(payMs).toFixed(1), payP99Ms: +percentile(payMs, 99).toFixed(1), payMaxMs: +Math.max(0, ...payMs).toFixed(1), unsettled };
log(`  payments during that release: ${paidDuring}, order.pay p50 ${payDuring.payP50Ms} ms, p99 ${payDuring.payP99Ms} ms, max ${payDuring.payMaxMs} ms; release ${duringRelease.ms} ms`);

// where the cascade's time goes: the same cascade without the journal (in-memory engine, no
// BSON framing, no fdatasync): what the engine's in-memory work per document comes to
const app3 = await openBenchApp({ outbox: 'off' });
await configure(app3);
const inMemory = await cascadeRun(app3, null);
const ledger3 = await verifyLedger(app3.deps.store);
await app3.close();

emit({
  n: N,
  durability: "DATA_DIR, fsync 'always'",
  bound: MAX_TX_DOCS,
  planReads: PLAN_READS,
  unionRelease,
  distinctRelease,
  duringRelease: { ...duringRelease, ...payDuring },
  exitCascade: { lots: N, exited: cascade.exited, ms: cascade.ms, transactions: cascade.commits.length, delivery: cascadeDelivery, ...summarize(cascade.commits) },
  exitCascadeInMemory: { exited: inMemory.exited, ms: inMemory.ms },
  ledgerOk: ledger.ok && ledger2.ok && ledger3.ok && ledger4.ok,
  ledgerProblems: [...ledger.problems, ...ledger2.problems, ...ledger3.problems, ...ledger4.problems].slice(0, 5),
});
