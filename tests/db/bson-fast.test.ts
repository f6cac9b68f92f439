/**
 * The journal's BSON encoder (server/src/db/embedded/bson-fast.ts) writes exactly the bytes of
 * js-bson's `BSON.serialize` — for the plain data it encodes itself and for everything it hands
 * back to js-bson — and a journal frame of a commit is the same whether it takes the one-frame path
 * or the general one.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Binary, BSON, Decimal128, Long, ObjectId } from 'mongodb';
import { serializeBsonAfter } from '../../server/src/db/embedded/bson-fast';
import { frameCommit, Replay } from '../../server/src/db/embedded/journal';

/** the encoder alone (no header); `same` also checks it as the journal uses it (after an 8-byte frame header) */
const serializeBson = (doc: object) => serializeBsonAfter(doc, 0);

const same = (doc: object) => {
  const expected = BSON.serialize(doc);
  expect(Buffer.compare(serializeBson(doc), expected)).toBe(0);
  expect(Buffer.compare(serializeBsonAfter(doc, 8).subarray(8), expected)).toBe(0);
};

// values the product stores, and the edges of each type
const scalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }), // any code unit sequence, lone surrogates included
  fc.string({ unit: 'binary', minLength: 60, maxLength: 200 }), // past the short-string loop
  fc.integer(),
  fc.integer({ min: -(2 ** 31) - 2, max: -(2 ** 31) + 2 }),
  fc.integer({ min: 2 ** 31 - 2, max: 2 ** 31 + 2 }),
  fc.double(),
  fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -(2 ** 53), NaN, Infinity, -Infinity, 1e300, 5e-324),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15) }),
);
// what js-bson encodes by its own rules (the encoder must hand these over, not guess)
const other = fc.oneof(
  fc.constant(new ObjectId('64b7f0c2a1b2c3d4e5f60718')),
  fc.constant(new Binary(Buffer.from([1, 2, 3]))),
  fc.constant(Long.fromString('9007199254740993')),
  fc.constant(Decimal128.fromString('12.50')),
  fc.bigInt(),
  fc.constant(/ab+c/i),
  fc.constant(new Date(NaN)),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.constant(new Map([['k', 1]])),
  fc.constant(Buffer.from('xy')),
);
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 }).filter((k) => !k.includes('\u0000')), fc.constantFrom('_id', 'userId', 'at', '绿色', 'a.b', '$set'));
const doc = (leaf: fc.Arbitrary<unknown>) =>
  fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 6 }).map((d) => ({ ...d })),
  })).object as fc.Arbitrary<Record<string, unknown>>;

describe('journal BSON encoder', () => {
  it('writes the bytes of BSON.serialize for plain documents (strings, numbers, booleans, null, undefined, Dates, arrays, objects)', () => {
    fc.assert(
      fc.property(doc(scalar), (d) => {
        same(d);
      }),
      { numRuns: 2000 },
    );
  });

  it('hands anything else to js-bson: the same bytes, or the same error', () => {
    fc.assert(
      fc.property(doc(fc.oneof(scalar, other)), (d) => {
        let expected: Uint8Array | Error;
        try {
          expected = BSON.serialize(d);
        } catch (e) {
          expected = e as Error;
        }
        if (expected instanceof Error) {
          let got: unknown = null;
          try {
            serializeBson(d);
          } catch (e) {
            got = e;
          }
          expect(got, `${expected.message} for ${String(JSON.stringify(d))}`).toBeInstanceOf(Error);
          expect((got as Error).message).toBe(expected.message);
        }
        else {
          expect(Buffer.compare(serializeBson(d), expected)).toBe(0);
          expect(Buffer.compare(serializeBsonAfter(d, 8).subarray(8), expected)).toBe(0);
        }
      }),
      { numRuns: 1000 },
    );
    // the cases js-bson refuses
    expect(() => serializeBson({ ['a\u0000b']: 1 })).toThrow(/null bytes/);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => serializeBson(cyclic)).toThrow(/circular/);
    // a record past js-bson's 17 MiB buffer is js-bson's to encode (or refuse): the same outcome
    const big = { big: 'x'.repeat(17 * 1024 * 1024), more: 'y' };
    expect(() => BSON.serialize(big)).toThrow(RangeError);
    expect(() => serializeBson(big)).toThrow(RangeError);
    same({ proto: Object.assign(Object.create(null), { a: 1 }) });
  });

  it('a commit framed whole and the same commit framed in parts replay to the same record', () => {
    const put = Array.from({ length: 40 }, (_, i) => ({ _id: `p${i}`, n: i, at: new Date(1_700_000_000_000 + i) }));
    const rec = { op: 'c' as const, ts: 7, w: [{ db: 'd', coll: 'a', put, del: ['x', 'y'] }, { db: 'd', coll: 'b', put: put.slice(0, 3), del: [] }] };
    const replay = (buf: Buffer) => {
      const r = new Replay();
      const out: unknown[] = [];
      for (let at = 0; at < buf.length; ) {
        const len = buf.readUInt32LE(at);
        const done = r.feed(BSON.deserialize(buf.subarray(at + 8, at + 8 + len)));
        if (done) out.push(done);
        at += 8 + len;
      }
      return out;
    };
    const whole = replay(frameCommit(rec)); // 45 items: one frame
    const parts = replay(frameCommit(rec, 10)); // five frames ('cp' … 'c')
    expect(frameCommit(rec, 10).length).toBeGreaterThan(frameCommit(rec).length);
    // (parts group their own items: compare the writes in order)
    const items = (r: any) => r.w.flatMap((w: any) => [...w.put.map((d: unknown) => [w.coll, 'put', d]), ...w.del.map((id: unknown) => [w.coll, 'del', id])]);
    expect(whole).toHaveLength(1);
    expect(parts).toHaveLength(1);
    expect(whole[0]).toEqual(rec);
    expect(items(parts[0])).toEqual(items(rec));
  });
});
