/**
 * Unit tests of engine internals that the contract suite cannot reach directly: the value order
 * (a total order consistent with the canonical key strings) and the B+tree bulk loader (checked
 * with sorted-btree's own invariant checker).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import BTreeDefault from 'sorted-btree';
import { ObjectId } from 'mongodb';
import { bulkLoad } from '../../server/src/db/embedded/btree-bulk';
import { canonicalKey, compareValues } from '../../server/src/db/embedded/values';

const BTree: typeof BTreeDefault = (BTreeDefault as unknown as { default?: typeof BTreeDefault }).default ?? BTreeDefault;

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

describe('B+tree bulk load', () => {
  it('builds valid trees of every size, which then accept inserts and deletes', () => {
    for (const n of [0, 1, 2, 3, 47, 48, 49, 64, 65, 100, 1000, 5000, 20000]) {
      const keys = Array.from({ length: n }, (_, i) => i * 2);
      const t = new BTree<number, undefined>(undefined, (a, b) => a - b, 64);
      bulkLoad(t, keys, 64);
      t.checkValid(true);
      expect(t.size).toBe(n);
      expect([...t.keys()]).toEqual(keys);
      for (let i = 0; i < n; i += 3) t.delete(i * 2);
      for (let i = 0; i < 2 * n; i += 5) t.set(i * 2 + 1, undefined);
      t.checkValid(true);
    }
  });
});
