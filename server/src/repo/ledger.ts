import { assetOf, isMaterialized, isUserAccount, mustStayNonNegative, userIdOf } from '../engine/ledger/accounts';
import { buildEntry, GENESIS_HASH, verifyChain, type ChainProblem, type JournalDraft, type JournalEntry } from '../engine/ledger/journal';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from './db';
import type { AnyBulkWriteOperation, Db } from 'mongodb';
import type { BalanceDoc, PostingDoc } from './documents';

const materialized = isMaterialized;

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
 * Append several entries to one book in one go (the settler's batch): chained in order, written
 * with one insert per collection, each shopper's balance updated once with the net of the batch.
 * A balance that must not go negative is checked against that net (credits before debits, as
 * within one entry). Drafts that move nothing are skipped. Returns the entries written.
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

  const net = new Map<string, number>();
  const history: PostingDoc[] = [];
  for (const entry of entries) {
    entry.postings.forEach((p, i) => {
      if (!materialized(p.account)) return;
      net.set(p.account, (net.get(p.account) ?? 0) + p.amount);
      history.push({ _id: `${entry._id}/${i}`, userId: userIdOf(p.account)!, account: p.account, asset: assetOf(p.account), amount: p.amount, type: entry.type, memo: p.memo ?? '', eventKey: entry.eventKey, at: new Date(entry.at) });
    });
  }
  const credits: AnyBulkWriteOperation<BalanceDoc>[] = [];
  const debits: AnyBulkWriteOperation<BalanceDoc>[] = [];
  for (const [account, amount] of net) {
    if (amount === 0) continue;
    if (amount < 0 && mustStayNonNegative(account)) {
      debits.push({ updateOne: { filter: { _id: account, balance: { $gte: -amount } }, update: { $inc: { balance: amount } } } });
    } else {
      credits.push({ updateOne: { filter: { _id: account }, update: { $inc: { balance: amount }, $setOnInsert: { userId: userIdOf(account)!, asset: assetOf(account) } }, upsert: true } });
    }
  }
  const balances = col(tx.db, 'balances');
  if (credits.length) await balances.bulkWrite(credits, { ...s(tx), ordered: true });
  if (debits.length) {
    const r = await balances.bulkWrite(debits, { ...s(tx), ordered: true });
    if (r.matchedCount !== debits.length) throw new AppError('INSUFFICIENT_BALANCE');
  }
  if (history.length) await col(tx.db, 'postings').insertMany(history, s(tx));
  return entries;
}

export async function balanceOf(tx: Tx | { db: Db; session?: undefined }, account: string): Promise<number> {
  const doc = await col(tx.db, 'balances').findOne({ _id: account }, tx.session ? { session: tx.session } : {});
  return doc?.balance ?? 0;
}

export interface LedgerReport {
  ok: boolean;
  entries: number;
  books: number;
  accounts: number;
  /** per asset, the sum over all accounts (must be 0) */
  assetSums: Record<string, number>;
  problems: (ChainProblem | { problem: string })[];
  /** derived balances of the platform's accounts (pools, revenue, external) */
  systemBalances: Record<string, number>;
}

/**
 * Re-check the whole ledger from the journal: every book's hash chain, every entry balanced,
 * per-asset zero sum, materialized balances equal to the journal, and the domain state
 * (pools, green points, pending entitlements) equal to what the journal says.
 */
export async function verifyLedger(db: Db): Promise<LedgerReport> {
  const problems: LedgerReport['problems'] = [];
  const sums = new Map<string, number>();
  let entries = 0;
  let books = 0;
  let current: { book: string; list: JournalEntry[] } | null = null;
  const heads = new Map((await col(db, 'books').find({}).toArray()).map((b) => [b._id, b]));
  const flush = () => {
    if (!current) return;
    books++;
    const head = heads.get(current.book);
    problems.push(...verifyChain(current.book, current.list, head ? { height: head.height, hash: head.hash } : undefined));
    if (!head) problems.push({ book: current.book, height: 0, problem: 'book has entries but no head' });
    heads.delete(current.book);
  };
  for await (const e of col(db, 'journal').find({}).sort({ book: 1, height: 1 })) {
    entries++;
    if (!current || current.book !== e.book) {
      flush();
      current = { book: e.book, list: [] };
    }
    current.list.push(e as JournalEntry);
    for (const p of e.postings) sums.set(p.account, (sums.get(p.account) ?? 0) + p.amount);
  }
  flush();
  for (const [book] of heads) problems.push({ book, height: 0, problem: 'book head without entries (entries removed?)' });

  const assetSums: Record<string, number> = {};
  for (const [account, sum] of sums) assetSums[assetOf(account)] = (assetSums[assetOf(account)] ?? 0) + sum;
  for (const [asset, sum] of Object.entries(assetSums)) if (sum !== 0) problems.push({ problem: `asset ${asset} sums to ${sum}, not 0` });

  // Materialized balances must equal the journal, both ways.
  const seen = new Set<string>();
  for await (const b of col(db, 'balances').find({})) {
    seen.add(b._id);
    if ((sums.get(b._id) ?? 0) !== b.balance) problems.push({ problem: `balance of ${b._id} is ${b.balance}, journal says ${sums.get(b._id) ?? 0}` });
    if (b.balance < 0 && mustStayNonNegative(b._id)) problems.push({ problem: `balance of ${b._id} is negative` });
  }
  for (const [account, sum] of sums) if (materialized(account) && !seen.has(account) && sum !== 0) problems.push({ problem: `no balance document for ${account}` });

  await checkDomainState(db, sums, problems);

  const systemBalances: Record<string, number> = {};
  for (const [account, sum] of sums) if (!isUserAccount(account) && !account.includes(':order:')) systemBalances[account] = sum;
  return { ok: problems.length === 0, entries, books, accounts: sums.size, assetSums, problems, systemBalances };
}

async function checkDomainState(db: Db, sums: Map<string, number>, problems: LedgerReport['problems']): Promise<void> {
  const union = await col(db, 'union_state').findOne({ _id: 'union' });
  if ((union?.poolFen ?? 0) !== (sums.get('CASH:pool:union') ?? 0)) problems.push({ problem: `union pool state ${union?.poolFen} ≠ journal ${sums.get('CASH:pool:union') ?? 0}` });
  const green = await col(db, 'green_state').findOne({ _id: 'green' });
  if ((green?.poolFen ?? 0) !== (sums.get('CASH:pool:green') ?? 0)) problems.push({ problem: `green pool state ${green?.poolFen} ≠ journal ${sums.get('CASH:pool:green') ?? 0}` });
  if ((green?.totalUnits ?? 0) !== -(sums.get('GREEN:issuer') ?? 0)) problems.push({ problem: `green units state ${green?.totalUnits} ≠ journal ${-(sums.get('GREEN:issuer') ?? 0)}` });

  // Pending entitlements in the entries equal the memo asset the journal holds for them.
  let queuePending = 0;
  for await (const e of col(db, 'entries').find({ status: 'pending' })) queuePending += e.entitlementFen - e.receivedFen;
  if (queuePending !== -(sums.get('QENT:issuer') ?? 0)) problems.push({ problem: `pending queue entitlements ${queuePending} ≠ journal ${-(sums.get('QENT:issuer') ?? 0)}` });
  let unionPending = 0;
  for await (const e of col(db, 'union_entries').find({ status: 'pending' })) unionPending += e.entitlementFen - e.receivedFen;
  if (unionPending !== -(sums.get('UENT:issuer') ?? 0)) problems.push({ problem: `pending union entitlements ${unionPending} ≠ journal ${-(sums.get('UENT:issuer') ?? 0)}` });

  // Every order's clearing account holds exactly what the order says it holds (received, not yet distributed).
  const clearing = new Map<string, number>();
  for (const [account, sum] of sums) if (account.startsWith('CASH:order:') && sum !== 0) clearing.set(account.slice('CASH:order:'.length), sum);
  for await (const o of col(db, 'orders').find({ clearingFen: { $ne: 0 } }, { projection: { clearingFen: 1 } })) {
    if ((clearing.get(o._id) ?? 0) !== o.clearingFen) problems.push({ problem: `order ${o._id} clearing ${o.clearingFen} ≠ journal ${clearing.get(o._id) ?? 0}` });
    clearing.delete(o._id);
  }
  for (const [orderId, sum] of clearing) problems.push({ problem: `order ${orderId} clearing account holds ${sum} the order does not know of` });

  // Green points held by shoppers equal the units in their active lots.
  const lotUnits = new Map<string, number>();
  for await (const l of col(db, 'green_lots').find({ status: 'active' })) lotUnits.set(l.userId, (lotUnits.get(l.userId) ?? 0) + l.units);
  for (const [account, sum] of sums) {
    if (assetOf(account) !== 'GREEN' || !isUserAccount(account)) continue;
    const userId = userIdOf(account)!;
    if ((lotUnits.get(userId) ?? 0) !== sum) problems.push({ problem: `green lots of ${userId} hold ${lotUnits.get(userId) ?? 0} units, balance ${sum}` });
    lotUnits.delete(userId);
  }
  for (const [userId, units] of lotUnits) if (units !== 0) problems.push({ problem: `green lots of ${userId} hold ${units} units without a balance` });
}
