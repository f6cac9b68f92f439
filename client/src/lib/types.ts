/**
 * Shapes of the cloud functions' answers (server/src/services/*View). Amounts in fen, ratios in bp.
 * The order, entry (queue.mine), withdrawal, balances and green-state views come from shared/views.ts, which the
 * server's view builders declare as their return types (instants arrive as ISO strings); the
 * enumerations from shared/contract.ts. The rest is still kept here by hand.
 */
import type { AfterSaleView, BalancesView, Delivery, DeliveryAddress, EntryView, ExchangeSettings, GreenStateView, LotteryOdds, MyEntriesView, OrderView, WithdrawalView } from '../../../shared/views'

/** Enumerations shared with the server: shared/contract.ts is their one source. */
export type { DeliveryMethod, EntryStatus, ExchangeTarget, MessageKind, OrderKind, OrderStatus, WithdrawalMethod, WithdrawalStatus } from '../../../shared/contract'

export interface Me {
  userId: string
  nickname: string
  avatarUrl: string
  inviteCode: string
  referrer: { userId: string; nickname: string } | null
  level: { id: string; name: string }
  completedSpendFen: number
  /** 直推佣金 received from all invited friends' completed orders */
  commissionEarnedFen?: number
  roles: { admin: boolean; merchant: boolean }
  stores: { storeId: string; name: string; status: 'pending' | 'approved' | 'rejected' }[]
}

export interface Product {
  productId: string
  name: string
  description?: string
  /** the cover (= images[0]); a cloud file id (weapp) or /files/<name> (local gateway) */
  imageUrl?: string
  images?: string[]
  categoryId?: string | null
  priceFen: number
  stock: number
  sold: number
  source?: string
  storeId: string | null
  listed: boolean
  maxDeductBp: number
  rebateEnabled: boolean
  lotteryAvailable: boolean
  lockDays: number
}

export interface ProductAdmin extends Product {
  costFen: number
  rebate: RebateRules
  lockDaysSetting: number | null
}

export interface ProductDetail extends Product {
  deduction: { pointValueFen: number; loveValueFen: number }
  rebateName: string
  store: { storeId: string; name: string; open: boolean } | null
  categoryName: string | null
}

export interface ProductPage {
  rebateName: string
  products: Product[]
  /** where the listing (or a search's bounded scan) continues; null at the end */
  nextCursor: string | null
  /** products read by this call (a search reads at most a few hundred per call) */
  scanned: number
}

export interface Category {
  categoryId: string
  name: string
  sort: number
  listed: boolean
}

export type BannerLink = { kind: 'none' } | { kind: 'product' | 'store' | 'category'; id: string }

export interface BannerSlide {
  imageUrl: string
  title: string
  link: BannerLink
}

export interface MallHome {
  banners: BannerSlide[]
  categories: Category[]
  stores: { storeId: string; name: string }[]
}

export interface PublicStore {
  storeId: string
  name: string
}

export interface Invitees {
  commissionEarnedFen: number
  friends: { nickname: string; joinedAt: string; commissionFen: number; hasOrdered: boolean }[]
  nextCursor: string | null
}

/** An order as the buyer, the store and the admins see it (server: orderView; the buyer's order.get / order.list add refundRequestUntil). */
export interface Order extends OrderView {
  /** buyer's views: until when a completed order may still get a refund request (null: no longer / not completed) */
  refundRequestUntil?: string | null
}

export type { Delivery, DeliveryAddress }

export type AfterSale = AfterSaleView

/** server: myEntries' entries */
export type Entry = EntryView

export type { ExchangeSettings, LotteryOdds }


/** server: myEntries (queue.mine) */
export type MyEntries = MyEntriesView

export interface UnionEntry {
  entryId: string
  orderId: string
  seq: number
  entitlementFen: number
  receivedFen: number
  pendingFen: number
  status: string
  lockDays: number
  orderDay: string
  eligibleDay: string
  eligible: boolean
  /** money came before the eligible day: a direct friend's order (加速) */
  accelerated?: boolean
}

export interface MyUnion {
  enabled: boolean
  poolFen: number
  /** every shopper's pending union entitlement */
  pendingFen: number
  /** this shopper's pending union entitlement (all entries) */
  myPendingFen?: number
  /** received on the entries listed */
  myReceivedFen?: number
  listedLimit?: number
  defaultLockDays?: number
  accelerationBp?: number
  entries: UnionEntry[]
}

/** server: greenView */
export type GreenState = GreenStateView

export interface MyGreen {
  units: number
  valueFen: number
  pricePerPointFen: number
  lots: { lotId: string; orderId: string; units: number; consumptionFen: number; valueFen: number; exitAtFen: number; status: string; createdAt: string }[]
}

/** server: wallet balances */
export type Balances = BalancesView

export interface LedgerRow {
  id: string
  asset: string
  assetName: string
  account: 'available' | 'frozen' | 'withdrawing'
  amount: number
  type: string
  memo: string
  at: string
}

/** server: withdrawalView; admin.listWithdrawals adds whom it pays — the requester's nickname, and the store's name for a store's withdrawal */
export interface Withdrawal extends WithdrawalView {
  nickname?: string | null
  storeName?: string | null
}

export interface Refund {
  refundId: string
  orderId: string
  storeId: string | null
  amountFen: number
  status: 'requested' | 'processing' | 'succeeded' | 'failed' | 'manual'
  requestedAt: string
  acceptedAt: string | null
  confirmedAt: string | null
  confirmedBy: string | null
  error: string | null
  reference: string | null
}

export interface StoreRevenue {
  storeId: string
  storeName: string
  settledFen: number
  withdrawingFen: number
  paidOutFen: number
  pendingFen: number
  pendingOrders: number
  pendingPartial: boolean
  withdrawals: Withdrawal[]
  refunds: Refund[]
  failedRefunds: number
}

export interface OutboxMessage {
  messageId: string
  kind: string
  key: string | null
  userId: string
  status: string
  attempts: number
  nextAt: string | null
  error: string | null
  errors: { at: string; error: string }[]
  data: Record<string, string>
  createdAt: string
  sentAt: string | null
}

export interface ReconcileDifference {
  kind: 'payment' | 'refund'
  id: string
  orderId: string | null
  problem: 'missing_ours' | 'missing_wechat' | 'amount'
  oursFen: number | null
  wechatFen: number | null
}

export interface Reconciliation {
  _id: string
  status: 'done' | 'unavailable'
  ranAt: string
  wechat: { payments: number; paymentFen: number; refunds: number; refundFen: number }
  ours: { payments: number; paymentFen: number; refunds: number; refundFen: number }
  differences: ReconcileDifference[]
  differenceCount: number
  note: string
}

export interface PaymentAnomaly {
  _id: string
  orderId: string
  amountFen: number
  expectedFen: number
  at: string
  status: 'open' | 'resolved'
  note: string
}

export interface Store {
  storeId: string
  name: string
  status: 'pending' | 'approved' | 'rejected'
  commissionBp: number
  rebate: RebateRules
  lockDays: number | null
  createdAt: string
}

export interface Cashier {
  cashierId: string
  storeId: string
  name: string
  scene: string
  codeUrl: string
  page: string
  rebate: RebateRules
}

export interface CashierInfo {
  cashierId: string
  name: string
  storeId: string
  storeName: string
  rebateEnabled: boolean
  rebateName: string
}

export interface MerchantDashboard {
  store: Store
  orderCount: number
  flowFen: number
  todayFlowFen: number
  refundedCount: number
  revenueFen: number
  cashiers: Cashier[]
  queues: { queueKey: string; name: string; pendingCount: number; pendingFen: number; paidFen: number }[]
}

export interface LiabilityDashboard {
  asOf: string
  queues: {
    queueKey: string
    name: string
    pendingCount: number
    outstandingFen: number
    paidFen: number
    entryCount: number
    inflow7Fen: number
    inflow30Fen: number
    estimatedClearanceDays: number | null
  }[]
  queueOutstandingFen: number
  union: { enabled: boolean; poolFen: number; outstandingFen: number; pendingCount: number; releasedFen: number; inflow7Fen: number; inflow30Fen: number; estimatedClearanceDays: number | null }
  green: { enabled: boolean; poolFen: number; totalUnits: number; pricePerPointFen: number; pointsValueFen: number; inflow7Fen: number; inflow30Fen: number }
  withdrawals: { pendingCount: number; pendingFen: number }
}

export type LotteryRule =
  | { kind: 'fixed'; options: { ratioBp: number; weight: number }[] }
  | { kind: 'range'; minBp: number; maxBp: number }

export interface CumulativeTier {
  days: number
  minSpendFen: number
  ratioBp: number
}

export interface RebateRules {
  enabled: boolean
  extractionBp?: number | null
  ratioBp?: number | null
  levelRatios?: Record<string, number> | null
  tiers?: CumulativeTier[] | null
  lottery?: LotteryRule | null
  window?: { startAt?: string | null; endAt?: string | null; dailyStart?: string | null; dailyEnd?: string | null } | null
  limits?: { perDay?: number | null; total?: number | null } | null
  randomReturn?: { enabled: boolean; cashCount: number; pointsCount: number } | null
}

export interface MemberLevel {
  id: string
  name: string
  minSpendFen: number
}

export interface PluginConfig {
  version: number
  rebate: {
    enabled: boolean
    name: string
    exchangeName: string
    newProductsDefaultOn: boolean
    deductionMode: 'join' | 'extractOnly'
    settleOn: 'pay' | 'complete'
    ordering: 'queue' | 'completedFirst'
    extractionBp: number
    defaultRatioBp: number
    levelRatios: Record<string, number>
    lottery: LotteryRule | null
    exchange: ExchangeSettings
    randomReturn: { enabled: boolean; cashCount: number; pointsCount: number }
    mallQueue: boolean
    allStoresQueue: boolean
    allCashiersQueue: boolean
    reset: { enabled: boolean; schedule: 'daily' | 'weekly' | 'monthly' | 'once'; time: string; weekday: number; monthDay: number; onceAt: string | null }
    paused: boolean
    display: { queueId: boolean; progress: boolean; received: boolean; pending: boolean; member: boolean; pendingAmount: boolean }
  }
  union: { enabled: boolean; poolShareBp: number; entitlementBp: number; defaultLockDays: number; accelerationBp: number }
  green: { enabled: boolean; poolShareBp: number; mintBp: number; withdrawFeeBp: number; exitMultipleBp: number; launchPriceFen: number }
  referral: { commissionBp: number; recruiterBp: number }
  memberLevels: MemberLevel[]
  deduction: { pointValueFen: number; loveValueFen: number }
  withdrawal: { minFen: number; maxFen: number; confirmHours: number }
  payment: { closeAfterMin: number }
  /** 订单履约与售后: auto-confirm days after shipping (0 = never), after-sales days after completion (0 = only before) */
  orders: { autoConfirmDays: number; afterSaleDays: number }
  /** 订阅消息: per kind the template id and which template key each of our fields fills */
  messages: Record<string, { templateId: string; fields: { key: string; field: string }[] }>
}
