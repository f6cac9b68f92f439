import type { Db } from 'mongodb';
import { isDuplicateKeyError } from '../../db/embedded/errors';
import { col, s, type Tx } from '../../repo/db';
import type { SettlerDoc } from '../../repo/documents';

/**
 * One settler at a time, across every instance (SPEC §9): a lease in the database, not an
 * in-process lock. Taking the lease hands out a new fencing token; every settler transaction
 * first writes the settler document *with its token* (`fence`), so a settler that lost its lease
 * (it stalled past the expiry and another took over) cannot commit anything: its write either
 * conflicts with the new holder's or finds another token. Expiry is wall-clock time, never the
 * business clock (`x-now`).
 */

export const SETTLER_ID = 'settler' as const;

export class LeaseLostError extends Error {
  constructor(token: number) {
    super(`settler lease lost (token ${token}): another settler took over`);
  }
}

export interface Lease {
  token: number;
  holder: string;
  ttlMs: number;
}

export const blankSettler = (): Omit<SettlerDoc, '_id'> => ({
  holder: null,
  token: 0,
  expiresAt: new Date(0),
  seq: 0,
  cut: null,
  resetAt: null,
  greenVersion: 0,
  transactions: 0,
});

/**
 * Take the lease if it is free or expired; null when another live settler holds it. One round
 * trip either way: the update upserts, so the first use creates the document, and while another
 * settler holds it the upsert's insert fails on the primary key (MongoDB does not retry such an
 * upsert by itself: its filter is not an equality on `_id` alone).
 */
export async function acquireLease(db: Db, holder: string, ttlMs: number): Promise<Lease | null> {
  const now = Date.now();
  const { token: _t, holder: _h, expiresAt: _e, ...rest } = blankSettler();
  try {
    const doc = await col(db, 'settler').findOneAndUpdate(
      { _id: SETTLER_ID, $or: [{ holder: null }, { expiresAt: { $lt: new Date(now) } }] },
      { $set: { holder, expiresAt: new Date(now + ttlMs) }, $inc: { token: 1 }, $setOnInsert: rest },
      { upsert: true, returnDocument: 'after' },
    );
    return { token: doc!.token, holder, ttlMs };
  } catch (err) {
    if (isDuplicateKeyError(err)) return null;
    throw err;
  }
}

/** Give the lease back (only if still ours). */
export async function releaseLease(db: Db, lease: Lease): Promise<void> {
  await col(db, 'settler').updateOne({ _id: SETTLER_ID, token: lease.token }, { $set: { holder: null, expiresAt: new Date(0) } });
}

/**
 * The first write of every settler transaction: renew the lease under our token and read the
 * settler's state. Throws LeaseLostError when the token is no longer ours.
 */
export async function fence(tx: Tx, lease: Lease): Promise<SettlerDoc> {
  const doc = await col(tx.db, 'settler').findOneAndUpdate(
    { _id: SETTLER_ID, token: lease.token },
    { $set: { expiresAt: new Date(Date.now() + lease.ttlMs) }, $inc: { transactions: 1 } },
    { ...s(tx), returnDocument: 'after' },
  );
  if (!doc) throw new LeaseLostError(lease.token);
  return doc;
}

/** Whether some settler holds a live lease (the waiting side's view). */
export async function leaseHeld(db: Db): Promise<boolean> {
  const doc = await col(db, 'settler').findOne({ _id: SETTLER_ID }, { projection: { holder: 1, expiresAt: 1 } });
  return !!doc?.holder && doc.expiresAt.getTime() > Date.now();
}
