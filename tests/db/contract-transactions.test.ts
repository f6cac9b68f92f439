/**
 * Contract suite, transactions: commit/abort, snapshot isolation, write conflicts and the
 * driver's withTransaction retry, unique keys inside transactions, upsert races. Public driver
 * API only; runs on the embedded engine and (MONGODB_URI) on a real replica set.
 */
import { describe, expect, it } from 'vitest';
import { MongoServerError, MongoTransactionError, type ClientSession, type Collection } from 'mongodb';
import { isDuplicateKeyError, isTransientTransactionError } from '../../server/src/db';
import { useClient } from './helpers/factory';

const { client, db } = useClient('txn');
const TXN = { readConcern: { level: 'snapshot' as const }, writeConcern: { w: 'majority' as const }, readPreference: 'primary' as const };

function latch() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

async function withSessions<T>(n: number, fn: (...s: ClientSession[]) => Promise<T>): Promise<T> {
  const ss = Array.from({ length: n }, () => client().startSession());
  try {
    return await fn(...ss);
  } finally {
    for (const s of ss) await s.endSession();
  }
}

const col = (name: string) => db().collection<any>(name); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('commit and abort', () => {
  it('withTransaction commits writes across collections and returns the callback value', async () => {
    const a = col('a');
    const b = col('b');
    await a.insertOne({ _id: 'x', n: 1 });
    const r = await withSessions(1, (s) =>
      s.withTransaction(async () => {
        await a.updateOne({ _id: 'x' }, { $inc: { n: 1 } }, { session: s });
        await b.insertOne({ _id: 'y', from: 'x' }, { session: s });
        return 'done';
      }, TXN),
    );
    expect(r).toBe('done');
    expect(await a.findOne({ _id: 'x' })).toEqual({ _id: 'x', n: 2 });
    expect(await b.findOne({ _id: 'y' })).toEqual({ _id: 'y', from: 'x' });
  });

  it('explicit startTransaction / commitTransaction / abortTransaction and inTransaction()', async () => {
    const a = col('a');
    await withSessions(1, async (s) => {
      expect(s.inTransaction()).toBe(false);
      s.startTransaction(TXN);
      expect(s.inTransaction()).toBe(true);
      await a.insertOne({ _id: 1 }, { session: s });
      await s.commitTransaction();
      expect(s.inTransaction()).toBe(false);
      s.startTransaction(TXN);
      await a.insertOne({ _id: 2 }, { session: s });
      expect(await a.countDocuments({}, { session: s })).toBe(2);
      await s.abortTransaction();
      expect(await a.countDocuments({})).toBe(1);
      // state errors like the driver
      await expect(s.abortTransaction()).rejects.toBeInstanceOf(MongoTransactionError);
      s.startTransaction();
      expect(() => s.startTransaction()).toThrow(MongoTransactionError);
      await s.abortTransaction();
      await expect(s.commitTransaction()).rejects.toBeInstanceOf(MongoTransactionError);
    });
    await withSessions(1, async (s) => {
      await expect(s.commitTransaction()).rejects.toBeInstanceOf(MongoTransactionError);
    });
  });

  it('an error thrown by the callback aborts everything and is rethrown (not retried)', async () => {
    const a = col('a');
    let runs = 0;
    const e = await withSessions(1, (s) =>
      s.withTransaction(async () => {
        runs++;
        await a.insertOne({ _id: 1 }, { session: s });
        await a.insertOne({ _id: 2 }, { session: s });
        throw new Error('business rule failed');
      }, TXN),
    ).catch((x) => x);
    expect(e.message).toBe('business rule failed');
    expect(runs).toBe(1);
    expect(await a.countDocuments({})).toBe(0);
  });

  it('a duplicate key inside a transaction rolls back all its writes; 11000 without the transient label', async () => {
    const a = col('a');
    const u = col('u');
    await u.createIndex({ key: 1 }, { unique: true });
    await u.insertOne({ key: 'taken' });
    let runs = 0;
    const e = await withSessions(1, (s) =>
      s.withTransaction(async () => {
        runs++;
        await a.insertOne({ _id: 'side-effect' }, { session: s });
        await u.updateOne({ key: 'free' }, { $set: { v: 1 } }, { session: s, upsert: true });
        await u.insertOne({ key: 'taken' }, { session: s });
      }, TXN),
    ).catch((x) => x);
    expect(e).toBeInstanceOf(MongoServerError);
    expect(e.code).toBe(11000);
    expect(isDuplicateKeyError(e)).toBe(true);
    expect(isTransientTransactionError(e)).toBe(false);
    expect(e.keyValue).toEqual({ key: 'taken' });
    expect(runs).toBe(1);
    expect(await a.countDocuments({})).toBe(0);
    expect(await u.countDocuments({ key: 'free' })).toBe(0);
  });
});

describe('snapshot isolation', () => {
  async function queue(): Promise<Collection<any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const c = col('q');
    await c.createIndex({ q: 1, status: 1, seq: 1 });
    await c.insertMany([1, 2, 3, 4, 5].map((seq) => ({ _id: `A${seq}`, q: 'A', status: 'pending', seq })));
    return c;
  }
  const seqs = (docs: { seq?: unknown }[]) => docs.map((d) => d.seq);
  const pending = { q: 'A', status: 'pending' };

  it('sees its snapshot plus its own writes in find/sort/limit/count/aggregate, never later commits', async () => {
    const c = await queue();
    await withSessions(1, async (s) => {
      s.startTransaction(TXN);
      expect(seqs(await c.find(pending, { session: s }).sort({ seq: 1 }).limit(2).toArray())).toEqual([1, 2]);
      // commits after the snapshot
      await c.insertOne({ _id: 'A0', q: 'A', status: 'pending', seq: 0 });
      await c.updateOne({ _id: 'A1' }, { $set: { status: 'done' } });
      await c.deleteOne({ _id: 'A2' });
      expect(seqs(await c.find(pending, { session: s }).sort({ seq: 1 }).limit(2).toArray())).toEqual([1, 2]);
      expect(await c.countDocuments(pending, { session: s })).toBe(5);
      expect(await c.findOne({ _id: 'A0' }, { session: s })).toBeNull();
      expect(await c.findOne({ _id: 'A2' }, { session: s })).toMatchObject({ seq: 2 });
      // own writes
      await c.updateOne({ _id: 'A3' }, { $set: { status: 'done' } }, { session: s });
      await c.insertOne({ _id: 'A10', q: 'A', status: 'pending', seq: 10 }, { session: s });
      await c.deleteOne({ _id: 'A4' }, { session: s });
      expect(seqs(await c.find(pending, { session: s }).sort({ seq: 1 }).limit(3).toArray())).toEqual([1, 2, 5]);
      expect(seqs(await c.find(pending, { session: s }).sort({ seq: -1 }).limit(1).toArray())).toEqual([10]);
      expect(seqs(await c.find({ q: 'A' }, { session: s }).sort({ seq: 1 }).skip(2).toArray())).toEqual([3, 5, 10]);
      expect(await c.countDocuments(pending, { session: s })).toBe(4);
      const agg = await c.aggregate([{ $match: pending }, { $group: { _id: null, n: { $sum: 1 }, s: { $sum: '$seq' } } }], { session: s }).toArray();
      expect(agg).toEqual([{ _id: null, n: 4, s: 18 }]);
      // others do not see the uncommitted writes
      expect(seqs(await c.find(pending).sort({ seq: 1 }).toArray())).toEqual([0, 3, 4, 5]);
      await s.commitTransaction();
    });
    expect(seqs(await c.find(pending).sort({ seq: 1 }).toArray())).toEqual([0, 5, 10]);
  });

  it('a concurrent transaction sees neither uncommitted writes nor commits after its snapshot', async () => {
    const c = col('iso');
    await c.insertOne({ _id: 'k', v: 1 });
    await withSessions(2, async (s1, s2) => {
      s1.startTransaction(TXN);
      s2.startTransaction(TXN);
      expect((await c.findOne({ _id: 'k' }, { session: s2 }))!.v).toBe(1); // s2's snapshot
      await c.updateOne({ _id: 'k' }, { $set: { v: 2 } }, { session: s1 });
      await c.insertOne({ _id: 'n' }, { session: s1 });
      expect((await c.findOne({ _id: 'k' }, { session: s2 }))!.v).toBe(1);
      expect(await c.countDocuments({}, { session: s2 })).toBe(1);
      expect((await c.findOne({ _id: 'k' }))!.v).toBe(1);
      await s1.commitTransaction();
      expect((await c.findOne({ _id: 'k' }))!.v).toBe(2);
      expect((await c.findOne({ _id: 'k' }, { session: s2 }))!.v).toBe(1);
      expect(await c.countDocuments({}, { session: s2 })).toBe(1);
      await s2.commitTransaction();
    });
  });
});

describe('write conflicts and retries', () => {
  it('two concurrent withTransaction $inc on one document: both applied once, one callback ran again', async () => {
    const c = col('acc');
    await c.insertOne({ _id: 'acc', n: 0 });
    const aRead = latch();
    const bRead = latch();
    const aWrote = latch();
    let aRuns = 0;
    let bRuns = 0;
    await withSessions(2, async (sa, sb) => {
      const A = sa.withTransaction(async () => {
        aRuns++;
        await c.findOne({ _id: 'acc' }, { session: sa });
        if (aRuns === 1) {
          aRead.open();
          await bRead.p;
        }
        await c.updateOne({ _id: 'acc' }, { $inc: { n: 1 } }, { session: sa });
        aWrote.open();
      }, TXN);
      const B = sb.withTransaction(async () => {
        bRuns++;
        await c.findOne({ _id: 'acc' }, { session: sb });
        if (bRuns === 1) {
          bRead.open();
          await aRead.p;
          await aWrote.p;
        }
        await c.updateOne({ _id: 'acc' }, { $inc: { n: 1 } }, { session: sb });
      }, TXN);
      await Promise.all([A, B]);
    });
    expect((await c.findOne({ _id: 'acc' }))!.n).toBe(2);
    expect(aRuns).toBe(1);
    expect(bRuns).toBeGreaterThanOrEqual(2);
  });

  it('read-modify-write from many concurrent transactions loses no update', async () => {
    const c = col('rmw');
    await c.insertOne({ _id: 'ctr', n: 0 });
    const N = 8;
    let runs = 0;
    await Promise.all(
      Array.from({ length: N }, () =>
        withSessions(1, (s) =>
          s.withTransaction(async () => {
            runs++;
            const d = await c.findOne({ _id: 'ctr' }, { session: s });
            await new Promise((r) => setTimeout(r, Math.random() * 5));
            await c.updateOne({ _id: 'ctr' }, { $set: { n: d!.n + 1 } }, { session: s });
          }, TXN),
        ),
      ),
    );
    expect((await c.findOne({ _id: 'ctr' }))!.n).toBe(N);
    expect(runs).toBeGreaterThan(N);
  });

  it('the loser gets WriteConflict (112, TransientTransactionError) and its transaction is aborted', async () => {
    const c = col('wc');
    await c.insertOne({ _id: 1, v: 0 });
    await withSessions(2, async (s1, s2) => {
      s1.startTransaction(TXN);
      s2.startTransaction(TXN);
      await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session: s1 });
      const e = await c.updateOne({ _id: 1 }, { $set: { v: 2 } }, { session: s2 }).catch((x) => x);
      expect(e).toBeInstanceOf(MongoServerError);
      expect(e.code).toBe(112);
      expect(e.codeName).toBe('WriteConflict');
      expect(e.hasErrorLabel('TransientTransactionError')).toBe(true);
      expect(isTransientTransactionError(e)).toBe(true);
      // the server aborted s2's transaction: later operations fail with NoSuchTransaction (transient)
      const e2 = await c.findOne({ _id: 1 }, { session: s2 }).catch((x) => x);
      expect(e2.code).toBe(251);
      expect(isTransientTransactionError(e2)).toBe(true);
      await s2.abortTransaction();
      await s1.commitTransaction();
    });
    expect((await c.findOne({ _id: 1 }))!.v).toBe(1);
  });

  it('writing a document committed by someone else after our snapshot is a WriteConflict', async () => {
    const c = col('wc2');
    await c.insertOne({ _id: 1, v: 0 });
    await withSessions(1, async (s) => {
      s.startTransaction(TXN);
      await c.findOne({ _id: 1 }, { session: s });
      await c.updateOne({ _id: 1 }, { $set: { v: 5 } });
      const e = await c.updateOne({ _id: 1 }, { $inc: { v: 1 } }, { session: s }).catch((x) => x);
      expect(e.code).toBe(112);
      await s.abortTransaction();
    });
    expect((await c.findOne({ _id: 1 }))!.v).toBe(5);
  });

  it('two transactions inserting the same unique key: WriteConflict while the first is open, then DuplicateKey', async () => {
    const c = col('uk');
    await c.createIndex({ key: 1 }, { unique: true });
    await withSessions(2, async (s1, s2) => {
      s1.startTransaction(TXN);
      s2.startTransaction(TXN);
      await c.insertOne({ key: 'k' }, { session: s1 });
      const e = await c.insertOne({ key: 'k' }, { session: s2 }).catch((x) => x);
      expect(e.code).toBe(112);
      expect(isTransientTransactionError(e)).toBe(true);
      await s2.abortTransaction();
      await s1.commitTransaction();
      s2.startTransaction(TXN);
      const e2 = await c.insertOne({ key: 'k' }, { session: s2 }).catch((x) => x);
      expect(e2.code).toBe(11000);
      expect(isTransientTransactionError(e2)).toBe(false);
      await s2.abortTransaction();
    });
  });

  it('a write outside any transaction waits for the transaction holding the document', async () => {
    const c = col('wait');
    await c.insertOne({ _id: 1, n: 0 });
    await withSessions(1, async (s) => {
      s.startTransaction(TXN);
      await c.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s });
      let done = false;
      const outside = c.updateOne({ _id: 1 }, { $inc: { n: 10 } }).then((r) => {
        done = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(done).toBe(false);
      await s.commitTransaction();
      expect((await outside).modifiedCount).toBe(1);
    });
    expect((await c.findOne({ _id: 1 }))!.n).toBe(11);
  });
});

describe('upsert races', () => {
  it('concurrent upserts of one key outside transactions: one document, every increment applied', async () => {
    const c = col('up');
    await c.createIndex({ key: 1 }, { unique: true });
    const N = 10;
    const rs = await Promise.all(Array.from({ length: N }, () => c.updateOne({ key: 'k' }, { $inc: { n: 1 } }, { upsert: true })));
    expect(rs.filter((r) => r.upsertedCount === 1)).toHaveLength(1);
    expect(await c.countDocuments({ key: 'k' })).toBe(1);
    expect((await c.findOne({ key: 'k' }))!.n).toBe(N);
  });

  it('concurrent upserts in transactions: one document, every increment applied once', async () => {
    const c = col('up2');
    await c.createIndex({ key: 1 }, { unique: true });
    const N = 6;
    await Promise.all(
      Array.from({ length: N }, () =>
        withSessions(1, (s) =>
          s.withTransaction(async () => {
            await c.findOne({ key: 'k' }, { session: s });
            await new Promise((r) => setTimeout(r, Math.random() * 3));
            await c.updateOne({ key: 'k' }, { $inc: { n: 1 } }, { upsert: true, session: s });
          }, TXN),
        ),
      ),
    );
    expect(await c.countDocuments({ key: 'k' })).toBe(1);
    expect((await c.findOne({ key: 'k' }))!.n).toBe(N);
  });

  it('idempotent insert: the second insert of an event key fails with 11000 and changes nothing', async () => {
    const ev = col('events');
    const bal = col('balances');
    await ev.createIndex({ eventKey: 1 }, { unique: true });
    const apply = () =>
      withSessions(1, (s) =>
        s.withTransaction(async () => {
          await bal.updateOne({ _id: 'u1' }, { $inc: { fen: 100 } }, { upsert: true, session: s });
          await ev.insertOne({ eventKey: 'pay-1' }, { session: s });
        }, TXN),
      );
    await apply();
    const e = await apply().catch((x) => x);
    expect(isDuplicateKeyError(e)).toBe(true);
    expect((await bal.findOne({ _id: 'u1' }))!.fen).toBe(100);
  });
});
