/**
 * The engine: catalog of databases/collections, commit timestamps, open transactions, commit and
 * apply, pruning of old versions, the transaction lifetime reaper, and the hook to the journal.
 *
 * Timeline of a commit: (1) all writes were checked and locked when made; (2) the commit gets the
 * next timestamp and its record is appended to the journal (group commit, fsync); (3) once
 * durable it is applied to the latest state (indexes, version chains, commit log) in timestamp
 * order, locks are released and the caller's commit resolves. Readers never see such a commit
 * before it is durable, and a crash can never lose an acknowledged commit.
 *
 * A transaction committed with the write concern `{ w: 1, j: false }` is acknowledged from memory,
 * as a server acknowledges it before its journal commit: when no earlier commit is still waiting
 * for its fsync, it is applied (visible) at once and its record follows in the journal. A crash
 * can lose it, and with it only commits after it (the journal is one ordered file): any later
 * commit acknowledged as durable makes it durable too. A compaction that captures it is safe as
 * well (replay skips records the snapshot covers).
 */
import { MongoServerError } from 'mongodb';
import { CollectionState } from './collection-state';
import { Index, defaultIndexName, type IndexSpec } from './index-btree';
import { newStats, type EngineStats } from './executor';
import { Txn, blockerOf } from './transaction';
import { duplicateKey, serverError, noSuchTransaction } from './errors';
import type { Doc } from './values';

/** A journal record (BSON-serializable). */
export type JournalRecord =
  | { op: 'c'; ts: number; w: { db: string; coll: string; put: Doc[]; del: unknown[] }[] }
  | { op: 'ci'; ts: number; db: string; coll: string; spec: IndexSpec }
  | { op: 'di'; ts: number; db: string; coll: string; name: string }
  | { op: 'cc'; ts: number; db: string; coll: string }
  | { op: 'dc'; ts: number; db: string; coll: string }
  | { op: 'dd'; ts: number; db: string };

/** Where commits go to become durable (see journal.ts). */
export interface DurableLog {
  /** Append a record; `onDurable` runs (in append order) once it is on disk; resolves after that. */
  append(rec: JournalRecord, onDurable: () => void): Promise<void>;
  /** The record as append would write it (throws BSONObjectTooLarge, appending nothing). */
  frame(rec: JournalRecord): Buffer;
  /** Append a record framed by `frame`. */
  appendFramed(buf: Buffer, onDurable: () => void): Promise<void>;
  isIdle(): boolean;
  idle(): Promise<void>;
}

export interface EngineOptions {
  /** transactions older than this are aborted (MongoDB transactionLifetimeLimitSeconds = 60) */
  transactionLifetimeMs?: number;
}

export class Engine {
  readonly dbs = new Map<string, Map<string, CollectionState>>();
  /** timestamp of the last applied (visible) commit */
  appliedTs = 0;
  /** last timestamp handed out (commits in flight in the journal are between the two) */
  private nextTs = 0;
  readonly active = new Set<Txn>();
  /** extra snapshot pins (compaction): ts -> count */
  private readonly pins = new Map<number, number>();
  private lastMinSnap = Infinity;
  readonly stats: EngineStats = newStats();
  journal: DurableLog | null = null;
  private reaper: NodeJS.Timeout | null = null;
  closed = false;
  /** set when the journal failed: no further commit can be made durable */
  failed: Error | null = null;
  readonly lifetimeMs: number;

  constructor(opts: EngineOptions = {}) {
    this.lifetimeMs = opts.transactionLifetimeMs ?? 60_000;
    this.reaper = setInterval(() => this.reap(), Math.min(1000, this.lifetimeMs / 2));
    this.reaper.unref();
  }

  // ---------------------------------------------------------------------------------------------
  // catalog

  getColl(db: string, name: string): CollectionState | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created (in memory, not yet persisted) if missing. */
  coll(db: string, name: string): CollectionState {
    let d = this.dbs.get(db);
    if (!d) this.dbs.set(db, (d = new Map()));
    let c = d.get(name);
    if (!c) d.set(name, (c = new CollectionState(db, name)));
    return c;
  }

  /** Collections that exist durably (created by a commit or DDL), for listCollections. */
  listCollections(db: string): CollectionState[] {
    return [...(this.dbs.get(db)?.values() ?? [])].filter((c) => c.persisted);
  }

  // ---------------------------------------------------------------------------------------------
  // transactions

  begin(autoCommit: boolean): Txn {
    this.assertOpen();
    const t = new Txn(autoCommit);
    this.active.add(t);
    return t;
  }

  /** Take the snapshot at the transaction's first operation. */
  ensureSnapshot(t: Txn): void {
    if (t.state === 'aborted') throw noSuchTransaction(t.abortReason);
    if (t.snap === null) t.snap = this.appliedTs;
  }

  /**
   * Commit `t`. `ackFromMemory` (write concern `{ w: 1, j: false }`): resolve once applied,
   * without waiting for the journal's fsync (see the header).
   */
  async commit(t: Txn, ackFromMemory = false): Promise<void> {
    if (t.state !== 'active') throw noSuchTransaction(t.abortReason || `transaction is ${t.state}`);
    if (!t.hasWrites) {
      this.finish(t, 'committed');
      return;
    }
    if (this.failed) {
      this.abort(t, 'the journal failed');
      throw serverError('InternalError', `embedded mongo: journal write failed earlier, commits are refused: ${this.failed.message}`);
    }
    t.state = 'committing';
    // the transaction no longer reads: its snapshot need not pin old versions
    this.active.delete(t);
    const ts = ++this.nextTs;
    if (!this.journal) {
      this.apply(ts, t);
      return;
    }
    const rec: JournalRecord = { op: 'c', ts, w: [] };
    for (const [coll, writes] of t.writes) {
      if (writes.size === 0) continue;
      const put: Doc[] = [];
      const del: unknown[] = [];
      for (const [r, doc] of writes) {
        if (doc === null) del.push(r.id);
        else put.push(doc);
      }
      rec.w.push({ db: coll.dbName, coll: coll.name, put, del });
    }
    try {
      if (ackFromMemory && ts === this.appliedTs + 1) {
        // nothing before it waits for the journal, so applying now keeps the timestamp order.
        // Framed first: a record too large to journal fails the commit before anything is applied.
        const framed = this.journal.frame(rec);
        this.apply(ts, t);
        this.journal.appendFramed(framed, () => {}).catch((e) => {
          // applied but never made durable: like a server whose disk failed, refuse every later commit
          this.failed ??= e as Error;
        });
        return;
      }
      await this.journal.append(rec, () => this.apply(ts, t));
    } catch (e) {
      if (t.state === 'committing') {
        t.releaseLocks();
        const minSnap = this.minSnapshot(t);
        for (const [coll, writes] of t.writes) for (const rec of writes.keys()) coll.releasePending(rec, minSnap);
        this.finish(t, 'aborted');
      }
      if (e instanceof MongoServerError) throw e; // refused before writing (too large): journal intact
      this.failed ??= e as Error;
      throw serverError('InternalError', `embedded mongo: journal write failed: ${(e as Error).message}`);
    }
  }

  /** Apply a durable commit to the latest state (in timestamp order). */
  private apply(ts: number, t: Txn): void {
    const keep = this.hasSnapshots();
    for (const [coll, writes] of t.writes) {
      if (writes.size === 0) continue;
      const recs = [...writes.keys()];
      for (const rec of recs) coll.applyWrite(rec, writes.get(rec)!, ts, keep);
      coll.persisted = true;
      if (keep) coll.logCommit(ts, recs);
    }
    this.appliedTs = ts;
    t.releaseLocks();
    this.finish(t, 'committed');
  }

  /** Replay: apply a journaled commit (no transaction, no locks). */
  replayCommit(rec: Extract<JournalRecord, { op: 'c' }>): void {
    for (const w of rec.w) {
      const coll = this.coll(w.db, w.coll);
      coll.persisted = true;
      for (const doc of w.put) coll.applyWrite(coll.findRec(doc._id) ?? coll.newRec(doc._id), doc, rec.ts, false);
      for (const id of w.del) {
        const r = coll.findRec(id);
        if (r) coll.applyWrite(r, null, rec.ts, false);
      }
    }
    this.appliedTs = this.nextTs = Math.max(this.appliedTs, rec.ts);
  }

  abort(t: Txn, reason: string): void {
    if (t.state !== 'active') return;
    t.abortReason = reason;
    t.releaseLocks();
    const minSnap = this.minSnapshot(t);
    for (const [coll, writes] of t.writes) for (const rec of writes.keys()) coll.releasePending(rec, minSnap);
    this.finish(t, 'aborted');
  }

  private finish(t: Txn, state: 'committed' | 'aborted'): void {
    t.state = state;
    // an ended transaction (still referenced by its session) must not pin collection states
    t.writes.clear();
    this.active.delete(t);
    t.markEnded();
    this.prune();
  }

  /**
   * Run one operation as its own transaction (operations without a session transaction).
   * A write conflict with an open transaction waits for it to end and retries, as MongoDB
   * makes a plain write wait for the transaction holding the document.
   */
  async autoCommit<R>(fn: (t: Txn) => R): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      const t = this.begin(true);
      let r: R;
      try {
        this.ensureSnapshot(t);
        r = fn(t);
      } catch (e) {
        this.abort(t, 'operation failed');
        const blocker = blockerOf(e);
        if (blocker === undefined) throw e;
        if (blocker) await blocker.ended;
        else await new Promise((res) => setImmediate(res));
        continue;
      }
      await this.commit(t);
      return r;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // snapshots and pruning

  private hasSnapshots(): boolean {
    if (this.pins.size > 0) return true;
    for (const t of this.active) if (t.snap !== null) return true;
    return false;
  }

  private minSnapshot(except?: Txn): number {
    let m = Infinity;
    for (const t of this.active) if (t !== except && t.snap !== null && t.snap < m) m = t.snap;
    for (const ts of this.pins.keys()) if (ts < m) m = ts;
    return m;
  }

  /** Keep the state at `ts` readable (compaction) until unpin. */
  pin(ts: number): void {
    this.pins.set(ts, (this.pins.get(ts) ?? 0) + 1);
  }
  unpin(ts: number): void {
    const n = (this.pins.get(ts) ?? 1) - 1;
    if (n <= 0) this.pins.delete(ts);
    else this.pins.set(ts, n);
    this.prune();
  }

  prune(): void {
    const m = this.minSnapshot();
    if (m === this.lastMinSnap && m !== Infinity) return;
    this.lastMinSnap = m;
    for (const d of this.dbs.values()) for (const c of d.values()) c.prune(m);
  }

  private reap(): void {
    const now = Date.now();
    for (const t of [...this.active]) {
      if (!t.autoCommit && t.state === 'active' && now - t.startedAt > this.lifetimeMs) {
        this.abort(t, `transaction exceeded its lifetime of ${this.lifetimeMs} ms and was aborted`);
      }
    }
  }

  /** Abort open transactions that wrote to a collection (DDL on it). */
  private abortWriters(match: (c: CollectionState) => boolean, why: string): void {
    for (const t of [...this.active]) {
      if (t.state !== 'active') continue;
      for (const c of t.writes.keys()) {
        if (match(c)) {
          this.abort(t, why);
          break;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // DDL: applied in memory once no commit is in flight, then made durable

  private async quiesce(): Promise<void> {
    while (this.journal && !this.journal.isIdle()) await this.journal.idle();
  }

  private async logDdl(rec: JournalRecord): Promise<void> {
    if (!this.journal) return;
    await this.journal.append(rec, () => {});
  }

  private ddlTs(): number {
    const ts = ++this.nextTs;
    this.appliedTs = ts;
    return ts;
  }

  async createIndex(db: string, name: string, spec: IndexSpec): Promise<string> {
    this.assertOpen();
    await this.quiesce();
    const coll = this.coll(db, name);
    const existing = coll.getIndex(spec.name) ?? coll.indexes.find((i) => sameKey(i.spec.key, spec.key));
    if (existing) {
      if (sameSpec(existing.spec, spec)) return existing.spec.name;
      if (existing.spec.name === spec.name) {
        throw serverError(
          sameKey(existing.spec.key, spec.key) ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
        );
      }
      if (!existing.isPartial && !spec.partialFilterExpression) {
        throw serverError(
          'IndexOptionsConflict',
          `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
        );
      }
    }
    this.abortWriters((c) => c === coll, `index build on ${coll.ns}`);
    const ix = coll.addIndex(spec);
    try {
      // build from the latest state; a unique violation removes the index again
      const recs = coll.liveRecords();
      if (spec.unique) {
        const seen = new Set<string>();
        for (const rec of recs) {
          for (const t of ix.keysOf(rec.doc!)?.tuples ?? []) {
            const k = Index.tupleKey(t);
            if (seen.has(k)) throw duplicateKey(coll.ns, spec.name, ix.keyPattern, ix.keyValue(t));
            seen.add(k);
          }
        }
      }
      ix.bulkBuild(recs);
    } catch (e) {
      coll.indexes.splice(coll.indexes.indexOf(ix), 1);
      throw e;
    }
    coll.persisted = true;
    await this.logDdl({ op: 'ci', ts: this.ddlTs(), db, coll: name, spec });
    return spec.name;
  }

  /** Replay/snapshot load of an index definition. */
  loadIndex(db: string, name: string, spec: IndexSpec): void {
    const coll = this.coll(db, name);
    coll.persisted = true;
    if (coll.getIndex(spec.name)) return;
    const ix = coll.addIndex(spec);
    ix.bulkBuild(coll.liveRecords());
  }

  async dropIndex(db: string, name: string, indexName: string): Promise<void> {
    this.assertOpen();
    await this.quiesce();
    const coll = this.getColl(db, name);
    if (!coll || !coll.persisted) throw serverError('NamespaceNotFound', `ns not found ${db}.${name}`);
    const ix = coll.getIndex(indexName);
    if (!ix) throw serverError('IndexNotFound', `index not found with name [${indexName}]`);
    if (ix.isId) throw serverError('InvalidOptions', 'cannot drop _id index');
    this.abortWriters((c) => c === coll, `index drop on ${coll.ns}`);
    this.dropIndexNow(db, name, indexName);
    await this.logDdl({ op: 'di', ts: this.ddlTs(), db, coll: name, name: indexName });
  }

  dropIndexNow(db: string, name: string, indexName: string): void {
    const coll = this.getColl(db, name);
    const ix = coll?.getIndex(indexName);
    if (coll && ix && !ix.isId) coll.indexes.splice(coll.indexes.indexOf(ix), 1);
  }

  async createCollection(db: string, name: string): Promise<void> {
    this.assertOpen();
    await this.quiesce();
    const coll = this.coll(db, name);
    if (coll.persisted) return;
    coll.persisted = true;
    await this.logDdl({ op: 'cc', ts: this.ddlTs(), db, coll: name });
  }

  async dropCollection(db: string, name: string): Promise<void> {
    this.assertOpen();
    await this.quiesce();
    this.dropCollectionNow(db, name);
    await this.logDdl({ op: 'dc', ts: this.ddlTs(), db, coll: name });
  }

  dropCollectionNow(db: string, name: string): void {
    const coll = this.getColl(db, name);
    if (!coll) return;
    this.abortWriters((c) => c === coll, `collection ${coll.ns} dropped`);
    coll.dropped = true;
    this.dbs.get(db)!.delete(name);
  }

  async dropDatabase(db: string): Promise<void> {
    this.assertOpen();
    await this.quiesce();
    this.dropDatabaseNow(db);
    await this.logDdl({ op: 'dd', ts: this.ddlTs(), db });
  }

  dropDatabaseNow(db: string): void {
    const d = this.dbs.get(db);
    if (!d) return;
    this.abortWriters((c) => c.dbName === db, `database ${db} dropped`);
    for (const c of d.values()) c.dropped = true;
    this.dbs.delete(db);
  }

  /** Set the timestamps after loading a snapshot / replaying. */
  setLoadedTs(ts: number): void {
    this.appliedTs = Math.max(this.appliedTs, ts);
    this.nextTs = Math.max(this.nextTs, this.appliedTs);
  }

  assertOpen(): void {
    if (this.closed) {
      throw serverError('InternalError', 'embedded mongo: the client is closed');
    }
  }

  /** Stop: abort open transactions, stop timers. */
  shutdown(): void {
    for (const t of [...this.active]) this.abort(t, 'client closed');
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = null;
    this.closed = true;
  }

  /** Drop the in-memory state (after close: a retained client object must not pin the data). */
  release(): void {
    this.dbs.clear();
  }
}

function sameKey(a: [string, 1 | -1][], b: [string, 1 | -1][]): boolean {
  return a.length === b.length && a.every(([f, d], i) => b[i]![0] === f && b[i]![1] === d);
}
function sameSpec(a: IndexSpec, b: IndexSpec): boolean {
  return (
    a.name === b.name &&
    sameKey(a.key, b.key) &&
    a.unique === b.unique &&
    JSON.stringify(a.partialFilterExpression ?? null) === JSON.stringify(b.partialFilterExpression ?? null)
  );
}

export { defaultIndexName };
