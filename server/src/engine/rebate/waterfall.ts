/**
 * 提取 waterfall: an extraction budget pays the queue's eligible entries in queue order,
 * each up to its remaining entitlement, overflowing to the next. Only what the entries
 * absorb is taken; the rest stays with the order.
 */

export interface PayableEntry {
  id: string;
  remainingFen: number;
}

export interface Payout {
  id: string;
  amountFen: number;
  /** true when this payout completes the entry */
  completes: boolean;
}

export interface WaterfallResult {
  payouts: Payout[];
  /** what the entries absorbed = what is actually extracted from the order */
  extractedFen: number;
  /** what is left of the budget */
  leftFen: number;
}

/** Pay `budgetFen` over `entries` (already in queue order). Pure: the caller fetches the head entries lazily and stops when `leftFen` is 0. */
export function runWaterfall(budgetFen: number, entries: Iterable<PayableEntry>): WaterfallResult {
  if (!Number.isSafeInteger(budgetFen) || budgetFen < 0) throw new Error(`invariant: budget must be non-negative integer fen, got ${budgetFen}`);
  const payouts: Payout[] = [];
  let left = budgetFen;
  for (const e of entries) {
    if (left === 0) break;
    if (!Number.isSafeInteger(e.remainingFen) || e.remainingFen <= 0) throw new Error(`invariant: payable entry ${e.id} has remaining ${e.remainingFen}`);
    const amount = Math.min(left, e.remainingFen);
    payouts.push({ id: e.id, amountFen: amount, completes: amount === e.remainingFen });
    left -= amount;
  }
  return { payouts, extractedFen: budgetFen - left, leftFen: left };
}
