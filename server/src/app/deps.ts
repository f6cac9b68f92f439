import { cryptoRandom, type Random } from '../engine/rebate/lottery';
import type { AppDeps } from '../runtime/context';
import type { WxPort } from '../runtime/wx';
import type { Store } from '../repo/db';
import { ensureIndexes } from '../repo/indexes';
import type { MongoClient } from 'mongodb';
import { Settler, type SettlerOptions } from '../services/settler/settler';

export const DB_NAME = process.env.DB_NAME ?? 'queue_rebate';

/** Connect (MONGODB_URI → real MongoDB, else the embedded engine in DATA_DIR) and make sure the indexes exist. */
export async function openStore(client?: MongoClient): Promise<Store> {
  // Loaded lazily: a cloud function passes its MongoClient and never bundles the embedded engine.
  const c = client ?? (await (await import('../db')).connectMongo());
  const db = c.db(DB_NAME);
  await ensureIndexes(db);
  return { client: c, db };
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
}

export function makeDeps(store: Store, wx: WxPort, opts: DepsOptions): AppDeps {
  const random = opts.random ?? cryptoRandom;
  const settler = new Settler(store, random, opts.settler);
  return {
    store,
    wx,
    random,
    settler,
    settleWaitMs: opts.settleWaitMs ?? (wx.mode === 'local' ? 30_000 : 3_000),
    adminOpenids: new Set(opts.adminOpenids),
    publicUrl: opts.publicUrl ?? '',
  };
}
