/**
 * The engine's fast paths against the slow paths they stand in for (embedded engine internals):
 *
 * - the fast update applier (fast-update.ts) against mingo's updater (applyUpdateWithMingo): on
 *   random documents and random updates, the same new version (same fields in the same order,
 *   same values down to -0 and Date times), the same "modified or not" (null), the same error;
 * - the fast matcher (fast-match.ts) against a mingo Query: the same answer on random documents
 *   and random filters, whether it decides itself or defers to mingo;
 * - the generated index comparators against compareValues field by field.
 *
 * Each also checks that the fast path is actually taken most of the time, so a change that makes
 * everything fall back cannot pass silently.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Query } from 'mingo';
import { ObjectId } from 'mongodb';
import { FALLBACK, fastApplyUpdate } from '../../server/src/db/embedded/fast-update';
import { fastMatcher, fastFilter, fastTestOnce, UNDECIDED } from '../../server/src/db/embedded/fast-match';
import { filterTester } from '../../server/src/db/embedded/executor';
import { Index, KeyEntry } from '../../server/src/db/embedded/index-btree';
import { applyUpdate, applyUpdateWithMingo } from '../../server/src/db/embedded/operations';
import { Rec } from '../../server/src/db/embedded/record';
import { checkUpdatePaths } from '../../server/src/db/embedded/update-paths';
import { makeProjector, simpleProjection } from '../../server/src/db/embedded/cursor';
import { MAX_KEY, MIN_KEY, compareValues, freezeClone, thawClone, type Doc } from '../../server/src/db/embedded/values';

const RUNS = Number(process.env.DB_PROPERTY_RUNS ?? 3000);

// ---- values and documents -----------------------------------------------------------------------

const OIDS = [0, 1, 2].map((i) => new ObjectId(i.toString(16).padStart(24, '0')));
const scalar = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0.5, 1e300, Number.NaN, Number.POSITIVE_INFINITY) },
  { weight: 3, arbitrary: fc.constantFrom('', 'p', 'q', 'pending', 'done') },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((t) => new Date(t * 1000)) },
  { weight: 1, arbitrary: fc.constantFrom(...OIDS) },
);
const FIELDS = ['a', 'b', 'c', 'd'] as const;
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 2 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), tie('v'), { maxKeys: 3 }) },
  ),
})).v;
const docArb = fc
  .tuple(fc.constantFrom('x', 'y'), fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 4 }))
  .map(([id, body]) => freezeClone({ _id: id, ...body }) as Doc);

// paths: mostly plain, sometimes what the fast paths must leave to mingo
const pathArb = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 }).map((s) => s.join('.')) },
  { weight: 1, arbitrary: fc.constantFrom('a.0', 'b.1.c', '_id', 'a.$', 'a.$[]', 'toString', '') },
);

/**
 * fast-check builds records and dictionaries with a null prototype; callers mostly write
 * literals. Both must behave alike: half of the generated updates and filters become literals.
 */
function toLiteral(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toLiteral);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toLiteral(x)]));
  }
  return v;
}
const sometimesLiteral = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.tuple(arb, fc.boolean()).map(([v, lit]) => (lit ? (toLiteral(v) as T) : v));

// ---- deep comparison that sees what toEqual does not ---------------------------------------------

/** Same value, same key order, -0 vs 0, Date times, ObjectId bytes, and deeply frozen `got`. */
function sameValue(got: unknown, want: unknown, at = '$'): string | null {
  if (typeof want === 'number') return Object.is(got, want) ? null : `${at}: ${String(got)} vs ${String(want)}`;
  if (want === null || typeof want !== 'object') return got === want ? null : `${at}: ${String(got)} vs ${String(want)}`;
  if (got === null || typeof got !== 'object') return `${at}: ${String(got)} vs object`;
  if (want instanceof Date) return got instanceof Date && Object.is(got.getTime(), want.getTime()) ? null : `${at}: date`;
  if (want instanceof ObjectId) return got instanceof ObjectId && got.equals(want) ? null : `${at}: objectid`;
  if (Array.isArray(want) !== Array.isArray(got)) return `${at}: array vs object`;
  if (Array.isArray(want) || Object.getPrototypeOf(want) === Object.prototype) {
    if (!Object.isFrozen(got)) return `${at}: not frozen`;
    const kg = Object.keys(got);
    const kw = Object.keys(want);
    if (kg.join('\u0000') !== kw.join('\u0000')) return `${at}: keys [${kg}] vs [${kw}]`;
    for (const k of kw) {
      const d = sameValue((got as Doc)[k], (want as Doc)[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return got === want ? null : `${at}: other object`;
}

function outcome(fn: () => Doc | null): { doc: Doc | null } | { error: string } {
  try {
    return { doc: fn() };
  } catch (e) {
    const err = e as { name?: string; code?: unknown; message?: string };
    return { error: `${err.name} ${String(err.code)} ${err.message}` };
  }
}

// ---- updates --------------------------------------------------------------------------------------

const incArg = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -2, max: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0.25, Number.NaN, 'x' as unknown) },
);
// update paths: a wider vocabulary than the documents' (fewer conflicting pairs), some odd ones
const updatePathArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'a.b', 'b.c', 'c.d', 'd.a', 'e.f', 'f.g.h', 'a.b.c') },
  { weight: 1, arbitrary: fc.constantFrom('a.0', 'b.1.c', '_id', 'a.$', 'a.$[]', 'toString', '') },
);
const OPS = ['$set', '$inc', '$unset', '$setOnInsert', '$max', '$push'] as const;
const argOf: Record<(typeof OPS)[number], fc.Arbitrary<unknown>> = {
  $set: fc.oneof({ weight: 19, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) }),
  $inc: incArg,
  $unset: fc.constant(''),
  $setOnInsert: value,
  $max: fc.integer({ min: -2, max: 2 }),
  $push: scalar,
};
/** A few paths none of which is a prefix of another (else checkUpdatePaths refuses the update). */
const disjointPaths = fc.uniqueArray(updatePathArb, { minLength: 1, maxLength: 4 }).map((ps) => {
  const out: string[] = [];
  const parts = (p: string) => p.split('.');
  const prefix = (a: string[], b: string[]) => a.length <= b.length && a.every((x, i) => x === b[i]);
  for (const p of ps) if (!out.some((q) => prefix(parts(q), parts(p)) || prefix(parts(p), parts(q)))) out.push(p);
  return out;
});
/** Each path under an operator (mostly the fast applier's), operators in a random order. */
const updateArb: fc.Arbitrary<Doc> = disjointPaths
  .chain((paths) =>
    fc.tuple(
      ...paths.map((p) =>
        fc
          .constantFrom<(typeof OPS)[number]>('$set', '$set', '$inc', '$inc', '$unset', '$setOnInsert', '$max', '$push')
          .chain((op) => argOf[op].map((arg) => [op, p, arg] as const)),
      ),
    ),
  )
  .chain((items) => {
    const u: Record<string, Doc> = {};
    for (const [op, p, arg] of items) (u[op] ??= {})[p] = arg;
    // a random operator order (mingo applies them in key order, and so must the fast path)
    return fc.shuffledSubarray(Object.keys(u), { minLength: Object.keys(u).length }).map((ks) => Object.fromEntries(ks.map((k) => [k, u[k]])) as Doc);
  });

// documents shaped like the product's: scalars, Dates, nested plain objects, few arrays
const productDocArb = fc
  .record(
    {
      a: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-0, 0.5)),
      b: fc.oneof(fc.constantFrom('p', 'q', null), fc.integer({ min: 0, max: 2 }).map((t) => new Date(t * 1000))),
      c: fc.record({ d: fc.integer({ min: 0, max: 3 }), e: fc.constantFrom('x', 'y') }, { requiredKeys: [] }),
      d: fc.constantFrom(...OIDS),
      e: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  )
  .map((body) => freezeClone({ _id: 'x', ...body }) as Doc);
const productUpdateArb = fc
  .record(
    {
      $set: fc.dictionary(fc.constantFrom('b', 'c.e', 'f', 'g.h', 'e'), fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })), { minKeys: 1, maxKeys: 2 }),
      $inc: fc.dictionary(fc.constantFrom('a', 'c.d', 'n', 'm.n'), fc.integer({ min: -2, max: 2 }), { minKeys: 1, maxKeys: 2 }),
      $unset: fc.dictionary(fc.constantFrom('b', 'x', 'c.e'), fc.constant(''), { minKeys: 1, maxKeys: 1 }),
    },
    { requiredKeys: [] },
  )
  .filter((u) => Object.keys(u).length > 0);

describe('fast update applier', () => {
  it('produces what mingo produces: document, field order, modified flag, errors', () => {
    let fast = 0;
    let total = 0;
    fc.assert(
      fc.property(docArb, sometimesLiteral(updateArb), fc.boolean(), (base, update, insert) => {
        try {
          checkUpdatePaths(update);
        } catch {
          return; // refused before anything is applied, on either path
        }
        const want = outcome(() => applyUpdateWithMingo(base, update, {}, undefined, insert));
        const got = outcome(() => applyUpdate(base, update, {}, undefined, insert));
        total++;
        if ('error' in want) {
          expect(got).toEqual(want);
          return;
        }
        expect('doc' in got, JSON.stringify(got)).toBe(true);
        const g = (got as { doc: Doc | null }).doc;
        if (want.doc === null) expect(g).toBeNull();
        else expect(sameValue(g, want.doc)).toBeNull();
        // the tally: how often the fast applier decided (the update as applyUpdate prepares it)
        const mod: Doc = { ...update };
        const soi = mod.$setOnInsert as Doc | undefined;
        delete mod.$setOnInsert;
        if (insert && soi) mod.$set = { ...((mod.$set as Doc | undefined) ?? {}), ...soi };
        if (Object.keys(mod).length > 0 && fastApplyUpdate(base, mod, insert) !== FALLBACK) fast++;
      }),
      { numRuns: RUNS },
    );
    // many of the generated updates use operators, paths or targets it leaves to mingo
    console.log('fast update tally', { total, fast });
    expect(total).toBeGreaterThan(RUNS * 0.9);
    expect(fast).toBeGreaterThan(total * 0.2);
  });

  it('decides the product-shaped updates itself, most of them', () => {
    let fast = 0;
    let total = 0;
    fc.assert(
      fc.property(productDocArb, sometimesLiteral(productUpdateArb), (base, update) => {
        try {
          checkUpdatePaths(update);
        } catch {
          return;
        }
        const want = outcome(() => applyUpdateWithMingo(base, update, {}, undefined, false));
        const got = outcome(() => applyUpdate(base, update, {}, undefined, false));
        if ('error' in want) expect(got).toEqual(want);
        else if (want.doc === null) expect(got).toEqual({ doc: null });
        else expect(sameValue((got as { doc: Doc }).doc, want.doc)).toBeNull();
        total++;
        if (fastApplyUpdate(base, update, false) !== FALLBACK) fast++;
      }),
      { numRuns: RUNS },
    );
    console.log('product-shaped update tally', { total, fast });
    expect(fast).toBeGreaterThan(total * 0.9);
  });

  it('no-op updates report no change exactly as mingo does', () => {
    const base = freezeClone({ _id: 'x', n: 1, z: -0, s: 'p', d: new Date(5), o: { a: 1, b: [1, 2] }, arr: [1, { a: 2 }], nul: null }) as Doc;
    const cases: [Doc, boolean][] = [
      [{ $set: { n: 1 } }, false],
      [{ $set: { d: new Date(5) } }, false],
      [{ $set: { o: { a: 1, b: [1, 2] } } }, false],
      [{ $set: { o: { b: [1, 2], a: 1 } } }, false], // mingo's isEqual ignores key order
      [{ $set: { arr: [1, { a: 2 }] } }, false],
      [{ $set: { 'o.a': 1 } }, false],
      [{ $inc: { n: 0 } }, false],
      [{ $inc: { z: 0 } }, false], // -0 + 0 is 0, and 0 === -0
      [{ $unset: { missing: '' } }, false],
      [{ $unset: { 'missing.deep': '' } }, false],
      [{ $set: { n: 2 } }, true],
      [{ $inc: { n: 0, m: 0 } }, true], // a missing field is created
      [{ $unset: { nul: '' } }, true],
      [{ $set: { d: new Date(6) } }, true],
    ];
    for (const [u, changed] of cases) {
      const want = applyUpdateWithMingo(base, u, {}, undefined, false);
      const got = applyUpdate(base, u, {}, undefined, false);
      expect(want !== null, JSON.stringify(u)).toBe(changed);
      expect(got !== null, JSON.stringify(u)).toBe(changed);
      expect(fastApplyUpdate(base, u, false), JSON.stringify(u)).not.toBe(FALLBACK);
      if (want) expect(sameValue(got, want)).toBeNull();
    }
  });

  it('shares the unchanged parts of the old version and copies only the changed path', () => {
    const base = freezeClone({ _id: 'x', big: { k: [1, 2, 3], m: { n: 1 } }, other: { v: 1 }, s: 'p' }) as Doc;
    const next = applyUpdate(base, { $set: { 'big.m.n': 2 }, $inc: { c: 1 } }, {}, undefined, false)!;
    expect(next).not.toBe(base);
    expect(next.other).toBe(base.other);
    expect((next.big as Doc).k).toBe((base.big as Doc).k);
    expect((next.big as Doc).m).not.toBe((base.big as Doc).m);
    expect(Object.keys(next)).toEqual(['_id', 'big', 'other', 's', 'c']);
    expect(Object.isFrozen(next) && Object.isFrozen(next.big) && Object.isFrozen((next.big as Doc).m)).toBe(true);
    // the old version is untouched
    expect(((base.big as Doc).m as Doc).n).toBe(1);
  });

  it('leaves to mingo what it does not reproduce (and the result is still mingo`s)', () => {
    const base = freezeClone({ _id: 'x', a: [1, 2], n: null, s: 'str', l: 3 }) as Doc;
    for (const u of [{ $set: { 'a.0': 5 } }, { $set: { 'n.x': 1 } }, { $inc: { s: 1 } }, { $set: { 's.x': 1 } }, { $push: { a: 3 } }, { $set: { toString: 1 } }, { $inc: { l: Number.NaN } }]) {
      expect(fastApplyUpdate(base, u, false), JSON.stringify(u)).toBe(FALLBACK);
      expect(outcome(() => applyUpdate(base, u, {}, undefined, false))).toEqual(outcome(() => applyUpdateWithMingo(base, u, {}, undefined, false)));
    }
  });
});

// ---- filters ----------------------------------------------------------------------------------------

const primitive = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-0, 0.5, Number.NaN, '', 'p', 'q', 'pending', true, false, null));
const bound = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(Number.NaN, '', 'p', 'q'), fc.integer({ min: 0, max: 2 }).map((t) => new Date(t * 1000)));
const condArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 2, arbitrary: scalar.map((v) => ({ $eq: v })) },
  { weight: 2, arbitrary: fc.array(primitive, { maxLength: 3 }).map((vs) => ({ $in: vs })) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), bound).map(([op, v]) => ({ [op]: v })) },
  { weight: 1, arbitrary: fc.tuple(bound, bound).map(([x, y]) => ({ $gte: x, $lt: y })) },
  // not fast: mingo decides the whole filter
  { weight: 1, arbitrary: fc.oneof(scalar.map((v) => ({ $ne: v })), fc.boolean().map((e) => ({ $exists: e })), value.filter((v) => typeof v === 'object' && v !== null && !(v instanceof Date) && !(v instanceof ObjectId))) },
);
const filterArb = fc.dictionary(pathArb.filter((p) => p !== ''), condArb, { maxKeys: 3 });

describe('fast matcher', () => {
  it('answers as a mingo Query on every document', () => {
    let eligible = 0;
    let decided = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.array(docArb, { minLength: 1, maxLength: 4 }), sometimesLiteral(filterArb), (docs, filter) => {
        const q = new Query(filter, { useStrictMode: true });
        const test = filterTester(filter);
        const fast = fastMatcher(filter);
        expect(fastFilter(filter)).toBe(fast !== null);
        total++;
        if (fast) eligible++;
        for (const d of docs) {
          expect(test(d), JSON.stringify(filter) + ' ' + JSON.stringify(d)).toBe(q.test(d));
          if (fast) {
            const r = fast(d);
            // the one-shot form (point lookups) answers alike
            expect(fastTestOnce(filter, d)).toBe(r);
            if (r !== UNDECIDED) {
              decided++;
              expect(r === 1).toBe(q.test(d));
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
    console.log('fast matcher tally', { filters: total, eligible, decided });
    expect(eligible).toBeGreaterThan(total * 0.4);
    expect(decided).toBeGreaterThan(eligible);
  });

  it('defers array values to mingo (array contains)', () => {
    const d = freezeClone({ _id: 1, t: ['p', 'q'], n: { a: [1] } }) as Doc;
    expect(fastMatcher({ t: 'p' })!(d)).toBe(UNDECIDED);
    expect(filterTester({ t: 'p' })(d)).toBe(true);
    expect(filterTester({ t: { $in: ['q'] } })(d)).toBe(true);
    expect(filterTester({ 'n.a': 1 })(d)).toBe(true);
    expect(filterTester({ 'n.a': { $gt: 0 } })(d)).toBe(true);
    expect(filterTester({ t: 'x', _id: 2 })(d)).toBe(false);
  });
});

// ---- projections --------------------------------------------------------------------------------

/** What the engine returned for every projection before its own picker: mingo's, `_id` first. */
function mingoProjection(doc: Doc, projection: Doc): Doc {
  const out = new Query({}).find<Doc>([thawClone(doc)], projection).next() as Doc;
  if ('_id' in out && Object.keys(out)[0] !== '_id') {
    const r: Doc = { _id: out._id };
    for (const [k, v] of Object.entries(out)) if (k !== '_id') r[k] = v;
    return r;
  }
  return out;
}

const projectionArb = fc.oneof(
  // whole top-level fields, all in or all out (the picker's), `_id` either way
  fc.tuple(fc.boolean(), fc.subarray([...FIELDS], { minLength: 1 }), fc.constantFrom(undefined, 0, 1, true, false), fc.constantFrom(1, true), fc.constantFrom(0, false)).map(([on, fields, id, yes, no]) => {
    const p: Doc = {};
    for (const f of fields) p[f] = on ? yes : no;
    if (id !== undefined) p._id = id;
    return p;
  }),
  fc.constantFrom<Doc>({ _id: 1 }, { _id: 0 }, { _id: true }),
  // what mingo keeps: dotted paths, other values, operators
  fc.constantFrom<Doc>({ 'a.b': 1 }, { a: 2 }, { a: { $slice: 1 } }, { 'a.b': 0, c: 0 }),
);

describe('projection picker', () => {
  it('returns what mingo returns (fields in the document`s order), copies of the stored values', () => {
    let picked = 0;
    fc.assert(
      fc.property(docArb, projectionArb, (doc, projection) => {
        const fast = simpleProjection(projection);
        const project = makeProjector({}, projection);
        let expected: Doc;
        try {
          expected = mingoProjection(doc, projection);
        } catch {
          // (a projection mingo refuses, `{ c: 0, _id: 1 }`: refused still, and not picked)
          expect(fast).toBeNull();
          expect(() => project(doc)).toThrow(/projection/);
          return;
        }
        const out = project(doc);
        expect(out).toEqual(expected);
        // the fields in the document's order, `_id` first, as the server returns them (mingo
        // orders an inclusion's fields its own way)
        if (fast) expect(Object.keys(out)).toEqual(Object.keys(doc).filter((k) => k in out).sort((x, y) => Number(y === '_id') - Number(x === '_id')));
        // the caller's copy: nothing in it is the stored (frozen) value
        for (const v of Object.values(out)) if (v !== null && typeof v === 'object') expect(Object.isFrozen(v)).toBe(false);
        if (fast) picked++;
      }),
      { numRuns: RUNS },
    );
    expect(picked).toBeGreaterThan(RUNS * 0.5);
  });

  it('leaves to mingo what it does not pick, and mixed projections are refused as before', () => {
    expect(simpleProjection({ 'a.b': 1 })).toBeNull();
    expect(simpleProjection({ a: 2 })).toBeNull();
    expect(simpleProjection({ a: 1, b: 0 })).toBeNull();
    const doc = freezeClone({ _id: 'x', a: 1, b: 2 }) as Doc;
    expect(() => makeProjector({}, { a: 1, b: 0 })(doc)).toThrow(/projection/);
  });
});

// ---- index comparators ---------------------------------------------------------------------------

describe('generated index comparators', () => {
  it('order entries as compareValues does, field by field, then by _id', () => {
    const keyVal = fc.oneof(scalar, fc.constant(undefined), fc.dictionary(fc.constantFrom('a', 'b'), scalar, { maxKeys: 2 }));
    const entry = fc.record({ a: keyVal, b: fc.option(fc.record({ c: keyVal }), { nil: undefined }), id: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', 'y')), rec: fc.boolean() });
    const specs: [string, [string, 1 | -1][]][] = [
      ['_id_', [['_id', 1]]],
      ['a_1', [['a', 1]]],
      ['a_-1_b.c_1', [['a', -1], ['b.c', 1]]],
    ];
    const ixs = specs.map(([name, key]) => new Index({ name, key, unique: false }));
    const read = (d: Doc, f: string): unknown => f.split('.').reduce<unknown>((c, s) => (c !== null && typeof c === 'object' ? (c as Doc)[s] : undefined), d);
    const make = (e: { a: unknown; b: unknown; id: unknown; rec: boolean }, ix: Index) => {
      const doc = freezeClone({ _id: e.id, ...(e.a === undefined ? {} : { a: e.a }), ...(e.b === undefined ? {} : { b: e.b }) }) as Doc;
      if (e.rec) {
        const r = new Rec(doc._id);
        r.doc = doc;
        return { entry: r, vals: ix.fields.map((f) => (f === '_id' ? doc._id : read(doc, f))), id: doc._id };
      }
      const vals = ix.fields.map((f) => (f === '_id' ? doc._id : read(doc, f)));
      return { entry: new KeyEntry(vals, null, doc._id), vals, id: doc._id };
    };
    fc.assert(
      fc.property(entry, entry, fc.constantFrom(MIN_KEY, MAX_KEY, null), (x, y, probe) => {
        for (const ix of ixs) {
          const ex = make(x, ix);
          const ey = probe && !ix.isId ? { entry: new KeyEntry(make(y, ix).vals, null, probe), vals: make(y, ix).vals, id: probe } : make(y, ix);
          let want = 0;
          for (let i = 0; i < ix.fields.length && want === 0; i++) {
            const c = compareValues(ex.vals[i], ey.vals[i]);
            want = ix.dirs[i] === 1 ? c : -c;
          }
          if (want === 0 && !ix.isId) want = compareValues(ex.id, ey.id);
          expect(Math.sign(ix.compare(ex.entry, ey.entry))).toBe(want);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
