import { acct } from '../engine/ledger/accounts';
import { shanghaiDay } from '../engine/time';
import { col, s, type Tx } from '../repo/db';
import type { UnionStateDoc } from '../repo/documents';
import { Movements } from './movements';
import { loadConfig } from './config';
import { UNION_MEMO } from '../engine/union/memos';

/**
 * 工会排队 on the database (SPEC §4). The pool's state document mirrors CASH:pool:union;
 * pending entitlements are the memo asset UENT. Entries are paid in full, in seq order.
 */

async function loadUnion(tx: Tx): Promise<UnionStateDoc> {
  return (
    (await col(tx.db, 'union_state').findOne({ _id: 'union' }, s(tx))) ?? { _id: 'union', poolFen: 0, nextSeq: 0, pendingCount: 0, pendingFen: 0, inflowFen: 0, releasedFen: 0 }
  );
}

/** A refund cancels the order's pending union entries (unpaid remainder written off). */
export async function cancelUnionEntries(tx: Tx, orderId: string, mv: Movements): Promise<void> {
  const entries = await col(tx.db, 'union_entries').find({ orderId, status: 'pending' }, s(tx)).toArray();
  let fen = 0;
  for (const e of entries) {
    const left = e.entitlementFen - e.receivedFen;
    await col(tx.db, 'union_entries').updateOne({ _id: e._id }, { $set: { status: 'cancelled', closedAt: tx.now } }, s(tx));
    mv.move(acct.userUnionEntitlement(e.userId), acct.unionEntitlementIssuer, left, UNION_MEMO.cancelled);
    fen += left;
  }
  if (entries.length) await col(tx.db, 'union_state').updateOne({ _id: 'union' }, { $inc: { pendingFen: -fen, pendingCount: -entries.length } }, s(tx));
}

/** A shopper's pending union entitlement: what their pending entries have still to receive. */
async function pendingOf(tx: Tx, userId: string): Promise<number> {
  const pending = await col(tx.db, 'union_entries').find({ userId, status: 'pending' }, { ...s(tx), projection: { entitlementFen: 1, receivedFen: 1 } }).toArray();
  return pending.reduce((a, e) => a + e.entitlementFen - e.receivedFen, 0);
}

/** Union entries listed on the shopper's page (newest first). */
export const MY_UNION_LIMIT = 100;

export async function myUnion(tx: Tx, userId: string, now: Date) {
  const config = await loadConfig(tx);
  const state = await loadUnion(tx);
  const entries = await col(tx.db, 'union_entries').find({ userId }, s(tx)).sort({ seq: -1 }).limit(MY_UNION_LIMIT).toArray();
  const today = shanghaiDay(now);
  return {
    enabled: config.union.enabled,
    // (with what a running release has set aside and not paid yet: still the pool's, owed to the entries it counted)
    poolFen: state.poolFen + (state.heldFen ?? 0),
    /** every shopper's pending union entitlement (the pool's liability) */
    pendingFen: state.pendingFen,
    /** this shopper's pending union entitlement, all entries (the sum their UENT postings come to) */
    myPendingFen: await pendingOf(tx, userId),
    /** received on the entries listed (at most MY_UNION_LIMIT, newest first) */
    myReceivedFen: entries.reduce((a, e) => a + e.receivedFen, 0),
    listedLimit: MY_UNION_LIMIT,
    defaultLockDays: config.union.defaultLockDays,
    accelerationBp: config.union.accelerationBp,
    entries: entries.map((e) => ({
      entryId: e._id,
      orderId: e.orderId,
      seq: e.seq,
      entitlementFen: e.entitlementFen,
      receivedFen: e.receivedFen,
      pendingFen: e.status === 'pending' ? e.entitlementFen - e.receivedFen : 0,
      status: e.status,
      lockDays: e.lockDays,
      orderDay: e.orderDay,
      eligibleDay: e.eligibleDay,
      eligible: e.eligibleDay <= today,
      // the daily release pays eligible entries in full only: money on a pending entry, or on one
      // closed before its eligible day, came from a friend's order (加速, SPEC §4)
      accelerated: (e.status === 'pending' && e.receivedFen > 0) || (e.status === 'completed' && !!e.closedAt && shanghaiDay(e.closedAt) < e.eligibleDay),
    })),
  };
}
