import type { ClientSession, Collection, Db, Document, MongoClient, TransactionOptions } from 'mongodb';
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

/** One business event's transaction. */
export interface Tx {
  db: Db;
  session: ClientSession;
  /** the event's clock: `x-now` in local mode, the real time in production */
  now: Date;
  /** Work to do after the transaction commits (messages, follow-up cascades); dropped if the attempt is retried or aborted. */
  afterCommit(fn: () => Promise<void>): void;
}

/** Options bag for driver calls inside the transaction. */
export const s = (tx: Tx) => ({ session: tx.session });

/**
 * Lanes: transactions that all touch the same few hot documents (a queue's head and counter, the
 * pools) conflict with each other under load, and retried conflicts can starve one another. In
 * one process they are queued instead: one at a time per lane. Across processes (several cloud
 * function instances) the database's conflict detection and retries still decide; lanes only
 * avoid wasted work, correctness never depends on them.
 */
const lanes = new Map<string, Promise<unknown>>();

async function inLane<T>(lane: string, fn: () => Promise<T>): Promise<T> {
  const previous = lanes.get(lane) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = previous.then(() => mine);
  lanes.set(lane, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (lanes.get(lane) === tail) lanes.delete(lane);
  }
}

/**
 * Run one business event in one transaction. The driver's withTransaction re-runs the whole
 * callback on TransientTransactionError (write conflicts), so the callback must not have side
 * effects outside the database: those go to afterCommit and run once, after the commit.
 */
export async function runTransaction<T>(store: Store, now: Date, fn: (tx: Tx) => Promise<T>, opts: { lane?: string } = {}): Promise<T> {
  if (opts.lane) {
    const lane = opts.lane;
    return inLane(lane, () => runTransaction(store, now, fn));
  }
  const session = store.client.startSession();
  let result: T | undefined;
  let hooks: (() => Promise<void>)[] = [];
  try {
    await session.withTransaction(async () => {
      hooks = [];
      const tx: Tx = { db: store.db, session, now, afterCommit: (h) => hooks.push(h) };
      result = await fn(tx);
    }, TXN_OPTIONS);
  } finally {
    await session.endSession();
  }
  for (const h of hooks) {
    // After-commit work must never turn a committed event into a reported failure.
    await h().catch((err) => console.error('afterCommit hook failed', err));
  }
  return result as T;
}
