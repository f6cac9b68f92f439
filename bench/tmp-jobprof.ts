import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { acct } from '../server/src/engine/ledger/accounts';
import { exitPriceKey } from '../server/src/engine/green/pool';
import { col } from '../server/src/repo/db';
import type { GreenLotDoc, UnionEntryDoc } from '../server/src/repo/documents';
import { ADMIN, openBenchApp, tmpDir } from './lib/app';
const N = Number(process.env.JOBS_N ?? 20_000);
const USERS = 200;
const durable = process.env.DURABLE !== '0';
const dir = durable ? tmpDir('jobs') : undefined;
const app = await openBenchApp(durable ? { dir, fsync: (process.env.FSYNC as any) ?? 'always' } : {});
await app.configure((c) => { c.rebate.enabled = false; c.union.enabled = true; c.green.enabled = true; c.green.exitMultipleBp = 20000; c.green.withdrawFeeBp = 1000; });
const db = app.deps.store.db;
const perUser = new Map<string, number>();
const docs: UnionEntryDoc[] = [];
for (let j = 1; j <= N; j++) { const userId = `UU${j % USERS}`; perUser.set(userId, (perUser.get(userId) ?? 0) + 10_000);
  docs.push({ _id: `ub:${j}`, seq: j, userId, orderId: `ob${j}`, lineIndex: 0, entitlementFen: 10_000, receivedFen: 0, status: 'pending', lockDays: 15, orderDay: '2026-08-01', eligibleDay: '2026-08-15', createdAt: new Date('2026-08-01T04:00:00Z'), closedAt: null }); }
await col(db, 'union_entries').insertMany(docs);
const poolFen = N * 10_000;
await col(db, 'union_state').updateOne({ _id: 'union' }, { $set: { poolFen, nextSeq: N, pendingCount: N, pendingFen: N * 10_000, inflowFen: poolFen, releasedFen: 0 } }, { upsert: true });
await app.fund('fixture:union', [[acct.extWxPay, acct.unionPool, poolFen], ...[...perUser].map(([u, fen]) => [acct.unionEntitlementIssuer, acct.userUnionEntitlement(u), fen] as [string, string, number])]);
{ const gd: GreenLotDoc[] = []; const pu = new Map<string, number>();
  for (let j = 0; j < N; j++) { const userId = `GU${j % USERS}`; const lot = { units: 10_000, consumptionFen: 50 }; pu.set(userId, (pu.get(userId) ?? 0) + lot.units);
    gd.push({ _id: `gl:${j}`, userId, orderId: null, ...lot, exitKey: exitPriceKey(lot, 20000), status: 'active', createdAt: new Date() }); }
  await col(db, 'green_lots').insertMany(gd);
  await app.fund('fixture:green', [[acct.extWxPay, acct.greenPool, N * 120], ...[...pu].map(([u, units]) => [acct.greenIssuer, acct.userGreen(u), units] as [string, string, number])]);
}
const PROF = process.env.PROF === "1"; const s = new Session(); if (PROF) { s.connect(); await s.post("Profiler.enable"); await s.post("Profiler.start"); }
let t = Date.now();
const release = (await app.call(ADMIN, 'admin', 'runDaily', { day: '2026-08-15' }, new Date('2026-08-15T00:00:05+08:00'))).union;
console.log('release', release.released, release.transactions, Date.now() - t, 'ms');
await col(db, 'green_state').updateOne({ _id: 'green' }, { $set: { poolFen: N * 120, totalUnits: N * 10_000, lastPriceNum: 100, lastPriceDen: 10_000, inflowFen: N * 120, paidOutFen: 0 }, $inc: { version: 1 } }, { upsert: true });
t = Date.now();
await app.deps.settler.drain();
console.log('exits', Date.now() - t, 'ms');
if (PROF) { const { profile } = await s.post("Profiler.stop");
fs.writeFileSync("/tmp/prof/job.cpuprofile", JSON.stringify(profile)); }
await app.close();
if (dir) fs.rmSync(dir, { recursive: true, force: true });
