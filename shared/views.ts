/**
 * The shapes of the main cloud-function answers, shared by the server's view builders (which
 * declare them as their return types) and the client (client/src/lib/types.ts re-exports them).
 * Types only, dependency-free apart from the contract's enumerations.
 *
 * `D` is how an instant travels: a `Date` where the server builds the view, an ISO string once it
 * is JSON (what the client receives). Adding a field to a view builder fails to compile until it
 * is declared here, and then the client sees it.
 */
import type { DeliveryMethod, EntryStatus, ExchangeTarget, OrderKind, OrderStatus, WithdrawalMethod, WithdrawalStatus } from './contract';

/** How an instant is sent: ISO 8601 in JSON. */
export type Instant = string;

export interface DeliveryAddress {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
}

export type Delivery = { method: 'express'; address: DeliveryAddress } | { method: 'pickup' };

/** Deductions of an order (抵扣), fixed at order creation. */
export interface Deductions {
  points: number;
  love: number;
  voucherFen: number;
  greenUnits: number;
  /** value of each deduction in fen, fixed at order creation */
  pointsFen: number;
  loveFen: number;
  greenFen: number;
  /** consumption basis the spent green units carried (given back with them on cancel/refund) */
  greenBasisFen?: number;
}

export interface OrderLineView {
  productId: string | null;
  name: string;
  qty: number;
  priceFen: number;
  totalFen: number;
  cashFen: number;
}

export interface AfterSaleView<D = Instant> {
  status: 'requested' | 'approved' | 'rejected';
  reason: string;
  requestedAt: D;
  stage: 'paid' | 'completed';
  decidedAt: D | null;
  decisionNote: string;
}

/** What the order view says about fulfilment and after-sales (server: services/orders.ts fulfilmentView). */
export interface FulfilmentView<D = Instant> {
  /** 收货方式 chosen at checkout (null: a cashier order, or an order from before fulfilment) */
  delivery: Delivery | null;
  /** 买家留言 */
  note: string;
  settledAt: D | null;
  /** 已发货 (or 已备货 for pickup): the order stays `paid` until receipt */
  shippedAt: D | null;
  shipping: { method: DeliveryMethod; carrier: string | null; carrierName: string | null; trackingNo: string | null } | null;
  shippingUploaded: boolean;
  shippingUploadError: string | null;
  autoConfirmed: boolean;
  afterSale: AfterSaleView<D> | null;
}

/** An order (server: services/orders.ts orderView). */
export interface OrderView<D = Instant> extends FulfilmentView<D> {
  orderId: string;
  kind: OrderKind;
  storeId: string | null;
  cashierId: string | null;
  lines: OrderLineView[];
  totalFen: number;
  deduct: Deductions;
  cashFen: number;
  status: OrderStatus;
  createdAt: D;
  paidAt: D | null;
  completedAt: D | null;
  refundedAt: D | null;
  /** 退款中: the refund (R<orderId>) waits for WeChat Pay's confirmation */
  refundId: string | null;
  settled: boolean;
  /** 结算中: paid (or received) and waiting for the settler, usually a second or so */
  settling: boolean;
  settlement: { extractedFen: number; entries: string[]; unionInflowFen: number; greenUnits: number; greenInflowFen: number } | null;
}

/** The buyer's order view: until when a completed order may still get a refund request (null: no longer / not completed). */
export interface BuyerOrderView<D = Instant> extends OrderView<D> {
  refundRequestUntil: D | null;
}

/** A withdrawal as its owner and the admins see it (server: services/payouts.ts withdrawalView). */
export interface WithdrawalView<D = Instant> {
  withdrawalId: string;
  userId: string;
  /** set for a store's revenue withdrawal */
  storeId: string | null;
  amountFen: number;
  status: WithdrawalStatus;
  method: WithdrawalMethod | null;
  /** the payout method's state: WAIT_USER_CONFIRM, SUCCESS, FAIL, CANCELLED, MANUAL … */
  payoutState: string | null;
  /** a WeChat transfer waiting for the payee to confirm in the mini-program */
  awaitingConfirmation: boolean;
  expiresAt: D | null;
  reference: string | null;
  error: string | null;
  createdAt: D;
  reviewedAt: D | null;
  closedAt: D | null;
}

/** A shopper's balances (server: services/wallet.ts balances). */
export interface BalancesView {
  cashFen: number;
  withdrawingFen: number;
  points: number;
  love: number;
  loveFrozen: number;
  voucherFen: number;
  /** green points the shopper can use (exited lots whose payout is on its way are not counted) */
  greenUnits: number;
  /** 出局到账中: what lots of theirs that just exited will pay into cashFen (the settler's next steps) */
  greenExitingFen: number;
}

/** The green-points pool and its price (server: services/green.ts greenView). */
export interface GreenStateView {
  enabled: boolean;
  poolFen: number;
  totalUnits: number;
  pricePerPointFen: number;
  withdrawFeeBp: number;
  exitMultipleBp: number;
  /** the price per point at launch (the chart's reference line) */
  launchPriceFen: number;
  history: { day: string; openFen: number; closeFen: number }[];
}

/** What a lottery draw can give, shown before the draw (server: services/queue-views.ts lotteryOdds). */
export type LotteryOdds =
  | { kind: 'fixed'; options: { ratioBp: number; chanceBp: number; entitlementFen: number }[]; mayLower: boolean; mayRaise: boolean }
  | { kind: 'range'; minBp: number; maxBp: number; minEntitlementFen: number; maxEntitlementFen: number; mayLower: boolean; mayRaise: boolean };

/** The exchange settings (兑换): a ratio per target, null = not offered. */
export interface ExchangeSettings {
  pointsBp: number | null;
  loveBp: number | null;
  loveFrozen: boolean;
  voucherBp: number | null;
}

/** A shopper's queue entry (server: services/queue-views.ts myEntries). */
export interface EntryView<D = Instant> {
  entryId: string;
  queueKey: string;
  queueName: string;
  queuePendingCount: number;
  seq: number;
  position: number | null;
  /** unpaid entitlement of the entries paid before this one; aheadExact false = an estimate */
  aheadFen: number | null;
  aheadExact: boolean | null;
  orderId: string;
  baseFen: number;
  ratioBp: number;
  ratioRule: string;
  entitlementFen: number;
  receivedFen: number;
  pendingFen: number;
  progressBp: number;
  status: EntryStatus;
  waitingForCompletion: boolean;
  lottery: {
    available: boolean;
    drawnBp: number | null;
    drawnAt: D | null;
    /** what a draw can give (before the draw only) */
    odds: LotteryOdds | null;
    /** the right to draw lapses at the entry's first payout */
    lapsesAt: 'firstPayout';
  } | null;
  canExchange: boolean;
  convertedToPoints: boolean;
  exchanged: { to: ExchangeTarget; amount: number; remainingFen: number; account?: string } | null;
  createdAt: D;
  closedAt: D | null;
}

/** queue.mine: the shopper's entries and the queue's settings (server: services/queue-views.ts myEntries). */
export interface MyEntriesView<D = Instant> {
  name: string;
  exchangeName: string;
  paused: boolean;
  exchange: ExchangeSettings;
  /** what one point / love is worth when deducted at checkout */
  deduction: { pointValueFen: number; loveValueFen: number };
  /** every pending entry's unpaid remainder (not only those listed) */
  pendingTotalFen: number;
  pendingCount: number;
  entries: EntryView<D>[];
  /** the shopper's orders still 结算中: their entries appear once settled */
  settlingOrders: number;
}

/**
 * What a value becomes once sent as JSON: instants (Date) become ISO strings, and an action
 * that answers nothing answers null. Server/src/functions/api.ts applies it to every action's result.
 */
export type Wire<T> = 0 extends 1 & T
  ? unknown // an any: unchecked on the server, so unknown to the client
  : T extends Date
    ? string
    : T extends undefined | void
      ? null
      : T extends readonly (infer U)[]
        ? Wire<U>[]
        : T extends object
          ? { [K in keyof T]: WireField<T[K]> }
          : T;

/** A field of a JSON object (an undefined field is left out, not sent as null). */
type WireField<T> = 0 extends 1 & T ? unknown : T extends Date ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: WireField<T[K]> } : T;
