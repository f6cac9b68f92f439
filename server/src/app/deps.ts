import { cryptoRandom, type Random } from '../engine/rebate/lottery';
import type { AppDeps } from '../runtime/context';
import type { WxPort } from '../runtime/wx';
import type { Store } from '../repo/db';
import { readSchema } from '../repo/schema';
import { setupDatabase } from '../services/setup';
import type { MongoClient } from 'mongodb';
import { Settler, type SettlerOptions } from '../services/settler/settler';
import { Dispatcher, type DispatcherOptions } from '../services/outbox/dispatcher';
import type { Payouts } from '../runtime/payout';
import { manualPayout } from './payouts/manual';

/** The database name when none is given: DB_NAME, read when a store is opened (not when this module loads). */
export function defaultDbName(env: NodeJS.ProcessEnv = process.env): string {
  return env.DB_NAME || 'queue_rebate';
}

export interface OpenStoreOptions {
  /** A connected client; default: connectMongo() (MONGODB_URI → real MongoDB, else the embedded engine in DATA_DIR). */
  client?: MongoClient;
  /** The database this app uses; default defaultDbName(). Tests give every app its own. */
  dbName?: string;
  /**
   * What a cold start does about the schema version (one read of `meta`):
   *  - 'auto' (default; the local gateway, tests): run the setup step when the database is empty or older than the code;
   *  - 'check' (cloud functions): only record the status in `store.schema`; the entry refuses calls while it is not ok;
   *  - 'none' (the setup script itself).
   */
  setup?: 'auto' | 'check' | 'none';
}

/** Connect and check the database's schema version (no index builds on a cold start: that is the setup step's work). */
export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  // Loaded lazily: a cloud function passes its MongoClient and never bundles the embedded engine.
  const c = opts.client ?? (await (await import('../db')).connectMongo());
  const store: Store = { client: c, db: c.db(opts.dbName ?? defaultDbName()) };
  const mode = opts.setup ?? 'auto';
  if (mode === 'none') return store;
  store.schema = await readSchema(store.db);
  if (!store.schema.ok && mode === 'auto') store.schema = (await setupDatabase(store)).schema;
  return store;
}

export function parseAdmins(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

export interface DepsOptions {
  adminOpenids: Iterable<string>;
  publicUrl?: string;
  random?: Random;
  settler?: SettlerOptions;
  settleWaitMs?: number;
  /** payout methods; default: manual only (WeChat Pay 商家转账 needs its keys: app/payouts/wechat-transfer.ts) */
  payouts?: Partial<Payouts>;
  /** how the outbox is dispatched after an answer (services/outbox/dispatcher.ts); default 'await' locally */
  outbox?: DispatcherOptions;
}

export function makeDeps(store: Store, wx: WxPort, opts: DepsOptions): AppDeps {
  const random = opts.random ?? cryptoRandom;
  const payouts: Payouts = { manual: opts.payouts?.manual ?? manualPayout(), wechat: opts.payouts?.wechat ?? null };
  const outbox = new Dispatcher(store, wx, payouts, opts.outbox);
  // locally, messages a settler step queued (payouts, exits …) go out after the step, as after an answer
  const onStep = opts.settler?.onStep;
  const settler = new Settler(store, random, {
    ...opts.settler,
    onStep: (r) => {
      onStep?.(r);
      if (outbox.mode === 'background') void outbox.nudge(new Date());
      else outbox.markDue();
    },
  });
  return {
    store,
    wx,
    random,
    settler,
    outbox,
    payouts,
    settleWaitMs: opts.settleWaitMs ?? (wx.mode === 'local' ? 30_000 : 3_000),
    adminOpenids: new Set(opts.adminOpenids),
    publicUrl: opts.publicUrl ?? '',
  };
}
