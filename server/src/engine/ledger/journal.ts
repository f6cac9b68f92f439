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
  // By account: its one line, or (once a second memo shows up) its lines by memo. No key string
  // is built per posting, and the usual account with one line costs no map of its own.
  const byAccount = new Map<string, Posting | Map<string, Posting>>();
  const merged: Posting[] = [];
  for (const p of postings) {
    if (!Number.isSafeInteger(p.amount)) throw new LedgerError(`posting amount must be a safe integer: ${p.account} ${p.amount}`);
    const memo = p.memo ?? '';
    const seen = byAccount.get(p.account);
    if (seen === undefined) {
      assetOf(p.account);
      const copy = { ...p };
      byAccount.set(p.account, copy);
      merged.push(copy);
    } else if (!(seen instanceof Map) && (seen.memo ?? '') === memo) {
      seen.amount += p.amount;
    } else {
      const byMemo = seen instanceof Map ? seen : new Map([[seen.memo ?? '', seen]]);
      if (!(seen instanceof Map)) byAccount.set(p.account, byMemo);
      const prev = byMemo.get(memo);
      if (prev) prev.amount += p.amount;
      else {
        const copy = { ...p };
        byMemo.set(memo, copy);
        merged.push(copy);
      }
    }
  }
  const out = merged.filter((p) => p.amount !== 0);
  const sums = new Map<Asset, number>();
  for (const p of out) {
    const asset = assetOf(p.account);
    sums.set(asset, (sums.get(asset) ?? 0) + p.amount);
  }
  for (const [asset, sum] of sums) {
    if (sum !== 0) throw new LedgerError(`unbalanced journal entry: ${asset} postings sum to ${sum}`);
  }
  return out;
}

/** JSON of a key, kept for the keys entries repeat (a handful of field names and account ids). */
const quotedKeys = new Map<string, string>();
function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 4096) quotedKeys.set(k, q);
  }
  return q;
}

/**
 * JSON with every object's keys sorted and undefined fields left out: what an entry's hash covers.
 * (String building instead of map/join: the settler hashes entries of hundreds of postings.)
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonical(value[i]);
    return out + ']';
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  // (most objects here are built with their keys in order already: sorting only when they are
  // not spares the sort's own allocations, an eighth of everything a forced-exit cascade allocated)
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + quoteKey(k) + ':' + canonical(v);
    first = false;
  }
  return out + '}';
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
