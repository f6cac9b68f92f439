/**
 * Accounts of the double-entry ledger. An account id is `<ASSET>:<holder…>`, so the asset
 * of every posting is explicit in the id and a posting can never move value across assets.
 *
 * Funds always go from somewhere to somewhere: money entering the system comes from an
 * external account (`CASH:ext:wxpay`), money leaving goes to one (`CASH:ext:payout`),
 * points are issued by an issuer account. Summing all balances of one asset gives zero.
 */

export const ASSETS = ['CASH', 'POINTS', 'LOVE', 'VOUCHER', 'GREEN', 'QENT', 'UENT'] as const;
export type Asset = (typeof ASSETS)[number];

/** Human names for the assets (QENT/UENT are memo assets: promised entitlements, not money). */
export const ASSET_NAMES: Record<Asset, string> = {
  CASH: '余额(分)',
  POINTS: '积分',
  LOVE: '爱心值',
  VOUCHER: '购物券(分)',
  GREEN: '绿色积分(万分之一)',
  QENT: '排队待返权益(分)',
  UENT: '工会待返权益(分)',
};

export type AccountId = string;

const ASSET_SET: ReadonlySet<string> = new Set(ASSETS);

// (the parsers below read the id in place, without splitting it: the settler calls them for
// every posting of a batch)

export function assetOf(account: AccountId): Asset {
  const asset = account.slice(0, account.indexOf(':'));
  if (!ASSET_SET.has(asset)) throw new Error(`invariant: unknown asset in account ${account}`);
  return asset as Asset;
}

/**
 * When the id's second segment (after `<ASSET>:`) is exactly `user`: where its third segment (the
 * user id) starts, or length + 1 when there is none. Otherwise -1.
 */
function userIdStart(account: AccountId): number {
  const i = account.indexOf(':');
  if (i < 0 || !account.startsWith('user', i + 1)) return -1;
  const end = i + 5;
  if (end === account.length) return end + 1;
  return account.charCodeAt(end) === 58 /* ':' */ ? end + 1 : -1;
}

export const acct = {
  userCash: (userId: string) => `CASH:user:${userId}`,
  userPoints: (userId: string) => `POINTS:user:${userId}`,
  userLove: (userId: string) => `LOVE:user:${userId}`,
  userLoveFrozen: (userId: string) => `LOVE:user:${userId}:frozen`,
  userVoucher: (userId: string) => `VOUCHER:user:${userId}`,
  userGreen: (userId: string) => `GREEN:user:${userId}`,
  /** Cash of a shopper waiting for the platform to pay out a withdrawal request. */
  userWithdrawing: (userId: string) => `CASH:user:${userId}:withdrawing`,
  userQueueEntitlement: (userId: string) => `QENT:user:${userId}`,
  userUnionEntitlement: (userId: string) => `UENT:user:${userId}`,

  /** Clearing account of one order: receives the payment, is emptied by settlement. */
  orderClearing: (orderId: string) => `CASH:order:${orderId}`,
  unionPool: 'CASH:pool:union',
  /**
   * Pool money the running union release has set aside for the entries it counted (release.ts):
   * moved here as the plan counts them and paid out from here, so that a batch of orders settled
   * between two of its steps (an acceleration) cannot spend it. Empty between releases.
   */
  unionReleaseHold: 'CASH:pool:union:release',
  greenPool: 'CASH:pool:green',
  /**
   * What the settler's exit cascade owes the holders of the lots it took out (出局), until it pays
   * them (services/settler/exit-payouts.ts): each exit step moves its lots' payouts here from the
   * pool, and the payout steps pay each shopper's exits together. Empty when every exit is paid.
   */
  greenExitHold: 'CASH:pool:green:exits',
  /**
   * The points of those exits, until their payout step takes them from their holders: a contra
   * account of the issuer, at minus the points still to take. The exit step moves them to the
   * issuer at once (−issuer stays the points outstanding, the pool's price), the payout step brings
   * it back to zero from the holders' GREEN.
   */
  greenExitUnits: 'GREEN:pool:exits',
  greenIssuer: 'GREEN:issuer',
  pointsIssuer: 'POINTS:issuer',
  loveIssuer: 'LOVE:issuer',
  voucherIssuer: 'VOUCHER:issuer',
  queueEntitlementIssuer: 'QENT:issuer',
  unionEntitlementIssuer: 'UENT:issuer',
  platformRevenue: 'CASH:platform:revenue',
  /** A store's settled revenue (its share of its orders, the platform's commission already taken): what the merchant may withdraw. */
  storeRevenue: (storeId: string) => `CASH:store:${storeId}:revenue`,
  /** A store's revenue waiting for its payout to be confirmed. */
  storeWithdrawing: (storeId: string) => `CASH:store:${storeId}:withdrawing`,
  /** Refunds recorded and sent to WeChat Pay, not yet confirmed: money still ours, owed to shoppers. */
  refundsInTransit: 'CASH:platform:refunds-in-transit',
  /** Payments whose notification could not be applied (amount differs from the order): held apart until an admin resolves them. */
  paymentSuspense: 'CASH:platform:payment-suspense',
  /** What the platform lost on refunds of already-settled orders (extractions are never clawed back). */
  platformRefundLoss: 'CASH:platform:refund-loss',
  extWxPay: 'CASH:ext:wxpay',
  /** Money paid out through WeChat Pay (商家转账). */
  extPayout: 'CASH:ext:payout',
  /** Money paid out outside WeChat Pay (a bank transfer an admin recorded with its reference). */
  extManual: 'CASH:ext:manual',
} as const;

/** Shopper-held accounts: their balances are materialized (and checked) in the same transaction. */
export function isUserAccount(account: AccountId): boolean {
  return userIdStart(account) >= 0;
}

/** Platform accounts whose balance a state document also holds (union_state.poolFen and heldFen; green_state.poolFen, exitHeldFen, −exitPendingUnits and −totalUnits). */
export const PLATFORM_CHAINED: ReadonlySet<string> = new Set([acct.unionPool, acct.unionReleaseHold, acct.greenPool, acct.greenExitHold, acct.greenExitUnits, acct.greenIssuer]);

/**
 * Accounts with a balance document and one numbered row per posting (repo/ledger.ts): every
 * account of a shopper (wallet and pending queue entitlements) but their pending union
 * entitlement, and the platform accounts a state document mirrors. A posting to one of them writes
 * two documents (balance, row).
 *
 * A shopper's UENT is recorded in the journal only: their union entries already hold it, entry by
 * entry (pending: entitlement − received), and verify-ledger.ts ties the entries to the journal's
 * postings (engine/union/memos.ts). A materialized copy cost the daily union release two of its
 * five documents per shopper paid, and every union order two more, for a figure no one reads
 * apart from the entries (union.mine sums them).
 */
export function isChained(account: AccountId): boolean {
  if (isUserAccount(account)) return !account.startsWith('UENT:');
  return PLATFORM_CHAINED.has(account) || isStoreAccount(account);
}

/**
 * A store's accounts (revenue, withdrawing): chained since database migration 3, so a merchant's
 * withdrawable balance is one document read. Only the settler (in its serialized batches), refunds
 * and the store's own withdrawals write them. Not guarded against going negative: a refund takes
 * back revenue the store may already have withdrawn (the store then owes it); a withdrawal checks
 * the balance itself.
 */
export function isStoreAccount(account: AccountId): boolean {
  return account.startsWith('CASH:store:');
}

/** Accounts that must never go below zero. Pools are checked by their own state documents. */
export function mustStayNonNegative(account: AccountId): boolean {
  return isUserAccount(account);
}

export function userIdOf(account: AccountId): string | null {
  const from = userIdStart(account);
  if (from < 0 || from > account.length) return null;
  const to = account.indexOf(':', from);
  return account.slice(from, to < 0 ? account.length : to);
}
