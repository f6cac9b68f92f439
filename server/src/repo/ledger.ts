import { assetOf, isChained, mustStayNonNegative, userIdOf, type Asset } from '../engine/ledger/accounts';
import { buildEntry, GENESIS_HASH, type JournalDraft, type JournalEntry } from '../engine/ledger/journal';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from './db';
import type { AnyBulkWriteOperation, Db } from 'mongodb';
import type { BalanceDoc, PostingDoc } from './documents';

/** Assets a shopper holds in the wallet (wallet.balances / wallet.ledger). QENT/UENT are memo assets: promised entitlements (UENT, a shopper's pending union entitlement, is in the journal only: engine/ledger/accounts.ts `isChained`). */
export const WALLET_ASSETS: readonly Asset[] = ['CASH', 'POINTS', 'LOVE', 'VOUCHER', 'GREEN'];

export { PLATFORM_CHAINED } from '../engine/ledger/accounts';

/**
 * Accounts with a materialized balance (`balances`, with the count of its postings `seq`) and one
 * row per posting (`postings`, numbered `seq` = 1, 2, … with the balance after it): every account
 * of a shopper (their wallet and their pending queue entitlement QENT), and the platform accounts
 * a state document mirrors. Each row is written with its journal entry, so an account's rows are
 * an append-only chain that verify-ledger.ts can check in bounded steps, and an account's balance
 * is compared with the documents it stands for within one snapshot. Other platform accounts
 * (external, revenue, issuers of points, order clearing) touch every order: materializing them
 * would make every payment write one hot document; they are checked through the journal.
 */
export function chained(account: string): boolean {
  return isChained(account);
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
  const [entry] = await postBatch(tx, book, [{ draft, at: tx.now }]);
  return entry ?? buildEntry(book, 0, GENESIS_HASH, draft, tx.now);
}

/**
 * Append several entries to one book in one go (the settler's batch, or one event's single
 * entry): chained in order, written with one insert per collection, each chained account's
 * balance written once and its rows numbered in order. Drafts that move nothing are skipped.
 * Returns the entries written.
 */
export async function postBatch(tx: Tx, book: string, drafts: { draft: JournalDraft; at: Date }[]): Promise<JournalEntry[]> {
  const books = col(tx.db, 'books');
  const head = await books.findOne({ _id: book }, s(tx));
  let height = head?.height ?? 0;
  let hash = head?.hash ?? GENESIS_HASH;
  const entries: JournalEntry[] = [];
  for (const { draft, at } of drafts) {
    const entry = buildEntry(book, height + 1, hash, draft, at);
    if (entry.postings.length === 0) continue; // nothing moved: nothing to record
    entries.push(entry);
    height = entry.height;
    hash = entry.hash;
  }
  if (entries.length === 0) return entries;
  await col(tx.db, 'journal').insertMany(entries, s(tx));
  await books.updateOne({ _id: book }, { $set: { height, hash } }, { ...s(tx), upsert: true });

  // Each chained account's rows continue its chain: read its balance and seq once, number the
  // rows in order (within an entry, credits before debits: a shopper may receive and spend in one
  // event), check the wallet guard on the running balance, write the balance once.
  const touched = [...new Set(entries.flatMap((e) => e.postings.map((p) => p.account).filter(chained)))];
  if (touched.length === 0) return entries;
  const balances = col(tx.db, 'balances');
  const current = new Map((await balances.find({ _id: { $in: touched } }, s(tx)).toArray()).map((b) => [b._id, { balance: b.balance, seq: b.seq ?? 0 }]));
  const state = new Map(touched.map((a) => [a, { ...(current.get(a) ?? { balance: 0, seq: 0 }) }]));
  const rows: PostingDoc[] = [];
  for (const entry of entries) {
    const at = new Date(entry.at);
    const order = [...entry.postings.keys()].sort((a, b) => Number(entry.postings[a]!.amount < 0) - Number(entry.postings[b]!.amount < 0));
    for (const i of order) {
      const p = entry.postings[i]!;
      if (!chained(p.account)) continue;
      const st = state.get(p.account)!;
      st.balance += p.amount;
      st.seq += 1;
      if (p.amount < 0 && st.balance < 0 && guardedAccount(p.account)) throw new AppError('INSUFFICIENT_BALANCE');
      rows.push({ _id: postingId(entry._id, i), userId: userIdOf(p.account), account: p.account, asset: assetOf(p.account), amount: p.amount, seq: st.seq, balanceAfter: st.balance, type: entry.type, memo: p.memo ?? '', eventKey: entry.eventKey, at });
    }
  }
  // An account this transaction read is updated by what its rows add; one it did not find is
  // inserted (as an upsert would: another transaction creating it meanwhile makes this one
  // conflict, as with the upsert, since its read saw none). Inserting is the cheaper write for a
  // job that gives 10^5 shoppers their first balance.
  const ops: AnyBulkWriteOperation<BalanceDoc>[] = [];
  const created: BalanceDoc[] = [];
  for (const account of touched) {
    const after = state.get(account)!;
    const before = current.get(account);
    if (before) ops.push({ updateOne: { filter: { _id: account }, update: { $inc: { balance: after.balance - before.balance, seq: after.seq - before.seq } } } });
    else created.push({ _id: account, balance: after.balance, seq: after.seq, userId: userIdOf(account), asset: assetOf(account) });
  }
  if (ops.length) {
    const r = await balances.bulkWrite(ops, { ...s(tx), ordered: true });
    if (r.matchedCount !== ops.length) throw new Error(`invariant: ${ops.length - r.matchedCount} balances read in this transaction are gone`);
  }
  if (created.length) await balances.insertMany(created, s(tx));
  await col(tx.db, 'postings').insertMany(rows, s(tx));
  return entries;
}

export async function balanceOf(tx: Tx | { db: Db; session?: undefined }, account: string): Promise<number> {
  const doc = await col(tx.db, 'balances').findOne({ _id: account }, tx.session ? { session: tx.session } : {});
  return doc?.balance ?? 0;
}

// verifyLedger moved to verify-ledger.ts (paged, one snapshot per step); re-exported for existing imports.
export { verifyLedger, type LedgerReport } from './verify-ledger';
