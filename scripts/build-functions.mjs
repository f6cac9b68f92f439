#!/usr/bin/env node
// Bundles the shared TypeScript into one index.js per WeChat cloud function under cloudfunctions/<name>/,
// so the money engine exists once in the sources and every function carries the same copy.
// wx-server-sdk and mongodb stay external: WeChat installs them from each function's package.json.
import { build } from 'esbuild';
import { mkdirSync, statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// function name → [source module under server/src/functions, export name]
const FUNCTIONS = {
  user: ['user', 'user'],
  mall: ['mall', 'mall'],
  order: ['order', 'order'],
  payNotify: ['order', 'payNotify'],
  refundNotify: ['order', 'refundNotify'],
  settle: ['settle', 'settle'],
  outbox: ['outbox', 'outbox'],
  queue: ['queue', 'queue'],
  union: ['union', 'union'],
  green: ['green', 'green'],
  wallet: ['wallet', 'wallet'],
  merchant: ['merchant', 'merchant'],
  admin: ['admin', 'admin'],
  daily: ['admin', 'daily'],
};
const rootPkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const EXTERNAL = ['wx-server-sdk', 'mongodb'];
// WeChat Pay APIv3 (商家转账): loaded lazily, when WECHATPAY_* is configured, by the functions that
// start or check transfers — the outbox dispatcher and the sweeps (outbox, and daily / admin.sweep,
// which run the sweeps too). The others keep it out of their package.json.
const PAYOUT_LIBRARY = 'wechatpay-axios-plugin';
const DISPATCHERS = new Set(['outbox', 'daily', 'admin']);
// Optional native add-ons the mongodb driver may require; never needed here.
const OPTIONAL = ['kerberos', '@mongodb-js/zstd', '@aws-sdk/credential-providers', 'gcp-metadata', 'snappy', 'socks', 'aws4', 'mongodb-client-encryption'];

// The runtime to choose for every function in WeChat cloud (云函数 → 运行环境): Nodejs18.15. The
// mongodb driver 6.x (and bson 6) need Node >= 16.20.1, so the older Nodejs16.13 runtime cannot load
// them; the bundle is compiled for exactly that runtime.
const RUNTIME = { wechat: 'Nodejs18.15', esbuild: 'node18.15' };

// Each function's config.json: the open APIs it calls, its timer, and its timeout in seconds.
// WeChat's default timeout is 3 s and its maximum 60 s. Shopper-facing calls are short transactions
// (20 s leaves room for a cold start: connect + one schema read); the admin and daily functions run
// the bounded jobs, verifyLedger steps and setup steps, each sized to finish well inside 60 s.
// payNotify answers fast: it only records the payment and starts `settle` without waiting for it.
// The settler (`settle`) holds its lease for at most a 40 s pass, then hands over to the next call.
const TIMEOUT_S = { admin: 60, daily: 60, outbox: 60, settle: 60 };
const DEFAULT_TIMEOUT_S = 20;
// Open APIs a function calls (WeChat refuses a call its config.json does not declare). Subscribe
// messages are sent only by the outbox dispatcher, which runs in the `outbox` function: every
// other function queues them and starts that function after its answer (server/src/services/outbox).
// A new outbox kind that calls another open API (e.g. shipping uploads) adds it here.
export const DISPATCH_PERMISSIONS = ['subscribeMessage.send', 'wxa.sec.order.uploadShippingInfo'];
const CONFIG = {
  merchant: { permissions: { openapi: ['wxacode.getUnlimited'] } },
  user: { permissions: { openapi: ['wxacode.getUnlimited'] } },
  // 00:00 the day's job; 10:00 yesterday's reconciliation with WeChat Pay's bill (available from about 10:00)
  daily: {
    permissions: { openapi: [] },
    triggers: [
      { name: 'daily-0000', type: 'timer', config: '0 0 0 * * * *' },
      { name: 'reconcile-1000', type: 'timer', config: '0 0 10 * * * *' },
    ],
  },
  // the settler: started by payNotify and the recording actions, swept every minute for anything left behind
  settle: { permissions: { openapi: [] }, triggers: [{ name: 'settle-sweep', type: 'timer', config: '0 * * * * * *' }] },
  // the outbox: started by every call that queued something, swept every minute (sweeps + dispatch)
  outbox: { permissions: { openapi: DISPATCH_PERMISSIONS }, triggers: [{ name: 'outbox-sweep', type: 'timer', config: '0 * * * * * *' }] },
};

const sizes = [];
for (const [name, [file, exportName]] of Object.entries(FUNCTIONS)) {
  const dir = path.join(ROOT, 'cloudfunctions', name);
  mkdirSync(dir, { recursive: true });
  await build({
    stdin: {
      contents: `import { createMain } from './server/src/cloud/entry';\nimport { ${exportName} } from './server/src/functions/${file}';\nexport const main = createMain(${JSON.stringify(name)}, ${exportName});\n`,
      resolveDir: ROOT,
      sourcefile: `cloudfunctions/${name}/entry.ts`,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: RUNTIME.esbuild,
    format: 'cjs',
    outfile: path.join(dir, 'index.js'),
    external: [...EXTERNAL, PAYOUT_LIBRARY, ...OPTIONAL],
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    logLevel: 'warning',
  });
  const pkg = {
    name,
    version: rootPkg.version,
    private: true,
    main: 'index.js',
    description: `cloud function ${name} (generated by scripts/build-functions.mjs; edit server/src instead); runtime ${RUNTIME.wechat}`,
    engines: { node: '>=16.20.1' },
    dependencies: Object.fromEntries([...EXTERNAL, ...(DISPATCHERS.has(name) ? [PAYOUT_LIBRARY] : [])].map((d) => [d, rootPkg.dependencies[d]])),
  };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  const config = { permissions: { openapi: [] }, ...CONFIG[name], timeout: TIMEOUT_S[name] ?? DEFAULT_TIMEOUT_S };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  sizes.push([name, statSync(path.join(dir, 'index.js')).size]);
}
for (const [name, size] of sizes) console.log(`cloudfunctions/${name}/index.js ${(size / 1024).toFixed(0)} KiB`);
if (!existsSync(path.join(ROOT, 'cloudfunctions', 'daily', 'config.json'))) process.exit(1);
