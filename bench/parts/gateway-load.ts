/**
 * The local gateway under load from a separate process on 127.0.0.1: the gateway is the real
 * `server/src/gateway/main.ts` (durable DATA_DIR, fsync 'always'); this process drives
 * CONCURRENCY shoppers on ONE cashier queue for DURATION seconds, each looping order.cashier and
 * then, by LOAD_MODE:
 *  - `notify`: payNotify.notify, as WeChat Pay calls it — the payment is recorded and answered;
 *    the settler (in the gateway process) settles it afterwards, in batches;
 *  - `pay`: order.pay, the local simulated payment, which answers once the payment is settled
 *    (its latency is the settlement lag seen by a shopper).
 * Requests per second, p50/p99 latency per action and per pair, and the settlement lag
 * (recorded → settled) the gateway measured (admin.settlerStatus).
 */
import * as fs from 'node:fs';
import { emit, log, median, percentile, tmpDir } from '../lib/app';
import { api, gatewayShop, must, procMemoryMB, startGateway } from '../lib/gateway';

const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 32);
const MODE = (process.env.LOAD_MODE ?? 'notify') as 'notify' | 'pay';
const DURATION_S = Number(process.env.LOAD_SECONDS ?? 20);

const dir = tmpDir('load');
const gw = await startGateway({ dataDir: dir });
log(`gateway up in ${gw.startMs} ms on ${gw.url}; ${CONCURRENCY} shoppers for ${DURATION_S} s, payments by ${MODE === 'notify' ? 'payNotify' : 'order.pay'}`);
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
      if (MODE === 'notify') {
        const o = c.data;
        const p = await api(gw.url, null, 'payNotify', 'notify', { outTradeNo: o.orderId, transactionId: `WX${o.orderId}`, totalFee: o.cashFen, resultCode: 'SUCCESS' });
        lat.pay.push(ms(b));
        lat.pair.push(ms(a));
        if (!p.ok || p.data.errcode !== 0) errors++;
      } else {
        const p = await api(gw.url, who, 'order', 'pay', { orderId: c.data.orderId });
        lat.pay.push(ms(b));
        lat.pair.push(ms(a));
        if (!p.ok || p.data.order.status !== 'completed') errors++;
      }
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
// what was recorded is settled: the timer's sweep, then the settlement lag the gateway measured
const sweep0 = Date.now();
await must(api(gw.url, 'bench-admin', 'settle', 'run'));
const drainMs = Date.now() - sweep0;
const settler = await must(api(gw.url, 'bench-admin', 'admin', 'settlerStatus'));
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
  mode: MODE,
  concurrency: CONCURRENCY,
  seconds: +seconds.toFixed(1),
  requests,
  requestsPerSecond: +(requests / seconds).toFixed(1),
  pairsPerSecond: +(lat.pair.length / seconds).toFixed(1),
  cashier: stats(lat.cashier),
  pay: stats(lat.pay),
  pair: stats(lat.pair),
  errors,
  /** recorded → settled (wall clock, in the gateway), over the last 1000 orders settled */
  settleLagMs: settler.lagMs,
  /** what was still due when the load stopped took this long to settle */
  drainAfterMs: drainMs,
  gatewayPeakMB: mem.peakMB,
  ledgerOk: ledger.ok,
  durability: "DATA_DIR, fsync 'always'",
  /** the gateway's admission limit (calls run at once; payment callbacks first in line) */
  admissionLimit: Number(process.env.GATEWAY_CONCURRENCY ?? 8),
  /** slots beyond the limit that only payment callbacks take */
  callbackReserve: Number(process.env.GATEWAY_CALLBACK_RESERVE ?? 16),
};
log(`  ${r.requestsPerSecond} requests/s (${r.pairsPerSecond} pairs/s), cashier p50 ${r.cashier.p50Ms} ms p99 ${r.cashier.p99Ms} ms, ${MODE} p50 ${r.pay.p50Ms} ms p99 ${r.pay.p99Ms} ms, settle lag p50 ${settler.lagMs.p50} ms p99 ${settler.lagMs.p99} ms, errors ${errors}`);
emit(r);
