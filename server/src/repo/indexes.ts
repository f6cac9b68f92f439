import { createHash } from 'node:crypto';
import type { Db, IndexSpecification, CreateIndexesOptions } from 'mongodb';
import { CLOSED_ENTRY_STATUSES, CLOSED_UNION_STATUSES, type Collections } from './documents';
import { WALLET_ASSETS } from './ledger';

/**
 * Indexes. Unique indexes carry the idempotency guarantees (SPEC §1): a duplicate event
 * fails on a duplicate key instead of being detected by a read before a write.
 * The queue indexes make "the first payable entry of queue Q" O(log n).
 */
const INDEXES: { [K in keyof Collections]?: [IndexSpecification, CreateIndexesOptions?][] } = {
  users: [
    [{ openid: 1 }, { unique: true }],
    [{ inviteCode: 1 }, { unique: true }],
    // user.invitees: a referrer's friends, newest first, paged
    [{ referrerId: 1, createdAt: -1 }],
  ],
  products: [
    [{ storeId: 1, listed: 1 }],
    [{ listed: 1, createdAt: 1 }],
    // mall.listProducts / search: one scope (mall or a store), optionally one category, in listing order, paged
    [{ storeId: 1, listed: 1, createdAt: 1 }],
    [{ storeId: 1, listed: 1, categoryId: 1, createdAt: 1 }],
  ],
  categories: [[{ listed: 1, sort: 1 }]],
  stores: [[{ ownerId: 1 }], [{ status: 1, createdAt: 1 }]],
  cashiers: [[{ storeId: 1 }]],
  orders: [
    [{ userId: 1, createdAt: -1 }],
    [{ userId: 1, status: 1, completedAt: 1 }],
    [{ storeId: 1, createdAt: -1 }],
    [{ status: 1, createdAt: -1 }],
    // the settler's work list: due orders in payment order (settled orders sit in the `false` range, never scanned)
    [{ settleDue: 1, settleDueAt: 1, _id: 1 }],
    [{ settleSeq: -1 }],
    [{ userId: 1, settleDue: 1 }],
    // the payment sweep: unpaid orders with a prepay, due to be asked about (orders without one sit in the null range)
    [{ payCheckAt: 1 }],
    // admin.simulateConfig: the period's payments and refunds, in bounded pages
    [{ paidAt: 1, _id: 1 }],
    [{ refundedAt: 1 }],
    // 自动确认收货: shipped orders awaiting receipt, oldest shipment first (unshipped orders sit in the null range)
    [{ status: 1, shippedAt: 1 }],
    // admin.orders / merchant.orders filtered by status (the mall's orders are storeId null)
    [{ storeId: 1, status: 1, createdAt: -1 }],
  ],
  payments: [
    [{ orderId: 1 }],
    // reconciliation: a day's payments
    [{ day: 1 }],
  ],
  refunds: [
    [{ orderId: 1 }],
    // the queryRefund sweep: processing refunds due to be asked about
    [{ status: 1, checkAt: 1 }],
    // admin and merchant lists (failed refunds first of all)
    [{ status: 1, requestedAt: -1 }],
    [{ storeId: 1, requestedAt: -1 }],
    // reconciliation: a day's confirmed refunds
    [{ day: 1 }],
  ],
  payment_anomalies: [[{ status: 1, at: -1 }]],
  entries: [
    [{ queueKey: 1, seq: 1 }, { unique: true }],
    [{ queueKey: 1, status: 1, seq: 1 }],
    [{ queueKey: 1, status: 1, orderDone: 1, seq: 1 }],
    [{ orderId: 1, lineIndex: 1 }, { unique: true }],
    [{ userId: 1, createdAt: -1 }],
    // queue.mine: the shopper's pending count and a status filter without reading their other entries
    [{ userId: 1, status: 1, createdAt: -1 }],
    [{ status: 1, createdAt: 1 }],
    // admin.simulateConfig: entries that left the queue in a period. Partial: the pending entries
    // (most of a long queue, all with closedAt null) are not in it — 10⁶ of them cost ~60 MB here
    [{ closedAt: 1 }, { name: 'closedAt_closed', partialFilterExpression: { status: { $in: [...CLOSED_ENTRY_STATUSES] } } }],
  ],
  union_entries: [
    [{ seq: 1 }, { unique: true }],
    [{ orderId: 1 }],
    // pending entries in seq order (the release's plan, the replay's first pending entry), and a
    // shopper's (a referrer's acceleration, the release's pay steps, verifyLedger). Partial, over the
    // pending entries only: every query states status 'pending', and an entry that is paid or
    // cancelled leaves them (one change each, instead of a move to a range no query reads)
    [{ status: 1, seq: 1 }, { name: 'status_seq_pending', partialFilterExpression: { status: 'pending' } }],
    [{ userId: 1, status: 1, seq: 1 }, { name: 'userId_status_seq_pending', partialFilterExpression: { status: 'pending' } }],
    [{ userId: 1, createdAt: -1 }],
    [{ closedAt: 1 }, { name: 'closedAt_closed', partialFilterExpression: { status: { $in: [...CLOSED_UNION_STATUSES] } } }],
  ],
  green_lots: [
    // the exit cascade: active lots by exit price. Partial: a lot that exits leaves it (one change
    // instead of a move to the 'exited' range, where no query looks)
    [{ exitKey: 1 }, { name: 'exitKey_active', partialFilterExpression: { status: 'active' } }],
    // a shopper's lots newest first (myGreen, the what-if): a lot's userId and createdAt never
    // change, so an exit or a refund makes no change here
    [{ userId: 1, createdAt: 1 }],
    // a shopper's active lots, oldest first (an exchange takes them in order; verifyLedger sums
    // them). Partial: a lot that exits or is refunded leaves it (one change instead of a move)
    [{ userId: 1, status: 1, createdAt: 1 }, { name: 'userId_status_createdAt_active', partialFilterExpression: { status: 'active' } }],
    [{ orderId: 1 }],
    // admin.simulateConfig: lots that exited in a period. Partial: the active lots (no exitedAt) are
    // not in it, so a lot enters it once, when it exits
    [{ exitedAt: 1 }, { name: 'exitedAt_exited', partialFilterExpression: { status: 'exited' } }],
    // the cascade's exits not yet paid to their holders, shopper by shopper (settler/exit-payouts.ts).
    // Partial: a lot enters it when it exits and leaves it when it is paid, a few steps later
    [{ userId: 1, _id: 1 }, { name: 'userId_id_payoutPending', partialFilterExpression: { payoutPending: true } }],
  ],
  journal: [
    [{ eventKey: 1 }, { unique: true }],
    [{ book: 1, height: 1 }, { unique: true }],
    // verifyLedger: an order's entries (every posting to an order's clearing account names the order)
    [{ 'refs.orderId': 1 }],
    // admin.simulateConfig: a period's events of one kind (refunds, exchanges, green withdrawals …); `at` is an ISO string
    [{ type: 1, at: 1 }],
  ],
  postings: [
    // wallet.ledger: a shopper's wallet rows newest first, paged by (at, _id). Partial: the rows of
    // the memo asset QENT (one per queue entry a shopper gets, and one per payment of it; no
    // shopper-facing query reads them by user) are not in it, nor the UENT rows older versions
    // wrote (a shopper's UENT has no rows since schema version 5)
    [{ userId: 1, at: -1, _id: -1 }, { name: 'userId_at_id_wallet', partialFilterExpression: { asset: { $in: [...WALLET_ASSETS] } } }],
    // verifyLedger: an account's rows in order (not unique: rows written before migration 2 had no seq)
    [{ account: 1, seq: 1 }],
  ],
  balances: [[{ userId: 1 }]],
  draws: [[{ userId: 1, at: -1 }], [{ at: 1 }]],
  withdrawals: [
    [{ userId: 1, createdAt: -1 }],
    [{ status: 1, createdAt: 1 }],
    [{ storeId: 1, createdAt: -1 }],
    // the payout sweep: transfers due to be asked about
    [{ status: 1, 'payout.checkAt': 1 }],
  ],
  outbox: [
    // admin lists by status (dead letters), newest first
    [{ status: 1, createdAt: 1 }],
    // the dispatcher: due messages (pending by nextAt; sending by lease expiry)
    [{ status: 1, nextAt: 1 }],
    [{ status: 1, leaseUntil: 1 }],
  ],
  // the settler's requested jobs (the day's union release), oldest first
  jobs: [[{ kind: 1, status: 1, startedAt: 1 }]],
  inflows: [[{ target: 1, day: 1 }]],
};

/**
 * A fingerprint of the definitions above. The setup step records it in the schema document; a
 * cold start that finds a different one knows the indexes changed since the last setup, so a
 * developer who adds an index needs no migration of their own (npm run db:setup creates it).
 */
export function indexFingerprint(): string {
  return createHash('sha256').update(JSON.stringify(INDEXES)).digest('hex').slice(0, 16);
}

/** Indexes an earlier version created that a later one replaced: the setup step drops them. */
const RETIRED: { [K in keyof Collections]?: string[] } = {
  // replaced by the partial closedAt_closed (the pending entries are not in it)
  entries: ['closedAt_1'],
  // closedAt_1 as above; status_1_eligibleDay_1_seq_1: no query used it (the release reads in seq
  // order); status_1_seq_1 and userId_1_status_1_seq_1: replaced by the partial ones over pending entries
  union_entries: ['closedAt_1', 'status_1_eligibleDay_1_seq_1', 'status_1_seq_1', 'userId_1_status_1_seq_1'],
  // replaced by the partial exitKey_active and exitedAt_exited; userId_1_status_1_createdAt_1 by
  // userId_1_createdAt_1 and the partial userId_status_createdAt_active
  green_lots: ['status_1_exitKey_1', 'exitedAt_1', 'userId_1_status_1_createdAt_1'],
  // replaced by the partial userId_at_id_wallet (its _id serves the history's tie-break order)
  postings: ['userId_1_at_-1'],
};

/** Create every index (idempotent: an existing one with the same definition is left alone), drop the retired ones. Only the setup step calls this. */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [name, retired] of Object.entries(RETIRED)) {
    const have = new Set((await db.collection(name).indexes().catch(() => [])).map((ix) => ix.name as string)); // (no collection yet: nothing to drop)
    for (const ix of retired ?? []) if (have.has(ix)) await db.collection(name).dropIndex(ix);
  }
  for (const [name, specs] of Object.entries(INDEXES)) {
    for (const [keys, options] of specs ?? []) {
      await db.collection(name).createIndex(keys, options ?? {});
    }
  }
}
