import type { MessageKind } from '../messages/kinds';
import type { TemplateMapping } from '../messages/template';

/**
 * Configuration model. Every ratio is integer basis points (10000 = 100%), every amount
 * integer fen, every period integer days. Field names end with their unit.
 */

export type LotteryRule =
  /** A fixed list of ratios, drawn with the given integer weights. */
  | { kind: 'fixed'; options: { ratioBp: number; weight: number }[] }
  /** A uniform random ratio in [minBp, maxBp]. */
  | { kind: 'range'; minBp: number; maxBp: number };

/** 累计金额奖励: spend of completed orders within `days` (up to the order time) of at least `minSpendFen` gives `ratioBp`. */
export interface CumulativeTier {
  days: number;
  minSpendFen: number;
  ratioBp: number;
}

/** 奖励时间段: only orders inside it get an entry (all orders still extract). Times are Asia/Shanghai. */
export interface RewardWindow {
  /** ISO date-time; inclusive. */
  startAt?: string | null;
  /** ISO date-time; exclusive. */
  endAt?: string | null;
  /** Daily hours 'HH:mm' (inclusive) to 'HH:mm' (exclusive); may wrap midnight. */
  dailyStart?: string | null;
  dailyEnd?: string | null;
}

/** 奖励限制: entries per person per day / in total for this product, store or cashier. */
export interface RewardLimits {
  perDay?: number | null;
  total?: number | null;
}

export interface RandomReturn {
  enabled: boolean;
  /** 每组返现金人数 */
  cashCount: number;
  /** 每组返积分人数 */
  pointsCount: number;
}

/** Queue-rebate settings of one product, store, cashier or store product (§3.5). Unset fields fall through the priority chain. */
export interface RebateRules {
  enabled: boolean;
  extractionBp?: number | null;
  /** 独立/默认奖励比例 */
  ratioBp?: number | null;
  /** member level id → ratio */
  levelRatios?: Record<string, number> | null;
  tiers?: CumulativeTier[] | null;
  lottery?: LotteryRule | null;
  window?: RewardWindow | null;
  limits?: RewardLimits | null;
  /** Only stores and cashiers may switch random return on/off for their queue. */
  randomReturn?: RandomReturn | null;
}

export type ResetSchedule = 'daily' | 'weekly' | 'monthly' | 'once';

export interface RebateSettings {
  enabled: boolean;
  /** 自定义名称 */
  name: string;
  /** 兑换自定义名称 */
  exchangeName: string;
  /** New products default to rebate-enabled. */
  newProductsDefaultOn: boolean;
  /** 抵扣订单: 'join' = orders with points/love deductions still join; 'extractOnly' = they extract but get no entry. */
  deductionMode: 'join' | 'extractOnly';
  /** 结算事件 */
  settleOn: 'pay' | 'complete';
  /** 'queue' = pay by position; 'completedFirst' = only entries whose order is completed are paid. */
  ordering: 'queue' | 'completedFirst';
  extractionBp: number;
  defaultRatioBp: number;
  levelRatios: Record<string, number>;
  lottery: LotteryRule | null;
  exchange: {
    /** points per fen of unpaid remainder, in bp (10000 = 1 point per fen); null = not offered */
    pointsBp: number | null;
    loveBp: number | null;
    /** 爱心值 credited frozen (true) or available (false) */
    loveFrozen: boolean;
    /** voucher fen per fen of remainder, in bp; null = not offered */
    voucherBp: number | null;
  };
  randomReturn: RandomReturn;
  /** 商家队列: self-operated + supplier products share one queue; off = one queue per product. */
  mallQueue: boolean;
  /** 所有门店队列 */
  allStoresQueue: boolean;
  /** 所有收银台队列 */
  allCashiersQueue: boolean;
  reset: {
    enabled: boolean;
    schedule: ResetSchedule;
    /** 'HH:mm' Asia/Shanghai */
    time: string;
    /** 1 = Monday … 7 = Sunday, for 'weekly' */
    weekday: number;
    /** 1…28, for 'monthly' */
    monthDay: number;
    /** ISO date-time, for 'once' */
    onceAt: string | null;
  };
  paused: boolean;
  display: {
    queueId: boolean;
    progress: boolean;
    received: boolean;
    pending: boolean;
    member: boolean;
    pendingAmount: boolean;
  };
}

export interface UnionSettings {
  enabled: boolean;
  /** share of an order's profit put into the union pool */
  poolShareBp: number;
  /** entitlement as a share of the cash paid (10000 = 100%, seed also shows 11000) */
  entitlementBp: number;
  /** lock days for products and stores that set none: 15, 30, 45 … 300 */
  defaultLockDays: number;
  /** 加速: share of the referee's paid amount released to the direct referrer's oldest pending union entries */
  accelerationBp: number;
}

export interface GreenSettings {
  enabled: boolean;
  /** share of the cash paid put into the green pool */
  poolShareBp: number;
  /** share of that inflow minted into green points for the buyer */
  mintBp: number;
  withdrawFeeBp: number;
  /** forced exit when a lot's value reaches this multiple of its consumption (20000 = 2×); 0 = off */
  exitMultipleBp: number;
  /** price at launch, fen per point */
  launchPriceFen: number;
}

export interface ReferralSettings {
  /** 直推佣金: share of the cash paid on a referee's completed orders */
  commissionBp: number;
  /** 招商奖励: share of a store's completed flow to the shopper who invited the store */
  recruiterBp: number;
}

export interface MemberLevel {
  id: string;
  name: string;
  /** cumulative completed spend needed */
  minSpendFen: number;
}

export interface PluginConfig {
  version: number;
  rebate: RebateSettings;
  union: UnionSettings;
  green: GreenSettings;
  referral: ReferralSettings;
  /** Sorted by minSpendFen; the first level has minSpendFen 0. */
  memberLevels: MemberLevel[];
  deduction: {
    /** value of one 积分 / 爱心值 when deducted from an order, in fen */
    pointValueFen: number;
    loveValueFen: number;
  };
  withdrawal: {
    /** 最低提现 */
    minFen: number;
    /** 单笔最高提现 (added in config schema 2; the default, MAX_FEN, caps nothing) */
    maxFen: number;
    /**
     * 确认收款时限: hours a shopper has to confirm a WeChat Pay transfer (商家转账) in the
     * mini-program; after that the transfer is cancelled and the money returned to the balance
     * (added in config schema 3).
     */
    confirmHours: number;
  };
  /** 订单履约与售后 (mall and store-product orders; added in config schema 4). */
  orders: {
    /** 自动确认收货: days after shipping at which a shipped order still awaiting receipt is completed (0 = never) */
    autoConfirmDays: number;
    /** 售后期: days after completion during which the shopper may still request a refund (0 = only before completion) */
    afterSaleDays: number;
  };
  /** WeChat Pay payments (added in config schema 3). */
  payment: {
    /**
     * 未支付自动关闭: minutes after the last prepay (unifiedOrder) at which an unpaid order is
     * closed at WeChat Pay (closeOrder) and cancelled, its stock and deductions returned.
     */
    closeAfterMin: number;
  };
  /**
   * 订阅消息: per kind, the WeChat template and which of its keys each of our fields fills
   * (engine/messages; added in config schema 3). A kind with no template id is not sent.
   */
  messages: Record<MessageKind, TemplateMapping>;
}
