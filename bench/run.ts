/**
 * `npm run bench`: every benchmark, each part in its own Node process (fresh heap, its own
 * memory figures), progress printed as it goes; the figures go to bench/results.json and
 * docs/BENCHMARKS.md. Not a test: nothing here passes or fails on timing.
 *
 *   npm run bench                    # everything (≈ 10 min on 2 cores)
 *   npm run bench -- queue jobs      # only some parts (the report keeps the other parts' last figures)
 *   npm run bench -- simulate        # the what-if of a month of a busy store (issue 14)
 *   BENCH_QUICK=1 npm run bench      # small sizes, to check the machinery
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './lib/gateway';
import { calibrate } from './lib/calibrate';
import { renderReport } from './report';

const QUICK = process.env.BENCH_QUICK === '1';
const PARTS: { key: string; script: string; env: Record<string, string>; quickEnv: Record<string, string>; nodeArgs?: string[] }[] = [
  { key: 'queue', script: 'bench/parts/queue-scaling.ts', env: {}, quickEnv: { QUEUE_SIZES: '100,1000,10000', QUEUE_ORDERS: '60', NAIVE_BUDGET_MS: '3000' }, nodeArgs: ['--expose-gc', '--max-old-space-size=6144'] },
  { key: 'throughput', script: 'bench/parts/throughput.ts', env: {}, quickEnv: { THROUGHPUT_ORDERS: '150' } },
  { key: 'settler', script: 'bench/parts/settler.ts', env: {}, quickEnv: { SETTLER_ORDERS: '500' } },
  { key: 'jobs', script: 'bench/parts/jobs.ts', env: {}, quickEnv: { JOBS_N: '5000' } },
  { key: 'load8', script: 'bench/parts/gateway-load.ts', env: { LOAD_CONCURRENCY: '8' }, quickEnv: { LOAD_SECONDS: '4' } },
  { key: 'load32', script: 'bench/parts/gateway-load.ts', env: { LOAD_CONCURRENCY: '32' }, quickEnv: { LOAD_SECONDS: '4' } },
  { key: 'load128', script: 'bench/parts/gateway-load.ts', env: { LOAD_CONCURRENCY: '128' }, quickEnv: { LOAD_SECONDS: '4' } },
  // the same load with the gateway's admission line effectively off: what it changes, in the same run
  { key: 'load128open', script: 'bench/parts/gateway-load.ts', env: { LOAD_CONCURRENCY: '128', GATEWAY_CONCURRENCY: '100000' }, quickEnv: { LOAD_SECONDS: '4' } },
  { key: 'instances', script: 'bench/parts/instances.ts', env: {}, quickEnv: { SIM_SHOPPERS: '16', SIM_SECONDS: '5' } },
  { key: 'memory', script: 'bench/parts/memory.ts', env: {}, quickEnv: { MEMORY_N: '20000' } },
  { key: 'sizes', script: 'bench/parts/sizes.ts', env: {}, quickEnv: {} },
  { key: 'simulate', script: 'bench/parts/simulate.ts', env: {}, quickEnv: { SIM_ORDERS_PER_DAY: '100', SIM_HISTORY_DAYS: '40' }, nodeArgs: ['--expose-gc', '--max-old-space-size=4096'] },
];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const resultsFile = path.join(ROOT, 'bench/results.json');
const previous = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : null;
const parts: Record<string, unknown> = wanted.length && previous?.parts ? { ...previous.parts } : {};
const timings: Record<string, number> = wanted.length && previous?.partSeconds ? { ...previous.partSeconds } : {};
/** per part: when it started, and the calibration loop's time just before (bench/lib/calibrate.ts) */
const ran: Record<string, { at: string; calibrationMs: number }> = wanted.length && previous?.partRan ? { ...previous.partRan } : {};
const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));

for (const p of PARTS) {
  if (wanted.length && !wanted.includes(p.key)) continue;
  const out = path.join(tmp, `${p.key}.json`);
  const calibrationMs = calibrate();
  ran[p.key] = { at: new Date().toISOString(), calibrationMs };
  console.log(`\n=== ${p.key} (${p.script}) — calibration loop ${calibrationMs} ms ===`);
  const t = Date.now();
  const r = spawnSync(process.execPath, [...(p.nodeArgs ?? ['--expose-gc']), '--import', 'tsx', path.join(ROOT, p.script)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...p.env, ...(QUICK ? p.quickEnv : {}), BENCH_OUT: out },
  });
  timings[p.key] = Math.round((Date.now() - t) / 1000);
  if (r.status !== 0 || !fs.existsSync(out)) {
    console.error(`part ${p.key} failed (exit ${r.status})`);
    parts[p.key] = { error: `exit ${r.status}` };
    continue;
  }
  parts[p.key] = JSON.parse(fs.readFileSync(out, 'utf8'));
  console.log(`=== ${p.key} done in ${timings[p.key]} s ===`);
}
fs.rmSync(tmp, { recursive: true, force: true });

const cpus = os.cpus();
const results = {
  date: new Date().toISOString(),
  quick: QUICK,
  machine: {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  },
  totalSeconds: Math.round((Date.now() - started) / 1000),
  partSeconds: timings,
  partRan: ran,
  parts,
};
fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(ROOT, 'docs/BENCHMARKS.md'), renderReport(results));
console.log(`\nwrote bench/results.json and docs/BENCHMARKS.md (${results.totalSeconds} s)`);
