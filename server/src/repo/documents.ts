import type { Deductions, Delivery, DeliveryAddress } from '../../../shared/views';
import type { DeliveryMethod, EntryStatus, ExchangeTarget, OrderKind, OrderStatus, WithdrawalMethod, WithdrawalStatus } from '../../../shared/contract';
import type { LotteryRule, PluginConfig, RebateRules } from '../engine/config/types';
import type { JournalEntry } from '../engine/ledger/journal';
import type { RatioRule, RatioSource } from '../engine/rebate/ratio';
import type { QueueSource } from '../engine/rebate/rules';
import type { Difference } from '../engine/reconcile/compare';

/** Stored documents. Amounts are integer fen (…Fen), ratios integer bp (…Bp), green points integer units (…Units). */

export interface UserDoc {
  _id: string;
  openid: string;
  nickname: string;
  avatarUrl: string;
  inviteCode: string;
  /** direct referrer, bound once at first sign-in, never changed */
  referrerId: string | null;
  completedSpendFen: number;
  /**
   * 直推佣金 this shopper's completed orders paid to their referrer (the referrer never changes, so
   * it all went to the same one); written by the settler with the commission. Absent = 0.
   */
  commissionBroughtFen?: number;
  /** 直推佣金 this shopper received from all their referees' completed orders. Absent = 0. */
  commissionEarnedFen?: number;
  /** when the shopper last changed nickname or avatar (user.updateProfile); absent = never */
  profileUpdatedAt?: Date | null;
  createdAt: Date;
  /**
   * What the shopper agreed to receive (wx.requestSubscribeMessage, recorded by user.subscribe):
   * per message kind, how many one-time subscriptions are left and the last answer. WeChat
   * counts too (a send without one is refused with 43101); this is what the shopper is shown.
   */
  subscriptions?: Partial<Record<string, { remaining: number; last: 'accept' | 'reject' | 'ban' | 'filter'; at: Date }>>;
}

export type ProductSource = 'self' | 'supplier' | 'store';

export interface ProductDoc {
  _id: string;
  name: string;
  description: string;
  /** the cover image (= images[0], '' when none): a cloud file id (WeChat) or /files/<name> (local) */
  imageUrl: string;
  /** up to MAX_PRODUCT_IMAGES images, the cover first; absent on documents written before images (= [imageUrl]) */
  images?: string[];
  /** the platform category (分类) the product is listed under; absent/null = none */
  categoryId?: string | null;
  priceFen: number;
  /** cost for profit: union pool share is taken from price − cost */
  costFen: number;
  stock: number;
  source: ProductSource;
  /** set for store products (门店线上商品) */
  storeId: string | null;
  listed: boolean;
  rebate: RebateRules;
  /** union lock days; null = the store's or the plugin default */
  lockDays: number | null;
  /** max share of the line price that points/love/voucher/green deductions may cover */
  maxDeductBp: number;
  sold: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoreDoc {
  _id: string;
  ownerId: string;
  name: string;
  status: 'pending' | 'approved' | 'rejected';
  /** the store's profit share of O2O orders (platform commission): union profit for cashier orders */
  commissionBp: number;
  /** store-level queue-rebate rules (门店排队返利设置), incl. random return */
  rebate: RebateRules;
  /** union lock days for cashier orders; null = plugin default */
  lockDays: number | null;
  /** the shopper who invited the store (招商奖励), one level */
  recruiterId: string | null;
  createdAt: Date;
}

export interface CashierDoc {
  _id: string;
  storeId: string;
  name: string;
  /** mini-program code scene, ≤ 32 chars: `c=<cashierId>` */
  scene: string;
  /** cloud file id (WeChat) or data URL of a QR code (local) */
  codeUrl: string;
  rebate: RebateRules;
  createdAt: Date;
}

export interface ConfigDoc {
  _id: 'plugin';
  /** shape of `config` (engine/config/migrations.ts); absent = 1. Read through services/config.ts, which upgrades. */
  schemaVersion?: number;
  /** as stored: possibly an older shape than PluginConfig */
  config: PluginConfig;
  updatedAt: Date;
  updatedBy: string | null;
}

export type { OrderKind };
/** refunding (退款中): the refund is recorded and waits for WeChat Pay to confirm it (refunds collection). */
/** The address and the 收货方式 as the order stores them and its view shows them (shared/views.ts). */
export type { Deductions, Delivery, DeliveryAddress };

export interface ShippingInfo {
  method: DeliveryMethod;
  /** carrier code (WeChat's delivery id, e.g. SF, ZTO) and its name; null for pickup */
  carrier: string | null;
  carrierName: string | null;
  trackingNo: string | null;
  /** user id of the store owner, or 'admin:<openid>' */
  by: string;
}

export interface AfterSale {
  status: 'requested' | 'approved' | 'rejected';
  reason: string;
  requestedAt: Date;
  /** the order's status when asked (paid before receipt, completed after) */
  stage: 'paid' | 'completed';
  decidedAt: Date | null;
  decidedBy: string | null;
  decisionNote: string;
}

export type { OrderStatus };

export interface OrderLine {
  productId: string | null;
  name: string;
  qty: number;
  priceFen: number;
  costFen: number;
  totalFen: number;
  /** cash actually paid for this line (deductions prorated away) */
  cashFen: number;
  rebateEnabled: boolean;
}


export interface SettlementSummary {
  extractedFen: number;
  payouts: number;
  entries: string[];
  unionInflowFen: number;
  greenInflowFen: number;
  greenUnits: number;
  commissionFen: number;
  recruiterFen: number;
  accelerationFen: number;
  revenueFen: number;
}

export interface OrderDoc {
  _id: string;
  userId: string;
  kind: OrderKind;
  storeId: string | null;
  cashierId: string | null;
  lines: OrderLine[];
  totalFen: number;
  deduct: Deductions;
  cashFen: number;
  /** cash currently held in the order's clearing account (CASH:order:<id>): received, not yet distributed */
  clearingFen: number;
  status: OrderStatus;
  /** buyer's member level at order time */
  levelId: string;
  createdAt: Date;
  paidAt: Date | null;
  completedAt: Date | null;
  refundedAt: Date | null;
  settledAt: Date | null;
  transactionId: string | null;
  settlement: SettlementSummary | null;
  /**
   * 结算中: settlement (or a completion's commission and revenue) is due and waits for the settler.
   * Set by the payment / completion, cleared by the settler; older documents lack it (= false).
   */
  settleDue?: boolean;
  /** when the work became due (payment or completion time): the settler takes due orders in this order */
  settleDueAt?: Date | null;
  /** the settler's sequence number: the order in which orders were settled (payment order, SPEC §9) */
  settleSeq?: number | null;
  /** a settlement cut across transactions (a payout larger than one transaction's bound) */
  settleProgress?: SettleProgress | null;
  /** commission, recruiter reward and revenue done (at completion) */
  distributedAt?: Date | null;
  /** wall-clock time the settler read the batch that settled the order (payment order is checked against it) */
  settleTakenAt?: Date | null;
  /** wall-clock time the settler wrote that batch (just before its commit): settlement lag = this − paidAt */
  settledWallAt?: Date | null;
  /** WeChat Pay: when order.pay last asked cloud pay for a prepay (unifiedOrder); absent = never */
  prepayAt?: Date | null;
  /**
   * When the payment sweep next asks WeChat about this unpaid order (cloudPay.queryOrder): set a
   * few minutes after a prepay, cleared once the order is paid or cancelled. The sweep's list.
   */
  payCheckAt?: Date | null;
  /** 收货方式 chosen at checkout (mall and store-product orders; absent on cashier orders and orders made before it existed) */
  delivery?: Delivery | null;
  /** 买家留言 (≤ 100 characters) */
  note?: string;
  /** 发货: when the store owner / platform marked it shipped (status stays `paid` until receipt: every money path is unchanged) */
  shippedAt?: Date | null;
  shipping?: ShippingInfo | null;
  /** 发货信息已上传微信 (发货信息管理): when the outbox's call succeeded; `shippingUploadError` when WeChat refused it for good */
  shippingUploadedAt?: Date | null;
  shippingUploadError?: string | null;
  /** 自动确认收货: completed by the auto-confirm sweep (not by a person) */
  autoConfirmed?: boolean;
  /** 售后 (refund request): the shopper's request and the store owner's / platform's decision */
  afterSale?: AfterSale | null;
  /** how many times the sweep has asked */
  payChecks?: number;
  /** the refund in progress or done (refunds collection, `R<orderId>`) */
  refundId?: string | null;
  /** the status the order had when its refund was requested */
  refundedFrom?: 'paid' | 'completed' | null;
}

/** Where a cut settlement continues: the line being extracted and what it has paid so far. */
export interface SettleProgress {
  line: number;
  /** extracted from this line so far */
  lineExtractedFen: number;
  /** extracted from all lines so far */
  extractedFen: number;
  payouts: number;
  /** transactions this settlement has taken so far */
  parts: number;
}

export interface PaymentDoc {
  /** WeChat Pay transaction id: the idempotency key of a payment notification */
  _id: string;
  orderId: string;
  amountFen: number;
  at: Date;
  /** a second payment of an order already paid: recorded, owed back to the shopper */
  duplicate: boolean;
  /** how we learnt of it: WeChat's notification, the payment sweep's query, local simulation, or an order with nothing to pay */
  source?: 'notify' | 'sweep' | 'local' | 'zero';
  /** WeChat's payment time (time_end) when known, else when we recorded it */
  paidAt?: Date;
  /** the Asia/Shanghai day of paidAt: the day of WeChat Pay's bill it is reconciled with */
  day?: string;
}

/**
 * A payment notification that could not be applied (its amount differs from the order's): recorded,
 * answered so that WeChat stops retrying, settled nowhere. The money sits in the suspense account
 * until an admin resolves it (usually by refunding it in the merchant platform).
 */
export interface PaymentAnomalyDoc {
  /** WeChat Pay transaction id */
  _id: string;
  orderId: string;
  kind: 'amount';
  amountFen: number;
  expectedFen: number;
  at: Date;
  status: 'open' | 'resolved';
  resolvedAt: Date | null;
  resolvedBy: string | null;
  note: string;
}

/**
 * A refund through WeChat Pay (cloudPay.refund). Its id is the refund number WeChat sees
 * (out_refund_no, `R<orderId>`), so however often the request is sent it makes one refund.
 *
 *   requested  → the outbox has not had it accepted by WeChat yet
 *   processing → accepted; WeChat confirms by the refund callback (refundNotify) or the queryRefund sweep
 *   succeeded  → confirmed: the money left (ledger: in transit → CASH:ext:wxpay)           (final)
 *   failed     → WeChat refused or closed it: admin and merchant see it; an admin retries
 *                (same refund number) or records a refund made outside WeChat Pay
 *   manual     → refunded outside WeChat Pay, with the admin's reference (CASH:ext:manual) (final)
 */
export interface RefundDoc {
  _id: string;
  orderId: string;
  userId: string;
  storeId: string | null;
  /** cash refunded (fen) */
  amountFen: number;
  /** the order's cash (total_fee) */
  totalFen: number;
  status: 'requested' | 'processing' | 'succeeded' | 'failed' | 'manual';
  requestedAt: Date;
  requestedBy: string;
  acceptedAt: Date | null;
  confirmedAt: Date | null;
  /** Asia/Shanghai day of confirmedAt (reconciliation) */
  day: string | null;
  wxRefundId: string | null;
  error: string | null;
  /** when the queryRefund sweep next asks (processing refunds) */
  checkAt: Date | null;
  checks: number;
  /** how it was settled: WeChat's callback, the sweep, the answer to the request, or an admin */
  confirmedBy: 'notify' | 'sweep' | 'answer' | 'admin' | null;
  reference: string | null;
}

export type { EntryStatus };
/** Statuses of an entry that left its queue (it has a closedAt): the partial index of closed entries and its queries say exactly these. */
export const CLOSED_ENTRY_STATUSES: readonly Exclude<EntryStatus, 'pending'>[] = ['completed', 'exchanged', 'expired', 'cancelled'];
/** The same for union entries. */
export const CLOSED_UNION_STATUSES: readonly ('completed' | 'cancelled')[] = ['completed', 'cancelled'];

export interface QueueDoc {
  _id: string;
  name: string;
  kind: QueueSource['kind'] | 'merged';
  nextSeq: number;
  pendingCount: number;
  pendingFen: number;
  paidFen: number;
  entryCount: number;
  /** random-return group in progress */
  rr: { size: number; slot: number; cashSlots: number[] } | null;
  createdAt: Date;
}

export interface EntryDoc {
  _id: string;
  queueKey: string;
  seq: number;
  userId: string;
  orderId: string;
  lineIndex: number;
  source: QueueSource;
  /** the cash amount the entitlement was computed from */
  baseFen: number;
  ratioBp: number;
  ratioRule: RatioRule;
  ratioSource: RatioSource;
  entitlementFen: number;
  receivedFen: number;
  status: EntryStatus;
  /** whether the entry's order is completed (for the completed-first ordering) */
  orderDone: boolean;
  lottery: { rule: LotteryRule; source: RatioSource; drawnBp: number | null; drawnAt: Date | null } | null;
  /** random return sent this entry straight to points */
  convertedToPoints: boolean;
  /**
   * Turned into points/love/vouchers (exchange or random return). `account` is where the credit
   * went (e.g. LOVE:user:<id>:frozen), so a refund takes it back from exactly there whatever the
   * setting says by then; entries written before it was recorded lack it (the journal says).
   */
  exchanged: { to: ExchangeTarget; amount: number; remainingFen: number; account?: string } | null;
  createdAt: Date;
  firstPaidAt: Date | null;
  closedAt: Date | null;
}

export interface UnionStateDoc {
  _id: 'union';
  /** what the pool can pay (CASH:pool:union): without the money a running release has set aside */
  poolFen: number;
  /** set aside by the running release for the entries it counted, not paid yet (CASH:pool:union:release); absent before the first such release */
  heldFen?: number;
  nextSeq: number;
  pendingCount: number;
  pendingFen: number;
  inflowFen: number;
  releasedFen: number;
}

export interface UnionEntryDoc {
  /** `<orderId>:<lineIndex>`: one entry per order line, so a duplicate settlement cannot add a second */
  _id: string;
  seq: number;
  userId: string;
  orderId: string;
  lineIndex: number;
  entitlementFen: number;
  receivedFen: number;
  status: 'pending' | 'completed' | 'cancelled';
  lockDays: number;
  orderDay: string;
  eligibleDay: string;
  createdAt: Date;
  closedAt: Date | null;
}

export interface GreenStateDoc {
  _id: 'green';
  poolFen: number;
  totalUnits: number;
  lastPriceNum: number;
  lastPriceDen: number;
  inflowFen: number;
  paidOutFen: number;
  /** bumped by every change of the pool: the settler runs the exit cascade when it differs from the version it last checked */
  version?: number;
  /**
   * Exits of the settler's cascade not yet paid to their holders (services/settler/exit-payouts.ts):
   * their payouts, set aside from the pool (the balance of CASH:pool:green:exits), their units
   * (still in the holders' GREEN balances, no longer in totalUnits) and how many lots. Absent: 0.
   */
  exitHeldFen?: number;
  exitPendingUnits?: number;
  exitPendingCount?: number;
}

export interface GreenLotDoc {
  _id: string;
  userId: string;
  orderId: string | null;
  units: number;
  consumptionFen: number;
  /** fen per unit at which the lot exits: only an index key, the decision is exact */
  exitKey: number;
  status: 'active' | 'exited' | 'empty';
  createdAt: Date;
  /** a forced exit: when, and the units it had (units is 0 after it); absent on lots that exited before these were recorded */
  exitedAt?: Date;
  exitedUnits?: number;
  /** an exit of the settler's cascade: what it pays the holder (fen); `payoutPending` until a payout step has paid it */
  payoutFen?: number;
  payoutPending?: true;
}

export interface GreenDayDoc {
  _id: string; // YYYY-MM-DD
  openNum: number;
  openDen: number;
  closeNum: number;
  closeDen: number;
  updatedAt: Date;
}

export interface BookDoc {
  _id: string;
  height: number;
  hash: string;
}

export type JournalDoc = JournalEntry;

/** One posting to a chained account (repo/ledger.ts `chained`): `<entryId>/<index>`, written with its journal entry. */
export interface PostingDoc {
  _id: string;
  /** the shopper, or null for a platform account */
  userId: string | null;
  account: string;
  asset: string;
  amount: number;
  /** 1, 2, … per account, in commit order */
  seq: number;
  /** the account's balance after this posting */
  balanceAfter: number;
  type: string;
  memo: string;
  eventKey: string;
  at: Date;
}

export interface BalanceDoc {
  /** the account */
  _id: string;
  userId: string | null;
  asset: string;
  balance: number;
  /** how many postings the account has had (its last row's seq) */
  seq: number;
}

export interface DrawDoc {
  /** the entry id: one draw per entry, enforced by the primary key */
  _id: string;
  userId: string;
  rule: LotteryRule;
  roll: number;
  rollRange: number;
  ratioBeforeBp: number;
  ratioAfterBp: number;
  entitlementBeforeFen: number;
  entitlementAfterFen: number;
  at: Date;
}

/**
 * A withdrawal (提现) of a shopper's cash or of a store's revenue, paid out by a payout method
 * (runtime/payout.ts): WeChat Pay 商家转账 (the shopper confirms receipt in the mini-program) or a
 * manual payout whose reference the admin records. Cash counts as paid out only when the payout
 * is confirmed; until then it sits in the owner's `withdrawing` account.
 *
 *   pending  → rejected (back to the balance)                                      (final)
 *            → paying   → paid   (withdrawing → CASH:ext:payout | CASH:ext:manual) (final)
 *                       → failed (the transfer failed or expired: back to the balance) (final)
 */
export interface WithdrawalDoc {
  _id: string;
  /** who asked: the shopper, or the store's owner */
  userId: string;
  /** set for a store's revenue withdrawal (the money comes from CASH:store:<id>:revenue) */
  storeId?: string | null;
  amountFen: number;
  status: WithdrawalStatus;
  createdAt: Date;
  reviewedAt: Date | null;
  reviewedBy: string | null;
  method?: WithdrawalMethod | null;
  /** the transfer's bill number (out_bill_no): letters and digits, unique, the transfer's idempotency key */
  billNo?: string | null;
  payout?: PayoutInfo | null;
  /** when it reached paid, rejected or failed */
  closedAt?: Date | null;
}

export interface PayoutInfo {
  /** the payout method's state, e.g. WeChat's WAIT_USER_CONFIRM, SUCCESS, FAIL, CANCELLED; MANUAL for a manual payout */
  state: string;
  /** WeChat: what wx.requestMerchantTransfer needs (while WAIT_USER_CONFIRM) */
  packageInfo: string | null;
  /** WeChat's transfer bill number */
  transferBillNo: string | null;
  /** manual payout: the bank or transfer reference the admin recorded */
  reference: string | null;
  /** why it failed */
  error: string | null;
  startedAt: Date;
  /** when the payout sweep next asks about it */
  checkAt: Date | null;
  checks: number;
  /** after this, an unconfirmed transfer is cancelled and the money returned */
  expiresAt: Date | null;
}

export interface JobDoc {
  _id: string;
  /** what the job does: `union-release` (requested by the daily job, run by the settler), `reset` */
  kind?: string;
  /** the day a union release is for */
  day?: string;
  status: 'running' | 'done';
  /** resume point of a chunked job (union release: the last seq counted (plan) or below which all is paid (pay)) */
  cursor: number;
  /** union release (services/settler/release.ts): counting the entries the pool pays, or paying them */
  phase?: 'plan' | 'pay';
  /** union release plan: where the plan started, and the fen it counted so far */
  planFrom?: number | null;
  planFen?: number;
  /** union release pay: the last entry the plan pays (its cut), whether the pool stopped it, the pool it expects */
  cutSeq?: number;
  blocked?: boolean;
  /** (jobs planned by an earlier version, which kept nothing aside: the pool it expected) */
  expectPoolFen?: number;
  /** union release: what this job has set aside for the entries it counted and not paid yet (absent: a job of an earlier version) */
  heldFen?: number;
  chunks: number;
  processed: number;
  amountFen: number;
  transactions: number;
  note: string;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * One thing that leaves the system (services/outbox): a subscribe message, a WeChat Pay refund,
 * a payout, later shipping uploads. Written by the business event's transaction; dispatched after
 * the answer by a dispatcher that claims it with a lease, calls WeChat with `key` (an idempotency
 * key WeChat honours: the refund number, the transfer bill number), then records the result.
 *
 *   pending → sending (claimed: lease) → done | skipped (nothing to send: not subscribed, no template)
 *                                      → pending again (a retryable error: exponential backoff, nextAt)
 *                                      → dead (attempts exhausted or a permanent error; admins see it and may retry)
 * Documents written before this shape may say sent / recorded / failed.
 */
export interface OutboxDoc {
  _id: string;
  /** the shopper a message is for ('' for a bundle) */
  userId: string;
  openid: string;
  /** a kind registered in services/outbox/kinds.ts, or `bundle` (many messages of one settler transaction, split before sending) */
  kind: string;
  data: Record<string, string>;
  /** the messages of a bundle */
  messages?: { userId: string; kind: 'payout' | 'completed' | 'lottery' | 'exit'; data: Record<string, string> }[];
  status: 'pending' | 'sending' | 'done' | 'skipped' | 'dead' | 'sent' | 'recorded' | 'failed';
  /** the idempotency key sent to WeChat with the call (null: the call has none, e.g. a subscribe message) */
  key?: string | null;
  /** calls started so far */
  attempts?: number;
  /** not before this (backoff) */
  nextAt?: Date;
  /** the claim of the dispatcher calling it: its token and until when */
  lease?: string | null;
  leaseUntil?: Date | null;
  /** the last error (and the last few with their times) */
  error: string | null;
  errors?: { at: Date; error: string }[];
  /** what WeChat answered, as recorded */
  result?: Record<string, unknown> | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** A day's comparison of our payments and refunds with WeChat Pay's bill (downloadBill). */
export interface ReconciliationDoc {
  /** the Asia/Shanghai day YYYY-MM-DD */
  _id: string;
  status: 'done' | 'unavailable';
  ranAt: Date;
  wechat: { payments: number; paymentFen: number; refunds: number; refundFen: number };
  ours: { payments: number; paymentFen: number; refunds: number; refundFen: number };
  /** every payment or refund that differs (at most RECONCILE_MAX_LISTED listed; differenceCount counts all) */
  differences: ReconcileDifference[];
  differenceCount: number;
  note: string;
}

/** What the stored reconciliation lists: the pure comparison's differences (engine/reconcile/compare.ts). */
export type ReconcileDifference = Difference;

/**
 * The settler (SPEC §9): one document holds its lease (holder, fencing token, expiry) and the
 * state that must survive a settler's death: the settlement sequence, a cut settlement to
 * continue first, the last reset applied and the green pool version last checked for exits.
 * Only the lease holder writes it inside a transaction, and every settler transaction writes it
 * first (the fence), so two settlers can never both commit.
 */
export interface SettlerDoc {
  _id: 'settler';
  holder: string | null;
  token: number;
  expiresAt: Date;
  /** settlement sequence numbers handed out so far */
  seq: number;
  /** an order whose settlement was cut: it continues before anything else */
  cut: string | null;
  /** the latest scheduled reset instant applied (队列奖励清零) */
  resetAt: Date | null;
  /** the green pool version at which no lot was due to exit */
  greenVersion: number;
  /** what the last step was: the union release's steps and a cascade of exits take turns with due orders (steps.ts) */
  lastStep?: 'release' | 'exits' | 'batch';
  transactions: number;
}

/** 商品分类, managed by the platform; mall and store products carry one. */
export interface CategoryDoc {
  _id: string;
  name: string;
  /** display order, ascending (ties by creation) */
  sort: number;
  /** hidden categories keep their products but are not offered to shoppers */
  listed: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** One slide of the home banner (首页横幅): an image and where a tap leads. */
export interface BannerSlide {
  imageUrl: string;
  title: string;
  link: { kind: 'none' } | { kind: 'product' | 'store' | 'category'; id: string };
}

/** Operator-managed content of the mall's home page: one document per place (`home`). */
export interface ContentDoc {
  _id: 'home';
  banners: BannerSlide[];
  updatedAt: Date;
  updatedBy: string | null;
}

export interface CounterDoc {
  _id: string;
  count: number;
}

export interface InflowDoc {
  /** `<target>|<day>` */
  _id: string;
  target: string;
  day: string;
  fen: number;
}

export interface IdempotencyDoc {
  /** `<userId>:<action>:<requestId>` */
  _id: string;
  result: unknown;
  at: Date;
}

/** The database's schema record (`meta`, `_id: 'schema'`), written by the setup step only (repo/schema.ts). */
export interface MetaDoc {
  _id: 'schema';
  /** the last database migration applied (repo/schema.ts DB_MIGRATIONS) */
  version: number;
  /** fingerprint of the index definitions the setup created (repo/indexes.ts) */
  indexes: string;
  /** a migration in progress: its number and where its next bounded step resumes */
  migrating: { version: number; state: unknown } | null;
  history: { version: number; note: string; at: Date }[];
  updatedAt: Date;
}

export interface Collections {
  users: UserDoc;
  products: ProductDoc;
  stores: StoreDoc;
  cashiers: CashierDoc;
  config: ConfigDoc;
  orders: OrderDoc;
  payments: PaymentDoc;
  queues: QueueDoc;
  entries: EntryDoc;
  union_state: UnionStateDoc;
  union_entries: UnionEntryDoc;
  green_state: GreenStateDoc;
  green_lots: GreenLotDoc;
  green_days: GreenDayDoc;
  books: BookDoc;
  journal: JournalDoc;
  postings: PostingDoc;
  balances: BalanceDoc;
  draws: DrawDoc;
  withdrawals: WithdrawalDoc;
  jobs: JobDoc;
  outbox: OutboxDoc;
  counters: CounterDoc;
  inflows: InflowDoc;
  idempotency: IdempotencyDoc;
  settler: SettlerDoc;
  meta: MetaDoc;
  categories: CategoryDoc;
  content: ContentDoc;
  refunds: RefundDoc;
  payment_anomalies: PaymentAnomalyDoc;
  reconciliations: ReconciliationDoc;
}

/** Every collection, created by the setup step (the record type makes the compiler check the list is complete). */
const ALL: Record<keyof Collections, true> = {
  users: true, products: true, stores: true, cashiers: true, config: true, orders: true, payments: true, queues: true, entries: true,
  union_state: true, union_entries: true, green_state: true, green_lots: true, green_days: true, books: true, journal: true,
  postings: true, balances: true, draws: true, withdrawals: true, jobs: true, outbox: true, counters: true, inflows: true,
  idempotency: true, meta: true, settler: true, categories: true, content: true, refunds: true, payment_anomalies: true, reconciliations: true,
};
export const COLLECTION_NAMES = Object.keys(ALL) as (keyof Collections)[];
