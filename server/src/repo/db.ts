import type { ClientSession, Collection, Db, Document, MongoClient, TransactionOptions } from 'mongodb';
import { isTransientTransactionError, isUnknownTransactionCommitResult } from '../db/embedded/errors';
import type { Collections } from './documents';
import type { SchemaStatus } from './schema';

/**
 * The repository layer is written against the official driver's types; the same code runs on
 * a real MongoClient (MONGODB_URI) and on the embedded engine.
 */

export interface Store {
  client: MongoClient;
  db: Db;
  /** the schema check of the cold start (app/deps.ts openStore); absent when not checked */
  schema?: SchemaStatus;
}

export function col<K extends keyof Collections>(db: Db, name: K): Collection<Collections[K] & Document> {
  return db.collection<Collections[K] & Document>(name);
}

/** Every transaction states its read and write concern: snapshot reads, majority writes (TigerBeetle style: no trusted defaults). */
export const TXN_OPTIONS: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/**
 * A step of a long job that the next step continues (settler.ts): acknowledged once applied,
 * without waiting for the journal, so the next step computes while this one is written. A crash
 * can undo such steps (and only the last ones: the journal is ordered); the job redoes them. The
 * first majority commit after them makes them durable, and nothing outside the database acts on
 * them before that: the outbox sends only after its own majority claim.
 */
export const LAZY_TXN_OPTIONS: TransactionOptions = { ...TXN_OPTIONS, writeConcern: { w: 1, j: false } };

/**
 * The stated bound on documents written by one transaction (SPEC §9). Work that can grow —
 * settling a batch, a daily release, an exit cascade, a reset — is cut into transactions below
 * it; anything that crosses it is a bug, and the transaction fails loudly instead of committing.
 */
export const MAX_TX_DOCS = 500;

/**
 * How long one business event may keep retrying write conflicts before it gives up with
 * CONFLICT (the caller may retry with the same requestId). The driver's own withTransaction
 * would retry for 120 s, longer than a cloud function lives.
 */
export const TX_RETRY_DEADLINE_MS = 10_000;

/** One business event's transaction. */
export interface Tx {
  db: Db;
  session: ClientSession;
  /** the event's clock: `x-now` in local mode, the real time in production */
  now: Date;
  /** Work to do after the transaction commits (messages, follow-up work); dropped if the attempt is retried or aborted. */
  afterCommit(fn: () => Promise<void>): void;
  /** documents written so far by this attempt */
  docsWritten(): number;
}

/** Options bag for driver calls inside the transaction. */
export const s = (tx: Tx) => ({ session: tx.session });

/** Transaction figures of one client (one process' view): what the benches and the multi-instance tests report. */
export interface TxStats {
  attempts: number;
  commits: number;
  /** attempts that ended in a write conflict (TransientTransactionError) and were retried */
  conflicts: number;
  /** most documents written by one committed transaction */
  maxDocs: number;
}

const statsByClient = new WeakMap<object, TxStats>();

export function txStats(store: Store): TxStats {
  let st = statsByClient.get(store.client);
  if (!st) statsByClient.set(store.client, (st = { attempts: 0, commits: 0, conflicts: 0, maxDocs: 0 }));
  return st;
}

export function resetTxStats(store: Store): void {
  Object.assign(txStats(store), { attempts: 0, commits: 0, conflicts: 0, maxDocs: 0 });
}

export class TransactionBoundError extends Error {
  constructor(written: number, bound: number) {
    super(`invariant: a transaction wrote ${written} documents, more than the bound of ${bound} (MAX_TX_DOCS)`);
  }
}

const WRITE_METHODS = new Set([
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'bulkWrite',
]);

/** Documents a write call wrote, from its result (a no-op update writes nothing). */
function written(method: string, result: unknown): number {
  if (result == null) return 0;
  const r = result as Record<string, unknown>;
  switch (method) {
    case 'insertOne':
      return 1;
    case 'findOneAndUpdate':
    case 'findOneAndReplace':
    case 'findOneAndDelete':
      return 1;
    case 'bulkWrite':
      return Number(r.insertedCount ?? 0) + Number(r.modifiedCount ?? 0) + Number(r.upsertedCount ?? 0) + Number(r.deletedCount ?? 0);
    default:
      return Number(r.insertedCount ?? 0) + Number(r.modifiedCount ?? 0) + Number(r.upsertedCount ?? 0) + Number(r.deletedCount ?? 0);
  }
}

/**
 * The transaction's view of the database: the same Db, with every collection's writes counted
 * against MAX_TX_DOCS. A path that would write more fails here, loudly, in any test that takes it.
 */
function countingDb(db: Db, counter: { docs: number }, bound: number): Db {
  const cache = new Map<string, Collection>();
  const wrapCollection = (c: Collection): Collection =>
    new Proxy(c, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof prop !== 'string' || !WRITE_METHODS.has(prop) || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          counter.docs += written(prop, result);
          if (counter.docs > bound) throw new TransactionBoundError(counter.docs, bound);
          return result;
        };
      },
    });
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'collection') return Reflect.get(target, prop, receiver);
      return (name: string, options?: unknown) => {
        let c = cache.get(name);
        if (!c) cache.set(name, (c = wrapCollection((target.collection as (n: string, o?: unknown) => Collection)(name, options))));
        return c;
      };
    },
  });
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Before re-running a conflicted transaction: the first retry is immediate (as the driver's),
 * later ones wait a little, randomized and growing, so that two retrying events stop meeting.
 */
function pauseBeforeRetry(attempt: number): Promise<void> {
  if (attempt <= 1) return yieldNow();
  return sleep(Math.random() * Math.min(50, 2 ** attempt));
}

async function abortQuietly(session: ClientSession): Promise<void> {
  if (!session.inTransaction()) return;
  await session.abortTransaction().catch(() => undefined);
}

/**
 * Run one business event in one transaction. A write conflict (TransientTransactionError)
 * re-runs the whole callback — so the callback has no side effects outside the database:
 * those go to afterCommit and run once, after the commit. The retries are ours, not the
 * driver's withTransaction, so that they are the same on the embedded engine and on MongoDB
 * and have a stated bound (TX_RETRY_DEADLINE_MS); nothing here relies on in-process state.
 */
export async function runTransaction<T>(store: Store, now: Date, fn: (tx: Tx) => Promise<T>, opts: { maxDocs?: number; lazy?: boolean } = {}): Promise<T> {
  const stats = txStats(store);
  const bound = opts.maxDocs ?? MAX_TX_DOCS;
  const started = Date.now();
  const session = store.client.startSession();
  try {
    for (let attempt = 1; ; attempt++) {
      stats.attempts++;
      const counter = { docs: 0 };
      const hooks: (() => Promise<void>)[] = [];
      const tx: Tx = { db: countingDb(store.db, counter, bound), session, now, afterCommit: (h) => hooks.push(h), docsWritten: () => counter.docs };
      let result: T;
      try {
        session.startTransaction(opts.lazy ? LAZY_TXN_OPTIONS : TXN_OPTIONS);
        result = await fn(tx);
        await commitWithRetry(session);
      } catch (err) {
        await abortQuietly(session);
        if (isTransientTransactionError(err) && Date.now() - started < TX_RETRY_DEADLINE_MS) {
          stats.conflicts++;
          await pauseBeforeRetry(attempt);
          continue;
        }
        throw err;
      }
      stats.commits++;
      if (counter.docs > stats.maxDocs) stats.maxDocs = counter.docs;
      for (const h of hooks) {
        // After-commit work must never turn a committed event into a reported failure.
        await h().catch((e) => console.error('afterCommit hook failed', e));
      }
      return result;
    }
  } finally {
    await session.endSession();
  }
}

/** The commit's outcome may be unknown (a network error); retrying the commit is safe (the driver does the same). */
async function commitWithRetry(session: ClientSession): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await session.commitTransaction();
      return;
    } catch (err) {
      if (isUnknownTransactionCommitResult(err) && i < 3) continue;
      throw err;
    }
  }
}
