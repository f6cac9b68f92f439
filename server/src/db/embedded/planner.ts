/**
 * Query planner: picks an index and the key range to scan.
 *
 * An index is usable when a prefix of its key fields is bound by equality conditions of the
 * filter (top-level `field: value`, `{$eq: value}`, also inside a top-level `$and`), optionally
 * followed by a range (`$gt $gte $lt $lte`) on the next key field. It serves the requested sort
 * when the sort fields (minus equality-bound ones) are the following key fields (then `_id`,
 * the implicit last key) in the same or the fully reversed direction; then the scan stops as soon
 * as skip+limit documents matched. Every candidate is still tested with the full mingo filter,
 * so bounds only need to be a superset of the matches: mingo's range operators only match values
 * of the bound's own type, so a range never leaves its type bracket.
 *
 * Only scalar values that compare in the index exactly as mingo compares them are used as bounds
 * (numbers, strings, booleans, null, Date, ObjectId). Indexes containing arrays (multikey) and
 * partial indexes whose filter is not literally part of the query are not used.
 */
import type { Index } from './index-btree';
import { KeyEntry } from './index-btree';
import {
  MAX_KEY,
  MIN_KEY,
  RANK_DATE,
  RANK_NULL,
  RANK_NUMBER,
  RANK_OBJECTID,
  RANK_STRING,
  RANK_BOOLEAN,
  Sentinel,
  canonicalKey,
  compareValues,
  deepEqualValues,
  isPlainObject,
  rankOf,
  type Doc,
} from './values';

export type SortSpec = [string, 1 | -1][];

interface Bound {
  v: unknown;
  incl: boolean;
}
interface FieldConds {
  eq?: { v: unknown };
  lo?: Bound;
  hi?: Bound;
  /** a range with bounds of different types: not plannable */
  mixed?: boolean;
  /** `$in` of plannable values (deduplicated): one index probe per value */
  in?: unknown[];
}

export interface Plan {
  index: Index;
  /** scan direction in tree order */
  dir: 1 | -1;
  /** first and last entry probes (tree order) */
  start: KeyEntry;
  end: KeyEntry;
  /** `$in` plans: one probe range per value (then start/end is the first one) */
  subs: { start: KeyEntry; end: KeyEntry }[] | null;
  /** `$in` on the `_id` index: the _id values, in order (instead of subs) */
  inIds: unknown[] | null;
  /** whether the index order is the requested sort order (or no sort was requested) */
  sortServed: boolean;
  /** description for debugging/explain */
  describe: string;
  /**
   * Set when the bounds alone decide the match (the filter is only equalities on the index's
   * equality prefix): a candidate then matches iff its values have the query values' types
   * (the index compares 1 and 1.0 or a Long alike, mingo by type), so no mingo query is needed.
   */
  covered: { paths: string[][]; kinds: string[] } | null;
}

/** The kind of a value for the covered check (what mingo's equality distinguishes). */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (v instanceof Date) return 'date';
  if ((v as { _bsontype?: unknown })._bsontype === 'ObjectId') return 'oid';
  return 'other';
}

/** larger `$in` lists are scanned instead (each value costs a tree descent) */
const MAX_IN = 10_000;

const EQ_RANKS = new Set([RANK_NULL, RANK_NUMBER, RANK_STRING, RANK_BOOLEAN, RANK_DATE, RANK_OBJECTID]);
const RANGE_RANKS = new Set([RANK_NUMBER, RANK_STRING, RANK_DATE, RANK_OBJECTID]);

export function plannableEq(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isNaN(v);
  if (v === undefined) return false;
  const r = rankOf(v);
  if (!EQ_RANKS.has(r)) return false;
  // only plain JS numbers among numerics (Long/Decimal128 compare differently in mingo)
  if (r === RANK_NUMBER && typeof v !== 'number') return false;
  if (v instanceof Date && Number.isNaN(v.getTime())) return false;
  return true;
}
function plannableRange(v: unknown): boolean {
  return plannableEq(v) && RANGE_RANKS.has(rankOf(v));
}

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const ks = Object.keys(v);
  return ks.length > 0 && ks.every((k) => k.startsWith('$'));
}

/** Collect per-field equality and range conditions from the top level (and `$and`) of a filter. */
export function analyzeFilter(filter: Doc): Map<string, FieldConds> {
  const out = new Map<string, FieldConds>();
  const get = (f: string) => {
    let c = out.get(f);
    if (!c) out.set(f, (c = {}));
    return c;
  };
  const visit = (q: Doc) => {
    for (const [k, v] of Object.entries(q)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (isOperatorObject(v)) {
        for (const [op, x] of Object.entries(v)) {
          switch (op) {
            case '$eq':
              if (plannableEq(x)) get(k).eq = { v: x };
              break;
            case '$gt':
            case '$gte':
              if (plannableRange(x)) addLo(get(k), { v: x, incl: op === '$gte' });
              break;
            case '$lt':
            case '$lte':
              if (plannableRange(x)) addHi(get(k), { v: x, incl: op === '$lte' });
              break;
            case '$in':
              if (Array.isArray(x) && x.length > 0 && x.length <= MAX_IN && x.every(plannableEq) && !get(k).in) {
                const seen = new Map<string, unknown>();
                for (const v of x) seen.set(canonicalKey(v), v);
                get(k).in = [...seen.values()];
              }
              break;
            default:
              break;
          }
        }
      } else if (plannableEq(v)) {
        get(k).eq = { v };
      }
    }
  };
  visit(filter);
  return out;
}

function addLo(c: FieldConds, b: Bound) {
  if (c.lo === undefined) c.lo = b;
  else if (rankOf(c.lo.v) !== rankOf(b.v)) c.mixed = true;
  else {
    const d = compareValues(b.v, c.lo.v);
    if (d > 0 || (d === 0 && !b.incl)) c.lo = b;
  }
  if (c.hi && rankOf(c.hi.v) !== rankOf(b.v)) c.mixed = true;
}
function addHi(c: FieldConds, b: Bound) {
  if (c.hi === undefined) c.hi = b;
  else if (rankOf(c.hi.v) !== rankOf(b.v)) c.mixed = true;
  else {
    const d = compareValues(b.v, c.hi.v);
    if (d < 0 || (d === 0 && !b.incl)) c.hi = b;
  }
  if (c.lo && rankOf(c.lo.v) !== rankOf(b.v)) c.mixed = true;
}

/**
 * A partial index may only be used when the query literally contains its filter expression: each
 * of its fields with the same condition, at the top level or in a top-level `$and` (a conjunct
 * implies the whole; MongoDB proves more implications, never fewer).
 */
function partialSatisfied(index: Index, filter: Doc): boolean {
  const pfe = index.spec.partialFilterExpression;
  if (!pfe) return true;
  const has = (f: Doc, k: string, v: unknown): boolean =>
    (k in f && deepEqualValues(f[k], v)) || (Array.isArray(f.$and) && (f.$and as unknown[]).some((c) => c !== null && typeof c === 'object' && has(c as Doc, k, v)));
  return Object.entries(pfe).every(([k, v]) => has(filter, k, v));
}

interface Candidate {
  index: Index;
  eqLen: number;
  range: FieldConds | null;
  /** a `$in` inside the equality prefix: its position and values */
  inPos: number;
  inVals: unknown[] | null;
  sortServed: boolean;
  dir: 1 | -1;
  score: number;
}

function sortServedBy(index: Index, eqLen: number, sort: SortSpec): { served: boolean; dir: 1 | -1 } {
  const bound = new Set(index.fields.slice(0, eqLen));
  const rest = sort.filter(([f]) => !bound.has(f));
  if (rest.length === 0) return { served: true, dir: 1 };
  const tail: [string, 1 | -1][] = index.isId ? [['_id', 1]] : [...index.spec.key.slice(eqLen), ['_id', 1]];
  if (rest.length > tail.length) return { served: false, dir: 1 };
  const flip = (rest[0]![1] * tail[0]![1]) as 1 | -1;
  for (let i = 0; i < rest.length; i++) {
    const [f, d] = rest[i]!;
    const [tf, td] = tail[i]!;
    if (f !== tf || d !== td * flip) return { served: false, dir: 1 };
  }
  return { served: true, dir: flip };
}

/**
 * Choose a plan. `usable(index)` lets the executor exclude indexes (multikey documents in the
 * snapshot overlay). The `_id` index is always usable (full scan fallback).
 */
export function plan(indexes: Index[], filter: Doc, sort: SortSpec, usable: (i: Index) => boolean): Plan {
  const conds = analyzeFilter(filter);
  let best: Candidate | null = null;
  for (const index of indexes) {
    if (!index.isId && (index.multikeyDocs > 0 || !partialSatisfied(index, filter) || !usable(index))) continue;
    // equality prefix; one of its fields may be a $in (one probe per value)
    let eqLen = 0;
    let inPos = -1;
    let inVals: unknown[] | null = null;
    while (eqLen < index.fields.length) {
      const fc = conds.get(index.fields[eqLen]!);
      if (fc?.eq) eqLen++;
      else if (fc?.in && inPos < 0) {
        inPos = eqLen++;
        inVals = fc.in;
      } else break;
    }
    let range: FieldConds | null = null;
    if (eqLen < index.fields.length) {
      const c = conds.get(index.fields[eqLen]!);
      if (c && !c.mixed && (c.lo || c.hi)) range = c;
    }
    // a $in plan yields several ranges: only an unsorted request is served in index order
    const { served, dir } = inVals ? { served: sort.length === 0, dir: 1 as const } : sortServedBy(index, eqLen, sort);
    let score = eqLen * 4 + (range ? 2 : 0) + (served && sort.length > 0 ? 3 : 0) - (inVals ? 1 : 0);
    if (index.spec.unique && eqLen === index.fields.length && !index.isPartial) score += 100;
    if (score === 0 && !index.isId) continue;
    const cand: Candidate = { index, eqLen, range, inPos, inVals, sortServed: served, dir, score };
    if (
      best === null ||
      cand.score > best.score ||
      (cand.score === best.score && cand.index.fields.length - cand.eqLen < best.index.fields.length - best.eqLen) ||
      // (otherwise alike: a partial index whose filter the query states holds only what it asks for, as
      // MongoDB's trial run would find)
      (cand.score === best.score && cand.index.fields.length - cand.eqLen === best.index.fields.length - best.eqLen && cand.index.isPartial && !best.index.isPartial)
    ) {
      best = cand;
    }
  }
  // the _id index is always first in `indexes` and always a candidate
  const c = best!;
  const eqVals = c.index.fields.slice(0, c.eqLen).map((f, i) => (i === c.inPos ? undefined : conds.get(f)!.eq!.v));
  // `_id: { $in }`: the executor finds each _id's record directly (no probe ranges to build)
  const inIds = c.inVals && c.index.isId ? c.inVals : null;
  const subs = c.inVals && !inIds
    ? c.inVals.map((v) => probes(c, eqVals.map((x, i) => (i === c.inPos ? v : x)), c.range))
    : null;
  const { start, end } = subs ? subs[0]! : probes(c, inIds ? [inIds[0]] : eqVals, c.range);
  // covered: every top-level key is a plain equality on a field of the equality prefix
  let covered: Plan['covered'] = null;
  const keys = Object.keys(filter);
  const prefix = c.index.fields.slice(0, c.eqLen);
  if (c.inPos < 0 && keys.length === prefix.length && keys.length > 0 && !c.index.isPartial && c.index.multikeyDocs === 0) {
    const kinds: string[] = [];
    const paths: string[][] = [];
    for (const f of prefix) {
      const v = filter[f];
      const eq = isOperatorObject(v) ? (Object.keys(v).length === 1 && '$eq' in v ? v.$eq : undefined) : v;
      if (!(f in filter) || eq === undefined || !plannableEq(eq) || kindOf(eq) === 'other') break;
      kinds.push(kindOf(eq));
      paths.push(f.split('.'));
    }
    if (kinds.length === prefix.length) covered = { paths, kinds };
  }
  const eqs = c.index.fields.slice(0, c.eqLen).join(',');
  return {
    index: c.index,
    dir: c.dir,
    start,
    end,
    subs,
    inIds,
    sortServed: c.sortServed,
    covered,
    describe: `${c.index.spec.name} eq[${eqs}]${c.range ? ' range[' + c.index.fields[c.eqLen] + ']' : ''}${c.inVals ? ' in[' + c.index.fields[c.inPos] + ' x' + c.inVals.length + ']' : ''}${c.sortServed ? ' sorted' : ''} dir ${c.dir}`,
  };

  /** Probes of one scanned range: equality values, then optionally a range on the next field. */
  function probes(c: Candidate, eqVals: unknown[], range: FieldConds | null): { start: KeyEntry; end: KeyEntry } {
    const ix = c.index;
    const n = ix.fields.length;
    const lo: unknown[] = [...eqVals];
    const hi: unknown[] = [...eqVals];
    let loId: Sentinel = MIN_KEY;
    let hiId: Sentinel = MAX_KEY;
    let k = eqVals.length;
    if (range && k < n) {
      // value-space bounds inside the bound's type bracket
      const r = range;
      const rank = rankOf((r.lo ?? r.hi)!.v);
      const vLo: Bound = r.lo ?? { v: new Sentinel(rank, -1), incl: true };
      const vHi: Bound = r.hi ?? { v: new Sentinel(rank, 1), incl: true };
      // tree order: ascending field -> lo first; descending -> hi first
      const [tLo, tHi] = ix.dirs[k] === 1 ? [vLo, vHi] : [vHi, vLo];
      lo.push(tLo.v);
      hi.push(tHi.v);
      k++;
      // exclusive start: skip every entry equal on this field; exclusive end: stop before them
      for (let i = k; i < n; i++) {
        lo.push(tLo.incl ? ix.lowest(i) : ix.highest(i));
        hi.push(tHi.incl ? ix.highest(i) : ix.lowest(i));
      }
      if (!tLo.incl) loId = MAX_KEY;
      if (!tHi.incl) hiId = MIN_KEY;
    } else {
      for (let i = k; i < n; i++) {
        lo.push(ix.lowest(i));
        hi.push(ix.highest(i));
      }
    }
    return { start: new KeyEntry(lo, null, loId), end: new KeyEntry(hi, null, hiId) };
  }
}
