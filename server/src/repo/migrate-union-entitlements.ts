import { col, s, type Tx } from './db';

/**
 * Database migration 5: a shopper's pending union entitlement (UENT:user:<id>) is no longer
 * materialized (engine/ledger/accounts.ts `isChained`): their union entries are its sub-ledger and
 * verifyLedger ties them to the journal's postings. The balance documents and rows earlier
 * versions kept for it stop moving with this version, so they are removed: derived data, rebuilt
 * from nothing and read by nothing (the journal keeps every UENT posting). Bounded steps over the
 * rows in (account, seq) order, then the balance documents by id.
 *
 * Safe while the functions run: this version neither reads nor writes these documents. An older
 * instance still serving may add a few after this ran; they stay consistent with themselves (a
 * balance equal to its rows, each row its journal posting), verifyLedger accepts them and nothing
 * reads them.
 */
export type UnionEntitlementState = { phase: 'rows' | 'balances' };

/** Documents removed per step: within MAX_TX_DOCS with the schema document. */
export const UENT_CHUNK = 400;

const PREFIX = 'UENT:user:';
/** every id or account that starts with PREFIX (';' follows ':') */
const range = { $gte: PREFIX, $lt: 'UENT:user;' };

export async function migrateUnionEntitlements(tx: Tx, raw: unknown): Promise<UnionEntitlementState | null> {
  const state: UnionEntitlementState = (raw as UnionEntitlementState | null) ?? { phase: 'rows' };
  if (state.phase === 'rows') {
    const rows = await col(tx.db, 'postings').find({ account: range }, { ...s(tx), projection: { _id: 1 } }).limit(UENT_CHUNK).toArray();
    if (rows.length) await col(tx.db, 'postings').deleteMany({ _id: { $in: rows.map((r) => r._id) } }, s(tx));
    return rows.length < UENT_CHUNK ? { phase: 'balances' } : state;
  }
  const balances = await col(tx.db, 'balances').find({ _id: range }, { ...s(tx), projection: { _id: 1 } }).limit(UENT_CHUNK).toArray();
  if (balances.length) await col(tx.db, 'balances').deleteMany({ _id: { $in: balances.map((b) => b._id) } }, s(tx));
  return balances.length < UENT_CHUNK ? null : state;
}
