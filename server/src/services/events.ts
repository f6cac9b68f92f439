import { normalizePostings } from '../engine/ledger/journal';
import { post } from '../repo/ledger';
import type { Tx } from '../repo/db';
import type { Movements } from './movements';

/**
 * The end of a business event: its value movements become ONE balanced journal entry in
 * `book`, keyed by `eventKey` (unique: the same event cannot post twice, even if two
 * deliveries race past every other check).
 */
export async function postEvent(tx: Tx, book: string, eventKey: string, type: string, mv: Movements, refs: Record<string, string | number> = {}): Promise<void> {
  if (mv.isEmpty || normalizePostings(mv.postings).length === 0) return;
  await post(tx, book, { eventKey, type, postings: mv.postings, refs });
}

export const userBook = (userId: string) => `user:${userId}`;
