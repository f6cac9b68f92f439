/**
 * Values: the BSON-ish value domain of the embedded engine.
 *
 * - a total order over values (MongoDB's type order: null < numbers < strings < objects < arrays
 *   < binary < ObjectId < booleans < Date < Timestamp < RegExp), used by the indexes and by sort;
 * - a canonical string form (equal strings <=> compareValues() === 0), used for lock tables;
 * - cloning at the API boundary: `freezeClone` makes the immutable internal copy of a caller's
 *   value (stored versions are deep-frozen and shared between the store, the indexes and the
 *   snapshot chains); `thawClone` makes the mutable copy handed back to callers.
 *
 * Strings compare by UTF-16 code units (JavaScript `<`), not UTF-8 bytes as MongoDB does: the
 * index range scans must return a superset of what mingo's `$gt/$lt` (which use `<`) match, so
 * both must agree. The two orders only differ for characters above U+FFFF vs U+E000..U+FFFF.
 */
// BSON classes come through the driver: it loads bson's CommonJS build, and a separate
// `import from 'bson'` may load its ESM build (two ObjectId classes, instanceof fails).
import { Binary, Decimal128, Long, ObjectId } from 'mongodb';
import { badValue } from './errors';

export type Doc = Record<string, unknown>;

/** Sentinel key values used for index range probes: they sort before/after every value of a type bracket. */
export class Sentinel {
  constructor(
    /** the type rank this sentinel sits in (see rankOf) */
    readonly rank: number,
    /** -1: before every value of the rank, +1: after */
    readonly side: -1 | 1,
  ) {}
}
export const MIN_KEY = new Sentinel(-Infinity, -1);
export const MAX_KEY = new Sentinel(Infinity, 1);

// Type ranks (MongoDB's BSON comparison order). Missing and null share a rank: an index stores
// a missing field as null and `{a: null}` matches both.
export const RANK_NULL = 10;
export const RANK_EMPTY_ARRAY_SORT = 5; // sort key of an empty array (sorts before null in MongoDB)
export const RANK_NUMBER = 20;
export const RANK_STRING = 30;
export const RANK_OBJECT = 40;
export const RANK_ARRAY = 50;
export const RANK_BINARY = 60;
export const RANK_OBJECTID = 70;
export const RANK_BOOLEAN = 80;
export const RANK_DATE = 90;
export const RANK_TIMESTAMP = 100;
export const RANK_REGEX = 110;
export const RANK_OTHER = 120;

/** Marker for the sort key of an empty array. */
export const EMPTY_ARRAY_SORT_KEY = new Sentinel(RANK_EMPTY_ARRAY_SORT, -1);

function bsonType(v: object): string | undefined {
  const t = (v as { _bsontype?: unknown })._bsontype;
  return typeof t === 'string' ? t : undefined;
}

export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isObjectId(v: unknown): v is ObjectId {
  return v !== null && typeof v === 'object' && bsonType(v) === 'ObjectId';
}

export function rankOf(v: unknown): number {
  switch (typeof v) {
    case 'undefined':
      return RANK_NULL;
    case 'number':
      return RANK_NUMBER;
    case 'string':
      return RANK_STRING;
    case 'boolean':
      return RANK_BOOLEAN;
    case 'bigint':
      return RANK_NUMBER;
    case 'object':
      break;
    default:
      return RANK_OTHER;
  }
  if (v === null) return RANK_NULL;
  if (Array.isArray(v)) return RANK_ARRAY;
  if (v instanceof Date) return RANK_DATE;
  if (v instanceof Sentinel) return v.rank;
  if (v instanceof RegExp) return RANK_REGEX;
  const bt = bsonType(v);
  if (bt !== undefined) {
    switch (bt) {
      case 'ObjectId':
        return RANK_OBJECTID;
      case 'Binary':
        return RANK_BINARY;
      case 'Long':
      case 'Int32':
      case 'Double':
      case 'Decimal128':
        return RANK_NUMBER;
      case 'Timestamp':
        return RANK_TIMESTAMP;
      case 'BSONRegExp':
        return RANK_REGEX;
      case 'MinKey':
        return -1000;
      case 'MaxKey':
        return 1000;
      default:
        return RANK_OTHER;
    }
  }
  if (ArrayBuffer.isView(v)) return RANK_BINARY;
  return RANK_OBJECT;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const bt = bsonType(v as object);
  if (bt === 'Long') return (v as Long).toNumber();
  if (bt === 'Decimal128') return Number((v as Decimal128).toString());
  return Number((v as { valueOf(): unknown }).valueOf());
}

function cmpNum(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  // NaN sorts before every other number (MongoDB); NaN equals NaN.
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an && bn ? 0 : an ? -1 : 1;
}

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
}

function bytesOf(v: unknown): Uint8Array {
  if (isObjectId(v)) return v.id;
  if (bsonType(v as object) === 'Binary') return (v as Binary).buffer;
  return v as Uint8Array;
}

/** Total order over values (MongoDB BSON order, see file comment). Returns -1, 0 or 1. */
export function compareValues(a: unknown, b: unknown): number {
  // fast paths for the common same-type cases
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return cmpNum(a, b);
  if (a instanceof Date && b instanceof Date) return cmpNum(a.getTime(), b.getTime());
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  const sa = a instanceof Sentinel;
  const sb = b instanceof Sentinel;
  if (sa || sb) {
    if (sa && sb) return (a as Sentinel).side === (b as Sentinel).side ? 0 : (a as Sentinel).side;
    return sa ? (a as Sentinel).side : -(b as Sentinel).side;
  }
  switch (ra) {
    case RANK_NULL:
      return 0;
    case RANK_NUMBER:
      return cmpNum(toNumber(a), toNumber(b));
    case RANK_STRING:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case RANK_BOOLEAN:
      return a === b ? 0 : a ? 1 : -1;
    case RANK_DATE:
      return cmpNum((a as Date).getTime(), (b as Date).getTime());
    case RANK_OBJECTID:
    case RANK_BINARY:
      return cmpBytes(bytesOf(a), bytesOf(b));
    case RANK_ARRAY: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    case RANK_OBJECT: {
      // field by field in document order: value type, then field name, then value
      const x = a as Doc;
      const y = b as Doc;
      const kx = Object.keys(x);
      const ky = Object.keys(y);
      const n = Math.min(kx.length, ky.length);
      for (let i = 0; i < n; i++) {
        const fx = kx[i]!;
        const fy = ky[i]!;
        const r1 = rankOf(x[fx]);
        const r2 = rankOf(y[fy]);
        if (r1 !== r2) return r1 < r2 ? -1 : 1;
        if (fx !== fy) return fx < fy ? -1 : 1;
        const c = compareValues(x[fx], y[fy]);
        if (c !== 0) return c;
      }
      return kx.length < ky.length ? -1 : kx.length > ky.length ? 1 : 0;
    }
    case RANK_REGEX: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** Canonical string of a value: canonicalKey(a) === canonicalKey(b) iff compareValues(a, b) === 0. */
export function canonicalKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return 'n' + (v === 0 ? '0' : String(v));
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'N';
    case 'bigint':
      return 'n' + String(Number(v));
    default:
      break;
  }
  if (v === null) return 'N';
  if (Array.isArray(v)) return '[' + v.map(canonicalKey).join(',') + ']';
  if (v instanceof Date) return 'd' + v.getTime();
  const r = rankOf(v);
  if (r === RANK_OBJECTID) return 'o' + (v as ObjectId).toHexString();
  if (r === RANK_NUMBER) {
    const n = toNumber(v);
    return 'n' + (n === 0 ? '0' : String(n));
  }
  if (r === RANK_BINARY) return 'b' + Buffer.from(bytesOf(v)).toString('hex');
  if (r === RANK_OBJECT) {
    const o = v as Doc;
    return '{' + Object.keys(o).map((k) => JSON.stringify(k) + ':' + canonicalKey(o[k])).join(',') + '}';
  }
  return 'x' + r + ':' + String(v);
}

// ---------------------------------------------------------------------------------------------
// Cloning

function cloneObjectId(v: ObjectId): ObjectId {
  // Buffer.from copies into the pooled allocator (small per-id footprint) and ObjectId keeps it.
  return new ObjectId(Buffer.from(v.id));
}

/**
 * Deep copy of a caller's value into the immutable internal form: plain objects and arrays are
 * copied and frozen, Dates and ObjectIds copied, `undefined` becomes null (as the driver's BSON
 * serializer does without ignoreUndefined), Int32/Double wrappers become numbers.
 */
export function freezeClone(v: unknown, path = ''): unknown {
  switch (typeof v) {
    case 'string':
      return intern(v);
    case 'number':
    case 'boolean':
      return v;
    case 'undefined':
      return null;
    case 'object':
      break;
    default:
      throw badValue(`embedded mongo: cannot store a value of type ${typeof v} at '${path}'`);
  }
  if (v === null) return null;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = freezeChild(v[i], path, i);
    return Object.freeze(out);
  }
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof RegExp) return new RegExp(v.source, v.flags);
  const bt = bsonType(v);
  if (bt !== undefined) {
    switch (bt) {
      case 'ObjectId':
        return cloneObjectId(v as ObjectId);
      case 'Int32':
      case 'Double':
        return (v as { valueOf(): number }).valueOf();
      case 'Long': {
        const n = (v as Long).toNumber();
        return Number.isSafeInteger(n) ? n : v;
      }
      case 'Binary':
        return new Binary(Buffer.from((v as Binary).buffer), (v as Binary).sub_type);
      default:
        // Decimal128, Timestamp, MinKey, MaxKey, BSONRegExp, Code: immutable value objects
        return v;
    }
  }
  if (ArrayBuffer.isView(v)) return new Binary(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  if (v instanceof Map || v instanceof Set || typeof (v as { then?: unknown }).then === 'function') {
    throw badValue(`embedded mongo: cannot store a ${v.constructor.name} at '${path}'`);
  }
  // plain objects, and class instances by their own enumerable fields (as BSON serializes them)
  const keys: string[] = [];
  const vals: unknown[] = [];
  for (const k of Object.keys(v)) {
    const x = (v as Doc)[k];
    if (typeof x === 'function') continue; // BSON skips functions (serializeFunctions: false)
    keys.push(k);
    // a document's own `_id` is unique in its collection: not worth a place in the intern table
    if (path === '' && k === '_id' && typeof x === 'string') vals.push(x);
    else vals.push(freezeChild(x, path, k));
  }
  return Object.freeze(buildObject(keys, vals));
}

/**
 * freezeClone of a field (key: its name) or an array element (key: its index) of the value at
 * `path`. The common scalar cases are handled without building the child's path string (only
 * needed for an error message).
 */
function freezeChild(x: unknown, path: string, key: string | number): unknown {
  switch (typeof x) {
    case 'string':
      return intern(x);
    case 'number':
    case 'boolean':
      return x;
    case 'undefined':
      return null;
    case 'object':
      if (x === null) return null;
      if (x instanceof Date) return internDate(x.getTime());
      break;
    default:
      break;
  }
  // (as before: an element's path is `<path>.<i>` even at the root, a field's `<path>.<k>` or `<k>`)
  return freezeClone(x, typeof key === 'number' ? path + '.' + key : path ? path + '.' + key : key);
}

// ---------------------------------------------------------------------------------------------
// Compact documents
//
// The engine holds every document in memory, so their representation decides the footprint of
// a 10^6-entry queue. An object built by adding fields one by one (as a copy loop or
// BSON.deserialize does) keeps its fields in an out-of-object backing store with slack: a
// 21-field entry took ~1.3 KB. The same object made by an object literal of its exact shape
// keeps the fields in-object (~0.6 KB). So objects are made by a literal factory per shape
// (cached, bounded), and short repeated strings ('pending', 'cashier', …) are shared.

type Factory = (vals: unknown[]) => Doc;
/**
 * Factories by shape, as a trie over the key names (looking a shape up costs one Map probe per
 * key, on strings whose hashes V8 keeps, instead of joining the keys into a signature string).
 */
interface ShapeNode {
  next: Map<string, ShapeNode> | null;
  factory: Factory | null;
}
const SHAPES: ShapeNode = { next: null, factory: null };
let factoryCount = 0;
const MAX_FACTORIES = 4096;
/** Short strings shared between documents: a direct-mapped table by hash (see intern). */
const INTERN_BITS = 17;
const INTERNED: (string | undefined)[] = new Array(1 << INTERN_BITS).fill(undefined);
const INTERN_MAX_LENGTH = 16;

/** The last shape asked for (a commit's rows mostly share one): its keys and factory. */
let lastKeys: string[] = [];
let lastFactory: Factory | null = null;

function factoryFor(keys: string[]): Factory | null {
  if (lastFactory !== null && keys.length === lastKeys.length) {
    let same = true;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== lastKeys[i]) {
        same = false;
        break;
      }
    }
    if (same) return lastFactory;
  }
  const f = factoryForShape(keys);
  if (f !== null) {
    lastKeys = keys.slice();
    lastFactory = f;
  }
  return f;
}

function factoryForShape(keys: string[]): Factory | null {
  let node = SHAPES;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    let child = node.next?.get(k);
    if (child === undefined) {
      if (factoryCount >= MAX_FACTORIES || keys.length > 64 || keys.includes('__proto__')) return null;
      child = { next: null, factory: null };
      (node.next ??= new Map()).set(k, child);
    }
    node = child;
  }
  if (node.factory) return node.factory;
  if (factoryCount >= MAX_FACTORIES || keys.length > 64 || keys.includes('__proto__')) return null;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  node.factory = new Function('v', `return {${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}};`) as Factory;
  factoryCount++;
  return node.factory;
}

/** A plain object with these fields, in this order, built by the shape's factory (shared hidden class). */
export function buildObject(keys: string[], vals: unknown[]): Doc {
  const f = factoryFor(keys);
  if (f) return f(vals);
  const out: Doc = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = vals[i];
  return out;
}

/**
 * Compact, frozen copy of a plain object whose values already are internal (frozen, compact)
 * values: only the object itself is rebuilt by its shape's factory. (The fast update applier
 * builds new versions this way, sharing the unchanged values of the old one.)
 */
export function compactShallow(src: Doc): Doc {
  // (scratch arrays: the factory copies the values into the new object; never re-entered)
  let n = 0;
  for (const k in src) {
    SHALLOW_KEYS[n] = k;
    SHALLOW_VALS[n++] = src[k];
  }
  SHALLOW_KEYS.length = n;
  SHALLOW_VALS.length = n;
  const out = Object.freeze(buildObject(SHALLOW_KEYS, SHALLOW_VALS));
  SHALLOW_VALS.fill(undefined);
  return out;
}
const SHALLOW_KEYS: string[] = [];
const SHALLOW_VALS: unknown[] = [];

function intern(s: string): string {
  const n = s.length;
  if (n > INTERN_MAX_LENGTH) return s;
  // A direct-mapped cache: each string has one slot (by its FNV-1a hash), holding the last string
  // seen there. What repeats finds itself and is shared; what does not is overwritten by later
  // strings, so the table never fills up with unique ids of an early bulk load. (A Map in two
  // generations did the same at several times the cost: every unique id of a job was hashed by
  // the Map, inserted, and collected later.)
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  const slot = (h ^ (h >>> INTERN_BITS)) & ((1 << INTERN_BITS) - 1);
  const seen = INTERNED[slot];
  if (seen === s) return seen;
  INTERNED[slot] = s;
  return s;
}

/**
 * Internal Dates are never mutated (callers get copies), so equal ones can be one object: a
 * commit's rows mostly carry the same timestamps. Saves memory, and index comparisons of equal
 * Dates stop at the identity check. Recently seen times only (the table starts afresh when full).
 */
const DATES = new Map<number, Date>();
const MAX_DATES = 4096;
function internDate(t: number): Date {
  let d = DATES.get(t);
  if (d === undefined) {
    if (DATES.size >= MAX_DATES) DATES.clear();
    DATES.set(t, (d = new Date(t)));
  }
  return d;
}

/**
 * Compact, frozen form of a freshly deserialized value (journal replay, snapshot load): plain
 * objects rebuilt by their shape's factory, short strings shared. Other values kept as they are.
 */
export function compactFreeze<T>(v: T): T {
  if (typeof v === 'string') return intern(v) as T;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = compactFreeze(v[i]);
    return Object.freeze(v);
  }
  if (!isPlainObject(v)) return v;
  const keys = Object.keys(v);
  const vals = keys.map((k) => compactFreeze((v as Doc)[k]));
  return Object.freeze(buildObject(keys, vals)) as T;
}

/** Deep-freeze a freshly deserialized value in place (journal replay: no caller can hold it). */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    if (Array.isArray(v)) {
      for (const x of v) deepFreeze(x);
      Object.freeze(v);
    } else if (isPlainObject(v)) {
      for (const k of Object.keys(v)) deepFreeze(v[k]);
      Object.freeze(v);
    }
  }
  return v;
}

/** Mutable deep copy of an internal (frozen) value for a caller. */
export function thawClone<T = unknown>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = thawClone(v[i]);
    return out as T;
  }
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) out[k] = thawClone(v[k]);
    return out as T;
  }
  if (isObjectId(v)) return cloneObjectId(v) as T;
  if (v instanceof RegExp) return new RegExp(v.source, v.flags) as T;
  if (bsonType(v) === 'Binary') return new Binary(Buffer.from((v as unknown as Binary).buffer), (v as unknown as Binary).sub_type) as T;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Compiled dotted path. */
export type Path = readonly string[];
export const compilePath = (p: string): Path => p.split('.');

/**
 * Value at a path for an index key when no array is on the way: returns the value (undefined if
 * missing), or MULTI when an array is met (before the last segment, or as the final value):
 * such documents get one index entry per element (multikey).
 */
export const MULTI: unique symbol = Symbol('multikey');
export function getScalarPath(doc: unknown, path: Path): unknown {
  let cur: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) return MULTI;
    cur = (cur as Doc)[path[i]!];
  }
  return Array.isArray(cur) ? MULTI : cur;
}

/**
 * All values reachable at a path with MongoDB's array traversal (arrays on the way are expanded;
 * a final array contributes its elements). `out` gets the values; returns true if an array was
 * traversed. Numeric segments index into arrays.
 */
export function collectPathValues(cur: unknown, path: Path, i: number, out: unknown[]): boolean {
  if (i === path.length) {
    if (Array.isArray(cur)) {
      for (const x of cur) out.push(x);
      return true;
    }
    out.push(cur);
    return false;
  }
  if (cur === null || typeof cur !== 'object') {
    out.push(undefined);
    return false;
  }
  const seg = path[i]!;
  if (Array.isArray(cur)) {
    if (/^\d+$/.test(seg)) return collectPathValues(cur[Number(seg)], path, i + 1, out) || true;
    let n = 0;
    for (const el of cur) {
      if (el !== null && typeof el === 'object' && !Array.isArray(el)) {
        collectPathValues((el as Doc)[seg], path, i + 1, out);
        n++;
      }
    }
    if (n === 0) out.push(undefined);
    return true;
  }
  return collectPathValues((cur as Doc)[seg], path, i + 1, out);
}

/**
 * The sort key of a document for one sort field (MongoDB semantics): the value, null when
 * missing; for arrays the smallest element when ascending, the largest when descending.
 */
export function sortKey(doc: unknown, path: Path, dir: 1 | -1): unknown {
  const v = getScalarPath(doc, path);
  if (v !== MULTI) return v === undefined ? null : v;
  const vals: unknown[] = [];
  collectPathValues(doc, path, 0, vals);
  if (vals.length === 0) return EMPTY_ARRAY_SORT_KEY;
  let best = vals[0];
  for (let i = 1; i < vals.length; i++) {
    const c = compareValues(vals[i], best);
    if ((dir === 1 && c < 0) || (dir === -1 && c > 0)) best = vals[i];
  }
  return best === undefined ? null : best;
}

export function deepEqualValues(a: unknown, b: unknown): boolean {
  return rankOf(a) === rankOf(b) && compareValues(a, b) === 0;
}
