/**
 * Sizes: the weapp main package (client/dist/weapp minus the subpackage roots of app.json; WeChat's
 * limit is 2 MB), each cloud-function bundle (built by `npm run build:functions`), and the cold
 * start of a bundled function: the time to `require` its index.js in a fresh Node process
 * (median of 3; wx-server-sdk and mongodb are external and load from node_modules).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emit, log, median } from '../lib/app';
import { ROOT } from '../lib/gateway';

function walk(dir: string): { rel: string; bytes: number }[] {
  const out: { rel: string; bytes: number }[] = [];
  const rec = (d: string) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      const st = fs.statSync(p);
      if (st.isDirectory()) rec(p);
      else out.push({ rel: path.relative(dir, p).split(path.sep).join('/'), bytes: st.size });
    }
  };
  rec(dir);
  return out;
}

// weapp
const weappDir = path.join(ROOT, 'client/dist/weapp');
let weapp: Record<string, unknown> = { built: false };
if (process.env.BENCH_BUILD_WEAPP === '1' || !fs.existsSync(path.join(weappDir, 'app.json'))) {
  log('sizes: building the weapp (npm run build:weapp)');
  try {
    execFileSync('npm', ['run', 'build:weapp'], { cwd: ROOT, stdio: 'ignore' });
  } catch (e) {
    weapp.error = `build failed: ${(e as Error).message.slice(0, 200)}`;
  }
}
if (fs.existsSync(path.join(weappDir, 'app.json'))) {
  const app = JSON.parse(fs.readFileSync(path.join(weappDir, 'app.json'), 'utf8'));
  const roots: string[] = (app.subPackages ?? app.subpackages ?? []).map((s: { root: string }) => s.root.replace(/\/$/, '') + '/');
  const files = walk(weappDir).filter((f) => !f.rel.endsWith('.map') && f.rel !== 'project.config.json' && !f.rel.endsWith('.LICENSE.txt'));
  const sub: Record<string, number> = {};
  let main = 0;
  for (const f of files) {
    const root = roots.find((r) => f.rel.startsWith(r));
    if (root) sub[root] = (sub[root] ?? 0) + f.bytes;
    else main += f.bytes;
  }
  const builtAt = fs.statSync(path.join(weappDir, 'app.json')).mtime.toISOString();
  weapp = { built: true, builtAt, mainBytes: main, subpackages: sub, totalBytes: main + Object.values(sub).reduce((a, b) => a + b, 0), limitBytes: 2 * 1024 * 1024, note: 'source maps, LICENSE files and project.config.json excluded (not uploaded)' };
  log(`  weapp main package ${(main / 1024).toFixed(0)} KiB (built ${builtAt})`);
}

// cloud functions
log('sizes: building cloud functions (npm run build:functions)');
let buildNote = 'npm run build:functions (scripts/build-functions.mjs, esbuild)';
try {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-functions.mjs')], { cwd: ROOT, stdio: 'ignore' });
} catch (e) {
  buildNote = `build failed (${(e as Error).message.slice(0, 100)}); sizes of the existing bundles`;
}
const fnDir = path.join(ROOT, 'cloudfunctions');
const functions = [];
for (const name of fs.readdirSync(fnDir).sort()) {
  const file = path.join(fnDir, name, 'index.js');
  if (!fs.existsSync(file)) continue;
  const bytes = fs.statSync(file).size;
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, ['-e', `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});if(typeof m.main!=='function')throw new Error('no main');console.log(Number(process.hrtime.bigint()-t)/1e6)`], { cwd: path.dirname(file), encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    if (r.status !== 0) throw new Error(`require ${name} failed: ${r.stderr.slice(0, 300)}`);
    runs.push(Number(r.stdout.trim().split('\n').pop()));
  }
  functions.push({ name, bytes, requireMs: +median(runs).toFixed(1) });
  log(`  ${name}: ${(bytes / 1024).toFixed(0)} KiB, require ${median(runs).toFixed(0)} ms`);
}
emit({ weapp, functions: { build: buildNote, list: functions } });
