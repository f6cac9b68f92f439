/**
 * A transaction: a snapshot (taken at its first operation), its pending writes, and the write
 * locks it holds on records and on unique index keys.
 *
 * Conflicts are detected eagerly, at write time, like MongoDB (first writer wins): writing a
 * record that another transaction has locked, or that was committed after our snapshot, fails
 * with WriteConflict (TransientTransactionError). The same holds for unique index keys: adding
 * or removing a key another transaction has a pending change on, or that changed after our
 * snapshot, is a WriteConflict; a key that is simply taken in our view is DuplicateKey (11000).
 * Because every conflict is caught when writing, a commit can never fail for a conflict: it
 * is journaled and applied as is, and locks are held until it is applied (so nobody can slip a
 * conflicting write between the durable write and the in-memory apply).
 */
import type { CollectionState } from './collection-state';
import { Index } from './index-btree';
import type { LockOwner, Rec } from './record';
import { duplicateKey, writeConflict } from './errors';
import type { ReadView } from './executor';
import type { Doc } from './values';

export type TxnState = 'active' | 'committing' | 'committed' | 'aborted';

let txnCounter = 0;

/** Thrown for write conflicts; carries the transaction holding the lock, if any (auto-commit ops wait for it). */
export function conflictWith(blocker: LockOwner | null): Error {
  const e = writeConflict();
  Object.defineProperty(e, 'blocker', { value: blocker, enumerable: false });
  return e;
}
export function blockerOf(e: unknown): LockOwner | null | undefined {
  return e !== null && typeof e === 'object' ? (e as { blocker?: LockOwner | null }).blocker : undefined;
}

export class Txn implements LockOwner {
  readonly txnNumber = ++txnCounter;
  readonly startedAt = Date.now();
  /** commit timestamp of the snapshot; null until the first operation */
  snap: number | null = null;
  state: TxnState = 'active';
  abortReason = '';
  readonly writes = new Map<CollectionState, Map<Rec, Doc | null>>();
  /** unique key locks held: index -> canonical keys */
  readonly keyLocks = new Map<Index, Set<string>>();
  /** unique keys of this transaction's own pending versions: index -> key -> records */
  private readonly ownKeys = new Map<Index, Map<string, Set<Rec>>>();
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(
    /** true for the implicit transaction of an operation without a session transaction */
    readonly autoCommit: boolean,
  ) {
    this.ended = new Promise((r) => (this.resolveEnded = r));
  }

  markEnded(): void {
    this.resolveEnded();
  }

  view(coll: CollectionState): ReadView {
    return { snap: this.snap!, own: this.writes.get(coll) ?? null };
  }

  get hasWrites(): boolean {
    for (const w of this.writes.values()) if (w.size > 0) return true;
    return false;
  }

  /** The version of `rec` this transaction sees. */
  sees(coll: CollectionState, rec: Rec): Doc | null {
    const own = this.writes.get(coll);
    if (own && own.has(rec)) return own.get(rec)!;
    return rec.visibleAt(this.snap!);
  }

  /**
   * Record a write of `newDoc` (null = delete) to `rec`, after all conflict and uniqueness
   * checks. Throws WriteConflict / DuplicateKey without changing anything.
   */
  write(coll: CollectionState, rec: Rec, newDoc: Doc | null): void {
    const snap = this.snap!;
    if (rec.lock !== null && rec.lock !== this) throw conflictWith(rec.lock);
    if (rec.ts > snap) throw conflictWith(null);
    const own = this.writes.get(coll);
    const before = own && own.has(rec) ? own.get(rec)! : rec.visibleAt(snap);

    // unique secondary indexes: compute key changes and check them before touching anything
    const plans: { ix: Index; added: Map<string, unknown[]>; removed: Map<string, unknown[]> }[] = [];
    for (const ix of coll.indexes) {
      if (ix.isId) continue;
      if (!ix.spec.unique) {
        // only validation: two array fields in one compound key (CannotIndexParallelArrays)
        if (newDoc && ix.paths.length > 1) ix.checkParallelArrays(newDoc);
        continue;
      }
      if (before && newDoc && ix.sameKeys(before, newDoc)) continue;
      const oldK = before ? ix.keysOf(before) : null;
      const newK = newDoc ? ix.keysOf(newDoc) : null; // may throw CannotIndexParallelArrays
      const o = new Map<string, unknown[]>();
      const n = new Map<string, unknown[]>();
      for (const t of oldK?.tuples ?? []) o.set(Index.tupleKey(t), t);
      for (const t of newK?.tuples ?? []) n.set(Index.tupleKey(t), t);
      const added = new Map<string, unknown[]>();
      const removed = new Map<string, unknown[]>();
      for (const [k, t] of n) if (!o.has(k)) added.set(k, t);
      for (const [k, t] of o) if (!n.has(k)) removed.set(k, t);
      if (added.size === 0 && removed.size === 0) continue;
      for (const k of [...added.keys(), ...removed.keys()]) {
        const owner = ix.keyLocks.get(k);
        if (owner !== undefined && owner !== this) throw conflictWith(owner);
      }
      for (const [k, t] of added) this.checkUniqueKey(coll, ix, rec, k, t, snap, own);
      plans.push({ ix, added, removed });
    }

    // apply to the transaction's state
    rec.lock = this;
    let w = own;
    if (!w) this.writes.set(coll, (w = new Map()));
    w.set(rec, newDoc);
    for (const { ix, added, removed } of plans) {
      let held = this.keyLocks.get(ix);
      if (!held) this.keyLocks.set(ix, (held = new Set()));
      let mine = this.ownKeys.get(ix);
      if (!mine) this.ownKeys.set(ix, (mine = new Map()));
      for (const k of removed.keys()) {
        held.add(k);
        ix.keyLocks.set(k, this);
        mine.get(k)?.delete(rec);
      }
      for (const k of added.keys()) {
        held.add(k);
        ix.keyLocks.set(k, this);
        let s = mine.get(k);
        if (!s) mine.set(k, (s = new Set()));
        s.add(rec);
      }
    }
  }

  private checkUniqueKey(
    coll: CollectionState,
    ix: Index,
    rec: Rec,
    k: string,
    t: unknown[],
    snap: number,
    own: Map<Rec, Doc | null> | undefined,
  ): void {
    const dup = () => duplicateKey(coll.ns, ix.spec.name, ix.keyPattern, ix.keyValue(t));
    // our own pending versions holding the key
    const mine = this.ownKeys.get(ix)?.get(k);
    if (mine) for (const r of mine) if (r !== rec) throw dup();
    // committed holders in the latest state
    for (const r of ix.recordsWithKey(t)) {
      if (r === rec || (own && own.has(r))) continue; // our own version decides (checked above)
      if (r.ts > snap) throw conflictWith(null);
      throw dup();
    }
    // holders at our snapshot that changed since: the key was written after our snapshot
    for (const r of coll.changedSince(snap)) {
      if (r === rec || (own && own.has(r))) continue;
      const v = r.visibleAt(snap);
      if (v === null) continue;
      const ks = ix.keysOf(v);
      if (ks && ks.tuples.some((x) => Index.tupleKey(x) === k)) throw conflictWith(null);
    }
  }

  /** Release every lock (after apply, or on abort). */
  releaseLocks(): void {
    for (const [ix, keys] of this.keyLocks) {
      for (const k of keys) if (ix.keyLocks.get(k) === this) ix.keyLocks.delete(k);
    }
    this.keyLocks.clear();
    this.ownKeys.clear();
    for (const w of this.writes.values()) for (const rec of w.keys()) if (rec.lock === this) rec.lock = null;
  }
}
