import { col, s, type Tx } from '../repo/db';

/**
 * Write skew (SPEC §9): a transaction that checks an invariant spanning documents another
 * transaction changes — a limit counted over several documents, a total of shares set in
 * different places — reads the others' old values, and under snapshot isolation both commit
 * (MongoDB does not detect it either). Every transaction that checks such an invariant also
 * writes its guard document, so two of them always conflict: one is retried and checks again
 * against what the other committed.
 */
export async function touchGuard(tx: Tx, name: string): Promise<void> {
  await col(tx.db, 'counters').updateOne({ _id: `guard:${name}` }, { $inc: { count: 1 } }, { ...s(tx), upsert: true });
}

/** The guards of the product's cross-document invariants. */
export const guard = {
  /** the compliance guard's total of shares (plugin config vs every product, store and cashier rule) */
  shares: 'shares',
  /** at most 5 stores per owner */
  storesOf: (ownerId: string) => `stores:${ownerId}`,
  /** at most MAX_CASHIERS_PER_STORE cashiers per store */
  cashiersOf: (storeId: string) => `cashiers:${storeId}`,
} as const;
