/**
 * Contract suite, CRUD part: only the public driver API. Runs on the embedded engine, and on a
 * real replica set when MONGODB_URI is set (same code).
 */
import { describe, expect, it } from 'vitest';
import { MongoBulkWriteError, MongoServerError, ObjectId } from 'mongodb';
import { isDuplicateKeyError, isTransientTransactionError } from '../../server/src/db';
import { serverMajor, useClient } from './helpers/factory';

const { client, db } = useClient('crud');

describe('insert', () => {
  it('insertOne returns the id, adds a generated ObjectId to the caller document, stores a copy', async () => {
    const c = db().collection<any>('c');
    const doc: Record<string, unknown> = { a: 1, nested: { b: [1, 2] } };
    const r = await c.insertOne(doc);
    expect(r.acknowledged).toBe(true);
    expect(r.insertedId).toBeInstanceOf(ObjectId);
    expect(doc._id).toEqual(r.insertedId);
    // mutating the caller's object afterwards does not change the stored document
    (doc.nested as { b: number[] }).b.push(3);
    doc.a = 2;
    const got = await c.findOne({ _id: r.insertedId });
    expect(got).toEqual({ _id: r.insertedId, a: 1, nested: { b: [1, 2] } });
    // mutating a returned document does not change the store either
    (got!.nested as { b: number[] }).b.push(99);
    expect(await c.findOne({ _id: r.insertedId })).toEqual({ _id: r.insertedId, a: 1, nested: { b: [1, 2] } });
  });

  it('keeps value types: string, int, double, boolean, null, Date, arrays, nested, ObjectId; _id first', async () => {
    const c = db().collection<any>('c');
    const oid = new ObjectId();
    const at = new Date('2024-05-06T07:08:09.010Z');
    const v = { s: 'x', i: 42, d: 1.5, neg: -3, t: true, f: false, n: null, at, arr: [1, 'a', { z: 1 }], o: { p: { q: 'deep' } }, ref: oid };
    await c.insertOne({ ...v, _id: 'k1' });
    const got = await c.findOne({ _id: 'k1' });
    expect(got).toEqual({ _id: 'k1', ...v });
    expect(Object.keys(got!)[0]).toBe('_id');
    expect(got!.at).toBeInstanceOf(Date);
    expect(got!.ref).toBeInstanceOf(ObjectId);
    expect((got!.ref as ObjectId).equals(oid)).toBe(true);
  });

  it('duplicate _id fails with code 11000 and the driver error shape', async () => {
    const c = db().collection<any>('c');
    await c.insertOne({ _id: 'x' as never, v: 1 });
    const e = await c.insertOne({ _id: 'x' as never, v: 2 }).catch((x) => x);
    expect(e).toBeInstanceOf(MongoServerError);
    expect(e.code).toBe(11000);
    expect(e.keyPattern).toEqual({ _id: 1 });
    expect(e.keyValue).toEqual({ _id: 'x' });
    expect(e.message).toMatch(/E11000 duplicate key error collection: .*\.c index: _id_ dup key/);
    expect(isDuplicateKeyError(e)).toBe(true);
    expect(isTransientTransactionError(e)).toBe(false);
    expect(e.hasErrorLabel('TransientTransactionError')).toBe(false);
    expect((await c.findOne({ _id: 'x' as never }))!.v).toBe(1);
  });

  it('insertMany: ids, ordered stops at the first error, unordered continues', async () => {
    const c = db().collection<any>('c');
    const docs: Record<string, unknown>[] = [{ a: 1 }, { a: 2 }];
    const r = await c.insertMany(docs);
    expect(r.insertedCount).toBe(2);
    expect(r.insertedIds[0]).toEqual(docs[0]!._id);
    expect(r.insertedIds[1]).toEqual(docs[1]!._id);

    const e = await c.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }] as never[]).catch((x) => x);
    expect(e).toBeInstanceOf(MongoBulkWriteError);
    expect(e.code).toBe(11000);
    expect(isDuplicateKeyError(e)).toBe(true);
    expect(e.insertedCount).toBe(1);
    expect(e.writeErrors[0].index).toBe(1);
    expect(await c.countDocuments({ _id: { $in: [1, 2] } } as never)).toBe(1);

    const e2 = await c.insertMany([{ _id: 3 }, { _id: 1 }, { _id: 4 }] as never[], { ordered: false }).catch((x) => x);
    expect(e2.code).toBe(11000);
    expect(e2.insertedCount).toBe(2);
    expect(await c.countDocuments({ _id: { $in: [3, 4] } } as never)).toBe(2);
  });
});

describe('find and cursors', () => {
  async function seed() {
    const c = db().collection<{ _id: number; g: string; n: number; tags?: string[]; sub?: { x: number } }>('f');
    await c.insertMany([
      { _id: 1, g: 'a', n: 5, tags: ['x'], sub: { x: 1 } },
      { _id: 2, g: 'b', n: 3 },
      { _id: 3, g: 'a', n: 9, tags: ['y', 'x'] },
      { _id: 4, g: 'c', n: 1, sub: { x: 2 } },
      { _id: 5, g: 'a', n: 7 },
    ]);
    return c;
  }

  it('filters with query operators ($gt, $in, $or, $exists, $regex, $elemMatch, dotted paths, $ne)', async () => {
    const c = await seed();
    const ids = async (f: object) => (await c.find(f).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ n: { $gt: 4 } })).toEqual([1, 3, 5]);
    expect(await ids({ g: { $in: ['b', 'c'] } })).toEqual([2, 4]);
    expect(await ids({ $or: [{ g: 'b' }, { n: { $lt: 2 } }] })).toEqual([2, 4]);
    expect(await ids({ tags: { $exists: true } })).toEqual([1, 3]);
    expect(await ids({ g: { $regex: '^[bc]$' } })).toEqual([2, 4]);
    expect(await ids({ tags: 'x' })).toEqual([1, 3]);
    expect(await ids({ 'sub.x': 2 })).toEqual([4]);
    expect(await ids({ g: { $ne: 'a' } })).toEqual([2, 4]);
    expect(await ids({ n: { $gte: 3, $lte: 7 }, g: 'a' })).toEqual([1, 5]);
  });

  it('sort, skip, limit, projection via options and chained cursor methods', async () => {
    const c = await seed();
    expect((await c.find({}, { sort: { n: -1 }, skip: 1, limit: 2 }).toArray()).map((d) => d._id)).toEqual([5, 1]);
    expect((await c.find({ g: 'a' }).sort({ n: 1 }).skip(1).limit(1).toArray()).map((d) => d._id)).toEqual([5]);
    expect(await c.find({ _id: 1 }).project({ g: 1 }).toArray()).toEqual([{ _id: 1, g: 'a' }]);
    expect(await c.find({ _id: 1 }, { projection: { g: 1, _id: 0 } }).toArray()).toEqual([{ g: 'a' }]);
    expect(await c.find({ _id: 1 }, { projection: { tags: 0, sub: 0 } }).toArray()).toEqual([{ _id: 1, g: 'a', n: 5 }]);
    expect(await c.find({ _id: 1 }, { projection: { 'sub.x': 1 } }).toArray()).toEqual([{ _id: 1, sub: { x: 1 } }]);
    // compound sort
    expect((await c.find({}).sort({ g: 1, n: -1 }).toArray()).map((d) => d._id)).toEqual([3, 5, 1, 2, 4]);
    // missing fields sort first ascending
    expect((await c.find({}).sort({ sub: 1, _id: 1 }).toArray()).map((d) => d._id)).toEqual([2, 3, 5, 1, 4]);
  });

  it('findOne with sort, projection; null when nothing matches', async () => {
    const c = await seed();
    expect(await c.findOne({ g: 'a' }, { sort: { n: -1 }, projection: { n: 1 } })).toEqual({ _id: 3, n: 9 });
    expect(await c.findOne({ g: 'zzz' })).toBeNull();
  });

  it('next(), hasNext(), for await, map(), toArray on an exhausted cursor', async () => {
    const c = await seed();
    const cur = c.find({ g: 'a' }).sort({ _id: 1 });
    expect(await cur.hasNext()).toBe(true);
    expect((await cur.next())!._id).toBe(1);
    expect((await cur.toArray()).map((d) => d._id)).toEqual([3, 5]);
    expect(await cur.next()).toBeNull();
    const seen: number[] = [];
    for await (const d of c.find({}).sort({ _id: -1 })) seen.push(d._id);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    expect(await c.find({ g: 'b' }).map((d) => d.n * 10).toArray()).toEqual([30]);
  });

  it('countDocuments with skip/limit, estimatedDocumentCount', async () => {
    const c = await seed();
    expect(await c.countDocuments()).toBe(5);
    expect(await c.countDocuments({ g: 'a' })).toBe(3);
    expect(await c.countDocuments({ g: 'a' }, { skip: 1 })).toBe(2);
    expect(await c.countDocuments({ g: 'a' }, { limit: 2 })).toBe(2);
    expect(await c.countDocuments({ g: 'a' }, { skip: 2, limit: 5 })).toBe(1);
    expect(await c.estimatedDocumentCount()).toBe(5);
    expect(await db().collection<any>('nothing').countDocuments({})).toBe(0);
    expect(await db().collection<any>('nothing').findOne({})).toBeNull();
  });

  it('aggregate: $match/$sort/$limit through the planner, then $group, $project, $lookup', async () => {
    const c = await seed();
    await c.createIndex({ g: 1, n: 1 });
    const r = await c
      .aggregate([{ $match: { g: 'a' } }, { $sort: { n: -1 } }, { $limit: 2 }, { $project: { _id: 0, n: 1 } }])
      .toArray();
    expect(r).toEqual([{ n: 9 }, { n: 7 }]);
    const g = await c.aggregate([{ $group: { _id: '$g', total: { $sum: '$n' } } }, { $sort: { _id: 1 } }]).toArray();
    expect(g).toEqual([
      { _id: 'a', total: 21 },
      { _id: 'b', total: 3 },
      { _id: 'c', total: 1 },
    ]);
    await db().collection<any>('names').insertMany([{ _id: 'a', label: 'Alpha' }] as never[]);
    const l = await c
      .aggregate([{ $match: { _id: 1 } }, { $lookup: { from: 'names', localField: 'g', foreignField: '_id', as: 'name' } }, { $project: { name: 1 } }])
      .toArray();
    expect(l).toEqual([{ _id: 1, name: [{ _id: 'a', label: 'Alpha' }] }]);
  });
});

describe('updates', () => {
  it('updateOne with $set $inc $unset $push $pull $addToSet $min $max $mul $rename; result counts', async () => {
    const c = db().collection<any>('u');
    await c.insertOne({ _id: 1, a: 1, b: 'x', arr: [1, 2, 3], set: ['p'], lo: 5, hi: 5 } as never);
    const r = await c.updateOne({ _id: 1 } as never, {
      $set: { 'nested.deep': true, b: 'y' },
      $inc: { a: 2 },
      $push: { arr: 4 } as never,
      $addToSet: { set: 'p' },
      $min: { lo: 3 },
      $max: { hi: 9 },
    });
    expect(r).toEqual({ acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
    await c.updateOne({ _id: 1 } as never, { $pull: { arr: 2 } as never, $unset: { b: '' }, $mul: { a: 10 }, $rename: { hi: 'high' } });
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 30, arr: [1, 3, 4], set: ['p'], lo: 3, high: 9, nested: { deep: true } });
  });

  it('no-op update: matched 1, modified 0; no match: 0/0', async () => {
    const c = db().collection<any>('u');
    await c.insertOne({ _id: 1, a: 1 } as never);
    expect(await c.updateOne({ _id: 1 } as never, { $set: { a: 1 } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect(await c.updateOne({ _id: 2 } as never, { $set: { a: 1 } })).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedId: null });
  });

  it('updateMany updates every match', async () => {
    const c = db().collection<any>('u');
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]);
    expect(await c.updateMany({ k: 1 }, { $inc: { v: 1 } })).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(await c.countDocuments({ v: 1 })).toBe(2);
  });

  it('updateOne/replaceOne/bulkWrite with sort: a server error before MongoDB 8.0 (the embedded engine is 7.0); findOneAndUpdate sorts', async () => {
    const c = db().collection<any>('u');
    await c.insertMany([{ _id: 1, q: 'a', seq: 2 }, { _id: 2, q: 'a', seq: 1 }] as never[]);
    const sortable = (await serverMajor(client())) >= 8;
    const calls = [
      () => c.updateOne({ q: 'a' }, { $set: { picked: true } }, { sort: { seq: 1 } }),
      () => c.replaceOne({ q: 'a' }, { q: 'a', seq: 1, picked: true }, { sort: { seq: 1 } }),
      () => c.bulkWrite([{ updateOne: { filter: { q: 'a' }, update: { $set: { picked: true } }, sort: { seq: 1 } } }]),
    ];
    for (const call of calls) {
      if (sortable) {
        await call();
        continue;
      }
      const e = await call().catch((x) => x);
      expect(e).toBeInstanceOf(MongoServerError);
      // (bulkWrite: the server rejects the whole command, the embedded engine the statement)
      expect(`${e.message} ${JSON.stringify(e.writeErrors ?? [])}`).toMatch(/sort/);
      expect(await c.countDocuments({ picked: true })).toBe(0);
    }
    if (!sortable) {
      await c.findOneAndUpdate({ q: 'a' }, { $set: { picked: true } }, { sort: { seq: 1 } });
      expect((await c.find({ picked: true }).toArray()).map((d) => d._id)).toEqual([2]);
    }
  });

  it('conflicting update paths are refused with code 40 (ConflictingUpdateOperators), matched or not, upsert or not', async () => {
    const c = db().collection<any>('u');
    const doc = { _id: 1, b: 0, c: { d: 0 }, x: { y: 0 } };
    await c.insertOne(doc as never);
    const conflicting: Record<string, unknown>[] = [
      { $set: { b: 1 }, $inc: { b: 2 } },
      { $set: { c: { d: 1 }, 'c.d': 2 } },
      { $set: { 'c.d': 1 }, $unset: { c: '' } },
      { $inc: { 'x.y': 1 }, $set: { 'x.y.z': 1 } },
      { $set: { a: 1 }, $setOnInsert: { a: 2 } },
      { $set: { 'c.d': 1 }, $setOnInsert: { c: {} } },
      { $rename: { b: 'e' }, $set: { e: 1 } },
    ];
    const code40 = (e: any) => {
      expect(e, JSON.stringify(e)).toBeInstanceOf(MongoServerError);
      expect(e.code).toBe(40);
      expect(e.codeName).toBe('ConflictingUpdateOperators');
    };
    for (const u of conflicting) {
      for (const filter of [{ _id: 1 }, { _id: 99 }]) {
        for (const upsert of [false, true]) code40(await c.updateOne(filter as never, u, { upsert }).catch((x) => x));
        code40(await c.updateMany(filter as never, u).catch((x) => x));
        code40(await c.findOneAndUpdate(filter as never, u, { upsert: true }).catch((x) => x));
      }
      const bulk = await c.bulkWrite([{ updateOne: { filter: { _id: 1 } as never, update: u } }]).catch((x) => x);
      expect(bulk).toBeInstanceOf(MongoBulkWriteError);
      expect(bulk.writeErrors[0].code).toBe(40);
    }
    expect(await c.find({}).toArray()).toEqual([doc]);
    // sibling paths and names that merely share a prefix of characters do not conflict
    await c.updateOne({ _id: 1 } as never, { $set: { 'c.d': 5, 'c.e': 6, bb: 1 }, $inc: { b: 1 }, $setOnInsert: { z: 1 } });
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, b: 1, c: { d: 5, e: 6 }, x: { y: 0 }, bb: 1 });
  });

  it('positional $ and arrayFilters', async () => {
    const c = db().collection<any>('u');
    await c.insertOne({ _id: 1, items: [{ id: 'a', n: 1 }, { id: 'b', n: 1 }] } as never);
    await c.updateOne({ _id: 1, 'items.id': 'b' } as never, { $inc: { 'items.$.n': 5 } });
    await c.updateOne({ _id: 1 } as never, { $set: { 'items.$[e].flag': true } }, { arrayFilters: [{ 'e.id': 'a' }] });
    expect((await c.findOne({ _id: 1 } as never))!.items).toEqual([
      { id: 'a', n: 1, flag: true },
      { id: 'b', n: 6 },
    ]);
  });

  it('upsert seeds equality fields of the filter and applies $setOnInsert only on insert', async () => {
    const c = db().collection<any>('u');
    const r = await c.updateOne(
      { key: 'k1', 'meta.kind': 'x', n: { $gt: 5 } },
      { $set: { v: 1 }, $setOnInsert: { created: 'yes' }, $inc: { hits: 1 } },
      { upsert: true },
    );
    expect(r.upsertedCount).toBe(1);
    expect(r.upsertedId).toBeInstanceOf(ObjectId);
    expect(await c.findOne({ _id: r.upsertedId! })).toEqual({ _id: r.upsertedId, key: 'k1', meta: { kind: 'x' }, v: 1, created: 'yes', hits: 1 });
    const r2 = await c.updateOne({ key: 'k1' }, { $set: { v: 2 }, $setOnInsert: { created: 'again' }, $inc: { hits: 1 } }, { upsert: true });
    expect(r2).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
    expect(await c.findOne({ key: 'k1' })).toMatchObject({ v: 2, created: 'yes', hits: 2 });
    // _id from the filter
    const r3 = await c.updateOne({ _id: 'fixed' } as never, { $set: { a: 1 } }, { upsert: true });
    expect(r3.upsertedId).toBe('fixed');
  });

  it('_id is immutable', async () => {
    const c = db().collection<any>('u');
    await c.insertOne({ _id: 1, a: 1 } as never);
    const e = await c.updateOne({ _id: 1 } as never, { $set: { _id: 2 } } as never).catch((x) => x);
    expect(e).toBeInstanceOf(MongoServerError);
    expect(e.code).toBe(66);
    // setting it to the same value is allowed
    await c.updateOne({ _id: 1 } as never, { $set: { _id: 1, a: 2 } } as never);
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 2 });
  });

  it('replacement-style updates are rejected by updateOne; replaceOne replaces and keeps _id', async () => {
    const c = db().collection<any>('u');
    await c.insertOne({ _id: 1, a: 1, b: 2 } as never);
    await expect(c.updateOne({ _id: 1 } as never, { a: 5 } as never)).rejects.toThrow(/atomic operators/);
    const r = await c.replaceOne({ _id: 1 } as never, { c: 3 });
    expect(r).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, c: 3 });
    const r2 = await c.replaceOne({ name: 'new' }, { name: 'new', v: 1 }, { upsert: true });
    expect(r2.upsertedCount).toBe(1);
    expect(await c.findOne({ name: 'new' })).toMatchObject({ name: 'new', v: 1 });
  });

  it('findOneAndUpdate returns the document (before/after), upserts, sorts, projects', async () => {
    const c = db().collection<any>('u');
    await c.insertMany([{ _id: 1, q: 'a', seq: 1, n: 0 }, { _id: 2, q: 'a', seq: 2, n: 0 }] as never[]);
    const before = await c.findOneAndUpdate({ q: 'a' }, { $inc: { n: 1 } }, { sort: { seq: -1 } });
    expect(before).toEqual({ _id: 2, q: 'a', seq: 2, n: 0 });
    const after = await c.findOneAndUpdate({ q: 'a' }, { $inc: { n: 1 } }, { sort: { seq: -1 }, returnDocument: 'after', projection: { n: 1 } });
    expect(after).toEqual({ _id: 2, n: 2 });
    expect(await c.findOneAndUpdate({ q: 'zz' }, { $set: { n: 1 } })).toBeNull();
    const up = await c.findOneAndUpdate({ q: 'new' }, { $set: { n: 7 } }, { upsert: true, returnDocument: 'after' });
    expect(up).toMatchObject({ q: 'new', n: 7 });
    expect(await c.findOneAndUpdate({ q: 'newer' }, { $set: { n: 7 } }, { upsert: true })).toBeNull();
    const rep = await c.findOneAndReplace({ _id: 1 } as never, { z: 1 }, { returnDocument: 'after' });
    expect(rep).toEqual({ _id: 1, z: 1 });
  });
});

describe('deletes', () => {
  it('deleteOne, deleteMany, findOneAndDelete', async () => {
    const c = db().collection<any>('d');
    await c.insertMany([{ _id: 1, k: 'a', s: 3 }, { _id: 2, k: 'a', s: 1 }, { _id: 3, k: 'b', s: 2 }] as never[]);
    expect(await c.deleteOne({ k: 'zz' })).toEqual({ acknowledged: true, deletedCount: 0 });
    expect(await c.findOneAndDelete({ k: 'a' }, { sort: { s: 1 } })).toEqual({ _id: 2, k: 'a', s: 1 });
    expect(await c.deleteOne({ k: 'a' })).toEqual({ acknowledged: true, deletedCount: 1 });
    await c.insertMany([{ k: 'c' }, { k: 'c' }]);
    expect(await c.deleteMany({ k: 'c' })).toEqual({ acknowledged: true, deletedCount: 2 });
    expect(await c.countDocuments()).toBe(1);
    expect(await c.findOneAndDelete({ k: 'zz' })).toBeNull();
  });
});

describe('bulkWrite', () => {
  it('runs mixed operations and reports counts', async () => {
    const c = db().collection<any>('b');
    const r = await c.bulkWrite([
      { insertOne: { document: { _id: 1, v: 1 } } },
      { insertOne: { document: { _id: 2, v: 1 } } },
      { updateOne: { filter: { _id: 1 }, update: { $inc: { v: 1 } } } },
      { updateMany: { filter: {}, update: { $set: { t: true } } } },
      { updateOne: { filter: { _id: 3 }, update: { $set: { v: 9 } }, upsert: true } },
      { replaceOne: { filter: { _id: 2 }, replacement: { v: 5 } } },
      { deleteOne: { filter: { _id: 3 } } },
    ] as never[]);
    expect(r.insertedCount).toBe(2);
    expect(r.matchedCount).toBe(4);
    expect(r.modifiedCount).toBe(4);
    expect(r.upsertedCount).toBe(1);
    expect(r.deletedCount).toBe(1);
    expect(await c.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 2, t: true },
      { _id: 2, v: 5 },
    ]);
  });
});

describe('indexes', () => {
  it('createIndex (compound, asc/desc, unique, name) is idempotent; indexes() lists them', async () => {
    const c = db().collection<any>('i');
    expect(await c.createIndex({ a: 1, b: -1 })).toBe('a_1_b_-1');
    expect(await c.createIndex({ a: 1, b: -1 })).toBe('a_1_b_-1');
    expect(await c.createIndex({ k: 1 }, { unique: true, name: 'uk' })).toBe('uk');
    expect(await c.createIndex({ k: 1 }, { unique: true, name: 'uk' })).toBe('uk');
    const ix = await c.indexes();
    expect(ix.map((i) => i.name)).toEqual(['_id_', 'a_1_b_-1', 'uk']);
    expect(ix.find((i) => i.name === 'uk')).toMatchObject({ key: { k: 1 }, unique: true });
    expect(ix.find((i) => i.name === 'a_1_b_-1')!.key).toEqual({ a: 1, b: -1 });
  });

  it('unique index rejects duplicates with keyPattern/keyValue; null/missing count as a value', async () => {
    const c = db().collection<any>('i');
    await c.createIndex({ k: 1, j: 1 }, { unique: true });
    await c.insertOne({ k: 1, j: 'x' });
    const e = await c.insertOne({ k: 1, j: 'x' }).catch((x) => x);
    expect(e.code).toBe(11000);
    expect(e.keyPattern).toEqual({ k: 1, j: 1 });
    expect(e.keyValue).toEqual({ k: 1, j: 'x' });
    expect(e.message).toMatch(/index: k_1_j_1 dup key/);
    await c.insertOne({ k: 1, j: 'y' });
    await c.insertOne({ other: 1 });
    const e2 = await c.insertOne({ other: 2 }).catch((x) => x);
    expect(e2.code).toBe(11000);
    // an update that would create a duplicate fails too, and changes nothing
    const e3 = await c.updateOne({ j: 'y' }, { $set: { j: 'x' } }).catch((x) => x);
    expect(e3.code).toBe(11000);
    expect(await c.countDocuments({ j: 'y' })).toBe(1);
  });

  it('creating a unique index over duplicate data fails with 11000 and leaves no index', async () => {
    const c = db().collection<any>('i');
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    const e = await c.createIndex({ k: 1 }, { unique: true }).catch((x) => x);
    expect(e).toBeInstanceOf(MongoServerError);
    expect(e.code).toBe(11000);
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('partial unique index only constrains matching documents', async () => {
    const c = db().collection<any>('i');
    await c.createIndex({ k: 1 }, { unique: true, partialFilterExpression: { live: true } });
    await c.insertMany([{ k: 1, live: false }, { k: 1, live: false }, { k: 1, live: true }]);
    const e = await c.insertOne({ k: 1, live: true }).catch((x) => x);
    expect(e.code).toBe(11000);
    expect(await c.countDocuments({ k: 1, live: true })).toBe(1);
    expect((await c.indexes()).find((i) => i.name === 'k_1')!.partialFilterExpression).toEqual({ live: true });
  });

  it('same name with a different key conflicts', async () => {
    const c = db().collection<any>('i');
    await c.createIndex({ a: 1 }, { name: 'x' });
    await expect(c.createIndex({ b: 1 }, { name: 'x' })).rejects.toBeInstanceOf(MongoServerError);
  });

  it('queries through indexes return the same as without (desc index, ranges, sort)', async () => {
    const c = db().collection<{ q: string; s: number; d: Date }>('i');
    const docs = Array.from({ length: 60 }, (_, i) => ({ q: `q${i % 3}`, s: (i * 7) % 20, d: new Date(1_700_000_000_000 + i * 1000) }));
    await c.insertMany(docs);
    const expected = async (f: object, sort: Record<string, 1 | -1>) => (await c.find(f).sort(sort).toArray()).map((x) => x._id.toHexString());
    const before1 = await expected({ q: 'q1', s: { $gte: 5, $lt: 15 } }, { s: -1, _id: 1 });
    const before2 = await expected({ d: { $gt: new Date(1_700_000_020_000) } }, { d: -1 });
    await c.createIndex({ q: 1, s: -1 });
    await c.createIndex({ d: 1 });
    expect(await expected({ q: 'q1', s: { $gte: 5, $lt: 15 } }, { s: -1, _id: 1 })).toEqual(before1);
    expect(await expected({ d: { $gt: new Date(1_700_000_020_000) } }, { d: -1 })).toEqual(before2);
  });
});

describe('collections and databases', () => {
  it('listCollections, drop, dropDatabase, databaseName, collectionName', async () => {
    const d = db();
    expect(typeof d.databaseName).toBe('string');
    await d.collection('one').insertOne({ a: 1 });
    await d.collection('two').createIndex({ a: 1 });
    expect((await d.listCollections().toArray()).map((x) => x.name).sort()).toEqual(['one', 'two']);
    expect(d.collection('one').collectionName).toBe('one');
    expect(await d.collection('one').drop()).toBe(true);
    expect((await d.listCollections().toArray()).map((x) => x.name)).toEqual(['two']);
    expect(await d.collection('one').countDocuments()).toBe(0);
    await d.collection('one').insertOne({ a: 2 });
    expect(await d.collection('one').countDocuments()).toBe(1);
    expect(await d.dropDatabase()).toBe(true);
    expect(await d.listCollections().toArray()).toEqual([]);
  });
});
