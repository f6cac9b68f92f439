/**
 * "Evaluating Matches" of MongoDB's unified test format (source/unified-test-format, the section
 * of that name): expected values from the spec files against actual driver results.
 *
 * - root-level documents may have extra fields, nested ones may not;
 * - arrays must have the same length; numbers compare by value (int/long/double alike);
 * - the `$$` operators used by the CRUD and transactions suites: $$exists, $$type,
 *   $$unsetOrMatches, $$matchesEntity, $$lte, $$matchAsDocument, $$matchAsRoot,
 *   $$matchesHexBytes, $$sessionLsid (the last one only appears in command events, which this
 *   runner does not check; it raises an error if reached).
 *
 * A mismatch throws `Mismatch` with the path where it was found.
 */
import { BSON } from 'mongodb';

const { EJSON } = BSON;

export class Mismatch extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path || '(root)'}: ${detail}`);
    this.name = 'Mismatch';
  }
}

/** A bug or an unsupported feature of this runner (never a verdict about the database). */
export class RunnerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerError';
  }
}

export interface MatchContext {
  entity(name: string): unknown;
}

type Doc = Record<string, unknown>;

const bsonType = (v: unknown): string | undefined =>
  v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;

/** A plain document (not an array, Date, RegExp or BSON value object). */
export function isDocument(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  if (v instanceof Date || v instanceof RegExp || Buffer.isBuffer(v) || v instanceof Uint8Array) return false;
  return bsonType(v) === undefined;
}

/** `{ $$op: arg }` with exactly one key starting with `$$`. */
function specialOperator(v: unknown): [string, unknown] | null {
  if (!isDocument(v)) return null;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0]!.startsWith('$$')) return [keys[0]!, v[keys[0]!]];
  return null;
}

function numeric(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = bsonType(v);
  if (t === 'Long' || t === 'Int32' || t === 'Double') return Number((v as { valueOf(): unknown }).valueOf());
  return null;
}

/** The `$type` alias of a value, as far as JavaScript values tell (integers may be int, long or double). */
function typeNames(v: unknown): string[] {
  if (v === undefined) return [];
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'string') return ['string'];
  if (typeof v === 'boolean') return ['bool'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['int', 'long', 'double'] : ['double'];
  if (typeof v === 'bigint') return ['long'];
  if (v instanceof Date) return ['date'];
  if (v instanceof RegExp) return ['regex'];
  switch (bsonType(v)) {
    case 'ObjectId':
      return ['objectId'];
    case 'Long':
      return ['long'];
    case 'Int32':
      return ['int'];
    case 'Double':
      return ['double'];
    case 'Decimal128':
      return ['decimal'];
    case 'Binary':
      return ['binData'];
    case 'Timestamp':
      return ['timestamp'];
    case 'BSONRegExp':
      return ['regex'];
    case 'MinKey':
      return ['minKey'];
    case 'MaxKey':
      return ['maxKey'];
    case 'Code':
      return ['javascript', 'javascriptWithScope'];
    case 'BSONSymbol':
      return ['symbol'];
  }
  if (isDocument(v)) return ['object'];
  return [typeof v];
}

function show(v: unknown): string {
  try {
    return EJSON.stringify(v as never, { relaxed: true });
  } catch {
    return String(v);
  }
}

/** Equality of two non-document, non-array values. */
function sameScalar(expected: unknown, actual: unknown): boolean {
  const en = numeric(expected);
  const an = numeric(actual);
  if (en !== null || an !== null) return en !== null && an !== null && (en === an || (Number.isNaN(en) && Number.isNaN(an)));
  if (expected === null || actual === null || expected === undefined || actual === undefined) return expected === actual;
  if (typeof expected !== 'object' || typeof actual !== 'object') return expected === actual;
  if (expected instanceof Date || actual instanceof Date) {
    return expected instanceof Date && actual instanceof Date && expected.getTime() === actual.getTime();
  }
  const et = bsonType(expected) ?? (expected instanceof RegExp ? 'BSONRegExp' : undefined);
  const at = bsonType(actual) ?? (actual instanceof RegExp ? 'BSONRegExp' : undefined);
  if (et === 'BSONRegExp' && at === 'BSONRegExp') {
    const src = (r: unknown) => (r instanceof RegExp ? r.source : (r as { pattern: string }).pattern);
    const flags = (r: unknown) => [...(r instanceof RegExp ? r.flags : (r as { options: string }).options)].sort().join('');
    return src(expected) === src(actual) && flags(expected) === flags(actual);
  }
  if (et !== at) return false;
  // other BSON values (ObjectId, Binary, Decimal128, Timestamp…): compare their canonical EJSON
  return EJSON.stringify(expected as never, { relaxed: false }) === EJSON.stringify(actual as never, { relaxed: false });
}

export interface MatchOptions {
  /** root-level documents may contain extra fields */
  root: boolean;
  path?: string;
}

export function match(expected: unknown, actual: unknown, ctx: MatchContext, opts: MatchOptions): void {
  const path = opts.path ?? '';
  const op = specialOperator(expected);
  if (op) return matchOperator(op[0], op[1], actual, ctx, opts, path);

  if (isDocument(expected)) {
    if (!isDocument(actual)) throw new Mismatch(path, `expected a document ${show(expected)}, got ${show(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      const p = path ? `${path}.${key}` : key;
      const has = Object.prototype.hasOwnProperty.call(actual, key) && actual[key] !== undefined;
      const keyOp = specialOperator(value);
      if (keyOp && keyOp[0] === '$$exists') {
        if (keyOp[1] === true && !has) throw new Mismatch(p, 'expected the field to exist');
        if (keyOp[1] === false && has) throw new Mismatch(p, `expected no field, got ${show(actual[key])}`);
        continue;
      }
      if (keyOp && keyOp[0] === '$$unsetOrMatches') {
        if (!has) continue;
        match(keyOp[1], actual[key], ctx, { root: false, path: p });
        continue;
      }
      if (!has) throw new Mismatch(p, `missing; expected ${show(value)}`);
      match(value, actual[key], ctx, { root: false, path: p });
    }
    if (!opts.root) {
      const extra = Object.keys(actual).filter((k) => actual[k] !== undefined && !(k in expected));
      if (extra.length > 0) throw new Mismatch(path, `unexpected field(s) ${extra.join(', ')} in ${show(actual)}`);
    }
    return;
  }

  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) throw new Mismatch(path, `expected an array ${show(expected)}, got ${show(actual)}`);
    if (actual.length !== expected.length) {
      throw new Mismatch(path, `expected ${expected.length} element(s) ${show(expected)}, got ${actual.length}: ${show(actual)}`);
    }
    expected.forEach((e, i) => match(e, actual[i], ctx, { root: false, path: `${path}[${i}]` }));
    return;
  }

  if (!sameScalar(expected, actual)) throw new Mismatch(path, `expected ${show(expected)}, got ${show(actual)}`);
}

/**
 * Arrays of documents from a cursor (find, aggregate, listCollections…): each element is a
 * root-level document.
 */
export function matchCursorResult(expected: unknown, actual: unknown, ctx: MatchContext): void {
  if (!Array.isArray(expected) || !Array.isArray(actual)) return match(expected, actual, ctx, { root: true });
  if (actual.length !== expected.length) {
    throw new Mismatch('', `expected ${expected.length} document(s) ${show(expected)}, got ${actual.length}: ${show(actual)}`);
  }
  expected.forEach((e, i) => match(e, actual[i], ctx, { root: true, path: `[${i}]` }));
}

function matchOperator(name: string, arg: unknown, actual: unknown, ctx: MatchContext, opts: MatchOptions, path: string): void {
  switch (name) {
    case '$$unsetOrMatches':
      if (actual === undefined) return;
      return match(arg, actual, ctx, opts);
    case '$$exists':
      // only meaningful as a field's value (handled in match); as a value: the value exists or not
      if ((actual !== undefined) !== (arg === true)) throw new Mismatch(path, `$$exists: ${String(arg)}, got ${show(actual)}`);
      return;
    case '$$type': {
      const want = Array.isArray(arg) ? (arg as string[]) : [arg as string];
      const have = typeNames(actual);
      if (actual === undefined || !want.some((t) => have.includes(t))) {
        throw new Mismatch(path, `expected type ${want.join('|')}, got ${show(actual)} (${have.join('|') || 'missing'})`);
      }
      return;
    }
    case '$$matchesEntity':
      return match(ctx.entity(arg as string), actual, ctx, opts);
    case '$$lte': {
      const a = numeric(actual);
      const e = numeric(arg);
      if (a === null || e === null || !(a <= e)) throw new Mismatch(path, `expected <= ${show(arg)}, got ${show(actual)}`);
      return;
    }
    case '$$matchAsDocument': {
      if (typeof actual !== 'string') throw new Mismatch(path, `$$matchAsDocument needs a string, got ${show(actual)}`);
      return match(arg, EJSON.parse(actual, { relaxed: true }), ctx, { root: false, path });
    }
    case '$$matchAsRoot':
      return match(arg, actual, ctx, { root: true, path });
    case '$$matchesHexBytes': {
      if (typeof actual !== 'string') throw new Mismatch(path, `$$matchesHexBytes needs a string, got ${show(actual)}`);
      if (Buffer.from(actual).toString('hex') !== String(arg).toLowerCase()) throw new Mismatch(path, `bytes differ`);
      return;
    }
    default:
      throw new RunnerError(`match operator ${name} is not supported by this runner`);
  }
}

/**
 * Collection contents for `outcome`: exact documents (no extra fields anywhere; key order and
 * numeric types may differ), in `_id` order.
 */
export function matchExactly(expected: unknown, actual: unknown, path = ''): void {
  if (isDocument(expected)) {
    if (!isDocument(actual)) throw new Mismatch(path, `expected a document ${show(expected)}, got ${show(actual)}`);
    const ek = Object.keys(expected);
    const ak = Object.keys(actual).filter((k) => actual[k] !== undefined);
    const missing = ek.filter((k) => !ak.includes(k));
    const extra = ak.filter((k) => !ek.includes(k));
    if (missing.length || extra.length) {
      throw new Mismatch(path, `expected ${show(expected)}, got ${show(actual)}`);
    }
    for (const k of ek) matchExactly(expected[k], actual[k], path ? `${path}.${k}` : k);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Mismatch(path, `expected ${show(expected)}, got ${show(actual)}`);
    expected.forEach((e, i) => matchExactly(e, actual[i], `${path}[${i}]`));
    return;
  }
  if (!sameScalar(expected, actual)) throw new Mismatch(path, `expected ${show(expected)}, got ${show(actual)}`);
}
