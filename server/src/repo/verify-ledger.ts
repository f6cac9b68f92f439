import type { ClientSession, Db } from 'mongodb';
import { z } from 'zod';
import { acct, ASSETS, isUserAccount, userIdOf } from '../engine/ledger/accounts';
import { UNION_MEMO, UNION_PAYOUT_MEMOS } from '../engine/union/memos';
import { GENESIS_HASH, hashEntry, normalizePostings, type ChainProblem, type JournalEntry } from '../engine/ledger/journal';
import { AppError } from '../runtime/errors';
import type { Store } from './db';
import { chained, guardedAccount, postingId } from './ledger';

/**
 * verifyLedger: re-check the ledger in bounded steps, each on one consistent snapshot.
 *
 * Each step is one read-only transaction with read concern "snapshot" (MongoDB keeps such a
 * snapshot for at most 60 s), stops after STEP_LIMITS (about 2000 documents or 5 s) and returns
 * a cursor; a full check is a sequence of steps. Payments may commit between two steps, so no
 * check may compare values read in different snapshots unless the values cannot change. The
 * check is split accordingly:
 *
 *  1. journal   every book's hash chain in (book, height) order, every entry balanced per asset,
 *               every posting of a chained account (repo/ledger.ts `chained`) present as its
 *               account row, a shopper's UENT moved only by the four union events, the union
 *               payouts paired (a shopper's CASH and UENT postings of an acceleration or a release
 *               are equal), and the book head equal to the last entry. A book only appends, so
 *               the entries behind the cursor never change: the cursor carries the last hash and
 *               height, and the head is compared in the snapshot in which the book's end is read.
 *  2. heads     every book head points at an existing entry with its hash (a removed tail).
 *  3. accounts  every chained account's rows in seq order: 1, 2, 3 … with balanceAfter the running
 *               sum, every row equal to its journal posting, and the balance document equal to the
 *               last row — compared in the snapshot in which the account's last row is read. Rows
 *               only append, so the running sum carried in the cursor stays true. A shopper's cash
 *               rows of union payouts (engine/union/memos.ts) add up to what their union entries
 *               received, compared the same way.
 *  4. platform  the pool and green state documents equal their accounts' balances (one snapshot).
 *  5. holders   per shopper, in one snapshot: pending queue entries = QENT balance, active green
 *               lots and exited lots not yet paid (settler/exit-payouts.ts) = GREEN balance.
 *  6. orders    per order, in one snapshot: clearingFen = the sum of its clearing account over the
 *               order's journal entries (found by refs.orderId; step 1 checks that every posting
 *               to an order's clearing account is in an entry naming that order); its union
 *               entries' entitlements = the UENT its entries issued to its buyer, their unpaid
 *               remainders when cancelled = the UENT its refund cancelled, and each entry within
 *               its bounds (completed: received in full; otherwise received less than entitled).
 *
 * The global invariants follow from these local ones without a global read: every entry balances
 * per asset, so each asset sums to zero over the journal; the memo assets QENT/UENT and GREEN are
 * held only by their issuer and by shoppers (step 1; GREEN also by the issuer's contra account
 * GREEN:pool:exits while exits wait for their payout), so "all pending entitlements = −issuer" and
 * "green points held = −issuer − GREEN:pool:exits" are the per-shopper equalities of step 5 summed; the pools are
 * step 4. A shopper's UENT has no balance document (engine/ledger/accounts.ts `isChained`): its
 * postings are what their orders issued, less what refunds cancelled (step 6, per order) and
 * what union payouts paid (step 1 pairs them with cash, step 3 ties that cash to the entries'
 * received amounts). Summed, that is the entries' entitlement less what they received and what
 * was cancelled: what the pending entries have still to receive, since a completed entry received
 * all of it (step 6). Every business event writes its journal entry, the rows and the state documents in one
 * transaction, so within any snapshot both sides of each comparison agree — which is why the
 * check finds nothing while payments run, and why paging gives the verdict of a one-shot run.
 */

export const STEP_LIMITS = { docs: 2000, ms: 5000 };

const PHASES = ['journal', 'heads', 'accounts', 'platform', 'holders', 'orders', 'done'] as const;
type Phase = (typeof PHASES)[number];

export type LedgerProblem = ChainProblem | { problem: string };

export interface LedgerReport {
  ok: boolean;
  entries: number;
  books: number;
  accounts: number;
  /** per asset, the sum over the journal entries checked (0 when every entry balances) */
  assetSums: Record<string, number>;
  problems: LedgerProblem[];
  /** platform accounts (pools, issuers, revenue, external) summed over the journal entries checked; a snapshot only when nothing was paid during the check */
  systemBalances: Record<string, number>;
  /** how many steps (snapshots) the check took, and the largest step */
  steps: number;
  maxStep: { docs: number; ms: number };
}

const countsSchema = z.strictObject({
  steps: z.number().int(),
  entries: z.number().int(),
  books: z.number().int(),
  heads: z.number().int(),
  rows: z.number().int(),
  accounts: z.number().int(),
  holders: z.number().int(),
  orders: z.number().int(),
});
const cursorSchema = z.strictObject({
  v: z.literal(1),
  phase: z.enum(PHASES),
  /** journal: the last entry checked (book '' = none yet) */
  book: z.string(),
  height: z.number().int(),
  hash: z.string(),
  /** journal: the head of `book` was already compared (its end was read) */
  headChecked: z.boolean(),
  /** heads / holders / orders: the last id checked */
  after: z.string(),
  /** accounts: the last row checked and the running balance */
  account: z.string(),
  seq: z.number().int(),
  balance: z.number().int(),
  /** accounts: the running sum of the current account's rows of union payouts (a shopper's cash) */
  union: z.number().int().optional(),
  counts: countsSchema,
  assetSums: z.record(z.string(), z.number().int()),
  systemBalances: z.record(z.string(), z.number().int()),
});
type Cursor = z.infer<typeof cursorSchema>;

const fresh = (): Cursor => ({
  v: 1,
  phase: 'journal',
  book: '',
  height: 0,
  hash: GENESIS_HASH,
  headChecked: false,
  after: '',
  account: '',
  seq: 0,
  balance: 0,
  union: 0,
  counts: { steps: 0, entries: 0, books: 0, heads: 0, rows: 0, accounts: 0, holders: 0, orders: 0 },
  assetSums: {},
  systemBalances: {},
});

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('INVALID_INPUT', 'cursor 无效：请从头开始校验（不带 cursor 调用）');
  }
}

export interface VerifyStep {
  done: boolean;
  /** pass back to continue; null when done */
  cursor: string | null;
  progress: { phase: Phase; steps: number; entries: number; books: number; heads: number; rows: number; accounts: number; holders: number; orders: number };
  /** what this step found */
  problems: LedgerProblem[];
  /** this step's work: documents read and milliseconds (the bound is STEP_LIMITS) */
  work: { docs: number; ms: number };
  /** so far (complete when done) */
  assetSums: Record<string, number>;
  systemBalances: Record<string, number>;
}

/** One step: at most `limits.docs` documents read (roughly) and `limits.ms` spent, all in one snapshot. */
export async function verifyLedgerStep(store: Store, cursor?: string | null, limits = STEP_LIMITS): Promise<VerifyStep> {
  const start = cursor ? decodeCursor(cursor) : fresh();
  const session = store.client.startSession();
  let out: VerifyStep | undefined;
  try {
    // A read-only transaction: every read below sees the same snapshot. Retried from the same
    // cursor if the server drops the snapshot (a transient error).
    await session.withTransaction(
      async () => {
        out = await runStep(new Reader(store.db, session), structuredClone(start), limits);
      },
      { readConcern: { level: 'snapshot' }, readPreference: 'primary' },
    );
  } finally {
    await session.endSession();
  }
  return out!;
}

/** The whole check, step after step (tests, the local tools, the bench). `limits: { docs: Infinity }` = one snapshot. */
export async function verifyLedger(store: Store, opts: { limits?: { docs: number; ms: number } } = {}): Promise<LedgerReport> {
  const problems: LedgerProblem[] = [];
  const maxStep = { docs: 0, ms: 0 };
  let cursor: string | null = null;
  for (;;) {
    const step: VerifyStep = await verifyLedgerStep(store, cursor, opts.limits ?? STEP_LIMITS);
    problems.push(...step.problems);
    maxStep.docs = Math.max(maxStep.docs, step.work.docs);
    maxStep.ms = Math.max(maxStep.ms, step.work.ms);
    if (step.done) {
      const p = step.progress;
      return { ok: problems.length === 0, entries: p.entries, books: p.books, accounts: p.accounts, assetSums: step.assetSums, problems, systemBalances: step.systemBalances, steps: p.steps, maxStep };
    }
    cursor = step.cursor;
  }
}

/** Reads inside the step's transaction, counting the documents read (the step's budget). */
class Reader {
  docs = 0;
  constructor(
    readonly db: Db,
    readonly session: ClientSession,
  ) {}
  async find<T>(name: string, filter: object, opts: { sort?: Record<string, 1 | -1>; limit?: number; projection?: Record<string, 1> } = {}): Promise<T[]> {
    const cur = this.db.collection(name).find(filter, { session: this.session, ...(opts.projection ? { projection: opts.projection } : {}) });
    if (opts.sort) cur.sort(opts.sort);
    if (opts.limit !== undefined && Number.isFinite(opts.limit)) cur.limit(opts.limit);
    const docs = (await cur.toArray()) as T[];
    this.docs += docs.length;
    return docs;
  }
}

async function runStep(r: Reader, c: Cursor, limits: { docs: number; ms: number }): Promise<VerifyStep> {
  const t0 = Date.now();
  const problems: LedgerProblem[] = [];
  c.counts.steps++;
  // at least one page per step (so every step progresses), then as long as the budget lasts
  for (let first = true; c.phase !== 'done'; first = false) {
    const room = limits.docs - r.docs;
    if (!first && (room <= 0 || Date.now() - t0 > limits.ms)) break;
    const outcome = await PHASE_STEP[c.phase as Exclude<Phase, 'done'>](r, c, problems, Math.max(1, room), first);
    if (outcome === 'finished') c.phase = PHASES[PHASES.indexOf(c.phase) + 1]!;
    if (outcome === 'stop') break;
  }
  const { steps, entries, books, heads, rows, accounts, holders, orders } = c.counts;
  return {
    done: c.phase === 'done',
    cursor: c.phase === 'done' ? null : encodeCursor(c),
    progress: { phase: c.phase, steps, entries, books, heads, rows, accounts, holders, orders },
    problems,
    work: { docs: r.docs, ms: Date.now() - t0 },
    assetSums: c.assetSums,
    systemBalances: c.systemBalances,
  };
}

/**
 * One page of a phase within `room` documents: 'finished' (the phase is complete), 'more', or
 * 'stop' (the next item does not fit the room left: end the step). The first page of a step
 * always checks at least one item.
 */
type PhaseStep = (r: Reader, c: Cursor, problems: LedgerProblem[], room: number, first: boolean) => Promise<'finished' | 'more' | 'stop'>;
const more = (finished: boolean) => (finished ? ('finished' as const) : ('more' as const));

/** Page sizes: documents of the page's own kind, leaving room for the lookups that check them. */
const page = (room: number, max: number, fanOut: number) => Math.max(1, Math.min(max, Math.floor(room / fanOut)));

/**
 * Read the next page in (key, n) order: the rest of the current group (key = cursor key, n > cursor n),
 * then following groups. Groups ending inside the page are complete in this snapshot; the page's last
 * group is complete only if the page is not full.
 */
async function nextPage<T extends Record<string, unknown>>(
  r: Reader,
  name: string,
  keyField: string,
  nField: string,
  key: string,
  n: number,
  size: number,
): Promise<{ docs: T[]; currentEnded: boolean; full: boolean }> {
  const docs: T[] = key ? await r.find<T>(name, { [keyField]: key, [nField]: { $gt: n } }, { sort: { [keyField]: 1, [nField]: 1 }, limit: size }) : [];
  const currentEnded = docs.length < size;
  if (currentEnded) docs.push(...(await r.find<T>(name, { [keyField]: { $gt: key } }, { sort: { [keyField]: 1, [nField]: 1 }, limit: size - docs.length })));
  return { docs, currentEnded, full: docs.length >= size };
}

const ORDER_CLEARING = 'CASH:order:';
/** Assets whose accounts are only the issuer's and shoppers': their per-shopper checks add up to the issuer's total. */
const ISSUED = new Set(['QENT', 'UENT', 'GREEN']);

/** What checking one entry reads: the entry, its rows, balance documents and orders (at most). */
const entryCost = (e: JournalEntry) => 1 + 2 * e.postings.filter((p) => typeof p.account === 'string' && (chained(p.account) || p.account.startsWith(ORDER_CLEARING))).length;

const journalPhase: PhaseStep = async (r, c, problems, room, first) => {
  const size = page(room, 500, 4);
  const fetched = await nextPage<JournalEntry & Record<string, unknown>>(r, 'journal', 'book', 'height', c.book, c.height, size);
  // keep the entries whose lookups fit the room left (at least one): a settlement entry has many postings
  let spent = fetched.docs.length;
  let keep = 0;
  while (keep < fetched.docs.length && ((keep === 0 && first) || spent + entryCost(fetched.docs[keep]!) - 1 <= room)) spent += entryCost(fetched.docs[keep++]!) - 1;
  if (keep === 0 && fetched.docs.length > 0) return 'stop';
  const docs = fetched.docs.slice(0, keep);
  const full = fetched.full || keep < fetched.docs.length;
  const ended: { book: string; height: number; hash: string }[] = [];
  if (c.book && !c.headChecked && fetched.currentEnded && (fetched.docs.length === 0 || fetched.docs[0]!.book !== c.book)) ended.push({ book: c.book, height: c.height, hash: c.hash });
  const rowsWanted = new Map<string, { account: string; amount: number; where: string }>();
  const accountsWanted = new Set<string>();
  const ordersWanted = new Set<string>();
  for (const [k, e] of docs.entries()) {
    if (e.book !== c.book) {
      c.book = e.book;
      c.height = 0;
      c.hash = GENESIS_HASH;
      c.headChecked = false;
      c.counts.books++;
    }
    c.counts.entries++;
    const where = { book: e.book, height: e.height };
    if (e.height !== c.height + 1) problems.push({ ...where, problem: `height ${e.height}, expected ${c.height + 1} (entry removed?)` });
    if (e.prevHash !== c.hash) problems.push({ ...where, problem: 'prevHash does not link to the previous entry' });
    const { hash, ...body } = e;
    if (hashEntry(body as Omit<JournalEntry, 'hash'>) !== hash) problems.push({ ...where, problem: 'hash does not match the entry content (edited?)' });
    try {
      if (normalizePostings(e.postings).length !== e.postings.length) problems.push({ ...where, problem: 'postings are not normalized' });
    } catch (err) {
      problems.push({ ...where, problem: (err as Error).message });
    }
    for (const [i, p] of e.postings.entries()) checkPosting(e, i, p, c, problems, rowsWanted, accountsWanted, ordersWanted);
    checkUnionPostings(e, problems);
    c.height = e.height;
    c.hash = e.hash;
    // the book ends inside this snapshot: the next entry read is another book's, or there is none
    const next = fetched.docs[k + 1];
    c.headChecked = next ? next.book !== e.book : !fetched.full;
    if (c.headChecked) ended.push({ book: e.book, height: e.height, hash: e.hash });
  }

  // Heads of the books that ended here, in this snapshot.
  if (ended.length) {
    const heads = new Map((await r.find<{ _id: string; height: number; hash: string }>('books', { _id: { $in: ended.map((b) => b.book) } })).map((h) => [h._id, h]));
    for (const b of ended) {
      const h = heads.get(b.book);
      if (!h) problems.push({ book: b.book, height: b.height, problem: 'book has entries but no head' });
      else if (h.height !== b.height || h.hash !== b.hash) problems.push({ book: b.book, height: h.height, problem: 'book head does not match the last entry (entry removed or appended outside the ledger?)' });
    }
  }
  // Each chained posting has its row and its account its balance document; each order clearing account its order.
  if (rowsWanted.size) {
    const rows = new Map((await r.find<{ _id: string; account: string; amount: number }>('postings', { _id: { $in: [...rowsWanted.keys()] } }, { projection: { account: 1, amount: 1 } })).map((x) => [x._id, x]));
    for (const [id, want] of rowsWanted) {
      const row = rows.get(id);
      if (!row) problems.push({ problem: `${want.where}: no account row ${id} for ${want.account}` });
      else if (row.account !== want.account || row.amount !== want.amount) problems.push({ problem: `${want.where}: account row ${id} says ${row.account} ${row.amount}, the journal ${want.account} ${want.amount}` });
    }
  }
  if (accountsWanted.size) {
    const have = new Set((await r.find<{ _id: string }>('balances', { _id: { $in: [...accountsWanted] } }, { projection: { _id: 1 } })).map((b) => b._id));
    for (const a of accountsWanted) if (!have.has(a)) problems.push({ problem: `no balance document for ${a}` });
  }
  if (ordersWanted.size) {
    const have = new Set((await r.find<{ _id: string }>('orders', { _id: { $in: [...ordersWanted] } }, { projection: { _id: 1 } })).map((o) => o._id));
    for (const o of ordersWanted) if (!have.has(o)) problems.push({ problem: `clearing account of order ${o}, which does not exist` });
  }
  return more(!full);
};

function checkPosting(
  e: JournalEntry,
  i: number,
  p: { account: string; amount: number },
  c: Cursor,
  problems: LedgerProblem[],
  rowsWanted: Map<string, { account: string; amount: number; where: string }>,
  accountsWanted: Set<string>,
  ordersWanted: Set<string>,
): void {
  const where = `${e.book}#${e.height}`;
  if (typeof p.account !== 'string' || !Number.isSafeInteger(p.amount)) {
    problems.push({ book: e.book, height: e.height, problem: `posting ${i} is malformed` });
    return;
  }
  const asset = p.account.slice(0, p.account.indexOf(':'));
  if (!(ASSETS as readonly string[]).includes(asset)) {
    problems.push({ book: e.book, height: e.height, problem: `posting ${i}: unknown asset in account ${p.account}` });
    return;
  }
  c.assetSums[asset] = (c.assetSums[asset] ?? 0) + p.amount;
  // (GREEN:pool:exits is the issuer's contra account while exits wait for their payout: the issuer's side)
  if (ISSUED.has(asset) && p.account !== `${asset}:issuer` && p.account !== acct.greenExitUnits && !isUserAccount(p.account)) {
    problems.push({ book: e.book, height: e.height, problem: `posting ${i}: ${asset} is held only by its issuer and shoppers, not ${p.account}` });
  }
  if (p.account.startsWith(ORDER_CLEARING)) {
    const orderId = p.account.slice(ORDER_CLEARING.length);
    if (e.refs?.orderId !== orderId) problems.push({ book: e.book, height: e.height, problem: `posting ${i} moves the clearing account of order ${orderId} but the entry names order ${String(e.refs?.orderId ?? '-')}` });
    ordersWanted.add(orderId);
  } else if (!isUserAccount(p.account)) {
    c.systemBalances[p.account] = (c.systemBalances[p.account] ?? 0) + p.amount;
  }
  if (chained(p.account)) {
    rowsWanted.set(postingId(e._id, i), { account: p.account, amount: p.amount, where });
    accountsWanted.add(p.account);
  }
}

const UNION_MEMOS: ReadonlySet<string> = new Set(Object.values(UNION_MEMO));

/**
 * A shopper's UENT moves only by the four union events (engine/union/memos.ts), which the orders
 * and accounts phases tie to the entries. An acceleration or a release pays a shopper's union
 * entries in cash and takes the same amount off their pending union entitlement: within the entry,
 * per shopper and memo, the CASH posting and the UENT posting are equal and opposite.
 */
function checkUnionPostings(e: JournalEntry, problems: LedgerProblem[]): void {
  let net: Map<string, number> | undefined;
  for (const [i, p] of e.postings.entries()) {
    if (typeof p.account !== 'string') continue;
    if (p.account.startsWith('UENT:user:') && !UNION_MEMOS.has(p.memo ?? '')) {
      problems.push({ book: e.book, height: e.height, problem: `posting ${i} moves the union entitlement of a shopper (${p.account}) outside a union event (memo "${p.memo ?? ''}")` });
    }
    if (!UNION_PAYOUT_MEMOS.has(p.memo ?? '')) continue;
    const cash = p.account.startsWith('CASH:user:');
    if (!cash && !p.account.startsWith('UENT:user:')) continue;
    const user = userIdOf(p.account);
    if (cash && p.account !== acct.userCash(user ?? '')) continue;
    net ??= new Map();
    const key = `${user}\u0000${p.memo}`;
    net.set(key, (net.get(key) ?? 0) + p.amount);
  }
  if (!net) return;
  for (const [key, fen] of net) {
    if (fen !== 0) {
      const [user, memo] = key.split('\u0000');
      problems.push({ book: e.book, height: e.height, problem: `${memo} of ${user}: cash and union entitlement differ by ${fen}` });
    }
  }
}

const headsPhase: PhaseStep = async (r, c, problems, room) => {
  const size = page(room, 500, 2);
  const heads = await r.find<{ _id: string; height: number; hash: string }>('books', { _id: { $gt: c.after } }, { sort: { _id: 1 }, limit: size });
  if (heads.length) {
    const entries = new Map((await r.find<{ _id: string; hash: string }>('journal', { _id: { $in: heads.map((h) => `${h._id}#${h.height}`) } }, { projection: { hash: 1 } })).map((e) => [e._id, e]));
    for (const h of heads) {
      const e = entries.get(`${h._id}#${h.height}`);
      if (!e) problems.push({ book: h._id, height: h.height, problem: 'book head without its entry (entries removed?)' });
      else if (e.hash !== h.hash) problems.push({ book: h._id, height: h.height, problem: 'book head hash differs from its entry' });
      c.counts.heads++;
      c.after = h._id;
    }
  }
  if (heads.length < size) {
    c.after = '';
    return 'finished';
  }
  return 'more';
};

interface RowDoc extends Record<string, unknown> {
  _id: string;
  account: string;
  amount: number;
  seq: number;
  balanceAfter: number;
}

const accountsPhase: PhaseStep = async (r, c, problems, room) => {
  const size = page(room, 1000, 3);
  const from = c.account;
  const { docs, currentEnded, full } = await nextPage<RowDoc>(r, 'postings', 'account', 'seq', c.account, c.seq, size);
  const ended: { account: string; seq: number; balance: number; union: number }[] = [];
  if (c.account && currentEnded && (docs.length === 0 || docs[0]!.account !== c.account)) ended.push({ account: c.account, seq: c.seq, balance: c.balance, union: c.union ?? 0 });
  for (const [k, row] of docs.entries()) {
    if (row.account !== c.account) {
      c.account = row.account;
      c.seq = 0;
      c.balance = 0;
      c.union = 0;
      c.counts.accounts++;
    }
    c.counts.rows++;
    c.balance += Number.isSafeInteger(row.amount) ? row.amount : 0;
    if (UNION_PAYOUT_MEMOS.has(String(row.memo ?? '')) && Number.isSafeInteger(row.amount)) c.union = (c.union ?? 0) + row.amount;
    if (row.seq !== c.seq + 1) problems.push({ problem: `account ${row.account}: row ${row._id} has seq ${String(row.seq)}, expected ${c.seq + 1}` });
    if (row.balanceAfter !== c.balance) problems.push({ problem: `account ${row.account}: row ${row._id} says balance ${row.balanceAfter}, its rows sum to ${c.balance}` });
    c.seq = typeof row.seq === 'number' ? row.seq : c.seq + 1;
    const next = docs[k + 1];
    if (next ? next.account !== row.account : !full) ended.push({ account: row.account, seq: c.seq, balance: c.balance, union: c.union ?? 0 });
  }

  // Every row is its journal posting.
  if (docs.length) {
    const entryIds = [...new Set(docs.map((x) => x._id.slice(0, x._id.lastIndexOf('/'))))];
    const entries = new Map((await r.find<{ _id: string; postings: { account: string; amount: number }[] }>('journal', { _id: { $in: entryIds } }, { projection: { postings: 1 } })).map((e) => [e._id, e]));
    for (const row of docs) {
      const cut = row._id.lastIndexOf('/');
      const p = entries.get(row._id.slice(0, cut))?.postings[Number(row._id.slice(cut + 1))];
      if (!p) problems.push({ problem: `account ${row.account}: row ${row._id} has no journal posting` });
      else if (p.account !== row.account || p.amount !== row.amount) problems.push({ problem: `account ${row.account}: row ${row._id} (${row.amount}) differs from its journal posting (${p.account} ${p.amount})` });
    }
  }

  // Balance documents of this stretch of accounts, in this snapshot: those of accounts that ended here
  // must equal their last row; any other one between the accounts read has no rows at all.
  const upTo = full ? docs[docs.length - 1]!.account : null;
  const range = upTo === null ? { $gt: from } : { $gt: from, $lte: upTo };
  const balances = await r.find<{ _id: string; balance: number; seq: number }>('balances', { _id: range }, { sort: { _id: 1 }, limit: size + 50, projection: { balance: 1, seq: 1 } });
  const byId = new Map(balances.map((b) => [b._id, b]));
  const seen = new Set(docs.map((x) => x.account));
  if (from) seen.add(from);
  for (const b of balances) if (!seen.has(b._id)) problems.push({ problem: `balance document ${b._id} (${b.balance}) has no postings` });
  const endedFrom = ended.length && ended[0]!.account === from ? (await r.find<{ _id: string; balance: number; seq: number }>('balances', { _id: from }, { projection: { balance: 1, seq: 1 } }))[0] : undefined;
  for (const a of ended) {
    const b = a.account === from ? endedFrom : byId.get(a.account);
    if (!b) problems.push({ problem: `no balance document for ${a.account} (${a.seq} postings)` });
    else if (b.balance !== a.balance || b.seq !== a.seq) problems.push({ problem: `balance of ${a.account} is ${b.balance} after ${b.seq} postings, its rows say ${a.balance} after ${a.seq}` });
    if (b && b.balance < 0 && guardedAccount(a.account)) problems.push({ problem: `balance of ${a.account} is negative (${b.balance})` });
  }
  await checkUnionReceived(r, ended, problems);
  if (!full) {
    c.account = '';
    c.seq = 0;
    c.balance = 0;
    return 'finished';
  }
  return 'more';
};

/**
 * A shopper's cash rows of union payouts (accelerations and releases) add up to what their union
 * entries received: checked for the shoppers' cash accounts whose last row this snapshot read.
 */
async function checkUnionReceived(r: Reader, ended: { account: string; union: number }[], problems: LedgerProblem[]): Promise<void> {
  const paid = new Map<string, number>();
  for (const a of ended) {
    const user = userIdOf(a.account);
    if (user !== null && a.account === acct.userCash(user)) paid.set(user, a.union);
  }
  if (paid.size === 0) return;
  const entries = await r.find<{ userId: string; receivedFen: number }>('union_entries', { userId: { $in: [...paid.keys()] } }, { projection: { userId: 1, receivedFen: 1 } });
  const received = new Map<string, number>();
  for (const e of entries) received.set(e.userId, (received.get(e.userId) ?? 0) + e.receivedFen);
  for (const [user, fen] of paid) {
    if ((received.get(user) ?? 0) !== fen) problems.push({ problem: `union entries of ${user} received ${received.get(user) ?? 0}, their cash rows of union payouts say ${fen}` });
  }
}

const platformPhase: PhaseStep = async (r, _c, problems) => {
  const [union] = await r.find<{ poolFen: number; heldFen?: number }>('union_state', { _id: 'union' });
  const [green] = await r.find<{ poolFen: number; totalUnits: number; exitHeldFen?: number; exitPendingUnits?: number }>('green_state', { _id: 'green' });
  const bal = new Map((await r.find<{ _id: string; balance: number }>('balances', { _id: { $in: [acct.unionPool, acct.unionReleaseHold, acct.greenPool, acct.greenExitHold, acct.greenExitUnits, acct.greenIssuer] } })).map((b) => [b._id, b.balance]));
  const pairs: [string, number, number][] = [
    ['union pool state', union?.poolFen ?? 0, bal.get(acct.unionPool) ?? 0],
    ['union release hold state', union?.heldFen ?? 0, bal.get(acct.unionReleaseHold) ?? 0],
    ['green pool state', green?.poolFen ?? 0, bal.get(acct.greenPool) ?? 0],
    ['green exit payouts state', green?.exitHeldFen ?? 0, bal.get(acct.greenExitHold) ?? 0],
    // (the points of exits not yet paid: out of the pool's total, still in their holders' balances)
    ['green exit points state', green?.exitPendingUnits ?? 0, -(bal.get(acct.greenExitUnits) ?? 0)],
    ['green units state', green?.totalUnits ?? 0, -(bal.get(acct.greenIssuer) ?? 0)],
  ];
  for (const [what, state, journal] of pairs) if (state !== journal) problems.push({ problem: `${what} ${state} ≠ journal ${journal}` });
  return 'finished';
};

const holdersPhase: PhaseStep = async (r, c, problems, room) => {
  // shoppers in userId order, from the balances index; a shopper's documents are read in one go
  const size = page(room, 400, 6);
  const found = await r.find<{ userId: string }>('balances', { userId: { $gt: c.after } }, { sort: { userId: 1 }, limit: size, projection: { userId: 1 } });
  let users = [...new Set(found.map((b) => b.userId))];
  const full = found.length >= size;
  // the page's last shopper may have more balance documents beyond it: take them next time, unless alone
  if (full && users.length > 1) users = users.slice(0, -1);
  if (users.length) {
    // one after the other: a session's operations inside a transaction must not overlap
    const bals = await r.find<{ _id: string; balance: number }>('balances', { _id: { $in: users.flatMap((u) => [acct.userQueueEntitlement(u), acct.userGreen(u)]) } }, { projection: { balance: 1 } });
    const entries = await r.find<{ userId: string; entitlementFen: number; receivedFen: number }>('entries', { userId: { $in: users }, status: 'pending' }, { projection: { userId: 1, entitlementFen: 1, receivedFen: 1 } });
    const lots = await r.find<{ userId: string; units: number }>('green_lots', { userId: { $in: users }, status: 'active' }, { projection: { userId: 1, units: 1 } });
    // exits whose payout step has not come yet: their units are still in the holder's balance
    const exiting = await r.find<{ userId: string; exitedUnits?: number }>('green_lots', { userId: { $in: users }, payoutPending: true }, { projection: { userId: 1, exitedUnits: 1 } });
    const balance = new Map(bals.map((b) => [b._id, b.balance]));
    const sum = <T extends { userId: string }>(docs: T[], f: (d: T) => number) => {
      const m = new Map<string, number>();
      for (const d of docs) m.set(d.userId, (m.get(d.userId) ?? 0) + f(d));
      return m;
    };
    const queue = sum(entries, (e) => e.entitlementFen - e.receivedFen);
    const green = sum(lots, (l) => l.units);
    for (const [u, units] of sum(exiting, (l) => l.exitedUnits ?? 0)) green.set(u, (green.get(u) ?? 0) + units);
    for (const u of users) {
      const pairs: [string, number, string][] = [
        ['pending queue entitlements', queue.get(u) ?? 0, acct.userQueueEntitlement(u)],
        ['active green lots (and exits not yet paid)', green.get(u) ?? 0, acct.userGreen(u)],
      ];
      for (const [what, state, account] of pairs) {
        if (state !== (balance.get(account) ?? 0)) problems.push({ problem: `${what} of ${u}: ${state} ≠ journal ${balance.get(account) ?? 0} (${account})` });
      }
      c.counts.holders++;
    }
    c.after = users[users.length - 1]!;
  }
  if (!full) {
    c.after = '';
    return 'finished';
  }
  return 'more';
};

interface UnionEntryRead {
  orderId: string;
  userId: string;
  status: string;
  entitlementFen: number;
  receivedFen: number;
}

const ordersPhase: PhaseStep = async (r, c, problems, room) => {
  const size = page(room, 250, 7);
  const orders = await r.find<{ _id: string; clearingFen: number }>('orders', { _id: { $gt: c.after } }, { sort: { _id: 1 }, limit: size, projection: { clearingFen: 1 } });
  if (orders.length) {
    const ids = orders.map((o) => o._id);
    const entries = await r.find<{ refs?: { orderId?: string }; postings: { account: string; amount: number; memo?: string }[] }>('journal', { 'refs.orderId': { $in: ids } }, { projection: { refs: 1, postings: 1 } });
    const union = await r.find<UnionEntryRead>('union_entries', { orderId: { $in: ids } }, { projection: { orderId: 1, userId: 1, status: 1, entitlementFen: 1, receivedFen: 1 } });
    const clearing = new Map<string, number>();
    // per order and shopper: the UENT issued and cancelled, as the journal says and as the entries say
    const uent = new Map<string, { issued: number; cancelled: number; entitled: number; unpaidCancelled: number }>();
    const at = (orderId: string, userId: string) => {
      const key = `${orderId}\u0000${userId}`;
      let v = uent.get(key);
      if (!v) uent.set(key, (v = { issued: 0, cancelled: 0, entitled: 0, unpaidCancelled: 0 }));
      return v;
    };
    for (const e of entries) {
      for (const p of e.postings) {
        if (p.account.startsWith(ORDER_CLEARING)) {
          const id = p.account.slice(ORDER_CLEARING.length);
          clearing.set(id, (clearing.get(id) ?? 0) + p.amount);
        } else if (p.account.startsWith('UENT:user:') && e.refs?.orderId) {
          if (p.memo === UNION_MEMO.issued) at(e.refs.orderId, userIdOf(p.account)!).issued += p.amount;
          else if (p.memo === UNION_MEMO.cancelled) at(e.refs.orderId, userIdOf(p.account)!).cancelled -= p.amount;
        }
      }
    }
    for (const u of union) {
      const v = at(u.orderId, u.userId);
      v.entitled += u.entitlementFen;
      if (u.status === 'cancelled') v.unpaidCancelled += u.entitlementFen - u.receivedFen;
      const bounded = u.status === 'completed' ? u.receivedFen === u.entitlementFen : u.receivedFen >= 0 && u.receivedFen < u.entitlementFen;
      if (!bounded) problems.push({ problem: `union entry of order ${u.orderId} (${u.status}) received ${u.receivedFen} of ${u.entitlementFen}` });
    }
    for (const [key, v] of uent) {
      const [orderId, userId] = key.split('\u0000');
      if (v.issued !== v.entitled) problems.push({ problem: `union entitlements of order ${orderId} for ${userId}: entries ${v.entitled} ≠ journal ${v.issued}` });
      if (v.cancelled !== v.unpaidCancelled) problems.push({ problem: `union entitlements of order ${orderId} for ${userId}: cancelled entries left ${v.unpaidCancelled} unpaid ≠ journal ${v.cancelled}` });
    }
    for (const o of orders) {
      const journal = clearing.get(o._id) ?? 0;
      if (o.clearingFen !== journal) problems.push({ problem: `order ${o._id} clearing ${o.clearingFen} ≠ journal ${journal}` });
      if (o.clearingFen < 0) problems.push({ problem: `order ${o._id} clearing is negative (${o.clearingFen})` });
      c.counts.orders++;
      c.after = o._id;
    }
  }
  if (orders.length < size) {
    c.after = '';
    return 'finished';
  }
  return 'more';
};

const PHASE_STEP: Record<Exclude<Phase, 'done'>, PhaseStep> = {
  journal: journalPhase,
  heads: headsPhase,
  accounts: accountsPhase,
  platform: platformPhase,
  holders: holdersPhase,
  orders: ordersPhase,
};

