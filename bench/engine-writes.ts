/**
 * Write-path micro-benchmark of the embedded engine (memory only):
 *
 *   node --import tsx bench/engine-writes.ts            # every part, N = 10⁴
 *   ENGINE_N=100000 node --import tsx bench/engine-writes.ts updates upserts
 *   JOBS_N=100000 node --import tsx bench/engine-writes.ts release exits
 *   ENGINE_PROFILE=/tmp/prof node --import tsx bench/engine-writes.ts release   # CPU profile of the measured part
 *   (ENGINE_HEAP_PROFILE=1 adds a sampling heap profile of its allocations)
 *
 * Parts (each on a fresh client):
 *   updates  bulkWrite of N `updateOne({ _id, status: 'pending' }, { $set, $inc })` in transactions
 *            of CHUNK operations, on a collection with the six union_entries indexes
 *   upserts  bulkWrite of N `updateOne({ _id }, { $inc: { balance, seq }, $setOnInsert }, upsert)`
 *            (half of them insert, half update), in transactions of CHUNK operations
 *   inserts  insertMany of N small documents (postings rows, two indexes), CHUNK per transaction
 *   release  the product's daily union release of JOBS_N entries (admin.runDaily, settler chunks)
 *   exits    the product's forced-exit cascade over JOBS_N green lots (settler drain)
 *
 * Figures are printed; nothing passes or fails on timing.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { openEmbeddedClient } from '../server/src/db';
import { acct } from '../server/src/engine/ledger/accounts';
import { exitPriceKey } from '../server/src/engine/green/pool';
import { col } from '../server/src/repo/db';
import type { GreenLotDoc, UnionEntryDoc } from '../server/src/repo/documents';
import { ADMIN, openBenchApp } from './lib/app';
import { UNION_MEMO } from '../server/src/engine/union/memos';

const N = Number(process.env.ENGINE_N ?? 10_000);
const JOBS_N = Number(process.env.JOBS_N ?? 10_000);
const CHUNK = Number(process.env.ENGINE_CHUNK ?? 100);
const USERS = 50;

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const want = (p: string) => wanted.length === 0 || wanted.includes(p);

/** Wall time, and this process' CPU time (less disturbed by other processes on a shared machine). */
interface Took {
  ms: number;
  cpuMs: number;
}

function report(label: string, n: number, took: Took, docsPerOp = 1) {
  const us = (took.ms * 1000) / n;
  console.log(
    `${label.padEnd(34)} n=${String(n).padStart(6)}  ${took.ms.toFixed(0).padStart(6)} ms (cpu ${took.cpuMs.toFixed(0).padStart(6)} ms)  ${us.toFixed(1).padStart(7)} µs/op  ${(us / docsPerOp).toFixed(1).padStart(7)} µs/doc`,
  );
}

/** ENGINE_PROFILE=<dir>: a CPU profile of each measured part alone (without its setup) goes there. */
const PROFILE_DIR = process.env.ENGINE_PROFILE;
/** ENGINE_HEAP_PROFILE=1 (with ENGINE_PROFILE): also a sampling heap profile (allocation sites) */
const HEAP = process.env.ENGINE_HEAP_PROFILE === '1';
let profiled = 0;

async function timed(fn: () => Promise<unknown>): Promise<Took> {
  const session = PROFILE_DIR ? new inspector.Session() : null;
  const post = (method: string, params?: object) => new Promise<unknown>((res, rej) => session!.post(method, params, (e, r) => (e ? rej(e) : res(r))));
  if (session) {
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
    // every allocation, also of objects already collected (what GC pays for)
    if (HEAP) await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await fn();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  if (session) {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    fs.mkdirSync(PROFILE_DIR!, { recursive: true });
    fs.writeFileSync(path.join(PROFILE_DIR!, `engine-writes-${++profiled}.cpuprofile`), JSON.stringify(profile));
    if (HEAP) {
      const heap = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
      fs.writeFileSync(path.join(PROFILE_DIR!, `engine-writes-${profiled}.heapprofile`), JSON.stringify(heap.profile));
    }
    session.disconnect();
  }
  return { ms, cpuMs };
}

const entry = (i: number): UnionEntryDoc => ({
  _id: `e:${i}`,
  seq: i,
  userId: `U${i % USERS}`,
  orderId: `o${i}`,
  lineIndex: 0,
  entitlementFen: 100,
  receivedFen: 0,
  status: 'pending',
  lockDays: 15,
  orderDay: '2026-08-01',
  eligibleDay: '2026-08-15',
  createdAt: new Date('2026-08-01T00:00:00Z'),
  closedAt: null,
});

async function inChunks(client: Awaited<ReturnType<typeof openEmbeddedClient>>, n: number, fn: (from: number, to: number, session: ReturnType<typeof client.startSession>) => Promise<unknown>) {
  const session = client.startSession();
  for (let from = 0; from < n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK);
    await session.withTransaction(() => fn(from, to, session));
  }
  await session.endSession();
}

if (want('updates')) {
  const client = await openEmbeddedClient({});
  const c = client.db('bench').collection<UnionEntryDoc>('union_entries');
  await c.createIndex({ seq: 1 }, { unique: true });
  await c.createIndex({ orderId: 1 });
  await c.createIndex({ status: 1, seq: 1 });
  await c.createIndex({ status: 1, eligibleDay: 1, seq: 1 });
  await c.createIndex({ userId: 1, status: 1, seq: 1 });
  await c.createIndex({ userId: 1, createdAt: -1 });
  await c.insertMany(Array.from({ length: N }, (_, i) => entry(i)));
  const at = new Date('2026-08-15T00:00:00Z');
  const took = await timed(() =>
    inChunks(client, N, (from, to, session) =>
      c.bulkWrite(
        Array.from({ length: to - from }, (_, k) => ({
          updateOne: { filter: { _id: `e:${from + k}`, status: 'pending' as const }, update: { $set: { status: 'completed' as const, closedAt: at, receivedFen: 100 }, $inc: { lineIndex: 1 } } },
        })),
        { session, ordered: true },
      ),
    ),
  );
  report('bulkWrite updateOne $set+$inc (6 ix)', N, took);
  await client.close();
}

if (want('upserts')) {
  const client = await openEmbeddedClient({});
  const c = client.db('bench').collection<{ _id: string; balance: number; seq: number; userId: string; asset: string }>('balances');
  await c.createIndex({ userId: 1 });
  // half of the accounts exist: the other half is inserted by the upserts
  await c.insertMany(Array.from({ length: N / 2 }, (_, i) => ({ _id: `a:${i * 2}`, balance: 0, seq: 0, userId: `U${i % USERS}`, asset: 'CASH' })));
  const took = await timed(() =>
    inChunks(client, N, (from, to, session) =>
      c.bulkWrite(
        Array.from({ length: to - from }, (_, k) => ({
          updateOne: { filter: { _id: `a:${from + k}` }, update: { $inc: { balance: 100, seq: 1 }, $setOnInsert: { userId: `U${(from + k) % USERS}`, asset: 'CASH' } }, upsert: true },
        })),
        { session, ordered: true },
      ),
    ),
  );
  report('bulkWrite upsert $inc+$setOnInsert', N, took);
  await client.close();
}

if (want('inserts')) {
  const client = await openEmbeddedClient({});
  const c = client.db('bench').collection<{ _id: string } & Record<string, unknown>>('postings');
  await c.createIndex({ userId: 1, at: -1 });
  await c.createIndex({ account: 1, seq: 1 });
  const at = new Date('2026-08-15T00:00:00Z');
  const took = await timed(() =>
    inChunks(client, N, (from, to, session) =>
      c.insertMany(
        Array.from({ length: to - from }, (_, k) => {
          const i = from + k;
          return { _id: `p:${i}`, userId: `U${i % USERS}`, account: `CASH:U${i % USERS}`, asset: 'CASH', amount: 100, seq: i, balanceAfter: i * 100, type: 'union.release', memo: '', eventKey: `ev:${i}`, at };
        }),
        { session },
      ),
    ),
  );
  report('insertMany postings (2 ix)', N, took);
  await client.close();
}

if (want('release')) {
  const app = await openBenchApp({});
  await app.configure((c) => {
    c.rebate.extractionBp = 1000;
    c.union.enabled = true;
    c.green.enabled = true;
  });
  const db = app.deps.store.db;
  const perUser = new Map<string, number>();
  const entries: UnionEntryDoc[] = [];
  for (let i = 1; i <= JOBS_N; i++) {
    const e = { ...entry(i), _id: `fx:${i}` };
    entries.push(e);
    perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 100);
  }
  await col(db, 'union_entries').insertMany(entries);
  const poolFen = JOBS_N * 100;
  await col(db, 'union_state').updateOne({ _id: 'union' }, { $set: { poolFen, nextSeq: JOBS_N, pendingCount: JOBS_N, pendingFen: JOBS_N * 100, inflowFen: poolFen, releasedFen: 0 } }, { upsert: true });
  await app.fund('fixture:union', [[acct.extWxPay, acct.unionPool, poolFen], ...[...perUser].map(([u, fen]) => [acct.unionEntitlementIssuer, acct.userUnionEntitlement(u), fen, UNION_MEMO.issued] as [string, string, number, string])]);
  let released = 0;
  const took = await timed(async () => {
    released = (await app.call(ADMIN, 'admin', 'runDaily', { day: '2026-08-15' }, new Date('2026-08-15T00:00:10+08:00'))).union.released;
  });
  report(`union release (${released} entries)`, JOBS_N, took, 5);
  await app.close();
}

if (want('exits')) {
  const app = await openBenchApp({});
  await app.configure((c) => {
    c.rebate.extractionBp = 1000;
    c.union.enabled = true;
    c.green.enabled = true;
    c.green.exitMultipleBp = 20000;
    c.green.withdrawFeeBp = 1000;
  });
  const db = app.deps.store.db;
  const lots: GreenLotDoc[] = [];
  const perUser = new Map<string, number>();
  for (let i = 0; i < JOBS_N; i++) {
    const userId = `G${i % USERS}`;
    const lot = { units: 10_000, consumptionFen: 50 };
    lots.push({ _id: `gl:${i}`, userId, orderId: null, ...lot, exitKey: exitPriceKey(lot, 20000), status: 'active', createdAt: new Date() });
    perUser.set(userId, (perUser.get(userId) ?? 0) + lot.units);
  }
  await col(db, 'green_lots').insertMany(lots);
  const poolFen = JOBS_N * 120;
  await col(db, 'green_state').updateOne({ _id: 'green' }, { $set: { poolFen, totalUnits: JOBS_N * 10_000, lastPriceNum: 100, lastPriceDen: 10_000, inflowFen: poolFen, paidOutFen: 0 }, $inc: { version: 1 } }, { upsert: true });
  await app.fund('fixture:green', [[acct.extWxPay, acct.greenPool, poolFen], ...[...perUser].map(([u, units]) => [acct.greenIssuer, acct.userGreen(u), units] as [string, string, number])]);
  const took = await timed(() => app.deps.settler.drain());
  const exited = await col(db, 'green_lots').countDocuments({ status: 'exited' });
  report(`exit cascade (${exited} lots)`, JOBS_N, took, 5);
  await app.close();
}
