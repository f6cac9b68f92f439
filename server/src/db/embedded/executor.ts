/**
 * Query execution against a snapshot view: index scan of the latest state merged with the
 * snapshot overlay (before-images of records committed after the snapshot, and the
 * transaction's own pending writes), full mingo filter on every candidate, then sort / skip /
 * limit — early-stopping when the index order is the requested order.
 *
 * Everything here is synchronous: the trees are only modified when a commit is applied, which
 * never happens in the middle of an operation, so iterators stay valid.
 */
import type { Query } from 'mingo';
import type { CollectionState } from './collection-state';
import { KeyEntry, type Index } from './index-btree';
import { kindOf, plan, plannableEq, type Plan, type SortSpec } from './planner';
import { Rec } from './record';
import { MULTI, compareValues, compilePath, getScalarPath, isPlainObject, sortKey, type Doc } from './values';
import { badValue } from './errors';
import { UNDECIDED, compileFilter, fastMatcher, fastFilter, fastTestOnce } from './fast-match';

/** What a read sees: the committed state at `snap` overlaid with `own` (a transaction's writes). */
export interface ReadView {
  snap: number;
  own: Map<Rec, Doc | null> | null;
}

export interface EngineStats {
  /** documents tested against a filter */
  docsExamined: number;
  /** index entries visited */
  keysExamined: number;
  /** queries that fell back to sorting in memory */
  inMemorySorts: number;
  /** queries answered from index bounds alone (no mingo filter) */
  coveredQueries: number;
  /** journal: records appended, and write+fsync batches that carried them (group commit) */
  journalRecords: number;
  journalFlushes: number;
  /** description of the last plan chosen */
  lastPlan: string;
}

export const newStats = (): EngineStats => ({
  docsExamined: 0,
  keysExamined: 0,
  inMemorySorts: 0,
  coveredQueries: 0,
  journalRecords: 0,
  journalFlushes: 0,
  lastPlan: '',
});

export interface Hit {
  rec: Rec;
  doc: Doc;
}

export interface FindSpec {
  filter: Doc;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
}

function testDoc(q: Query, doc: Doc): boolean {
  try {
    return q.test(doc);
  } catch (e) {
    throw badValue(`query failed: ${(e as Error).message}`);
  }
}

/** The overlay of a view on one collection: record -> the version the view sees. */
function overlayOf(coll: CollectionState, view: ReadView): Map<Rec, Doc | null> | null {
  const changed = coll.changedSince(view.snap);
  const own = view.own;
  if (changed.size === 0 && (own === null || own.size === 0)) return null;
  const m = new Map<Rec, Doc | null>();
  for (const rec of changed) m.set(rec, rec.visibleAt(view.snap));
  if (own) for (const [rec, doc] of own) m.set(rec, doc);
  return m;
}

/** Candidates of a plan: each of its ranges in turn ($in plans have several). */
function* candidates(coll: CollectionState, plan: Plan, overlay: Map<Rec, Doc | null> | null, view: ReadView, stats: EngineStats): Generator<Hit> {
  if (plan.inIds) {
    // `_id: { $in }`: each value's range holds at most the one record of that _id, found directly
    for (const id of plan.inIds) {
      const h = pointHit(coll, view, id, stats);
      if (h !== null) yield h;
    }
    return;
  }
  if (!plan.subs) {
    yield* rangeCandidates(plan, plan.start, plan.end, overlay, view, stats);
    return;
  }
  for (const r of plan.subs) yield* rangeCandidates(plan, r.start, r.end, overlay, view, stats);
}

/** Candidates in index order within one range: latest-state entries merged with overlay entries. */
function* rangeCandidates(
  plan: Plan,
  start: KeyEntry,
  end: KeyEntry,
  overlay: Map<Rec, Doc | null> | null,
  view: ReadView,
  stats: EngineStats,
): Generator<Hit> {
  const ix = plan.index;
  const cmp = ix.compare;
  const dir = plan.dir;
  // overlay entries inside the bounds, sorted in scan order
  const extra: KeyEntry[] = [];
  let docOf: Map<KeyEntry, Doc> | null = null;
  if (overlay) {
    for (const [rec, doc] of overlay) {
      if (doc === null) continue;
      const keys = ix.keysOf(doc);
      if (keys === null) continue;
      for (const t of keys.tuples) {
        const e = new KeyEntry(t, rec, rec.id);
        if (cmp(e, start) >= 0 && cmp(e, end) <= 0) extra.push(e);
      }
    }
    extra.sort((a, b) => dir * cmp(a, b));
    docOf = new Map<KeyEntry, Doc>();
    for (const e of extra) docOf.set(e, overlay.get(e.rec!)!);
  }

  const it = dir === 1 ? ix.tree.entries(start) : ix.tree.entriesReversed(end);
  let x = 0;
  for (const e of it) {
    stats.keysExamined++;
    if (dir === 1 ? cmp(e, end) > 0 : cmp(e, start) < 0) break;
    const rec = e instanceof Rec ? e : e.rec!;
    if (overlay && overlay.has(rec)) continue;
    if (rec.ts > view.snap) {
      // cannot happen while the view's snapshot is registered (its changes are in the log)
      throw new Error(`embedded mongo: internal error: record changed after snapshot ${view.snap} missing from the commit log`);
    }
    while (x < extra.length && dir * cmp(extra[x]!, e) < 0) {
      const o = extra[x++]!;
      yield { rec: o.rec!, doc: docOf!.get(o)! };
    }
    yield { rec, doc: rec.doc! };
  }
  while (x < extra.length) {
    const o = extra[x++]!;
    yield { rec: o.rec!, doc: docOf!.get(o)! };
  }
}

/** Compare two documents by a sort spec (MongoDB semantics), ties by _id ascending. */
export function makeDocComparator(sort: SortSpec): (a: Doc, b: Doc) => number {
  const paths = sort.map(([f, d]) => [compilePath(f), d] as const);
  return (a, b) => {
    for (const [p, d] of paths) {
      const c = compareValues(sortKey(a, p, d), sortKey(b, p, d));
      if (c !== 0) return d === 1 ? c : -c;
    }
    return compareValues(a._id, b._id);
  };
}

/** The match test of a plan: the covered check, or the filter's tester. */
function matcher(p: Plan, filter: Doc, stats: EngineStats): (doc: Doc) => boolean {
  if (p.covered) {
    const { paths, kinds } = p.covered;
    stats.coveredQueries++;
    return (doc) => {
      for (let i = 0; i < paths.length; i++) {
        const v = getScalarPath(doc, paths[i]!);
        if (v === MULTI || kindOf(v) !== kinds[i]) return false;
      }
      return true;
    };
  }
  return filterTester(filter);
}

/**
 * The full match test of a filter: the equality matcher when the filter is one (deciding most
 * documents without mingo; mingo's Query, compiled on first need, decides the rest), otherwise
 * the compiled mingo Query.
 */
export function filterTester(filter: Doc): (doc: Doc) => boolean {
  const fast = fastMatcher(filter);
  if (fast) {
    let q: Query | null = null;
    return (doc) => {
      const r = fast(doc);
      if (r !== UNDECIDED) return r === 1;
      q ??= compileFilter(filter);
      return testDoc(q, doc);
    };
  }
  const q = compileFilter(filter);
  return (doc) => testDoc(q, doc);
}

const NO_POINT: unique symbol = Symbol('no point');

/**
 * The `_id` a filter pins by equality (`_id: v` or `_id: { $eq: v }` at the top level, with a
 * value the planner could probe the `_id` index with), or NO_POINT.
 */
function pointId(filter: Doc): unknown {
  if (!Object.hasOwn(filter, '_id')) return NO_POINT;
  let v = filter._id;
  if (isPlainObject(v)) {
    const ks = Object.keys(v);
    if (ks.length !== 1 || ks[0] !== '$eq') return NO_POINT;
    v = v.$eq;
  }
  return plannableEq(v) ? v : NO_POINT;
}

/** The version of the record of an `_id` the view sees, if any. */
function pointHit(coll: CollectionState, view: ReadView, id: unknown, stats: EngineStats): Hit | null {
  const rec = coll.findRec(id);
  if (rec === undefined) return null;
  stats.keysExamined++;
  const own = view.own;
  let doc: Doc | null;
  if (own !== null && own.has(rec)) doc = own.get(rec)!;
  else {
    if (rec.ts > view.snap && !coll.changedSince(view.snap).has(rec)) {
      // cannot happen while the view's snapshot is registered (its changes are in the log)
      throw new Error(`embedded mongo: internal error: record changed after snapshot ${view.snap} missing from the commit log`);
    }
    doc = rec.visibleAt(view.snap);
  }
  return doc === null ? null : { rec, doc };
}

/**
 * A filter that pins `_id` matches at most the one record of that `_id` (the `_id` index is
 * unique and any document mingo's equality matches has an `_id` equal in index order), so the
 * view's version of that record is the only candidate: no planning, no index scan, and no
 * overlay of the snapshot's changes to build.
 */
function pointLookup(coll: CollectionState, view: ReadView, id: unknown, filter: Doc, stats: EngineStats): Hit | null {
  stats.lastPlan = '_id_ eq[_id] point';
  // (compiled first: an invalid filter is refused whether or not the record exists)
  const fast = fastFilter(filter);
  const q = fast ? null : compileFilter(filter);
  const hit = pointHit(coll, view, id, stats);
  if (hit === null) return null;
  const doc = hit.doc;
  stats.docsExamined++;
  // `{ _id: v }` alone is decided by the equality matcher's type check, as a covered query
  if (Object.keys(filter).length === 1) stats.coveredQueries++;
  let ok: boolean;
  if (q !== null) ok = testDoc(q, doc);
  else {
    const r = fastTestOnce(filter, doc);
    ok = r === UNDECIDED ? testDoc(compileFilter(filter), doc) : r === 1;
  }
  return ok ? hit : null;
}

/**
 * Run a find over a view. Returns the matching hits after sort/skip/limit. The overlay
 * decides which indexes are usable (an overlay document with an array on an index path makes
 * that index's order unusable for this query).
 */
export function runFind(coll: CollectionState, view: ReadView, spec: FindSpec, stats: EngineStats): Hit[] {
  const sort = spec.sort ?? [];
  const skip = spec.skip ?? 0;
  const limit = spec.limit && spec.limit > 0 ? spec.limit : Infinity;
  const id = skip >= 0 ? pointId(spec.filter) : NO_POINT;
  if (id !== NO_POINT) {
    const hit = pointLookup(coll, view, id, spec.filter, stats);
    return hit !== null && skip === 0 ? [hit] : [];
  }
  const overlay = overlayOf(coll, view);
  const usable = (ix: Index) => {
    if (!overlay) return true;
    for (const doc of overlay.values()) {
      if (doc === null) continue;
      const k = ix.keysOf(doc);
      if (k && k.multikey) return false;
    }
    return true;
  };
  const p = plan(coll.indexes, spec.filter, sort, usable);
  stats.lastPlan = p.describe;
  const test = matcher(p, spec.filter, stats);
  const out: Hit[] = [];
  if (p.sortServed) {
    let skipped = 0;
    for (const h of candidates(coll, p, overlay, view, stats)) {
      stats.docsExamined++;
      if (!test(h.doc)) continue;
      if (skipped < skip) {
        skipped++;
        continue;
      }
      out.push(h);
      if (out.length >= limit) break;
    }
    return out;
  }
  stats.inMemorySorts++;
  for (const h of candidates(coll, p, overlay, view, stats)) {
    stats.docsExamined++;
    if (test(h.doc)) out.push(h);
  }
  const cmp = makeDocComparator(sort);
  out.sort((a, b) => cmp(a.doc, b.doc));
  return out.slice(skip, limit === Infinity ? undefined : skip + limit);
}

/** Count matches (with skip/limit) without sorting. */
export function runCount(coll: CollectionState, view: ReadView, filter: Doc, skip: number, limit: number, stats: EngineStats): number {
  const id = skip >= 0 ? pointId(filter) : NO_POINT;
  if (id !== NO_POINT) return pointLookup(coll, view, id, filter, stats) !== null && skip === 0 ? 1 : 0;
  const overlay = overlayOf(coll, view);
  const p = plan(coll.indexes, filter, [], (ix) => {
    if (!overlay) return true;
    for (const doc of overlay.values()) if (doc && ix.keysOf(doc)?.multikey) return false;
    return true;
  });
  stats.lastPlan = p.describe;
  const test = matcher(p, filter, stats);
  let n = 0;
  const max = limit > 0 ? skip + limit : Infinity;
  for (const h of candidates(coll, p, overlay, view, stats)) {
    stats.docsExamined++;
    if (test(h.doc) && ++n >= max) break;
  }
  return Math.max(0, n - skip);
}

/** Every document the view sees (for aggregation sources of $lookup and snapshots). */
export function allDocs(coll: CollectionState, view: ReadView, stats: EngineStats): Doc[] {
  return runFind(coll, view, { filter: {} }, stats).map((h) => h.doc);
}

