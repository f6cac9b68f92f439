import type { AddressInfo } from 'node:net';
import { openEmbeddedClient } from '../../server/src/db';
import { MongoClient, type Db } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalImageStore } from '../../server/src/app/local-images';
import { callFunction } from '../../server/src/app/call';
import { makeDeps, openStore, type OpenStoreOptions } from '../../server/src/app/deps';
import { localWx } from '../../server/src/app/local-wx';
import type { WxPort } from '../../server/src/runtime/wx';
import type { Payouts } from '../../server/src/runtime/payout';
import type { DispatcherOptions } from '../../server/src/services/outbox/dispatcher';
import { defaultPluginConfig } from '../../server/src/engine/config/defaults';
import type { PluginConfig } from '../../server/src/engine/config/types';
import type { Random } from '../../server/src/engine/rebate/lottery';
import type { AppDeps } from '../../server/src/runtime/context';
import { verifyLedger, type LedgerReport } from '../../server/src/repo/ledger';
import { createGateway } from '../../server/src/gateway/server';
import { xorshift32 } from '../support/xorshift';

/**
 * A whole app on a fresh database, called through the public actions exactly as the gateway
 * and WeChat call them. Embedded in memory by default; with MONGODB_URI set, a database of its
 * own on that replica set (named when the app is created, dropped by its close() and by nothing
 * else), so test files running in parallel never share or drop each other's data.
 */

export const ADMIN = 'test-admin';

/** Deterministic randomness for reproducible draws and random-return groups. */
export function seededRandom(seed = 42): Random {
  const next = xorshift32(seed);
  return { below: (n: number) => next() % n };
}

export interface TestApp {
  deps: AppDeps;
  /** the local image store (a temporary folder): startTestGateway serves /upload/image and /files/ from it */
  images: LocalImageStore;
  /** call a function as `openid` (null = no identity); throws on ok:false unless `expectError` */
  call<T = any>(openid: string | null, fn: string, action: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<T>;
  /** same, returning the raw { ok, data | error } */
  raw(openid: string | null, fn: string, event: unknown, opts?: CallOptions): Promise<any>;
  /** call expecting an error; returns its code */
  error(openid: string | null, fn: string, action: string, params?: Record<string, unknown>, opts?: { now?: Date | string }): Promise<string>;
  /** merge settings into the plugin config (through admin.setConfig) */
  configure(patch: (c: PluginConfig) => void): Promise<PluginConfig>;
  verify(): Promise<LedgerReport>;
  /** wait until the settler has nothing due (payNotify answers before its payment is settled, SPEC §9) */
  settled(now?: Date | string): Promise<void>;
  close(): Promise<void>;
}

export class CallError extends Error {
  constructor(readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}

/**
 * A database name no other app uses: `t_<pid>_<counter>_<random>` (MongoDB allows 63 bytes).
 * The pid separates vitest's worker processes, the counter the apps of one file, the random part
 * runs that reuse a pid.
 */
let apps = 0;
export function uniqueDbName(prefix = 't'): string {
  return `${prefix}_${process.pid}_${++apps}_${randomBytes(4).toString('hex')}`;
}

export interface CallOptions {
  now?: Date | string;
  /** getWXContext().SOURCE of the call (default wx_client; wx_paycallback for WeChat Pay's callbacks) */
  source?: string;
}

export interface TestAppOptions {
  /** WeChat (default: local mode) — e.g. the fake WeChat of tests/support/fake-wx.ts */
  wx?: WxPort;
  payouts?: Partial<Payouts>;
  /** how the outbox is dispatched after an answer (default 'await': the harness waits for it) */
  outbox?: DispatcherOptions;
  random?: Random;
  admins?: string[];
  /** fill the fresh database before the app opens it (e.g. contents written by an older version) */
  load?: (db: Db) => Promise<void>;
  /** the cold start's schema handling (default 'auto': set the database up, as the gateway does) */
  setup?: OpenStoreOptions['setup'];
}

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const uri = process.env.MONGODB_URI;
  const client = uri ? await new MongoClient(uri).connect() : await openEmbeddedClient();
  // an embedded client is private to this app (in memory), so any name is its own
  const dbName = uri ? uniqueDbName() : 'test';
  await opts.load?.(client.db(dbName));
  const store = await openStore({ client, dbName, setup: opts.setup });
  const images = new LocalImageStore(mkdtempSync(join(tmpdir(), 'test-images-')));
  const deps = makeDeps(store, opts.wx ?? localWx('http://127.0.0.1:0', images), { adminOpenids: opts.admins ?? [ADMIN], random: opts.random ?? seededRandom(), payouts: opts.payouts, outbox: opts.outbox });
  const when = (now?: Date | string) => (now === undefined ? new Date() : new Date(now));
  const raw = (openid: string | null, fn: string, event: unknown, o: CallOptions = {}) => callFunction(fn, event, deps, { openid, source: o.source ?? 'wx_client', now: when(o.now) });
  const app: TestApp = {
    deps,
    images,
    raw,
    async call(openid, fn, action, params = {}, o = {}) {
      const r = await raw(openid, fn, { action, ...params }, o);
      if (!r.ok) throw new CallError(r.error.code, r.error.message);
      return r.data as any;
    },
    async error(openid, fn, action, params = {}, o = {}) {
      const r = await raw(openid, fn, { action, ...params }, o);
      if (r.ok) throw new Error(`expected ${fn}.${action} to fail, got ${JSON.stringify(r.data).slice(0, 200)}`);
      return r.error.code;
    },
    async configure(patch) {
      await app.call(ADMIN, 'user', 'login');
      const c = (await app.call(ADMIN, 'admin', 'getConfig')) as PluginConfig;
      patch(c);
      return app.call(ADMIN, 'admin', 'setConfig', { config: c });
    },
    verify: () => verifyLedger(store),
    settled: (now) => deps.settler.drain(now === undefined ? undefined : new Date(now)),
    async close() {
      await deps.settler.stop();
      await deps.outbox.stop();
      // only this app's own database (its name came from uniqueDbName above)
      if (uri) await client.db(dbName).dropDatabase();
      await client.close();
      rmSync(images.dir, { recursive: true, force: true });
    },
  };
  return app;
}

/** The same app behind the local gateway on 127.0.0.1 (for HTTP-level tests). */
export async function startTestGateway(app: TestApp): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createGateway(app.deps, { images: app.images });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export { defaultPluginConfig };

/** Set up a shop: admin, a mall product, an approved store with a cashier. */
export async function shop(app: TestApp, opts: { priceFen?: number; costFen?: number; product?: Record<string, unknown> } = {}) {
  await app.call(ADMIN, 'user', 'login');
  const product = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '测试商品', priceFen: opts.priceFen ?? 16800, costFen: opts.costFen ?? 0, stock: 100_000, ...opts.product });
  await app.call('merchant', 'user', 'login');
  const store = await app.call('merchant', 'merchant', 'applyStore', { name: '测试门店' });
  await app.call(ADMIN, 'admin', 'approveStore', { storeId: store.storeId, approve: true, commissionBp: 1000 });
  const cashier = await app.call('merchant', 'merchant', 'createCashier', { storeId: store.storeId, name: '1号收银台' });
  return { productId: product.productId as string, storeId: store.storeId as string, cashierId: cashier.cashierId as string };
}

/** Buy `qty` of a product as `openid`: create, pay and (unless told otherwise) complete. Returns the order view. */
export async function buy(app: TestApp, openid: string, productId: string, opts: { qty?: number; complete?: boolean; now?: Date | string; deduct?: Record<string, number> } = {}) {
  await app.call(openid, 'user', 'login', {}, { now: opts.now });
  const o = await app.call(openid, 'order', 'create', { lines: [{ productId, qty: opts.qty ?? 1 }], ...(opts.deduct ? { deduct: opts.deduct } : {}) }, { now: opts.now });
  await app.call(openid, 'order', 'pay', { orderId: o.orderId }, { now: opts.now });
  if (opts.complete === false) return app.call(openid, 'order', 'get', { orderId: o.orderId });
  return app.call(openid, 'order', 'complete', { orderId: o.orderId }, { now: opts.now });
}

/** Pay `amountFen` at a cashier as `openid` (cashier orders complete at payment). */
export async function payAtCashier(app: TestApp, openid: string, cashierId: string, amountFen: number, opts: { now?: Date | string } = {}) {
  await app.call(openid, 'user', 'login', {}, { now: opts.now });
  const o = await app.call(openid, 'order', 'cashier', { cashierId, amountFen }, { now: opts.now });
  await app.call(openid, 'order', 'pay', { orderId: o.orderId }, { now: opts.now });
  return app.call(openid, 'order', 'get', { orderId: o.orderId });
}
