import type { PluginConfig } from '../config/types';
import type { JournalDraft } from '../ledger/journal';
import type { LineScope } from '../rebate/line-rules';
import type { Random } from '../rebate/lottery';
import type { EntryDoc, GreenLotDoc, GreenStateDoc, OrderDoc, QueueDoc, SettleProgress, UnionEntryDoc, UnionStateDoc } from '../../repo/documents';

/**
 * The settlement planner's inputs and outputs. The settler *loads* everything a batch of due
 * orders can touch (the queue heads, the pools, the buyers, the config), the pure planner
 * *decides* the whole batch in memory, and the settler *writes* the result in one bounded
 * transaction (TigerBeetle's prefetch → execute → commit).
 */

/** One due order: what the settler must still do for it, at its own event time. */
export interface OrderWork {
  order: OrderDoc;
  /** the order's lines with the product / store / cashier documents their rules come from */
  scopes: LineScope[];
  /** the event time (payment, or completion): every effect of this work is stamped with it */
  at: Date;
  /** a cashier payment completes when it is settled (face to face: nothing to deliver) */
  completeNow: boolean;
  /** settlement (extraction, union, green, entries) still to do */
  settle: boolean;
  /** commission, recruiter reward and revenue still to do (the order is, or becomes, completed) */
  distribute: boolean;
}

/** A queue's state as loaded: its document and the first payable entries, in seq order. */
export interface QueueLoad {
  doc: QueueDoc | null;
  /** payable candidates (pending; of completed orders under completedFirst), in seq order */
  head: EntryDoc[];
  /** true when the database may hold payable entries after the last one loaded */
  more: boolean;
}

export interface UnionLoad {
  state: UnionStateDoc;
  /** the direct referrers of the batch's buyers: their oldest pending union entries (acceleration) */
  referrers: Map<string, { pending: UnionEntryDoc[]; more: boolean }>;
}

export interface GreenLoad {
  state: GreenStateDoc;
  /** active lots that may exit during the batch, by exitKey */
  candidates: GreenLotDoc[];
  /** every active lot with exitKey below this was loaded (Infinity: all that can exit in this batch) */
  completeBelowKey: number;
}

export interface BuyerLoad {
  referrerId: string | null;
  /** completed spend (in the database) for each tier query: key `${orderId}|${lineIndex}|${source}|${days}` */
  spendFen: Map<string, number>;
}

export interface BatchInput {
  config: PluginConfig;
  /** due orders in payment order; a continued (cut) settlement first */
  works: OrderWork[];
  /** every queue the batch's lines may extract from or join, by key */
  queues: Map<string, QueueLoad>;
  union: UnionLoad;
  green: GreenLoad;
  buyers: Map<string, BuyerLoad>;
  /** limit counters (`limit|user|scope|day` and `…|total`) by id; missing = 0 */
  counters: Map<string, number>;
  random: Random;
  newId(prefix: string): string;
  /** documents this batch may write (what is left of MAX_TX_DOCS after the settler's own) */
  maxDocs: number;
}

/** A subscribe message (SPEC §7), sent after the commit through the outbox. */
export interface PlannedMessage {
  userId: string;
  kind: 'payout' | 'completed' | 'lottery' | 'exit';
  data: Record<string, string>;
}

/** What the settler writes, as absolute documents or increments. */
export interface BatchWrites {
  orders: Map<string, Record<string, unknown>>;
  entryInserts: EntryDoc[];
  /** pending entries paid: their new receivedFen / status (only pending entries are ever paid) */
  entryUpdates: Map<string, Record<string, unknown>>;
  /** per queue: the document to insert (new queue) or the increments and fields to set */
  queues: Map<string, { insert: QueueDoc | null; inc: Record<string, number>; set: Record<string, unknown> }>;
  unionEntryInserts: UnionEntryDoc[];
  unionEntryUpdates: Map<string, Record<string, unknown>>;
  unionInc: Record<string, number>;
  unionNextSeq: number | null;
  green: GreenStateDoc | null;
  greenInc: Record<string, number>;
  /** per day: the day's first price (if the day is new) and its latest */
  greenDays: Map<string, { open: { num: number; den: number }; close: { num: number; den: number } }>;
  lotInserts: GreenLotDoc[];
  lotUpdates: Map<string, Record<string, unknown>>;
  counters: Map<string, number>;
  /** `${target}|${day}` → fen */
  inflows: Map<string, number>;
  /** completed spend added per buyer */
  userSpend: Map<string, number>;
  /**
   * 直推佣金 counted per shopper (users.commissionBroughtFen of the buyer, commissionEarnedFen of the
   * referrer): what the invited-friends page shows, without reading the ledger
   */
  userCommission: Map<string, { broughtFen: number; earnedFen: number }>;
  journal: { draft: JournalDraft; at: Date }[];
  messages: PlannedMessage[];
}

export interface WorkOutcome {
  orderId: string;
  settled: boolean;
  distributed: boolean;
}

export interface BatchPlan {
  writes: BatchWrites;
  /** works finished in this batch, in order */
  done: WorkOutcome[];
  /** a settlement cut by the batch's bound: it continues first in the next batch */
  cut: { orderId: string; progress: SettleProgress } | null;
  /** lots may still be due to exit: the next step runs the exit cascade before any other order */
  greenExitsPending: boolean;
  /** documents the plan writes (distinct), for the bound */
  docs: number;
}
