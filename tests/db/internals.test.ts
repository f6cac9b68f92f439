/**
 * Unit tests of engine internals that the contract suite cannot reach directly: the value order
 * (a total order consistent with the canonical key strings) and the B+tree of the indexes
 * (against a sorted array, with its own invariant checker).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ObjectId } from 'mongodb';
import { KeyTree, type KeyCodec } from '../../server/src/db/embedded/key-tree';
import { canonicalKey, compareValues } from '../../server/src/db/embedded/values';

const leaf = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -5, max: 5, noNaN: true }),
  fc.constant(Number.NaN),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
  fc.integer({ min: 0, max: 4 }).map((t) => new Date(t * 1000)),
  fc.integer({ min: 0, max: 3 }).map((i) => new ObjectId(i.toString(16).padStart(24, '0'))),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 })),
})).v;

describe('value order', () => {
  it('is a total order consistent with canonicalKey', () => {
    fc.assert(
      fc.property(value, value, value, (a, b, c) => {
        const ab = compareValues(a, b);
        expect(compareValues(b, a)).toBe(ab === 0 ? 0 : -ab);
        expect(canonicalKey(a) === canonicalKey(b)).toBe(ab === 0);
        if (ab <= 0 && compareValues(b, c) <= 0) expect(compareValues(a, c)).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('follows MongoDB type order and compares numbers across int/double', () => {
    const ordered = [null, -1, 0.5, 2, 'a', 'b', { a: 1 }, [1], new ObjectId('000000000000000000000001'), false, true, new Date(0)];
    for (let i = 0; i + 1 < ordered.length; i++) expect(compareValues(ordered[i], ordered[i + 1])).toBe(-1);
    expect(compareValues(1, 1.0)).toBe(0);
    expect(compareValues(undefined, null)).toBe(0);
  });
});

/** An entry whose key can be changed after it leaves the tree, as a record's document is. */
interface Ent {
  k: number;
}
const cmp = (x: number, y: number) => (x < y ? -1 : x > y ? 1 : 0);
/** Separators are copies of the keys: one value each. */
const codec: KeyCodec<Ent> = {
  width: 1,
  compare: (a, b) => cmp(a.k, b.k),
  compareSep: (e, keys, at) => cmp(e.k, keys[at] as number),
  writeSep: (e, keys, at) => {
    keys[at] = e.k;
  },
};
/** A tree with small nodes, so that few entries split and merge them. */
const smallTree = () => new KeyTree<Ent>(codec, 8);

describe('KeyTree (the B+tree of every index)', () => {
  it('bulk loads valid trees of every size, which then accept inserts and deletes', () => {
    for (const n of [0, 1, 2, 3, 5, 6, 7, 47, 48, 49, 64, 65, 100, 1000, 5000, 20000]) {
      for (const max of [8, 64]) {
        const keys = Array.from({ length: n }, (_, i) => ({ k: i * 2 }));
        const t = new KeyTree<Ent>(codec, max);
        t.load(keys);
        t.checkValid();
        expect(t.size).toBe(n);
        expect([...t.entries()].map((e) => e.k)).toEqual(keys.map((e) => e.k));
        for (let i = 0; i < n; i += 3) expect(t.delete({ k: i * 2 })).toBe(true);
        for (let i = 0; i < 2 * n; i += 5) expect(t.set({ k: i * 2 + 1 })).toBe(true);
        t.checkValid();
      }
    }
  });

  it('agrees with a sorted array over random inserts, deletes, lookups and walks, whatever becomes of removed entries', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), k: fc.integer({ min: 0, max: 300 }) }),
      fc.record({ kind: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 300 }) }),
      fc.record({ kind: fc.constant('deleteRun' as const), k: fc.integer({ min: 0, max: 300 }), n: fc.integer({ min: 1, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }), (ops, initial) => {
        const t = smallTree();
        const model = [...new Set(initial)].sort((a, b) => a - b);
        t.load(model.map((k) => ({ k })));
        for (const o of ops) {
          if (o.kind === 'set') {
            const grew = t.set({ k: o.k });
            expect(grew).toBe(!model.includes(o.k));
            if (grew) model.splice(model.findIndex((x) => x > o.k) === -1 ? model.length : model.findIndex((x) => x > o.k), 0, o.k);
          } else {
            const ks = o.kind === 'delete' ? [o.k] : model.filter((x) => x >= o.k).slice(0, o.n);
            for (const k of ks) {
              // the entry in the tree, found by a walk: after its removal its key is scrambled,
              // as a record's document changes once it has left an index
              const inTree = [...t.entries({ k })][0];
              const had = model.includes(k);
              expect(t.delete({ k })).toBe(had);
              if (had) {
                model.splice(model.indexOf(k), 1);
                inTree!.k = -1_000_000;
              }
            }
          }
        }
        t.checkValid();
        expect(t.size).toBe(model.length);
        expect([...t.entries()].map((e) => e.k)).toEqual(model);
        expect([...t.entriesReversed()].map((e) => e.k)).toEqual([...model].reverse());
        for (let probe = -1; probe <= 302; probe += 7) {
          const up = model.filter((x) => x >= probe);
          expect(t.ceiling({ k: probe })?.k).toBe(up[0]);
          expect([...t.entries({ k: probe })].map((e) => e.k)).toEqual(up);
          expect([...t.entriesReversed({ k: probe })].map((e) => e.k)).toEqual(model.filter((x) => x <= probe).reverse());
        }
      }),
      { numRuns: 600 },
    );
  });

  it('replaces an equal entry instead of adding it, and refuses a walk across a change', () => {
    const t = smallTree();
    for (let k = 0; k < 50; k++) t.set({ k });
    const twin = { k: 7 };
    expect(t.set(twin)).toBe(false);
    expect(t.size).toBe(50);
    expect(t.ceiling({ k: 7 })).toBe(twin);
    const walk = t.entries();
    walk.next();
    t.set({ k: 100 });
    expect(() => walk.next()).toThrow(/changed during a walk/);
  });

  it('shrinks back to one leaf when emptied, and stays shallow', () => {
    const t = smallTree();
    for (let k = 0; k < 5000; k++) t.set({ k: (k * 7919) % 5000 });
    t.checkValid();
    for (let k = 0; k < 5000; k++) expect(t.delete({ k: (k * 104729) % 5000 })).toBe(true);
    t.checkValid();
    expect(t.size).toBe(0);
    expect([...t.entries()]).toEqual([]);
    expect(t.ceiling({ k: 0 })).toBeUndefined();
  });
});
