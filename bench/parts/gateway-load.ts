/**
 * The local gateway under load from a separate process on 127.0.0.1: the gateway is the real
 * `server/src/gateway/main.ts` (durable DATA_DIR, fsync 'always'); this process drives
 * CONCURRENCY shoppers, each looping order.cashier + order.pay over keep-alive HTTP, for
 * DURATION seconds. Requests per second and p50/p99 latency per action and per pair.
 */
import * as fs from 'node:fs';
import { emit, log, median, percentile, tmpDir } from '../lib/app';
import { api, gatewayShop, must, procMemoryMB, startGateway } from '../lib/gateway';

const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 32);
const DURATION_S = Number(process.env.LOAD_SECONDS ?? 20);

const dir = tmpDir('load');
const gw = await startGateway({ dataDir: dir });
log(`gateway up in ${gw.startMs} ms on ${gw.url}; ${CONCURRENCY} shoppers for ${DURATION_S} s`);
const { cashierId } = await gatewayShop(gw.url);
const shoppers = Array.from({ length: CONCURRENCY }, (_, i) => `load-${i}`);
for (const s of shoppers) await must(api(gw.url, s, 'user', 'login'));
// warm-up
for (let i = 0; i < 30; i++) {
  const o = await must(api(gw.url, shoppers[0]!, 'order', 'cashier', { cashierId, amountFen: 10_000 }));
  await must(api(gw.url, shoppers[0]!, 'order', 'pay', { orderId: o.orderId }));
}

const lat = { cashier: [] as number[], pay: [] as number[], pair: [] as number[] };
let errors = 0;
const end = Date.now() + DURATION_S * 1000;
const t0 = process.hrtime.bigint();
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
await Promise.all(
  shoppers.map(async (who, w) => {
    let i = 0;
    while (Date.now() < end) {
      const a = process.hrtime.bigint();
      const c = await api(gw.url, who, 'order', 'cashier', { cashierId, amountFen: 1000 + ((w * 7919 + i++) % 20_000), requestId: `load-${w}-${i}-req` });
      lat.cashier.push(ms(a));
      if (!c.ok) {
        errors++;
        continue;
      }
      const b = process.hrtime.bigint();
      const p = await api(gw.url, who, 'order', 'pay', { orderId: c.data.orderId });
      lat.pay.push(ms(b));
      lat.pair.push(ms(a));
      if (!p.ok || p.data.order.status !== 'completed') errors++;
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const mem = procMemoryMB(gw.child.pid!);
// admin.verifyLedger answers one bounded step at a time: follow the cursor to the end
const ledger = { ok: true, problems: [] as unknown[], steps: 0 };
for (let cursor: string | undefined; ; ) {
  const step = await must(api(gw.url, 'bench-admin', 'admin', 'verifyLedger', cursor ? { cursor } : {}));
  ledger.problems.push(...step.problems);
  ledger.steps++;
  if (step.done) break;
  cursor = step.cursor;
}
ledger.ok = ledger.problems.length === 0;
await gw.stop();
fs.rmSync(dir, { recursive: true, force: true });
const stats = (xs: number[]) => ({ count: xs.length, p50Ms: +median(xs).toFixed(2), p99Ms: +percentile(xs, 99).toFixed(2) });
const requests = lat.cashier.length + lat.pay.length;
const r = {
  concurrency: CONCURRENCY,
  seconds: +seconds.toFixed(1),
  requests,
  requestsPerSecond: +(requests / seconds).toFixed(1),
  pairsPerSecond: +(lat.pair.length / seconds).toFixed(1),
  cashier: stats(lat.cashier),
  pay: stats(lat.pay),
  pair: stats(lat.pair),
  errors,
  gatewayPeakMB: mem.peakMB,
  ledgerOk: ledger.ok,
  durability: "DATA_DIR, fsync 'always'",
};
log(`  ${r.requestsPerSecond} requests/s (${r.pairsPerSecond} cashier+pay pairs/s), cashier p50 ${r.cashier.p50Ms} ms p99 ${r.cashier.p99Ms} ms, pay p50 ${r.pay.p50Ms} ms p99 ${r.pay.p99Ms} ms, errors ${errors}`);
emit(r);
