/**
 * The memos of the union's postings (工会排队). A shopper's pending union entitlement (UENT) is not
 * materialized (engine/ledger/accounts.ts `isChained`): their union entries are its sub-ledger, and
 * verify-ledger.ts ties them to the journal by these memos: an order's entries to its issuance and
 * cancellation postings, a shopper's received amounts to their CASH rows of union payouts.
 */
export const UNION_MEMO = {
  /** an order's entry is created: UENT issuer → shopper */
  issued: '工会排队权益',
  /** a friend's order pays part of an entry (加速): CASH pool → shopper, UENT shopper → issuer */
  accelerated: '工会排队加速',
  /** the daily release pays entries in full (静态释放): CASH hold → shopper, UENT shopper → issuer */
  released: '工会排队释放',
  /** a refund cancels the unpaid remainder: UENT shopper → issuer */
  cancelled: '退款取消工会权益',
} as const;

/** Memos of the postings that pay a union entry in cash (their CASH and UENT postings pair up). */
export const UNION_PAYOUT_MEMOS: ReadonlySet<string> = new Set([UNION_MEMO.accelerated, UNION_MEMO.released]);
