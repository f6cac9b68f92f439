import { cryptoRandom, type Random } from '../engine/rebate/lottery';
import type { AppDeps } from '../runtime/context';
import type { WxPort } from '../runtime/wx';
import type { Store } from '../repo/db';
import { ensureIndexes } from '../repo/indexes';
import type { MongoClient } from 'mongodb';

/** The database name when none is given: DB_NAME, read when a store is opened (not when this module loads). */
export function defaultDbName(env: NodeJS.ProcessEnv = process.env): string {
  return env.DB_NAME || 'queue_rebate';
}

export interface OpenStoreOptions {
  /** A connected client; default: connectMongo() (MONGODB_URI → real MongoDB, else the embedded engine in DATA_DIR). */
  client?: MongoClient;
  /** The database this app uses; default defaultDbName(). Tests give every app its own. */
  dbName?: string;
}

/** Connect and make sure the indexes exist. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  // Loaded lazily: a cloud function passes its MongoClient and never bundles the embedded engine.
  const c = opts.client ?? (await (await import('../db')).connectMongo());
  const db = c.db(opts.dbName ?? defaultDbName());
  await ensureIndexes(db);
  return { client: c, db };
}

export function parseAdmins(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

export function makeDeps(store: Store, wx: WxPort, opts: { adminOpenids: Iterable<string>; publicUrl?: string; random?: Random }): AppDeps {
  return { store, wx, random: opts.random ?? cryptoRandom, adminOpenids: new Set(opts.adminOpenids), publicUrl: opts.publicUrl ?? '' };
}
