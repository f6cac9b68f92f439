/**
 * Production shape (SPEC §9): INSTANCES app instances — each its own dependencies and settler,
 * no shared in-process state — on one embedded database, every database operation delayed by
 * LATENCY_MS (a round trip to a real server). SHOPPERS per instance loop order.cashier +
 * payNotify.notify on ONE hot cashier queue, each call on a random instance, for SECONDS.
 * Payments per second, payNotify latency, settlement lag (recorded → settled) and transaction
 * attempts per committed transaction (the retry cost of conflicts), the largest transaction.
 */
import { col, resetTxStats, txStats } from '../../server/src/repo/db';
import type { OrderDoc } from '../../server/src/repo/documents';
import { verifyLedger } from '../../server/src/repo/ledger';
import { openCluster } from '../../tests/support/instances';
import { emit, log, median, percentile } from '../lib/app';

const INSTANCES = Number(process.env.SIM_INSTANCES ?? 4);
const SHOPPERS = Number(process.env.SIM_SHOPPERS ?? 64);
const LATENCY_MS = Number(process.env.SIM_LATENCY_MS ?? 2);
const SECONDS = Number(process.env.SIM_SECONDS ?? 20);
const ADMIN = 'sim-admin';

const cluster = await openCluster({ instances: INSTANCES, latencyMs: LATENCY_MS, admins: [ADMIN] });
const insts = cluster.instances;
const ok = async (i: number, openid: string | null, fn: string, event: Record<string, unknown>) => {
  const r = await insts[i]!.call(openid, fn, event);
  if (!r.ok) throw new Error(`${fn}.${String(event.action)}: ${r.error.code} ${r.error.message}`);
  return r.data;
};
await ok(0, ADMIN, 'user', { action: 'login' });
const config = await ok(0, ADMIN, 'admin', { action: 'getConfig' });
config.rebate.extractionBp = 6500;
config.rebate.defaultRatioBp = 13000;
await ok(0, ADMIN, 'admin', { action: 'setConfig', config });
await ok(0, 'sim-merchant', 'user', { action: 'login' });
const st = await ok(0, 'sim-merchant', 'merchant', { action: 'applyStore', name: '热门门店' });
await ok(0, ADMIN, 'admin', { action: 'approveStore', storeId: st.storeId, approve: true, commissionBp: 1000 });
const { cashierId } = await ok(0, 'sim-merchant', 'merchant', { action: 'createCashier', storeId: st.storeId, name: '1号收银台' });
const shoppers = Array.from({ length: INSTANCES * SHOPPERS }, (_, i) => `sim-${i}`);
for (const s of shoppers) await ok(0, s, 'user', { action: 'login' });
for (const i of insts) resetTxStats(i.deps.store);
log(`instances: ${INSTANCES} instances × ${SHOPPERS} shoppers, ${LATENCY_MS} ms per database operation, ${SECONDS} s`);

const notifyMs: number[] = [];
let payments = 0;
let errors = 0;
const end = Date.now() + SECONDS * 1000;
const t0 = Date.now();
await Promise.all(
  shoppers.map(async (who, w) => {
    let n = 0;
    while (Date.now() < end) {
      const a = (w + n) % INSTANCES;
      const b = (w * 3 + n + 1) % INSTANCES;
      n++;
      const o = await ok(a, who, 'order', { action: 'cashier', cashierId, amountFen: 100 + ((w * 7919 + n) % 20_000) }).catch(() => null);
      if (!o) {
        errors++;
        continue;
      }
      const t = Date.now();
      const r = await insts[b]!.call(null, 'payNotify', { action: 'notify', outTradeNo: o.orderId, transactionId: `WX${o.orderId}`, totalFee: o.cashFen, resultCode: 'SUCCESS' });
      notifyMs.push(Date.now() - t);
      if (r.ok && r.data.errcode === 0) payments++;
      else errors++;
    }
  }),
);
const seconds = (Date.now() - t0) / 1000;
// What is left after the load, settled by one instance's settler alone (the others idle): its
// rate at this latency, without 256 shoppers' calls sharing the one event loop of this process.
// (Several settle calls in WeChat, each a pass of at most 40 s; here one drain without the local
// 60 s limit of settle.run.)
const db = insts[0]!.deps.store.db;
const backlog = await col(db, 'orders').countDocuments({ settleDue: true });
const td = Date.now();
await insts[0]!.deps.settler.drain(new Date(), 900_000);
const drainMs = Date.now() - td;
const orders = (await col(db, 'orders').find({ kind: 'cashier', status: 'completed' }).toArray()) as OrderDoc[];
const lags = orders.filter((o) => o.settledWallAt).map((o) => o.settledWallAt!.getTime() - o.paidAt!.getTime());
const stats = insts.map((i) => txStats(i.deps.store));
const attempts = stats.reduce((x, s) => x + s.attempts, 0);
const commits = stats.reduce((x, s) => x + s.commits, 0);
const ledger = await verifyLedger(insts[0]!.deps.store);
await cluster.close();
const r = {
  instances: INSTANCES,
  shoppersPerInstance: SHOPPERS,
  latencyMs: LATENCY_MS,
  seconds: +seconds.toFixed(1),
  payments,
  paymentsPerSecond: +(payments / seconds).toFixed(1),
  notify: { p50Ms: median(notifyMs), p99Ms: percentile(notifyMs, 99) },
  settleLagMs: { p50: median(lags), p99: percentile(lags, 99), max: Math.max(...lags) },
  transactions: { attempts, commits, attemptsPerCommit: +(attempts / commits).toFixed(3), largestDocs: Math.max(...stats.map((s) => s.maxDocs)) },
  errors,
  drain: { backlog, ms: drainMs, perSecond: +(backlog / Math.max(0.001, drainMs / 1000)).toFixed(1) },
  ledgerOk: ledger.ok,
};
log(
  `  ${r.paymentsPerSecond} payments/s, payNotify p50 ${r.notify.p50Ms} ms p99 ${r.notify.p99Ms} ms, settle lag p50 ${r.settleLagMs.p50} ms p99 ${r.settleLagMs.p99} ms, ` +
    `${r.transactions.attemptsPerCommit} attempts per committed transaction, largest ${r.transactions.largestDocs} documents, ledger ${ledger.ok ? 'ok' : 'NOT OK'}; ` +
    `after the load ${backlog} payments still to settle, settled by one settler in ${drainMs} ms (${r.drain.perSecond}/s)`,
);
emit(r);
