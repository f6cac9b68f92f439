/**
 * Memory and restart with a queue of 10⁶ pending entries:
 *  1. a child process builds a data directory: the app's collections and indexes, a shop, 10⁶
 *     pending entries bulk-loaded into one cashier queue (with the queue document and a
 *     balancing journal entry), compacted into a snapshot, closed;
 *  2. the on-disk size of that directory (per 10⁶ entries);
 *  3. the time to reopen it (embedded engine alone, in a fresh process);
 *  4. the real gateway started on it (time until /health answers), 200 orders settled on the
 *     10⁶-entry queue through HTTP (order.cashier + order.pay), and the gateway's peak resident
 *     memory (VmHWM) at the end.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dirBytes, emit, log, median, percentile, tmpDir } from '../lib/app';
import { ROOT, api, must, procMemoryMB, startGateway } from '../lib/gateway';

const N = Number(process.env.MEMORY_N ?? 1_000_000);
const ORDERS = 200;

const dir = tmpDir('mem');
const node = (script: string, args: string[]) => {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', path.join(ROOT, script), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'BENCH_OUT' && k !== 'DB_NAME')) });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stdout}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
};

log(`memory: building a data directory with ${N} pending entries`);
const built = node('bench/parts/memory-build.ts', [dir, String(N)]);
const files = fs.readdirSync(dir).map((f) => ({ file: f, bytes: fs.statSync(path.join(dir, f)).size }));
const diskBytes = dirBytes(dir);
log(`  built in ${built.ms} ms; on disk ${(diskBytes / 1048576).toFixed(0)} MB`);

const reopens = [0, 1].map(() => node('bench/parts/memory-reopen.ts', [dir]));
log(`  reopen (engine alone): ${reopens.map((r) => r.ms).join(', ')} ms`);

const gw = await startGateway({ dataDir: dir, timeoutMs: 300_000 });
log(`  gateway answered /health ${gw.startMs} ms after spawn`);
const afterStart = procMemoryMB(gw.child.pid!);
const shopper = 'mem-shopper';
await must(api(gw.url, shopper, 'user', 'login'));
const times: number[] = [];
for (let i = 0; i < ORDERS; i++) {
  const t = process.hrtime.bigint();
  const o = await must(api(gw.url, shopper, 'order', 'cashier', { cashierId: built.cashierId, amountFen: 10_000 }));
  const p = await must(api(gw.url, shopper, 'order', 'pay', { orderId: o.orderId }));
  if (p.order.status !== 'completed') throw new Error('not settled');
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const board = await must(api(gw.url, shopper, 'queue', 'mine', { limit: 1 }));
const mem = procMemoryMB(gw.child.pid!);
await gw.stop();
fs.rmSync(dir, { recursive: true, force: true });
const r = {
  entries: N,
  buildMs: built.ms,
  diskBytes,
  diskMBPerMillion: +((diskBytes / 1048576) * (1_000_000 / N)).toFixed(1),
  files,
  reopenMs: reopens.map((x) => x.ms),
  reopenRssMB: reopens.map((x) => x.rssMB),
  reopenHeapUsedMB: reopens.map((x) => x.heapUsedMB),
  reopenExternalMB: reopens.map((x) => x.externalMB),
  gatewayStartMs: gw.startMs,
  gatewayRssAfterStartMB: afterStart.rssMB,
  gatewayPeakMB: mem.peakMB,
  gatewayRssMB: mem.rssMB,
  ordersOnBigQueue: ORDERS,
  orderPairP50Ms: +median(times).toFixed(2),
  orderPairP99Ms: +percentile(times, 99).toFixed(2),
  lastEntryPosition: board?.[0]?.position ?? board?.entries?.[0]?.position ?? null,
};
log(`  gateway peak RSS ${r.gatewayPeakMB} MB (after start ${r.gatewayRssAfterStartMB} MB); order pair p50 ${r.orderPairP50Ms} ms on the ${N}-entry queue`);
emit(r);
