/**
 * Cursors. A cursor materializes its result (references to frozen internal versions) on first
 * use, inside one synchronous read at one snapshot, and then hands out fresh mutable clones —
 * so it is unaffected by later writes and never holds an index iterator across an await.
 */
import { Query } from 'mingo';
import { MongoCursorInUseError, MongoInvalidArgumentError } from 'mongodb';
import type { SortSpec } from './planner';
import { badValue, notImplemented } from './errors';
import { isPlainObject, thawClone, type Doc } from './values';

/** Normalize the driver's sort formats to [[field, 1|-1], ...]. */
export function normalizeSort(spec: unknown): SortSpec | undefined {
  if (spec === undefined || spec === null) return undefined;
  const dirOf = (v: unknown, f: string): 1 | -1 => {
    if (v === 1 || v === 'asc' || v === 'ascending') return 1;
    if (v === -1 || v === 'desc' || v === 'descending') return -1;
    if (isPlainObject(v) && '$meta' in v) throw notImplemented(`sort by { $meta } on '${f}'`);
    throw new MongoInvalidArgumentError(`Invalid sort direction: ${JSON.stringify(v)}`);
  };
  if (typeof spec === 'string') return [[spec, 1]];
  if (spec instanceof Map) return [...spec.entries()].map(([f, d]) => [String(f), dirOf(d, String(f))]);
  if (Array.isArray(spec)) {
    if (spec.length === 2 && typeof spec[0] === 'string' && !Array.isArray(spec[1]) && typeof spec[1] !== 'string') {
      return [[spec[0], dirOf(spec[1], spec[0])]];
    }
    return spec.map((x) => {
      if (typeof x === 'string') return [x, 1] as [string, 1];
      if (Array.isArray(x) && typeof x[0] === 'string') return [x[0], dirOf(x[1], x[0])] as [string, 1 | -1];
      throw new MongoInvalidArgumentError(`Invalid sort format: ${JSON.stringify(spec)}`);
    });
  }
  if (isPlainObject(spec)) return Object.entries(spec).map(([f, d]) => [f, dirOf(d, f)]);
  throw new MongoInvalidArgumentError(`Invalid sort format: ${JSON.stringify(spec)}`);
}

/**
 * A projection function over an internal (stored, frozen) document: the caller's own copy of what
 * the projection keeps (mingo's find projection), `_id` first as the server returns it.
 *
 * Projections of whole top-level fields (`{ a: 1, b: 1 }`, `{ _id: 0, a: 1 }`, `{ a: 0 }`) are
 * picked here, field by field in the document's order as the server returns them, and only the
 * fields kept are copied. Everything else (dotted paths, operators, other values) goes through
 * mingo on a copy of the whole document. (mingo compiles and runs its projection stage per
 * document: a payout step reading 10^5 lots by three fields spent a third of its time there.)
 */
export function makeProjector(filter: Doc, projection: Doc | undefined): (doc: Doc) => Doc {
  if (!projection || Object.keys(projection).length === 0) return (d) => thawClone(d);
  const simple = simpleProjection(projection);
  if (simple) return simple;
  let q: Query;
  try {
    q = new Query(filter, {});
  } catch (e) {
    throw badValue((e as Error).message);
  }
  return (doc) => {
    let out: Doc | undefined;
    try {
      out = q.find<Doc>([thawClone(doc)], projection).next() as Doc | undefined;
    } catch (e) {
      throw badValue(`invalid projection: ${(e as Error).message}`);
    }
    if (!out) return {};
    if ('_id' in out && Object.keys(out)[0] !== '_id') {
      const r: Doc = { _id: out._id };
      for (const [k, v] of Object.entries(out)) if (k !== '_id') r[k] = v;
      return r;
    }
    return out;
  };
}

/**
 * The projector of a projection whose every key is a plain top-level field name set to 1/true or
 * 0/false, all inclusions or all exclusions (`_id` aside, which may be excluded from an
 * inclusion): null for any other projection, which mingo handles (and refuses where the server does).
 */
export function simpleProjection(projection: Doc): ((doc: Doc) => Doc) | null {
  let include: boolean | null = null;
  let keepId = true;
  const fields = new Set<string>();
  for (const k of Object.keys(projection)) {
    const v = projection[k];
    if (v !== 1 && v !== 0 && v !== true && v !== false) return null;
    if (k.length === 0 || k.includes('.') || k.startsWith('$')) return null;
    const on = v === 1 || v === true;
    if (k === '_id') {
      keepId = on;
      continue;
    }
    if (include === null) include = on;
    else if (include !== on) return null;
    fields.add(k);
  }
  // (`{ _id: 1 }` alone keeps only `_id`; `{ _id: 0 }` alone drops only `_id`)
  if (include === null) include = keepId;
  if (include) {
    // inclusion: `_id` first, then the named fields present, in document order
    return (doc) => {
      const out: Doc = {};
      if (keepId && '_id' in doc) out._id = thawClone(doc._id);
      for (const k in doc) if (k !== '_id' && fields.has(k)) out[k] = thawClone(doc[k]);
      return out;
    };
  }
  // exclusion: every field but the named ones (and `_id` when excluded), in document order.
  // (`_id: 1` beside exclusions is mingo's to refuse, as it did before)
  if (keepId && '_id' in projection) return null;
  return (doc) => {
    const out: Doc = {};
    if (keepId && '_id' in doc) out._id = thawClone(doc._id);
    for (const k in doc) if (k !== '_id' && !fields.has(k)) out[k] = thawClone(doc[k]);
    return out;
  };
}

/** Base cursor over a lazily materialized list of internal documents. */
export abstract class EmbeddedCursor {
  protected buffer: Doc[] | null = null;
  protected pos = 0;
  protected closedFlag = false;
  protected transforms: ((d: unknown) => unknown)[] = [];

  /** Compute the result (synchronously, in one snapshot). */
  protected abstract materialize(): Doc[];
  /** Shape one internal document for the caller (clone, projection). */
  protected abstract shape(doc: Doc): Doc;

  protected get started(): boolean {
    return this.buffer !== null;
  }

  protected assertNotStarted(): void {
    if (this.buffer !== null) throw new MongoCursorInUseError('Cursor is already initialized');
  }

  private ensure(): Doc[] {
    if (this.buffer === null) this.buffer = this.materialize();
    return this.buffer;
  }

  private out(doc: Doc): unknown {
    let v: unknown = this.shape(doc);
    for (const t of this.transforms) v = t(v);
    return v;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  async hasNext(): Promise<boolean> {
    if (this.closedFlag) return false;
    return this.pos < this.ensure().length;
  }

  async next(): Promise<unknown> {
    if (this.closedFlag) return null;
    const b = this.ensure();
    if (this.pos >= b.length) return null;
    return this.out(b[this.pos++]!);
  }

  tryNext(): Promise<unknown> {
    return this.next();
  }

  async toArray(): Promise<unknown[]> {
    if (this.closedFlag) return [];
    const b = this.ensure();
    const res: unknown[] = [];
    while (this.pos < b.length) res.push(this.out(b[this.pos++]!));
    return res;
  }

  async forEach(fn: (doc: unknown) => boolean | void | Promise<void>): Promise<void> {
    for (;;) {
      if (!(await this.hasNext())) return;
      const d = await this.next();
      if ((await fn(d)) === false) return;
    }
  }

  map(fn: (doc: unknown) => unknown): this {
    this.assertNotStarted();
    this.transforms.push(fn);
    return this;
  }

  rewind(): void {
    this.buffer = null;
    this.pos = 0;
    this.closedFlag = false;
  }

  async close(): Promise<void> {
    this.closedFlag = true;
    this.buffer = [];
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<unknown> {
    try {
      for (;;) {
        if (!(await this.hasNext())) return;
        yield await this.next();
      }
    } finally {
      await this.close();
    }
  }

  /** A no-op hint for network batching: accepted, nothing to batch in-process. */
  batchSize(n: number): this {
    if (typeof n !== 'number' || n < 0) throw new MongoInvalidArgumentError('Operation "batchSize" requires an integer');
    return this;
  }
}

export interface FindState {
  filter: Doc;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: Doc;
}

export class FindCursorImpl extends EmbeddedCursor {
  private projector: ((d: Doc) => Doc) | null = null;
  constructor(
    private readonly st: FindState,
    private readonly run: (st: FindState) => Doc[],
  ) {
    super();
  }

  protected materialize(): Doc[] {
    this.projector = makeProjector(this.st.filter, this.st.projection);
    return this.run(this.st);
  }

  protected shape(doc: Doc): Doc {
    return this.projector!(doc);
  }

  sort(spec: unknown, direction?: unknown): this {
    this.assertNotStarted();
    const s = direction !== undefined && typeof spec === 'string' ? normalizeSort([[spec, direction]]) : normalizeSort(spec);
    if (s) this.st.sort = s;
    else delete this.st.sort;
    return this;
  }

  skip(n: number): this {
    this.assertNotStarted();
    if (!Number.isInteger(n) || n < 0) throw new MongoInvalidArgumentError('Operation "skip" requires an integer');
    this.st.skip = n;
    return this;
  }

  limit(n: number): this {
    this.assertNotStarted();
    if (!Number.isInteger(n)) throw new MongoInvalidArgumentError('Operation "limit" requires an integer');
    // the driver treats a negative limit as a single batch of |n|
    this.st.limit = Math.abs(n);
    return this;
  }

  project(p: Doc): this {
    this.assertNotStarted();
    this.st.projection = p;
    return this;
  }
}

/** A cursor over a computed list (aggregate, listCollections). */
export class ListCursorImpl extends EmbeddedCursor {
  constructor(
    private readonly run: () => Doc[],
    /** aggregate results are fresh objects already; other lists are cloned */
    private readonly clone: boolean,
  ) {
    super();
  }
  protected materialize(): Doc[] {
    return this.run();
  }
  protected shape(doc: Doc): Doc {
    return this.clone ? thawClone(doc) : doc;
  }
}
