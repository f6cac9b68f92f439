/**
 * A one-month what-if of a busy store (issue 14). A store runs for HISTORY_DAYS days with
 * ORDERS_PER_DAY orders a day — cashier payments at two cashiers, mall orders of three products
 * (confirmed the next day), store products — with the union queue and green points on, referrals,
 * the daily job every night (union releases), a few refunds and green withdrawals; everything
 * through the same services as production (payments recorded, then settled by the settler). Then
 * `admin.simulateConfig { config, days: 30 }` replays the last 30 days under the settings in force
 * and under a proposed ratio, and the time is measured: the whole call, and its parts (the period
 * read, the start state rebuilt, each replay), the documents read, the process's memory.
 */
import { handlePayment, completeOrder } from '../../server/src/services/orders';
import { runTransaction } from '../../server/src/repo/db';
import { loadConfig } from '../../server/src/services/config';
import { loadPeriod } from '../../server/src/services/simulation/period';
import { loadStart } from '../../server/src/services/simulation/start';
import { periodOf } from '../../server/src/services/simulation/simulate';
import { replay } from '../../server/src/engine/simulation/replay';
import { MAX_TX_DOCS } from '../../server/src/repo/db';
import { OWN_DOCS } from '../../server/src/services/settler/steps';
import type { PluginConfig } from '../../server/src/engine/config/types';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { ADMIN, emit, gc, log, openBenchApp, seeded } from '../lib/app';

const ORDERS_PER_DAY = Number(process.env.SIM_ORDERS_PER_DAY ?? 1000);
const HISTORY_DAYS = Number(process.env.SIM_HISTORY_DAYS ?? 45);
const PERIOD_DAYS = 30;
const SHOPPERS = Math.max(50, Math.round(ORDERS_PER_DAY * 1.5));
const DAY = 86_400_000;

const app = await openBenchApp();
const rnd = seeded(14);
const t0 = Date.now();
// history ends an hour before "now" (the call's clock), in Shanghai days
const now = new Date(Math.floor(Date.now() / DAY) * DAY + 4 * 3_600_000);
const startDay = now.getTime() - HISTORY_DAYS * DAY;

await app.configure((c) => {
  c.rebate.extractionBp = 5000;
  c.rebate.defaultRatioBp = 12000;
  c.union.enabled = true;
  c.union.poolShareBp = 2000;
  c.union.accelerationBp = 1000;
  c.green.enabled = true;
  c.green.poolShareBp = 1000;
  c.green.mintBp = 9000;
  c.green.exitMultipleBp = 15000;
});
const at0 = new Date(startDay);
const products: string[] = [];
for (const [name, price, cost] of [['大米', 9_900, 5_000], ['食用油', 6_800, 3_600], ['纸巾', 2_990, 1_500]] as const) {
  products.push((await app.call(ADMIN, 'admin', 'upsertProduct', { name, priceFen: price, costFen: cost, stock: 1_000_000, lockDays: 15 }, at0)).productId);
}
await app.call('merchant', 'user', 'login', {}, at0);
const store = await app.call('merchant', 'merchant', 'applyStore', { name: '基准门店' }, at0);
await app.call(ADMIN, 'admin', 'approveStore', { storeId: store.storeId, approve: true, commissionBp: 1500 }, at0);
const cashiers = [
  (await app.call('merchant', 'merchant', 'createCashier', { storeId: store.storeId, name: '1号收银台' }, at0)).cashierId,
  (await app.call('merchant', 'merchant', 'createCashier', { storeId: store.storeId, name: '2号收银台' }, at0)).cashierId,
];
const storeProduct = (await app.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: store.storeId, name: '茶叶', priceFen: 4_800, costFen: 2_000, stock: 1_000_000 }, at0)).productId;
// shoppers, a third of them invited by an earlier one
const invite: string[] = [];
for (let i = 0; i < SHOPPERS; i++) {
  const ref = i > 10 && i % 3 === 0 ? invite[rnd.below(i)] : undefined;
  invite.push((await app.call(`sh${i}`, 'user', 'login', ref ? { ref } : {}, at0)).inviteCode);
}
log(`simulate: ${SHOPPERS} shoppers, ${ORDERS_PER_DAY} orders a day for ${HISTORY_DAYS} days`);

let orders = 0;
let toComplete: { id: string; at: Date }[] = [];
for (let d = 0; d < HISTORY_DAYS; d++) {
  const dayStart = startDay + d * DAY;
  const spacing = (14 * 3_600_000) / ORDERS_PER_DAY; // 08:00–22:00 Shanghai
  for (const c of toComplete) await runTransaction(app.deps.store, c.at, (tx) => completeOrder(tx, c.id, { user: null, isAdmin: true }));
  toComplete = [];
  for (let i = 0; i < ORDERS_PER_DAY; i++) {
    const at = new Date(dayStart + i * spacing + rnd.below(60_000));
    const who = `sh${rnd.below(SHOPPERS)}`;
    const kind = rnd.below(10);
    let o: { orderId: string; cashFen: number };
    if (kind < 6) o = await app.call(who, 'order', 'cashier', { cashierId: cashiers[kind % 2], amountFen: 1_000 + rnd.below(20_000) }, at);
    else if (kind < 9) o = await app.call(who, 'order', 'create', { lines: [{ productId: products[kind - 6]!, qty: 1 + rnd.below(3) }] }, at);
    else o = await app.call(who, 'order', 'create', { lines: [{ productId: storeProduct, qty: 1 }] }, at);
    await handlePayment(app.deps, at, { outTradeNo: o.orderId, transactionId: `WX${o.orderId}`, totalFee: o.cashFen });
    if (kind >= 6) toComplete.push({ id: o.orderId, at: new Date(at.getTime() + DAY) });
    orders++;
  }
  await app.deps.settler.drain(new Date(dayStart + DAY - 1));
  // a few refunds (confirmed orders, by the platform) and green withdrawals
  for (let k = 0; k < Math.max(1, ORDERS_PER_DAY / 200); k++) {
    const who = `sh${rnd.below(SHOPPERS)}`;
    const at = new Date(dayStart + 23 * 3_600_000 + k * 1000);
    const mine = await app.call(who, 'green', 'mine', {}, at);
    if (mine.units > 10) await app.call(who, 'green', 'withdraw', { units: Math.floor(mine.units / 2) }, at);
  }
  const list = await app.call(`sh${rnd.below(SHOPPERS)}`, 'order', 'list', { status: 'completed', limit: 1 }, new Date(dayStart + 23 * 3_600_000 + 5000));
  if (list[0]) await app.call(ADMIN, 'order', 'refund', { orderId: list[0].orderId }, new Date(dayStart + 23 * 3_600_000 + 6000));
  await app.call(ADMIN, 'admin', 'runDaily', {}, new Date(dayStart + DAY + 60_000));
  if (d % 5 === 4) log(`  day ${d + 1}: ${orders} orders`);
}
for (const c of toComplete) await runTransaction(app.deps.store, c.at, (tx) => completeOrder(tx, c.id, { user: null, isAdmin: true }));
await app.deps.settler.drain(now);
const generationSeconds = (Date.now() - t0) / 1000;
log(`  history generated in ${generationSeconds.toFixed(0)} s`);

// the what-if: the ratio raised to 150%
const config = (await app.call(ADMIN, 'admin', 'getConfig', {}, now)) as PluginConfig;
const proposed = { ...config, rebate: { ...config.rebate, defaultRatioBp: 15000 } };
gc();
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
// SIM_CPU_PROFILE=<file>: a CPU profile of the simulation calls only (not of the history's generation)
const profiler = process.env.SIM_CPU_PROFILE ? new Session() : null;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const calls: number[] = [];
const cpu: number[] = [];
let answer: any;
for (let i = 0; i < Number(process.env.SIM_CALLS ?? 3); i++) {
  // wall time, and this process's CPU time: on a shared machine the second is what the call costs
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  answer = await app.call(ADMIN, 'admin', 'simulateConfig', { config: proposed, days: PERIOD_DAYS }, now);
  const used = process.cpuUsage(c);
  calls.push(Number(process.hrtime.bigint() - t) / 1e6);
  cpu.push((used.user + used.system) / 1000);
}
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(process.env.SIM_CPU_PROFILE!, JSON.stringify(profile));
}
// the parts of one call, timed one by one (the same functions the action runs)
const parts = await runTransaction(app.deps.store, now, async (tx) => {
  const current = await loadConfig(tx);
  const { from, to } = periodOf(now, PERIOD_DAYS);
  let t = process.hrtime.bigint();
  const lap = () => {
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    return ms;
  };
  const facts = await loadPeriod(tx, from, to, [current, proposed]);
  const periodMs = lap();
  const { start, reads } = await loadStart(tx, facts, { from, configs: [current, proposed], lotKey: Infinity });
  const startMs = lap();
  const input = { from, to, start, orders: facts.orders, referrers: facts.referrers, completions: facts.completions, events: facts.events, batchDocs: MAX_TX_DOCS - OWN_DOCS, seed: 1 };
  replay(input, current);
  const replayCurrentMs = lap();
  replay(input, proposed);
  const replayProposedMs = lap();
  return { periodMs, startMs, replayCurrentMs, replayProposedMs, periodReads: facts.reads, startReads: reads, startQueues: start.queues.length, startEntries: start.queues.reduce((a, q) => a + q.entries.length, 0), startUnloaded: start.queues.reduce((a, q) => a + q.unloaded.count, 0), startLots: start.green.lots.length };
});
clearInterval(sampler);
await app.close();

const sorted = [...calls].sort((a, b) => a - b);
const cpuSorted = [...cpu].sort((a, b) => a - b);
const r = {
  ordersPerDay: ORDERS_PER_DAY,
  historyDays: HISTORY_DAYS,
  periodDays: PERIOD_DAYS,
  shoppers: SHOPPERS,
  generationSeconds: +generationSeconds.toFixed(0),
  ordersInPeriod: answer.period.orders,
  eventsInPeriod: answer.period.events,
  callMs: calls.map((x) => +x.toFixed(0)),
  medianCallMs: +sorted[Math.floor(sorted.length / 2)]!.toFixed(0),
  cpuMs: cpu.map((x) => +x.toFixed(0)),
  medianCpuMs: +cpuSorted[Math.floor(cpuSorted.length / 2)]!.toFixed(0),
  loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)),
  reads: answer.work.reads,
  replays: answer.work.replays,
  parts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, +Number(v).toFixed(0)])),
  rssBeforeMB: Math.round(rssBefore / 1048576),
  peakRssMB: Math.round(peakRss / 1048576),
  bound: answer.bound,
  outstanding: { currentEndFen: answer.current.report.totals.queueEndFen, proposedEndFen: answer.proposed.report.totals.queueEndFen },
  fitsCloudFunction: sorted[Math.floor(sorted.length / 2)]! < 60_000,
};
log(`  simulateConfig (30 days, ${r.ordersInPeriod} orders, ${r.eventsInPeriod} other events): median ${r.medianCallMs} ms per call (${r.callMs.join(' / ')}), CPU ${r.medianCpuMs} ms, ${r.reads} documents read; parts: ${JSON.stringify(r.parts)}; peak RSS ${r.peakRssMB} MB`);
emit(r);
