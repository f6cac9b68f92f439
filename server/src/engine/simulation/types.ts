import type { ExchangeTarget } from '../../../../shared/contract';
import type { LotteryRule, PluginConfig } from '../config/types';
import type { LineScope } from '../rebate/line-rules';
import type { EntryDoc, GreenLotDoc, GreenStateDoc, OrderDoc, QueueDoc, UnionEntryDoc, UnionStateDoc } from '../../repo/documents';

/**
 * What the what-if replay (admin.simulateConfig) is given and what it answers. The replay is
 * pure: the service (services/simulate.ts) loads a period's recorded facts in bounded pages and
 * the state at the period's start, and the replay settles the period's orders again through the
 * settlement planner itself (engine/settlement/plan.ts) under a configuration, in memory.
 *
 * Money is integer fen, ratios bp, green points units, as everywhere.
 */

/** An order the period replays: the stored document (its times — paid, completed, refunded — are facts) and its lines' scopes. */
export interface OrderFact {
  order: OrderDoc;
  scopes: LineScope[];
  /** its settlement happened before the period: part of the start state, only its completion (commission, revenue) is left */
  settledBefore: boolean;
}

/**
 * What shoppers, merchants and the daily job did in the period besides paying and confirming
 * receipt, as recorded. The replay applies each at its time when it is still possible under the
 * configuration being tried (a draw on an entry that is already being paid, an exchange of an
 * entry that is already complete, a withdrawal of points the shopper does not have: skipped).
 */
export type RecordedEvent =
  /** 抽奖 on an order line's entry; the roll is replayed, rescaled to the lottery rule in force */
  | { kind: 'draw'; at: Date; seq: number; orderId: string; lineIndex: number; roll: number; rollRange: number }
  /** 兑换 of an entry's unpaid remainder */
  | { kind: 'exchange'; at: Date; seq: number; orderId: string; lineIndex: number; to: ExchangeTarget }
  /** 退款 of a paid order */
  | { kind: 'refund'; at: Date; seq: number; orderId: string }
  /** an unpaid order cancelled: its green deduction comes back */
  | { kind: 'cancel'; at: Date; seq: number; orderId: string }
  /** green points spent as a deduction when an order was created */
  | { kind: 'greenSpend'; at: Date; seq: number; orderId: string; userId: string; units: number }
  | { kind: 'greenWithdraw'; at: Date; seq: number; userId: string; units: number }
  | { kind: 'greenTransfer'; at: Date; seq: number; userId: string; toUserId: string; units: number }
  /** the day's union static release, where the daily job actually ran */
  | { kind: 'release'; at: Date; seq: number; day: string };

/** A shopper's completed order, for cumulative-spend tiers. */
export interface Completion {
  orderId: string;
  kind: OrderDoc['kind'];
  storeId: string | null;
  completedAt: Date;
  refundedAt: Date | null;
  cashFen: number;
}

/** One queue at the period's start. */
export interface StartQueue {
  doc: QueueDoc;
  /** the pending entries the period can reach, in seq order, as they were at the start (receivedFen, entitlement before later draws) */
  entries: EntryDoc[];
  /**
   * Pending entries not loaded: behind `cutoffSeq`, more than the period's extraction could ever
   * reach (services/simulate.ts proves the bound). The replay never pays them; a reset expires them.
   */
  unloaded: { count: number; fen: number };
  cutoffSeq: number;
}

export interface StartState {
  queues: StartQueue[];
  union: {
    state: UnionStateDoc | null;
    /** pending entries that a release or an acceleration of the period can reach, in seq order */
    entries: UnionEntryDoc[];
    unloaded: { count: number; fen: number };
    cutoffSeq: number;
  };
  green: {
    state: GreenStateDoc | null;
    /** active lots: every lot that can exit below `loadedBelowKey`, and every lot of a shopper whose points move in the period */
    lots: GreenLotDoc[];
    loadedBelowKey: number;
  };
  /** per-person limit counters (`limit|user|scope|day`, `…|total`) as they were at the start */
  counters: [string, number][];
}

export interface ReplayInput {
  /** the period: [from, to) */
  from: Date;
  to: Date;
  start: StartState;
  /** every order the period settles or completes, any order */
  orders: OrderFact[];
  /** each buyer's direct referrer */
  referrers: Map<string, string | null>;
  /** completed orders per shopper (for tier rules), any order */
  completions: Map<string, Completion[]>;
  events: RecordedEvent[];
  /** documents one settler transaction may write (MAX_TX_DOCS less the settler's own): batches are cut where the settler cuts them */
  batchDocs: number;
  /** seeds the randomness the replay itself needs (random-return groups) */
  seed: number;
}

/** One day of the replay, at its end (Asia/Shanghai). */
export interface DayPoint {
  day: string;
  /** pending queue entitlement, all queues */
  queueOutstandingFen: number;
  /** pending entitlement per queue (the largest queues only; see ReplayReport.queues) */
  queues: Record<string, number>;
  unionOutstandingFen: number;
  unionPoolFen: number;
  greenPoolFen: number;
  greenUnits: number;
  /** price of one point in fen (display precision) */
  greenPricePerPointFen: number;
  /** cash paid that day: queue payouts, union releases and accelerations, green exits and withdrawals */
  paidOut: { queueFen: number; unionFen: number; greenFen: number };
  /** cash of the orders settled that day */
  salesFen: number;
  /** queue entitlement created that day */
  createdFen: number;
}

/** Time from payment to completion of the entries created in the period, censored at the period's end (Kaplan–Meier). */
export interface WaitStats {
  entries: number;
  completed: number;
  /** still waiting at the end (and old enough to say nothing yet) */
  waiting: number;
  /** left without completing: exchanged, expired by a reset, cancelled by a refund */
  left: number;
  /** days; `atLeast`: not reached within the period, the wait is longer than `days` */
  medianDays: { days: number; atLeast: boolean } | null;
  p95Days: { days: number; atLeast: boolean } | null;
  /** share completed within 7/30/90 days, bp; null when the period is too short to tell */
  within7Bp: number | null;
  within30Bp: number | null;
  within90Bp: number | null;
  /** completed entries by wait, and the ones still waiting */
  histogram: { label: string; count: number }[];
}

export interface QueueSummary {
  key: string;
  name: string;
  startFen: number;
  endFen: number;
  waitingEnd: number;
  /** line cash that joined or extracted from this queue */
  salesFen: number;
  /** the most extraction could pay: Σ floor(cash × extraction) */
  extractableFen: number;
  /** entitlement created, with lottery entries at the lottery's expected ratio (random-return conversions excluded) */
  expectedCreatedFen: number;
  createdFen: number;
  paidFen: number;
}

export interface ReplayReport {
  days: DayPoint[];
  queues: QueueSummary[];
  totals: {
    queueStartFen: number;
    queueEndFen: number;
    queueWaitingEnd: number;
    salesFen: number;
    paidOut: { queueFen: number; unionFen: number; greenFen: number };
    orders: number;
    /** days from the first settlement in the period to its end (the store may have opened within it): the rate's denominator */
    salesDays: number;
    /** recorded events replayed / skipped because they were not possible under this configuration */
    eventsApplied: number;
    eventsSkipped: number;
  };
  waits: WaitStats;
  unionWaits: WaitStats;
  union: { enabled: boolean; startOutstandingFen: number; endOutstandingFen: number; startPoolFen: number; endPoolFen: number; inflowFen: number; releasedFen: number; acceleratedFen: number; salesFen: number; entitlementCreatedFen: number; waitingEnd: number };
  green: { enabled: boolean; startPriceFen: number; endPriceFen: number; startPoolFen: number; endPoolFen: number; startUnits: number; endUnits: number; inflowFen: number; mintedUnits: number; exits: number; exitPaidFen: number; withdrawPaidFen: number };
}

/** The final state of the replay, document by document (the differential test compares it with the database). */
export interface ReplayFinal {
  entries: EntryDoc[];
  queues: QueueDoc[];
  unionEntries: UnionEntryDoc[];
  union: UnionStateDoc;
  green: GreenStateDoc;
  lots: GreenLotDoc[];
  /** cash paid to each shopper by the schemes during the period (queue, union, green exits and withdrawals) */
  paidToUser: Map<string, number>;
  /** per order: the settlement the replay made */
  settlements: Map<string, OrderDoc['settlement']>;
}

export interface ReplayResult {
  config: PluginConfig;
  report: ReplayReport;
  final: ReplayFinal;
  /**
   * Set when the green price passed the lots loaded (`loadedBelowKey`): lots not loaded could have
   * exited. The service loads lots up to this key and replays again.
   */
  needLotsBelowKey: number | null;
}

export type { LotteryRule };
