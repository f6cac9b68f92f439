/**
 * Filter matching without compiling a mingo Query for the common filters, and a cache of
 * compiled Queries for the others.
 *
 * Why: compiling a mingo Query copies mingo's whole operator context (hundreds of operators), and
 * the engine compiled one per find/update/delete — the settler's `updateOne({ _id, status:
 * 'pending' })` paid for it once per document.
 *
 * Fast filters: every key a plain dotted path (no `$`, no numeric, empty or Object.prototype
 * segments), every value a plain scalar — string, number, boolean, null, Date, ObjectId — or an
 * object of the operators `$eq` (such a scalar), `$in` (a list of strings, numbers, booleans,
 * null) and `$gt/$gte/$lt/$lte` (a string, number or Date). Their mingo semantics
 * (mingo/esm/operators/_predicates.js), for the value `a` resolved at the path, are reproduced
 * below operator by operator. The fast matcher resolves the path itself and decides only when the
 * way is made of plain objects and the value found is a scalar (or a Date or ObjectId); an array
 * or any other object on the way or at the end answers UNDECIDED, and that document is tested by
 * the compiled mingo Query instead — so array-contains and type-bracketing semantics stay mingo's.
 */
import { Query } from 'mingo';
import { isEqual } from 'mingo/util';
import { ObjectId } from 'mongodb';
import { badValue } from './errors';
import { isObjectId, isPlainObject, type Doc } from './values';
import { plainSegments } from './simple-path';

/** Returned by a fast matcher that cannot decide for a document (mingo decides). */
export const UNDECIDED = 2;
/** 1: match, 0: no match, UNDECIDED */
export type FastResult = 0 | 1 | typeof UNDECIDED;

/** The segments of a filter key the fast matcher takes, or null. */
const pathOf = plainSegments;

function isPlainProto(v: object): boolean {
  return Object.getPrototypeOf(v) === Object.prototype;
}

/** A filter value the fast matcher compares exactly as mingo's $eq does. */
function fastScalar(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      return v === null || v instanceof Date || isObjectId(v);
    default:
      return false;
  }
}

/** A `$in` member the fast matcher takes: primitives only (mingo hashes objects). */
function fastInMember(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** A range bound the fast matcher takes: mingo compares these by `<`/`>` within their type. */
function fastBound(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'number' || v instanceof Date;
}

/** The test of one condition on the value resolved at its path (never given an array). */
type Cond = (a: unknown) => FastResult;

/**
 * mingo's `$eq` for a non-array `a`: `isEqual(a, b) || (isNil(a) && isNil(b))`. UNDECIDED for
 * objects other than Date/ObjectId.
 */
function eqTest(a: unknown, b: unknown): FastResult {
  if (a === undefined || a === null) return b === null ? 1 : 0;
  if (typeof a !== 'object') return a === b || Object.is(a, b) ? 1 : 0;
  if (a instanceof Date || isObjectId(a)) return isEqual(a, b) ? 1 : 0;
  return UNDECIDED;
}

/**
 * mingo's `$in` for a non-array `a` and a list of primitives: nil matches iff the list holds
 * null; a primitive iff the list holds it (mingo's HashMap keys primitives by SameValueZero, as
 * a Set and Array.includes do); a Date or ObjectId never (the list has no objects). UNDECIDED
 * for other objects.
 */
function inTest(a: unknown, set: ReadonlySet<unknown> | null, list: readonly unknown[] | null): FastResult {
  const v = a === undefined ? null : a;
  if (v !== null && typeof v === 'object') return v instanceof Date || isObjectId(v) ? 0 : UNDECIDED;
  return (set !== null ? set.has(v) : list!.includes(v)) ? 1 : 0;
}

/**
 * mingo's `$gt/$gte/$lt/$lte` for a non-array `a`: `typeOf(a) === typeOf(b) && cmp(a, b)` where
 * cmp is 0 for identical values, else `<`/`>` (dates by time). So values of another type never
 * match, and NaN compares as 0 with any number (mingo's quirk, reproduced).
 */
function rangeTest(op: string, a: unknown, b: unknown): FastResult {
  if (a === undefined || a === null) return 0;
  let av: unknown;
  let bv: unknown;
  if (typeof a !== 'object') {
    if (typeof a !== typeof b) return 0;
    av = a;
    bv = b;
  } else if (a instanceof Date) {
    if (!(b instanceof Date)) return 0;
    if (a === b) return op === '$gte' || op === '$lte' ? 1 : 0;
    av = +a;
    bv = +b;
  } else if (isObjectId(a)) {
    return 0;
  } else {
    return UNDECIDED;
  }
  const c = av === bv || Object.is(av, bv) ? 0 : (av as number) < (bv as number) ? -1 : (av as number) > (bv as number) ? 1 : 0;
  const ok = op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
  return ok ? 1 : 0;
}

/** Whether the fast matcher takes a filter value: a scalar, or an object of the operators above. */
function fastValue(value: unknown): boolean {
  if (fastScalar(value)) return true;
  // (operator objects are only read by their keys: a null-prototype one is fine too)
  if (!isPlainObject(value)) return false;
  let n = 0;
  for (const op of Object.keys(value)) {
    n++;
    const arg = (value as Doc)[op];
    switch (op) {
      case '$eq':
        if (!fastScalar(arg)) return false;
        break;
      case '$in':
        if (!Array.isArray(arg) || !arg.every(fastInMember)) return false;
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (!fastBound(arg)) return false;
        break;
      default:
        return false;
    }
  }
  return n > 0;
}

/** The conditions of one filter value the fast matcher takes (fastValue), compiled. */
function condsOf(value: unknown): Cond[] {
  if (fastScalar(value)) return [(a) => eqTest(a, value)];
  const out: Cond[] = [];
  for (const op of Object.keys(value as Doc)) {
    const arg = (value as Doc)[op];
    if (op === '$eq') out.push((a) => eqTest(a, arg));
    else if (op === '$in') {
      const set = new Set(arg as unknown[]);
      out.push((a) => inTest(a, set, null));
    } else out.push((a) => rangeTest(op, a, arg));
  }
  return out;
}

/** The conditions of one filter value on a resolved value, without compiling (see fastTestOnce). */
function testValue(value: unknown, a: unknown): FastResult {
  if (fastScalar(value)) return eqTest(a, value);
  let undecided = false;
  for (const op of Object.keys(value as Doc)) {
    const arg = (value as Doc)[op];
    const r = op === '$eq' ? eqTest(a, arg) : op === '$in' ? inTest(a, null, arg as unknown[]) : rangeTest(op, a, arg);
    if (r === 0) return 0;
    if (r === UNDECIDED) undecided = true;
  }
  return undecided ? UNDECIDED : 1;
}

/** Whether the fast matcher takes a whole filter. */
export function fastFilter(filter: Doc): boolean {
  for (const k of Object.keys(filter)) if (pathOf(k) === null || !fastValue(filter[k])) return false;
  return true;
}

/**
 * The fast matcher of a filter, compiled (for a scan: conditions as closures, `$in` lists as
 * Sets), or null when the filter is not one it takes. The matcher answers 1/0, or UNDECIDED
 * when mingo must decide for that document.
 */
export function fastMatcher(filter: Doc): ((doc: Doc) => FastResult) | null {
  if (!fastFilter(filter)) return null;
  const keys = Object.keys(filter);
  if (keys.length === 0) return () => 1;
  const paths = keys.map((k) => pathOf(k)!);
  const conds = keys.map((k) => condsOf(filter[k]));
  if (paths.length === 1 && paths[0]!.length === 1 && conds[0]!.length === 1) {
    // the most common shape ({ _id: x }, { status: 'pending' }): no loops
    const f = paths[0]![0]!;
    const c = conds[0]![0]!;
    return (doc) => {
      const a = doc[f];
      return Array.isArray(a) ? UNDECIDED : c(a);
    };
  }
  return (doc) => {
    let undecided = false;
    for (let i = 0; i < paths.length; i++) {
      const a = resolve(doc, paths[i]!);
      if (a === UNDECIDED_MARK || Array.isArray(a)) {
        undecided = true;
        continue;
      }
      for (const c of conds[i]!) {
        const r = c(a);
        // a definite mismatch decides the conjunction whatever mingo says of the other parts
        if (r === 0) return 0;
        if (r === UNDECIDED) undecided = true;
      }
    }
    return undecided ? UNDECIDED : 1;
  };
}

/**
 * The fast matcher's answer for one document without compiling a matcher (a point lookup tests
 * one document: closures and Sets would cost more than they save). Same answers as
 * fastMatcher(filter)(doc). Precondition: fastFilter(filter).
 */
export function fastTestOnce(filter: Doc, doc: Doc): FastResult {
  let undecided = false;
  for (const k of Object.keys(filter)) {
    const a = resolve(doc, pathOf(k)!);
    if (a === UNDECIDED_MARK || Array.isArray(a)) {
      undecided = true;
      continue;
    }
    const r = testValue(filter[k], a);
    if (r === 0) return 0;
    if (r === UNDECIDED) undecided = true;
  }
  return undecided ? UNDECIDED : 1;
}

const UNDECIDED_MARK = Symbol('undecided');

/**
 * The value at a path as mingo resolves it when the way is made of plain objects (a scalar on the
 * way resolves to undefined), or UNDECIDED_MARK when an array or another object is on the way.
 */
function resolve(doc: Doc, p: readonly string[]): unknown {
  let cur: unknown = doc;
  for (let j = 0; j < p.length; j++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur) || !isPlainProto(cur)) return UNDECIDED_MARK;
    cur = (cur as Doc)[p[j]!];
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// compiled mingo queries

const MINGO_OPTS = { useStrictMode: true } as const;

/**
 * Query operators whose compiled form is pure (no state between tests, nothing evaluated at
 * compile time that depends on the clock): only filters made of these may share a compiled Query.
 * Not here: $regex (a global RegExp keeps lastIndex), $where/$expr/$function/$jsonSchema/$text…
 */
const PURE_OPS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$and', '$or', '$nor', '$not', '$exists', '$type', '$size', '$all', '$elemMatch', '$mod']);

/**
 * A type-exact key of a filter made only of plain objects, arrays, strings, numbers, booleans,
 * null, Dates and the driver's ObjectIds, with only pure operators; null for anything else.
 * Two filters with the same key compile to Queries that answer alike for every document.
 */
function queryKey(v: unknown, out: string[]): boolean {
  switch (typeof v) {
    case 'string':
      out.push('s', JSON.stringify(v));
      return true;
    case 'number':
      out.push('n', Object.is(v, -0) ? '-0' : String(v), ';');
      return true;
    case 'boolean':
      out.push(v ? 'T' : 'F');
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) {
    out.push('N');
    return true;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (const x of v) if (!queryKey(x, out)) return false;
    out.push(']');
    return true;
  }
  if (v instanceof Date) {
    if (Object.getPrototypeOf(v) !== Date.prototype) return false;
    out.push('d', String(v.getTime()), ';');
    return true;
  }
  if (v instanceof ObjectId) {
    // (mingo compares ObjectIds by class and string: only the driver's class is keyed)
    if (Object.getPrototypeOf(v) !== ObjectId.prototype) return false;
    out.push('o', v.toHexString());
    return true;
  }
  if (!isPlainProto(v)) return false;
  out.push('{');
  for (const k of Object.keys(v)) {
    if (k.startsWith('$') && !PURE_OPS.has(k)) return false;
    out.push(JSON.stringify(k), ':');
    if (!queryKey((v as Doc)[k], out)) return false;
  }
  out.push('}');
  return true;
}

const QUERY_CACHE = new Map<string, Query>();
const MAX_CACHED_QUERIES = 512;

/** A compiled mingo Query for a filter, shared with earlier identical filters when that is safe. */
export function compileFilter(filter: Doc): Query {
  const parts: string[] = [];
  const key = queryKey(filter, parts) ? parts.join('') : null;
  if (key !== null) {
    const hit = QUERY_CACHE.get(key);
    if (hit) {
      // most recently used last (Map order): the oldest is evicted first
      QUERY_CACHE.delete(key);
      QUERY_CACHE.set(key, hit);
      return hit;
    }
  }
  let q: Query;
  try {
    q = new Query(filter, MINGO_OPTS);
  } catch (e) {
    throw badValue(`invalid filter: ${(e as Error).message}`);
  }
  if (key !== null) {
    if (QUERY_CACHE.size >= MAX_CACHED_QUERIES) QUERY_CACHE.delete(QUERY_CACHE.keys().next().value!);
    QUERY_CACHE.set(key, q);
  }
  return q;
}
