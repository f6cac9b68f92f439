/**
 * The stored state of one collection: its records (through the `_id` index), its secondary
 * indexes, and the commit log that lets snapshot reads find what changed after their snapshot.
 *
 * Only the latest committed state is indexed. A reader at snapshot S scans an index of the
 * latest state, skips records changed after S and merges in their before-images (found via
 * `changedSince(S)`, then `rec.visibleAt(S)`), plus its own transaction's pending writes.
 * The log only holds commits newer than the oldest open snapshot and is empty when no
 * transaction is open.
 */
import { Index, KeyEntry, type IndexSpec } from './index-btree';
import { Rec } from './record';
import { MIN_KEY, canonicalKey, compareValues, type Doc } from './values';

/**
 * Records by `_id` outside the `_id` index (pending inserts, recent deletes), keyed as the index
 * compares `_id`s (canonicalKey). String `_id`s, the usual kind, have a map of their own keyed by
 * the string itself, so no key string is built for them (two ids that compare equal are the same
 * string, and a string never compares equal to a non-string).
 */
export class SideTable {
  private readonly strings = new Map<string, Rec>();
  private readonly others = new Map<string, Rec>();

  get size(): number {
    return this.strings.size + this.others.size;
  }
  get(id: unknown): Rec | undefined {
    return typeof id === 'string' ? this.strings.get(id) : this.others.get(canonicalKey(id));
  }
  set(id: unknown, rec: Rec): void {
    if (typeof id === 'string') this.strings.set(id, rec);
    else this.others.set(canonicalKey(id), rec);
  }
  delete(id: unknown): void {
    if (typeof id === 'string') this.strings.delete(id);
    else this.others.delete(canonicalKey(id));
  }
}

interface LogEntry {
  ts: number;
  recs: Rec[];
}

export class CollectionState {
  readonly indexes: Index[] = [];
  readonly idIndex: Index;
  /** records absent from the latest state but still referenced: pending inserts, recent deletes */
  readonly side = new SideTable();
  /** live documents in the latest committed state */
  live = 0;
  private log: LogEntry[] = [];
  private logHead = 0;
  /** set when the collection is dropped: operations re-resolve the collection by name */
  dropped = false;
  /** created durably (by a commit or DDL), as opposed to looked up by a read */
  persisted = false;
  private changedCache: { snap: number; end: number; set: Set<Rec> } | null = null;

  constructor(
    readonly dbName: string,
    readonly name: string,
  ) {
    this.idIndex = new Index({ name: '_id_', key: [['_id', 1]], unique: true });
    this.indexes.push(this.idIndex);
  }

  get ns(): string {
    return `${this.dbName}.${this.name}`;
  }

  getIndex(name: string): Index | undefined {
    return this.indexes.find((i) => i.spec.name === name);
  }

  /** The probe findRec reuses (one per collection: findRec is synchronous, never re-entered). */
  private readonly probeVals: unknown[] = [undefined];
  private readonly probe = new KeyEntry(this.probeVals, null, MIN_KEY);

  /** The record of an `_id` (live, pending or tombstone), if any. */
  findRec(id: unknown): Rec | undefined {
    this.probeVals[0] = id;
    const e = this.idIndex.tree.ceiling(this.probe);
    this.probeVals[0] = undefined;
    if (e instanceof Rec && compareValues(e.id, id) === 0) return e;
    return this.side.get(id);
  }

  /** Record for a new `_id` (registered as pending in the side table). */
  newRec(id: unknown): Rec {
    const rec = new Rec(id);
    this.side.set(id, rec);
    return rec;
  }

  /** Records committed after `snap` (their before-images are what a reader at `snap` must see). */
  changedSince(snap: number): Set<Rec> {
    const end = this.log.length;
    const c = this.changedCache;
    if (c && c.snap === snap && c.end === end) return c.set;
    const set = new Set<Rec>();
    // binary search the first entry with ts > snap
    let lo = this.logHead;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.ts <= snap) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < end; i++) for (const r of this.log[i]!.recs) set.add(r);
    this.changedCache = { snap, end, set };
    return set;
  }

  /**
   * Make `newDoc` the latest committed version of `rec` at commit `ts`, maintaining indexes.
   * `keep`: some snapshot is open, so the old version is kept in the chain and the commit logged.
   */
  applyWrite(rec: Rec, newDoc: Doc | null, ts: number, keep: boolean): void {
    const old = rec.doc;
    const changed: Index[] = [];
    for (const ix of this.indexes) if (!ix.sameKeys(old, newDoc)) changed.push(ix);
    for (const ix of changed) ix.removeLatest(rec);
    if (keep && !(old === null && rec.ts === 0 && rec.prev === null)) {
      rec.prev = { ts: rec.ts, doc: old, prev: rec.prev };
    }
    rec.doc = newDoc;
    rec.ts = ts;
    rec.lock = null;
    for (const ix of changed) ix.insertLatest(rec);
    if (old === null && newDoc !== null) this.live++;
    else if (old !== null && newDoc === null) this.live--;
    if (newDoc === null) {
      if (keep) this.side.set(rec.id, rec);
      else this.side.delete(rec.id);
    } else if (old === null && this.side.size > 0) {
      this.side.delete(rec.id);
    }
  }

  /** Load committed documents into an empty collection (snapshot file): bulk-built indexes. */
  bulkLoad(docs: Doc[], ts: number, orders?: Map<string, Int32Array>): void {
    if (this.live !== 0) throw new Error('embedded mongo: internal: bulkLoad into a non-empty collection');
    const recs = docs.map((d) => {
      const r = new Rec(d._id);
      r.doc = d;
      r.ts = ts;
      return r;
    });
    for (const ix of this.indexes) ix.bulkBuild(recs, orders?.get(ix.spec.name));
    this.live = recs.length;
  }

  logCommit(ts: number, recs: Rec[]): void {
    this.log.push({ ts, recs });
    this.changedCache = null;
  }

  /** Drop log entries and old versions no snapshot >= minSnap needs. */
  prune(minSnap: number): void {
    let i = this.logHead;
    while (i < this.log.length && this.log[i]!.ts <= minSnap) {
      for (const rec of this.log[i]!.recs) {
        rec.trim(minSnap);
        if (rec.doc === null && rec.lock === null && rec.ts <= minSnap) this.side.delete(rec.id);
      }
      i++;
    }
    if (i !== this.logHead) {
      this.changedCache = null;
      if (i === this.log.length) {
        this.log = [];
        this.logHead = 0;
      } else if (i > 1024 && i * 2 > this.log.length) {
        this.log = this.log.slice(i);
        this.logHead = 0;
      } else this.logHead = i;
    }
  }

  /** Release a record a transaction locked but never committed (abort). */
  releasePending(rec: Rec, minSnap: number): void {
    if (rec.doc === null && rec.lock === null && (rec.ts === 0 || rec.ts <= minSnap)) {
      if (this.side.get(rec.id) === rec) this.side.delete(rec.id);
    }
  }

  addIndex(spec: IndexSpec): Index {
    const ix = new Index(spec);
    this.indexes.push(ix);
    return ix;
  }

  /** All live records of the latest state, in `_id` order. */
  liveRecords(): Rec[] {
    return this.idIndex.tree.toArray() as Rec[];
  }
}
