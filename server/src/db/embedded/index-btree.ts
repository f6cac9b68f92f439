/**
 * One index: a B+tree (key-tree.ts) over the latest committed state, ordered by the key fields
 * (each ascending or descending) and then by `_id`, so that every entry is unique and the
 * order is total.
 *
 * Entries are kept small because the product holds 10^6 documents: a document whose key fields
 * are scalars is represented by its Rec itself (8 bytes per entry in the tree, the key values are
 * read from `rec.doc` when comparing). Documents with arrays on an indexed path (multikey) get
 * one KeyEntry per distinct element, as MongoDB does; such an index is not used by the planner
 * (array sort/range semantics), but it still enforces uniqueness per element.
 */
import { Query } from 'mingo';
import { Rec, type LockOwner } from './record';
import { KeyTree } from './key-tree';
import { fastMatcher, UNDECIDED, type FastResult } from './fast-match';
import { serverError } from './errors';
import {
  MAX_KEY,
  MIN_KEY,
  MULTI,
  Sentinel,
  canonicalKey,
  collectPathValues,
  compareValues,
  compilePath,
  getScalarPath,
  thawClone,
  type Doc,
  type Path,
} from './values';

export interface IndexSpec {
  name: string;
  key: [string, 1 | -1][];
  unique: boolean;
  partialFilterExpression?: Doc;
}

/** An explicit key tuple: a multikey element entry, an overlay (snapshot) entry or a probe. */
export class KeyEntry {
  constructor(
    readonly vals: readonly unknown[],
    readonly rec: Rec | null,
    /** the _id (or a Sentinel for probes) */
    readonly id: unknown,
  ) {}
}
export type Entry = Rec | KeyEntry;

const MAX_NODE = 64;

export const defaultIndexName = (key: [string, 1 | -1][]) => key.map(([f, d]) => `${f}_${d}`).join('_');

export class Index {
  readonly paths: Path[];
  readonly dirs: (1 | -1)[];
  readonly fields: string[];
  readonly isId: boolean;
  readonly tree: KeyTree<Entry>;
  /** number of live documents with an array on an indexed path (the planner skips the index while > 0) */
  multikeyDocs = 0;
  /** unique indexes: keys with an uncommitted change (added or removed) -> the transaction */
  readonly keyLocks = new Map<string, LockOwner>();
  private readonly partial: Query | null;

  constructor(readonly spec: IndexSpec) {
    this.fields = spec.key.map(([f]) => f);
    this.paths = this.fields.map(compilePath);
    this.dirs = spec.key.map(([, d]) => d);
    this.isId = spec.name === '_id_';
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : null;
    this.partialFast = spec.partialFilterExpression ? fastMatcher(spec.partialFilterExpression) : null;
    this.compare = makeComparator(this.paths, this.dirs, this.isId);
    const width = this.isId ? 1 : this.paths.length + 1;
    const compareSep = makeComparator(this.paths, this.dirs, this.isId, true) as unknown as (e: Entry, keys: unknown[], at: number) => number;
    this.tree = new KeyTree<Entry>({ width, compare: this.compare, compareSep, writeSep: (e, keys, at) => this.writeSep(e, keys, at) }, MAX_NODE);
    // One compiled reader per key field: each gets its own inline cache (the documents of a
    // collection mostly share one hidden class), which matters since it runs in every comparison.
    this.readers = this.paths.map(
      (p) =>
        new Function(
          'd',
          p.length === 1
            ? `return d[${JSON.stringify(p[0])}];`
            : `let c = d;\n` +
              p.map((seg) => `if (c === null || typeof c !== 'object') return undefined;\nc = c[${JSON.stringify(seg)}];`).join('\n') +
              '\nreturn c;',
        ) as (doc: Doc) => unknown,
    );
    // getScalarPath per key field, compiled likewise (it runs for every index on every write:
    // sameKeys, the multikey checks)
    this.scalarAt = this.paths.map(
      (p) =>
        new Function(
          'MULTI',
          `return function scalarAt(d) {\n  let c = d;\n` +
            p.map((seg) => `  if (c === null || typeof c !== 'object') return undefined;\n  if (Array.isArray(c)) return MULTI;\n  c = c[${JSON.stringify(seg)}];\n`).join('') +
            `  return Array.isArray(c) ? MULTI : c;\n};`,
        )(MULTI) as (doc: Doc) => unknown,
    );
  }

  /**
   * Copy an entry's key into a separator of the tree: the key values, then the _id (the _id
   * index: the _id alone). The values are the stored ones, which never change.
   */
  private writeSep(e: Entry, keys: unknown[], at: number): void {
    if (this.isId) {
      keys[at] = e.id;
      return;
    }
    const n = this.readers.length;
    for (let i = 0; i < n; i++) keys[at + i] = e instanceof Rec ? this.readers[i]!(e.doc!) : e.vals[i];
    keys[at + n] = e.id;
  }

  /** getScalarPath(doc, paths[i]) for each key field i */
  private readonly scalarAt: ((doc: Doc) => unknown)[];

  get keyPattern(): Record<string, 1 | -1> {
    return Object.fromEntries(this.spec.key);
  }

  get isPartial(): boolean {
    return this.partial !== null;
  }

  /**
   * Key value `i` of an entry. A Rec in the tree is never multikey (those get KeyEntries), so
   * its value is a plain property walk (no array handling): this runs inside every comparison.
   */
  valueAt(e: Entry, i: number): unknown {
    if (e instanceof Rec) return this.isId ? e.id : this.readers[i]!(e.doc!);
    return e.vals[i];
  }

  private readonly readers: ((doc: Doc) => unknown)[];

  /** Tree order: key fields (with their direction), then _id ascending (see makeComparator). */
  readonly compare: (a: Entry, b: Entry) => number;

  /** Does this document belong to the index (partial indexes)? */
  covers(doc: Doc): boolean {
    if (this.partial === null) return true;
    // (runs for every write to the collection, twice: the fast matcher decides the usual
    // `{ status: { $in: [...] } }` without mingo; mingo decides what it cannot)
    const r = this.partialFast === null ? UNDECIDED : this.partialFast(doc);
    return r === UNDECIDED ? this.partial.test(doc) : r === 1;
  }

  private readonly partialFast: ((doc: Doc) => FastResult) | null;

  /**
   * The key tuples of a document version. null when the document is not in the index (partial),
   * otherwise a list of value tuples; `multikey` tells whether an array was expanded.
   * Throws CannotIndexParallelArrays like MongoDB for two array fields in one compound key.
   */
  keysOf(doc: Doc): { tuples: unknown[][]; multikey: boolean } | null {
    if (!this.covers(doc)) return null;
    if (this.isId) return { tuples: [[doc._id]], multikey: false };
    const scalar: unknown[] = [];
    let multiField = -1;
    for (let i = 0; i < this.paths.length; i++) {
      const v = this.scalarAt[i]!(doc);
      if (v === MULTI) {
        if (multiField !== -1) {
          throw serverError('CannotIndexParallelArrays', `cannot index parallel arrays [${this.fields[i]}] [${this.fields[multiField]}]`);
        }
        multiField = i;
        scalar.push(undefined);
      } else scalar.push(v === undefined ? null : v);
    }
    if (multiField === -1) return { tuples: [scalar], multikey: false };
    const vals: unknown[] = [];
    collectPathValues(doc, this.paths[multiField]!, 0, vals);
    const seen = new Set<string>();
    const tuples: unknown[][] = [];
    // an empty array is indexed as undefined (null-ish) in MongoDB
    if (vals.length === 0) vals.push(null);
    for (const v of vals) {
      const k = canonicalKey(v);
      if (seen.has(k)) continue;
      seen.add(k);
      const t = scalar.slice();
      t[multiField] = v === undefined ? null : v;
      tuples.push(t);
    }
    return { tuples, multikey: true };
  }

  /** Whether no key path of a version meets an array (then the Rec itself is its one entry). */
  private scalarKeys(doc: Doc): boolean {
    if (this.isId) return true;
    for (let i = 0; i < this.scalarAt.length; i++) if (this.scalarAt[i]!(doc) === MULTI) return false;
    return true;
  }

  /**
   * keysOf's CannotIndexParallelArrays check alone, without building the keys (every write
   * validates its new version against each compound index).
   */
  checkParallelArrays(doc: Doc): void {
    if (this.isId || !this.covers(doc)) return;
    let multiField = -1;
    for (let i = 0; i < this.paths.length; i++) {
      if (this.scalarAt[i]!(doc) !== MULTI) continue;
      if (multiField !== -1) {
        throw serverError('CannotIndexParallelArrays', `cannot index parallel arrays [${this.fields[i]}] [${this.fields[multiField]}]`);
      }
      multiField = i;
    }
  }

  /**
   * Fill an empty index from live records (snapshot load, index build): compute each key once,
   * sort, bulk-load. Much cheaper than one tree insert (and ~20 key reads) per record.
   */
  bulkBuild(recs: Rec[], order?: Int32Array): void {
    if (order && this.multikeyDocs === 0 && this.loadOrder(recs, order)) return;
    const entries: Entry[] = [];
    for (const rec of recs) {
      const k = this.keysOf(rec.doc!);
      if (k === null) continue;
      if (!k.multikey) entries.push(rec);
      else {
        this.multikeyDocs++;
        for (const t of k.tuples) entries.push(new KeyEntry(t, rec, rec.id));
      }
    }
    // (sorting the entries themselves: no per-entry key arrays to allocate for 10^6 records)
    const cmp = this.compare;
    let sorted = true;
    for (let i = 1; i < entries.length && sorted; i++) if (cmp(entries[i - 1]!, entries[i]!) >= 0) sorted = false;
    if (!sorted) {
      entries.sort(cmp);
      for (let i = 1; i < entries.length; i++) {
        if (cmp(entries[i - 1]!, entries[i]!) === 0) throw new Error(`embedded mongo: internal: duplicate entry while building ${this.spec.name}`);
      }
    }
    this.tree.load(entries);
  }

  /**
   * Use the entry order saved in a snapshot, after checking it in O(n) (valid positions, no
   * multikey documents, strictly increasing, every covered record present). False: sort instead.
   */
  private loadOrder(recs: Rec[], order: Int32Array): boolean {
    const partial = this.partial !== null;
    const expected = partial ? recs.reduce((n, r) => n + (this.covers(r.doc!) ? 1 : 0), 0) : recs.length;
    if (order.length !== expected) return false;
    const entries: Entry[] = new Array(order.length);
    for (let i = 0; i < order.length; i++) {
      const r = recs[order[i]!];
      if (r === undefined || (partial && !this.covers(r.doc!))) return false;
      for (const p of this.paths) if (getScalarPath(r.doc, p) === MULTI) return false;
      if (i > 0 && this.compare(entries[i - 1]!, r) >= 0) return false;
      entries[i] = r;
    }
    this.tree.load(entries);
    return true;
  }

  /** Remove the latest version of `rec` (call before changing rec.doc). */
  removeLatest(rec: Rec): void {
    const doc = rec.doc;
    if (doc === null || !this.covers(doc)) return;
    if (this.scalarKeys(doc)) {
      this.tree.delete(rec);
      return;
    }
    this.multikeyDocs--;
    for (const t of this.keysOf(doc)!.tuples) this.tree.delete(new KeyEntry(t, rec, rec.id));
  }

  /** Insert the latest version of `rec` (call after changing rec.doc). */
  insertLatest(rec: Rec): void {
    const doc = rec.doc;
    if (doc === null || !this.covers(doc)) return;
    if (this.scalarKeys(doc)) {
      this.tree.set(rec);
      return;
    }
    this.multikeyDocs++;
    for (const t of this.keysOf(doc)!.tuples) this.tree.set(new KeyEntry(t, rec, rec.id));
  }

  /** Whether two versions have the same entries in this index (then the index needs no change). */
  sameKeys(a: Doc | null, b: Doc | null): boolean {
    if (a === b) return true;
    if (a === null || b === null) return false;
    if (this.isId) return true;
    const ca = this.covers(a);
    if (ca !== this.covers(b)) return false;
    if (!ca) return true;
    for (let i = 0; i < this.paths.length; i++) {
      const va = this.scalarAt[i]!(a);
      const vb = this.scalarAt[i]!(b);
      if (va === vb && va !== MULTI) continue; // (the common case: the very same value, shared by both versions)
      if (va === MULTI || vb === MULTI) {
        if (va !== vb) return false;
        const xa: unknown[] = [];
        const xb: unknown[] = [];
        collectPathValues(a, this.paths[i]!, 0, xa);
        collectPathValues(b, this.paths[i]!, 0, xb);
        if (xa.length !== xb.length || xa.some((x, j) => compareValues(x, xb[j]) !== 0)) return false;
      } else if (compareValues(va, vb) !== 0) {
        // (missing and null compare equal: both are stored as null)
        return false;
      }
    }
    return true;
  }

  /** Canonical string of a key tuple (unique-key lock table). */
  static tupleKey(t: readonly unknown[]): string {
    return t.map(canonicalKey).join('|');
  }

  /** `{field: value}` for error messages (keyValue): copies, the values are the stored ones. */
  keyValue(t: readonly unknown[]): Record<string, unknown> {
    return Object.fromEntries(this.fields.map((f, i) => [f, thawClone(t[i])]));
  }

  /** Latest-state records that have exactly this key tuple. */
  *recordsWithKey(t: readonly unknown[]): Generator<Rec> {
    const probe = new KeyEntry(t, null, MIN_KEY);
    for (const e of this.tree.entries(probe)) {
      for (let i = 0; i < this.paths.length; i++) {
        if (compareValues(this.valueAt(e, i), t[i]) !== 0) return;
      }
      yield e instanceof Rec ? e : e.rec!;
    }
  }

  /** Lowest / highest probe value of field i in tree order. */
  lowest(i: number): Sentinel {
    return this.dirs[i] === 1 ? MIN_KEY : MAX_KEY;
  }
  highest(i: number): Sentinel {
    return this.dirs[i] === 1 ? MAX_KEY : MIN_KEY;
  }
}

/**
 * The tree order of an index as one generated function: key fields (each with its direction),
 * then `_id` ascending; in the `_id` index the key is the `_id` itself and only probes'
 * sentinels need a tie-break. Semantics are compareValues' (values.ts) field by field.
 *
 * Why generated: this runs ~17 times per tree insert or delete. A generic loop calling a reader
 * per field and compareValues made every call site megamorphic (all indexes share them); a
 * function per index reads its fields as plain property loads with their own inline caches
 * (documents of a collection mostly share one hidden class) and compares strings, numbers and
 * Dates inline (NaN left out), leaving other types to compareValues.
 *
 * An entry is a Rec (its key values read from rec.doc, which is never multikey) or a KeyEntry
 * (explicit values: multikey elements, overlay entries, probes).
 *
 * `sep`: the tree's other comparison, an entry against a separator (key-tree.ts), whose key
 * values and _id are stored flat at k[at ..]: `compareSep(a, k, at)`, the same order.
 */
function makeComparator(paths: Path[], dirs: (1 | -1)[], isId: boolean, sep = false): (a: Entry, b: Entry) => number {
  // `<a|b>` stands for the entry's side; `D` is the direction of the field
  const read = (side: 'a' | 'b', i: number, p: Path) =>
    sep && side === 'b'
      ? `k[at + ${i}]`
      : p.length === 1
      ? `${side}r ? ${side}d[${JSON.stringify(p[0])}] : ${side}.vals[${i}]`
      : `${side}r ? read${i}(${side}d) : ${side}.vals[${i}]`;
  // (identical values first: equal strings and Dates are mostly shared objects — see intern in
  // values.ts — so most ties are decided without reading either value)
  const cmpInto = (x: string, y: string, dir: 1 | -1) => `
    if (${x} !== ${y}) {
      if (typeof ${x} === 'string' && typeof ${y} === 'string') return ${x} < ${y} ? ${-dir} : ${dir};
      if (typeof ${x} === 'number' && typeof ${y} === 'number' && ${x} === ${x} && ${y} === ${y}) return ${x} < ${y} ? ${-dir} : ${dir};
      if (${x} instanceof Date && ${y} instanceof Date && (t = ${x}.getTime()) === t && (u = ${y}.getTime()) === u) {
        if (t !== u) return t < u ? ${-dir} : ${dir};
      } else {
        c = cmpv(${x}, ${y});
        if (c !== 0) return ${dir === 1 ? 'c' : '-c'};
      }
    }`;
  const readers = paths.map(
    (p, i) =>
      p.length === 1
        ? ''
        : `function read${i}(d) {
  let c = d;
` +
          p.map((seg) => `  if (c === null || typeof c !== 'object') return undefined;
  c = c[${JSON.stringify(seg)}];`).join('\n') +
          '\n  return c;\n}\n',
  );
  let body: string;
  if (isId) {
    body = `
    const x = a instanceof Rec ? a.id : a.vals[0];
    const y = ${sep ? 'k[at]' : 'b instanceof Rec ? b.id : b.vals[0]'};
    let c, t, u;
    ${cmpInto('x', 'y', 1)}
    if (a.id instanceof Sentinel${sep ? '' : ' || b.id instanceof Sentinel'}) return cmpv(a.id, ${sep ? 'y' : 'b.id'});
    return 0;`;
  } else {
    body = `
    const ar = a instanceof Rec${sep ? '' : ', br = b instanceof Rec'};
    const ad = ar ? a.doc : null${sep ? '' : ', bd = br ? b.doc : null'};
    let c, x, y, t, u;
    ${paths.map((p, i) => `x = ${read('a', i, p)};
    y = ${read('b', i, p)};${cmpInto('x', 'y', dirs[i]!)}`).join('\n    ')}
    x = a.id;
    y = ${sep ? `k[at + ${paths.length}]` : 'b.id'};${cmpInto('x', 'y', 1)}
    return 0;`;
  }
  const src = `${readers.join('')}return function ${sep ? 'compareSep(a, k, at)' : 'compare(a, b)'} {${body}\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('Rec', 'Sentinel', 'cmpv', src)(Rec, Sentinel, compareValues) as (a: Entry, b: Entry) => number;
}

export function validateIndexKey(keys: unknown): [string, 1 | -1][] {
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
    throw serverError('BadValue', 'embedded mongo: createIndex expects a key document like { field: 1 }');
  }
  const out: [string, 1 | -1][] = [];
  for (const [f, d] of Object.entries(keys as Doc)) {
    if (d !== 1 && d !== -1) {
      throw new Error(`embedded mongo: index type ${JSON.stringify(d)} on '${f}' is not implemented (only 1 and -1)`);
    }
    out.push([f, d]);
  }
  if (out.length === 0) throw serverError('BadValue', 'Index keys cannot be an empty field.');
  return out;
}

