import type { Db } from 'mongodb';
import { col, type Tx } from './db';
import { COLLECTION_NAMES } from './documents';
import { indexFingerprint } from './indexes';
import { migrateLedgerChains } from './migrate-ledger-chains';
import { migrateCommissionCounters } from './migrate-commission-counters';
import { migrateUnionEntitlements } from './migrate-union-entitlements';

/**
 * The database's schema version. The setup step (`npm run db:setup`, admin.setupDatabase,
 * services/setup.ts) creates the collections and indexes and applies the numbered migrations
 * below, recording the result in `meta` (`_id: 'schema'`). A cold start only reads that one
 * document (readSchema): the cloud refuses to serve a database older than its code, the local
 * gateway and the tests run the setup themselves. How to add a migration: docs/DATABASE.md.
 */

export interface DbMigration {
  version: number;
  note: string;
  /**
   * One bounded step inside a transaction (it must finish well within a cloud function's 60 s):
   * `state` is null at the start, else what the previous step returned; return the state to
   * resume from, or null when the migration is complete. The step and the progress record commit
   * together, so a step that fails or races another setup is simply redone from the same state.
   */
  step(tx: Tx, state: unknown): Promise<unknown>;
}

/** Numbered from 1; never edit one that shipped, add the next. */
export const DB_MIGRATIONS: readonly DbMigration[] = [
  {
    version: 1,
    note: 'collections and indexes (the first versioned schema; created by the setup step before any migration)',
    step: async () => null,
  },
  {
    version: 2,
    note: 'ledger account chains: every shopper account (incl. QENT/UENT) and the pool/issuer accounts get numbered rows with running balances, rebuilt from the journal (rewrites derived data: run with the functions paused)',
    step: migrateLedgerChains,
  },
  {
    version: 3,
    note: "store accounts chained (CASH:store:<id>:revenue / :withdrawing get rows and a balance document, so merchants can see and withdraw their revenue): every chain is rebuilt from the journal as in migration 2 (rewrites derived data: run with the functions paused)",
    step: migrateLedgerChains,
  },
  {
    version: 4,
    note: 'commission counters of the invited-friends page (users.commissionBroughtFen / commissionEarnedFen) from the settled orders; categories and the home banner are new collections (run with the functions paused)',
    step: migrateCommissionCounters,
  },
  {
    version: 5,
    note: "shoppers' pending union entitlements (UENT:user:<id>) kept in the journal only: their union entries hold them, so the balance documents and rows earlier versions kept are removed (derived data nothing reads any more)",
    step: migrateUnionEntitlements,
  },
];

export const SCHEMA_VERSION = DB_MIGRATIONS[DB_MIGRATIONS.length - 1]!.version;

export interface SchemaStatus {
  ok: boolean;
  /** the database's version (0: never set up) */
  version: number;
  /** the version this code needs */
  needed: number;
  /** why the database cannot serve this code, for operators */
  message: string | null;
}

/** The cold-start check: one read. */
export async function readSchema(db: Db): Promise<SchemaStatus> {
  const meta = await col(db, 'meta').findOne({ _id: 'schema' });
  const version = meta?.version ?? 0;
  const base = { version, needed: SCHEMA_VERSION };
  const fix = '请运行 npm run db:setup（或由管理员调用 admin.setupDatabase）';
  if (version < SCHEMA_VERSION) return { ...base, ok: false, message: `数据库结构版本 v${version} 低于代码所需的 v${SCHEMA_VERSION}：${fix}` };
  if (meta?.migrating) return { ...base, ok: false, message: `数据库迁移 v${meta.migrating.version} 尚未完成：${fix}` };
  // a newer database than the code (a rollback) serves: migrations only add what older code ignores
  if (version === SCHEMA_VERSION && meta?.indexes !== indexFingerprint()) return { ...base, ok: false, message: `数据库索引与代码不一致：${fix}` };
  return { ...base, ok: true, message: null };
}

/** Create the collections that do not exist yet (outside transactions: MongoDB creates them implicitly only outside one before 4.4). */
export async function ensureCollections(db: Db): Promise<string[]> {
  const existing = new Set((await db.listCollections().toArray()).map((c) => c.name));
  const created: string[] = [];
  for (const name of COLLECTION_NAMES) {
    if (existing.has(name)) continue;
    try {
      await db.createCollection(name);
      created.push(name);
    } catch (err) {
      // another setup created it meanwhile (NamespaceExists)
      if ((err as { code?: number }).code !== 48) throw err;
    }
  }
  return created;
}
