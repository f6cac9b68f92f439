import { assetOf, type AccountId } from './accounts';
import type { Posting } from './journal';

/**
 * Collects the value movements of one business event; the event posts them as ONE balanced
 * journal entry at its end. Every movement is from somewhere to somewhere, in one asset.
 */
export class Movements {
  readonly postings: Posting[] = [];

  move(from: AccountId, to: AccountId, amount: number, memo: string): void {
    if (!Number.isSafeInteger(amount) || amount < 0) throw new Error(`invariant: movement amount must be a non-negative integer, got ${amount}`);
    if (assetOf(from) !== assetOf(to)) throw new Error(`invariant: movement across assets ${from} → ${to}`);
    if (amount === 0) return;
    this.postings.push({ account: from, amount: -amount, memo }, { account: to, amount, memo });
  }

  get isEmpty(): boolean {
    return this.postings.length === 0;
  }
}
