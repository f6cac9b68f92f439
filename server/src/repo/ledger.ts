import { acct, assetOf, isUserAccount, mustStayNonNegative, userIdOf, type Asset } from '../engine/ledger/accounts';
import { buildEntry, GENESIS_HASH, type JournalDraft, type JournalEntry } from '../engine/ledger/journal';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from './db';
import type { Db } from 'mongodb';

/** Assets a shopper holds in the wallet (wallet.balances / wallet.ledger). QENT/UENT are memo assets: promised entitlements. */
export const WALLET_ASSETS: readonly Asset[] = ['CASH', 'POINTS', 'LOVE', 'VOUCHER', 'GREEN'];

/** Platform accounts whose balance a state document also holds (union_state.poolFen, green_state.poolFen, −green_state.totalUnits). */
export const PLATFORM_CHAINED: ReadonlySet<string> = new Set([acct.unionPool, acct.greenPool, acct.greenIssuer]);

/**
 * Accounts with a materialized balance (`balances`, with the count of its postings `seq`) and one
 * row per posting (`postings`, numbered `seq` = 1, 2, … with the balance after it): every account
 * of a shopper (their wallet and their pending entitlements QENT/UENT), and the platform accounts
 * a state document mirrors. Each row is written with its journal entry, so an account's rows are
 * an append-only chain that verify-ledger.ts can check in bounded steps, and an account's balance
 * is compared with the documents it stands for within one snapshot. Other platform accounts
 * (external, revenue, issuers of points, order clearing) touch every order: materializing them
 * would make every payment write one hot document; they are checked through the journal.
 */
export function chained(account: string): boolean {
  return isUserAccount(account) || PLATFORM_CHAINED.has(account);
}

/** A shopper's wallet balance never goes below zero (memo assets are bounded by their entries instead). */
export function guardedAccount(account: string): boolean {
  return mustStayNonNegative(account) && WALLET_ASSETS.includes(assetOf(account));
}

/**
 * Apply posting `i` of a journal entry to its account: balance (+ seq) and its row. `guard`: a
 * wallet account never goes below zero (the event fails with INSUFFICIENT_BALANCE).
 */
export async function applyPosting(tx: Tx, entry: JournalEntry, i: number, opts: { guard: boolean; at: Date }): Promise<void> {
  const p = entry.postings[i]!;
  const userId = userIdOf(p.account);
  const guarded = opts.guard && p.amount < 0 && guardedAccount(p.account);
  const updated = await col(tx.db, 'balances').findOneAndUpdate(
    guarded ? { _id: p.account, balance: { $gte: -p.amount } } : { _id: p.account },
    { $inc: { balance: p.amount, seq: 1 }, $setOnInsert: { userId, asset: assetOf(p.account) } },
    { ...s(tx), upsert: !guarded, returnDocument: 'after' },
  );
  if (!updated) throw new AppError('INSUFFICIENT_BALANCE');
  await col(tx.db, 'postings').insertOne(
    { _id: postingId(entry._id, i), userId, account: p.account, asset: assetOf(p.account), amount: p.amount, seq: updated.seq, balanceAfter: updated.balance, type: entry.type, memo: p.memo ?? '', eventKey: entry.eventKey, at: opts.at },
    s(tx),
  );
}

/** A row's id names its journal entry and posting: `<entryId>/<index>`. */
export const postingId = (entryId: string, i: number) => `${entryId}/${i}`;

/**
 * Append one balanced journal entry to `book` inside the event's transaction: link it to the
 * book head, apply it to the shoppers' balances (never below zero) and index it for their
 * history. The entry's eventKey is unique: the same business event cannot post twice.
 */
export async function post(tx: Tx, book: string, draft: JournalDraft): Promise<JournalEntry> {
  const books = col(tx.db, 'books');
  const head = await books.findOne({ _id: book }, s(tx));
  const entry = buildEntry(book, (head?.height ?? 0) + 1, head?.hash ?? GENESIS_HASH, draft, tx.now);
  if (entry.postings.length === 0) return entry; // nothing moved: nothing to record
  await col(tx.db, 'journal').insertOne(entry, s(tx));
  await books.updateOne({ _id: book }, { $set: { height: entry.height, hash: entry.hash } }, { ...s(tx), upsert: true });

  // Credits before debits: a shopper's account may receive and spend within one event.
  const order = [...entry.postings.keys()].sort((a, b) => Number(entry.postings[a]!.amount < 0) - Number(entry.postings[b]!.amount < 0));
  for (const i of order) if (chained(entry.postings[i]!.account)) await applyPosting(tx, entry, i, { guard: true, at: tx.now });
  return entry;
}

export async function balanceOf(tx: Tx | { db: Db; session?: undefined }, account: string): Promise<number> {
  const doc = await col(tx.db, 'balances').findOne({ _id: account }, tx.session ? { session: tx.session } : {});
  return doc?.balance ?? 0;
}

// verifyLedger moved to verify-ledger.ts (paged, one snapshot per step); re-exported for existing imports.
export { verifyLedger, type LedgerReport } from './verify-ledger';
