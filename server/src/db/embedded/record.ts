/**
 * A record is the identity of one `_id` in one collection, across its versions.
 *
 * `doc`/`ts` are the latest committed version (doc null = absent/deleted). Older versions are
 * kept in the `prev` chain only while some active snapshot may still read them (the engine
 * pushes a version when it commits a change while snapshots are open, and trims chains when the
 * oldest snapshot moves on). `lock` is the transaction that has an uncommitted write on it.
 *
 * The record itself is the index entry of every index where its latest version has a scalar
 * key: indexes read the key fields from `rec.doc`, so the engine removes a record from an index
 * before swapping `doc` and re-inserts it after (only for indexes whose key changed).
 */
import type { Doc } from './values';

export interface Version {
  /** commit timestamp at which `doc` became the committed version */
  readonly ts: number;
  readonly doc: Doc | null;
  prev: Version | null;
}

/** The holder of a write lock on a record or a unique key: a transaction. */
export interface LockOwner {
  readonly txnNumber: number;
  /** settles when the owner commits (after applying) or aborts */
  readonly ended: Promise<void>;
}

export class Rec {
  doc: Doc | null = null;
  ts = 0;
  prev: Version | null = null;
  lock: LockOwner | null = null;
  /** scratch: position in a snapshot being written (lets the snapshot store each index's order) */
  pos = 0;
  constructor(readonly id: unknown) {}

  /** The committed version visible to a snapshot taken at `snap`. */
  visibleAt(snap: number): Doc | null {
    if (this.ts <= snap) return this.doc;
    for (let v = this.prev; v !== null; v = v.prev) if (v.ts <= snap) return v.doc;
    return null;
  }

  /** Forget versions no snapshot >= minSnap can read. */
  trim(minSnap: number): void {
    if (this.ts <= minSnap) {
      this.prev = null;
      return;
    }
    for (let v = this.prev; v !== null; v = v.prev) {
      if (v.ts <= minSnap) {
        v.prev = null;
        return;
      }
    }
  }
}
