/**
 * Bench harness: the whole app (same handlers as the gateway and WeChat) on an embedded database,
 * in memory or durable in a directory, called through the public actions.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BSON } from 'mongodb';
import { openEmbeddedClient } from '../../server/src/db';
import { callFunction } from '../../server/src/app/call';
import { makeDeps, openStore } from '../../server/src/app/deps';
import { localWx } from '../../server/src/app/local-wx';
import type { PluginConfig } from '../../server/src/engine/config/types';
import { post } from '../../server/src/repo/ledger';
import { runTransaction } from '../../server/src/repo/db';
import { xorshift32 } from '../../tests/support/xorshift';
import type { AppDeps } from '../../server/src/runtime/context';

export const ADMIN = 'bench-admin';

export function seeded(seed: number) {
  const next = xorshift32(seed);
  return { below: (n: number) => next() % n, float: () => next() / 4294967296 };
}

export interface BenchApp {
  deps: AppDeps;
  dir?: string;
  call<T = any>(openid: string | null, fn: string, action: string, params?: Record<string, unknown>, now?: Date): Promise<T>;
  configure(patch: (c: PluginConfig) => void): Promise<void>;
  /** post one balanced fixture journal entry (for bulk-loaded fixtures): from, to, fen and, where the ledger checks it (a union entitlement issued), the memo */
  fund(eventKey: string, moves: [string, string, number, string?][]): Promise<void>;
  close(): Promise<void>;
}

/**
 * `outbox: 'off'`: nothing here delivers messages after a call (as in WeChat cloud, where the
 * `outbox` function delivers them in another instance); the bench delivers them itself.
 */
export async function openBenchApp(opts: { dir?: string; fsync?: 'always' | 'off'; outbox?: 'off' } = {}): Promise<BenchApp> {
  const client = await openEmbeddedClient(opts.dir ? { dir: opts.dir, fsync: opts.fsync ?? 'always', compactJournalBytes: 2 ** 40 } : {});
  const store = await openStore({ client });
  const deps = makeDeps(store, localWx('http://127.0.0.1:0'), { adminOpenids: [ADMIN], random: seeded(7), ...(opts.outbox ? { outbox: { afterAnswer: opts.outbox } } : {}) });
  const app: BenchApp = {
    deps,
    dir: opts.dir,
    async call(openid, fn, action, params = {}, now = new Date()) {
      const r = await callFunction(fn, { action, ...params }, deps, { openid, source: 'wx_client', now });
      if (!r.ok) throw new Error(`${fn}.${action}: ${r.error.code} ${r.error.message}`);
      return r.data as any;
    },
    async configure(patch) {
      await app.call(ADMIN, 'user', 'login');
      const c = (await app.call(ADMIN, 'admin', 'getConfig')) as PluginConfig;
      patch(c);
      await app.call(ADMIN, 'admin', 'setConfig', { config: c });
    },
    async fund(eventKey, moves) {
      await runTransaction(store, new Date(), async (tx) => {
        const postings = moves.flatMap(([from, to, amount, memo]) => [
          { account: from, amount: -amount, ...(memo ? { memo } : {}) },
          { account: to, amount, ...(memo ? { memo } : {}) },
        ]);
        await post(tx, 'bench:fixture', { eventKey, type: 'fixture', postings });
      });
    },
    close: async () => {
      await deps.settler.stop();
      await deps.outbox.stop();
      await client.close();
    },
  };
  return app;
}

/** admin + a mall product + an approved store with a cashier */
export async function benchShop(app: BenchApp, product: Record<string, unknown> = {}) {
  await app.call(ADMIN, 'user', 'login');
  const p = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '基准商品', priceFen: 10000, costFen: 4000, stock: 1_000_000, ...product });
  await app.call('bench-merchant', 'user', 'login');
  const st = await app.call('bench-merchant', 'merchant', 'applyStore', { name: '基准门店' });
  await app.call(ADMIN, 'admin', 'approveStore', { storeId: st.storeId, approve: true, commissionBp: 2000 });
  const c = await app.call('bench-merchant', 'merchant', 'createCashier', { storeId: st.storeId, name: '1号收银台' });
  return { productId: p.productId as string, storeId: st.storeId as string, cashierId: c.cashierId as string };
}

export function tmpDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bench-${label}-`));
}

export function dirBytes(dir: string): number {
  let n = 0;
  for (const f of fs.readdirSync(dir)) {
    const st = fs.statSync(path.join(dir, f));
    n += st.isDirectory() ? dirBytes(path.join(dir, f)) : st.size;
  }
  return n;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

export interface CommitInfo {
  docs: number;
  bytes: number;
  byColl: Record<string, number>;
}

/**
 * The commits written to a data directory's journal (one record per transaction, multi-frame
 * commits joined): how many documents each wrote (after-images + deletes) and its size.
 * Only meaningful with compaction off (openBenchApp sets a huge threshold).
 */
export function scanJournal(dir: string): CommitInfo[] {
  const out: CommitInfo[] = [];
  let partial: CommitInfo | null = null;
  for (const f of fs.readdirSync(dir).filter((x) => /^journal-\d+\.log$/.test(x)).sort()) {
    const buf = fs.readFileSync(path.join(dir, f));
    let off = 0;
    while (off + 8 <= buf.length) {
      const len = buf.readUInt32LE(off);
      if (off + 8 + len > buf.length) break;
      const rec = BSON.deserialize(buf.subarray(off + 8, off + 8 + len)) as { op: string; w?: { coll: string; put: unknown[]; del: unknown[] }[] };
      off += 8 + len;
      if (rec.op !== 'c' && rec.op !== 'cp') continue;
      partial ??= { docs: 0, bytes: 0, byColl: {} };
      partial.bytes += len + 8;
      for (const w of rec.w ?? []) {
        const n = w.put.length + w.del.length;
        partial.docs += n;
        partial.byColl[w.coll] = (partial.byColl[w.coll] ?? 0) + n;
      }
      if (rec.op === 'c') {
        out.push(partial);
        partial = null;
      }
    }
  }
  return out;
}

/** The result of a bench part, written as JSON to the file named by BENCH_OUT (or printed). */
export function emit(result: unknown): void {
  const text = JSON.stringify(result, null, 2);
  if (process.env.BENCH_OUT) fs.writeFileSync(process.env.BENCH_OUT, text);
  else console.log(text);
}

export const log = (...a: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
export const gc = () => (globalThis as { gc?: () => void }).gc?.();
