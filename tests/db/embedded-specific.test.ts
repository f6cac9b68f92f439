/**
 * Embedded engine specifics: everything not implemented throws a clear error (methods, getters,
 * option keys), the accepted options really are accepted, the transaction lifetime limit, the
 * pruning of old versions, a closed client. Skipped with a printed reason under MONGODB_URI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collection, MongoClient } from 'mongodb';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectMongo, isEmbeddedClient, openEmbeddedClient } from '../../server/src/db';
import { engineOf } from '../../server/src/db/embedded/client';
import { REAL, skipReason } from './helpers/factory';

const d = REAL ? describe.skip : describe;
if (REAL) skipReason('the embedded engine specifics (not-implemented errors, lifetime reaper) do not apply to a server');

const NI = /^embedded mongo: .* is not implemented/;

d('not implemented: clear errors', () => {
  let client: MongoClient;
  let c: Collection<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    client = await openEmbeddedClient({});
    c = client.db('ni').collection('c');
    await c.insertOne({ _id: 1, a: 1 });
  });
  afterAll(() => client.close());

  it('methods of the driver classes that are not implemented throw when called', async () => {
    expect(() => c.distinct('a')).toThrow(/embedded mongo: Collection.distinct is not implemented/);
    expect(() => c.watch()).toThrow(/Collection.watch is not implemented/);
    expect(() => client.db('x').command({ ping: 1 })).toThrow(/Db.command is not implemented/);
    expect(() => client.watch()).toThrow(/MongoClient.watch is not implemented/);
    expect(() => c.find({}).explain()).toThrow(/FindCursor.explain is not implemented/);
    expect(() => c.aggregate([]).explain()).toThrow(/AggregationCursor.explain is not implemented/);
    const s = client.startSession();
    expect(() => s.advanceClusterTime({} as never)).toThrow(/ClientSession.advanceClusterTime is not implemented/);
    await s.endSession();
  });

  it('driver getters that are not implemented throw when read; other names are undefined', async () => {
    expect(() => c.readConcern).toThrow(/Collection.readConcern is not implemented/);
    expect(() => client.options).toThrow(/MongoClient.options is not implemented/);
    expect(() => client.readPreference).toThrow(/MongoClient.readPreference is not implemented/);
    expect((c as unknown as Record<string, unknown>).notADriverMember).toBeUndefined();
    // awaiting the client must work (no `then` member)
    expect(await Promise.resolve(client)).toBe(client);
    expect(c.collectionName).toBe('c');
    expect(c.dbName).toBe('ni');
    expect(c.namespace).toBe('ni.c');
  });

  it('unknown option keys and unsupported option values throw', async () => {
    expect(() => c.find({}, { hint: { a: 1 } })).toThrow(/Collection.find option 'hint' is not implemented/);
    await expect(c.insertOne({ a: 2 }, { bypassDocumentValidation: true })).rejects.toThrow(NI);
    await expect(c.createIndex({ a: 1 }, { expireAfterSeconds: 10 })).rejects.toThrow(/option 'expireAfterSeconds' is not implemented/);
    await expect(c.createIndex({ a: 1 }, { sparse: true })).rejects.toThrow(NI);
    await expect(c.createIndex({ a: 'text' })).rejects.toThrow(/index type "text" on 'a' is not implemented/);
    await expect(c.findOneAndUpdate({}, { $set: { a: 1 } }, { includeResultMetadata: true })).rejects.toThrow(/includeResultMetadata: true/);
    await expect(c.updateOne({}, [{ $set: { a: 1 } }])).rejects.toThrow(/update pipelines/);
    expect(() => c.find({}).sort({ score: { $meta: 'textScore' } })).toThrow(/\$meta/);
    expect(() => c.aggregate([{ $out: 'x' }])).toThrow(/aggregate stage \$out is not implemented/);
    await expect(c.countDocuments({}, { maxTimeMS: 5 })).rejects.toThrow(NI);
    expect(() => client.startSession({ snapshot: true })).toThrow(/startSession option 'snapshot' is not implemented/);
    const s = client.startSession();
    expect(() => s.startTransaction({ maxTimeMS: 5 } as never)).toThrow(NI);
    await s.endSession();
  });

  it('the options the repositories use are accepted', async () => {
    const s = client.startSession({ defaultTransactionOptions: { readConcern: { level: 'snapshot' } } });
    await s.withTransaction(
      async () => {
        const o = { session: s, readConcern: undefined };
        await c.findOne({ _id: 1 }, { ...o, sort: { a: 1 }, projection: { a: 1 }, readPreference: 'primary' });
        await c.find({}, { session: s, sort: { a: 1 }, skip: 0, limit: 5, projection: { a: 1 } }).toArray();
        await c.countDocuments({}, { session: s, limit: 10, skip: 0 });
        await c.updateOne({ _id: 1 }, { $inc: { a: 1 } }, { session: s, upsert: true, writeConcern: undefined });
        await c.findOneAndUpdate({ _id: 1 }, { $inc: { a: 1 } }, { session: s, upsert: true, returnDocument: 'after', sort: { a: 1 }, projection: { a: 1 }, includeResultMetadata: false });
        await c.insertMany([{ z: 1 }], { session: s, ordered: true });
      },
      { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary', maxCommitTimeMS: 1000 },
    );
    await s.endSession();
    await c.createIndex({ a: 1 }, { unique: false, name: 'a_idx' });
    await c.insertOne({ q: 1 }, { writeConcern: { w: 'majority' } });
  });
});

d('write concern, read preference and read concern on a one-member engine', () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = await openEmbeddedClient({});
  });
  afterAll(() => client.close());

  it('w: 0 and tag sets are refused loudly before writing; w: 1 / majority / j are accepted', async () => {
    const c = client.db('wc').collection<{ _id: number }>('c');
    await expect(c.insertOne({ _id: 1 }, { writeConcern: { w: 0 } })).rejects.toThrow(/Collection.insertOne with an unacknowledged write concern \(w: 0\) is not implemented/);
    const w0 = client.db('wc').collection<{ _id: number }>('c', { writeConcern: { w: 0 } });
    await expect(w0.deleteMany({})).rejects.toThrow(/unacknowledged write concern/);
    const w0db = client.db('wc', { writeConcern: { w: 0 } }).collection<{ _id: number }>('c');
    await expect(w0db.updateOne({ _id: 1 }, { $set: { a: 1 } })).rejects.toThrow(/unacknowledged write concern/);
    await expect(c.insertOne({ _id: 1 }, { writeConcern: { w: 'dc1' as never } })).rejects.toThrow(/w: 'dc1' \(replica set tag sets\) is not implemented/);
    expect(await c.countDocuments()).toBe(0);
    await c.insertOne({ _id: 1 }, { writeConcern: { w: 1, j: true, wtimeoutMS: 100 } });
    await c.insertOne({ _id: 2 }, { writeConcern: { w: 'majority' } });
    // inside a transaction the operation's and the collection's write concern are ignored (driver)
    const s = client.startSession();
    await s.withTransaction(async () => {
      await w0.insertOne({ _id: 3 }, { session: s });
    });
    await expect(async () => s.startTransaction({ writeConcern: { w: 0 } })).rejects.toThrow(/Transactions do not support unacknowledged write concern/);
    await s.endSession();
    expect(await c.countDocuments()).toBe(3);
  });

  it('w > 1 cannot be satisfied by one member: the write is applied, then UnsatisfiableWriteConcern (100), as a server reports it', async () => {
    const c = client.db('wc2').collection<{ _id: number; n?: number }>('c');
    const e = await c.insertOne({ _id: 1 }, { writeConcern: { w: 2 } }).catch((x) => x);
    expect(e.code).toBe(100);
    expect(e.codeName).toBe('UnsatisfiableWriteConcern');
    expect(e.name).toBe('MongoWriteConcernError');
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1 });
    // many-document writes would need partial results in the error: refused before writing
    await expect(c.insertMany([{ _id: 2 }], { writeConcern: { w: 3 } })).rejects.toThrow(/Collection.insertMany with the write concern w: 3 .* is not implemented/);
    await expect(c.bulkWrite([{ insertOne: { document: { _id: 2 } } }], { writeConcern: { w: 3 } })).rejects.toThrow(NI);
    expect(await c.countDocuments()).toBe(1);
    // at commit: committed, then reported; a retried commit succeeds (the driver retries with majority)
    const s = client.startSession();
    s.startTransaction({ writeConcern: { w: 5 } });
    await c.updateOne({ _id: 1 }, { $set: { n: 1 } }, { session: s });
    const ce = await s.commitTransaction().catch((x) => x);
    expect(ce.code).toBe(100);
    expect(ce.hasErrorLabel('UnknownTransactionCommitResult')).toBe(false);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
    await s.commitTransaction();
    await s.endSession();
  });

  it('in a transaction a read must use primary (driver error, the transaction goes on); outside any mode reads the primary', async () => {
    const c = client.db('rp').collection<{ _id: number }>('c');
    await c.insertOne({ _id: 1 });
    const secondary = client.db('rp', { readPreference: 'secondary' }).collection<{ _id: number }>('c');
    expect(await secondary.findOne({ _id: 1 })).toEqual({ _id: 1 });
    const s = client.startSession({ defaultTransactionOptions: { readPreference: 'nearest' } as never });
    s.startTransaction();
    await c.insertOne({ _id: 2 }, { session: s });
    await expect(c.findOne({ _id: 1 }, { session: s })).rejects.toThrow(/Read preference in a transaction must be primary, not: nearest/);
    expect(await c.countDocuments({}, { session: s, readPreference: 'primary' })).toBe(2);
    await expect(secondary.find({}, { session: s }).toArray()).rejects.toThrow(/must be primary, not: nearest/);
    await expect(c.find({}, { session: s, readPreference: 'secondaryPreferred' }).toArray()).rejects.toThrow(/not: secondaryPreferred/);
    await expect(c.aggregate([], { session: s, readPreference: 'secondary' }).toArray()).rejects.toThrow(/not: secondary/);
    expect(await c.aggregate([{ $count: 'n' }], { session: s, readPreference: 'primary' }).toArray()).toEqual([{ n: 2 }]);
    await s.commitTransaction();
    // an operation outside a transaction clears the committed transaction's state (driver)
    const state = () => (s as unknown as { transaction: { state: string } }).transaction.state;
    expect(state()).toBe('TRANSACTION_COMMITTED');
    await c.findOne({ _id: 1 }, { session: s });
    expect(state()).toBe('NO_TRANSACTION');
    await expect(s.commitTransaction()).rejects.toThrow(/No transaction started/);
    await s.endSession();
  });
});

d('transaction lifetime and version pruning', () => {
  it('a transaction older than the lifetime limit is aborted and releases its locks', async () => {
    const client = await openEmbeddedClient({ transactionLifetimeMs: 200 });
    const c = client.db('life').collection<{ _id: number; n: number }>('c');
    await c.insertOne({ _id: 1, n: 0 });
    const s = client.startSession();
    s.startTransaction();
    await c.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s });
    await new Promise((r) => setTimeout(r, 600));
    const e = await c.findOne({ _id: 1 }, { session: s }).catch((x) => x);
    expect(e.code).toBe(251);
    expect(e.message).toMatch(/lifetime/);
    // the lock is gone: a plain write does not wait
    await c.updateOne({ _id: 1 }, { $inc: { n: 10 } });
    expect((await c.findOne({ _id: 1 }))!.n).toBe(10);
    await s.abortTransaction();
    await s.endSession();
    expect(engineOf(client).active.size).toBe(0);
    await client.close();
  });

  it('old versions and the commit log are dropped once no snapshot needs them', async () => {
    const client = await openEmbeddedClient({});
    const c = client.db('prune').collection<{ _id: number; n: number }>('c');
    await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i, n: 0 })));
    const s = client.startSession();
    s.startTransaction();
    await c.findOne({ _id: 0 }, { session: s });
    for (let i = 0; i < 10; i++) await c.updateOne({ _id: i }, { $inc: { n: 1 } });
    await c.deleteOne({ _id: 9 });
    const state = engineOf(client).getColl('prune', 'c')!;
    expect(state.changedSince(0).size).toBe(10);
    expect((await c.find({}, { session: s }).toArray()).map((x) => x.n)).toEqual(Array(10).fill(0));
    await s.commitTransaction();
    await s.endSession();
    expect(state.changedSince(0).size).toBe(0);
    expect(state.side.size).toBe(0);
    for (const r of state.liveRecords()) expect(r.prev).toBeNull();
    await client.close();
  });

  it('a closed client refuses operations', async () => {
    const client = await openEmbeddedClient({});
    const c = client.db('x').collection('c');
    await client.close();
    await expect(c.insertOne({ a: 1 })).rejects.toThrow(/client is closed/);
  });
});

d('connectMongo', () => {
  it('without a URI opens the embedded engine: in DATA_DIR when set, else in memory', async () => {
    const saved = process.env.DATA_DIR;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-'));
    try {
      process.env.DATA_DIR = dir;
      const c = await connectMongo('');
      expect(isEmbeddedClient(c)).toBe(true);
      await c.db('x').collection('c').insertOne({ _id: 1 } as never);
      await c.close();
      expect(fs.readdirSync(dir).some((f) => f.startsWith('journal-'))).toBe(true);
      const again = await connectMongo('');
      expect(await again.db('x').collection('c').countDocuments()).toBe(1);
      await again.close();
      delete process.env.DATA_DIR;
      const mem = await connectMongo('');
      expect(await mem.db('x').collection('c').countDocuments()).toBe(0);
      await mem.close();
    } finally {
      if (saved === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
