import { createHash } from 'node:crypto';
import { assetOf, type AccountId, type Asset } from './accounts';

/** One line of a journal entry: a signed amount in the asset's smallest unit. */
export interface Posting {
  account: AccountId;
  amount: number;
  /** Short reason shown in the shopper's history, e.g. 排队返利 / 提取. */
  memo?: string;
}

/** What a business event asks the ledger to record. */
export interface JournalDraft {
  /** Idempotency key of the business event: the same event never posts twice. */
  eventKey: string;
  /** Event type, e.g. `order.settle`, `queue.exchange`. */
  type: string;
  postings: Posting[];
  /** Free-form references (orderId, entryId …) for audit; hashed with the entry. */
  refs?: Record<string, string | number>;
}

/** A journal entry as stored: append-only, hash-chained inside its book. */
export interface JournalEntry extends JournalDraft {
  _id: string;
  /** The chain (book) this entry belongs to, e.g. `user:<id>` or `job:daily`. */
  book: string;
  height: number;
  prevHash: string;
  hash: string;
  at: string;
}

export const GENESIS_HASH = '0'.repeat(64);

export class LedgerError extends Error {}

/**
 * Validate a draft: integer amounts, no zero lines, and per asset the postings sum to zero.
 * Postings on the same account with the same memo are merged (a history never shows +x and −x
 * for one reason); different reasons stay separate lines, so a shopper sees what each was for.
 */
export function normalizePostings(postings: readonly Posting[]): Posting[] {
  const byAccount = new Map<string, Posting>();
  for (const p of postings) {
    if (!Number.isSafeInteger(p.amount)) throw new LedgerError(`posting amount must be a safe integer: ${p.account} ${p.amount}`);
    assetOf(p.account);
    const key = `${p.account}\u0000${p.memo ?? ''}`;
    const prev = byAccount.get(key);
    if (prev) prev.amount += p.amount;
    else byAccount.set(key, { ...p });
  }
  const merged = [...byAccount.values()].filter((p) => p.amount !== 0);
  const sums = new Map<Asset, number>();
  for (const p of merged) sums.set(assetOf(p.account), (sums.get(assetOf(p.account)) ?? 0) + p.amount);
  for (const [asset, sum] of sums) {
    if (sum !== 0) throw new LedgerError(`unbalanced journal entry: ${asset} postings sum to ${sum}`);
  }
  return merged;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The hash covers every field of the entry but the hash itself, so any edit is detectable. */
export function hashEntry(entry: Omit<JournalEntry, 'hash'>): string {
  const { _id, book, height, prevHash, eventKey, type, postings, refs, at } = entry;
  return createHash('sha256').update(canonical({ _id, book, height, prevHash, eventKey, type, postings, refs: refs ?? null, at })).digest('hex');
}

export function buildEntry(book: string, height: number, prevHash: string, draft: JournalDraft, at: Date): JournalEntry {
  const postings = normalizePostings(draft.postings);
  const body: Omit<JournalEntry, 'hash'> = {
    _id: `${book}#${height}`,
    book,
    height,
    prevHash,
    eventKey: draft.eventKey,
    type: draft.type,
    postings,
    ...(draft.refs ? { refs: draft.refs } : {}),
    at: at.toISOString(),
  };
  return { ...body, hash: hashEntry(body) };
}

export interface ChainProblem {
  book: string;
  height: number;
  problem: string;
}

/** Re-check one book: heights consecutive from 1, each prevHash links, each hash matches its content, each entry balances. */
export function verifyChain(book: string, entries: Iterable<JournalEntry>, head?: { height: number; hash: string }): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let expectedHeight = 1;
  let prevHash = GENESIS_HASH;
  for (const e of entries) {
    if (e.height !== expectedHeight) problems.push({ book, height: e.height, problem: `height ${e.height}, expected ${expectedHeight}` });
    if (e.prevHash !== prevHash) problems.push({ book, height: e.height, problem: 'prevHash does not link to the previous entry' });
    const { hash, ...body } = e;
    if (hashEntry(body) !== hash) problems.push({ book, height: e.height, problem: 'hash does not match the entry content (edited?)' });
    try {
      const normalized = normalizePostings(e.postings);
      if (normalized.length !== e.postings.length) problems.push({ book, height: e.height, problem: 'postings are not normalized' });
    } catch (err) {
      problems.push({ book, height: e.height, problem: (err as Error).message });
    }
    prevHash = hash;
    expectedHeight = e.height + 1;
  }
  if (head && (head.height !== expectedHeight - 1 || head.hash !== prevHash)) {
    problems.push({ book, height: head.height, problem: 'book head does not match the last entry (entry removed or appended outside the ledger?)' });
  }
  return problems;
}
