/**
 * Index efficiency, measured as work (documents examined, index keys visited) rather than time:
 * "the first pending entry of queue Q in seq order" must examine O(1) documents with 10^5
 * documents present, inside and outside transactions, also while other transactions commit.
 * Embedded engine only (the counters are the engine's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collection, MongoClient } from 'mongodb';
import { getEngineStats, openEmbeddedClient, resetEngineStats } from '../../server/src/db';

const N = 100_000;
const QUEUES = 100;

interface Entry {
  _id: number;
  queueKey: string;
  status: 'pending' | 'done';
  seq: number;
  fen: number;
}

let client: MongoClient;
let c: Collection<Entry>;

beforeAll(async () => {
  client = await openEmbeddedClient({});
  c = client.db('work').collection<Entry>('entries');
  await c.createIndex({ queueKey: 1, seq: 1 }, { unique: true });
  await c.createIndex({ queueKey: 1, status: 1, seq: 1 });
  const docs: Entry[] = [];
  for (let i = 0; i < N; i++) {
    const q = i % QUEUES;
    const seq = Math.floor(i / QUEUES);
    // the first 900 entries of every queue are paid out
    docs.push({ _id: i, queueKey: `Q${q}`, status: seq < 900 ? 'done' : 'pending', seq, fen: 100 });
  }
  await c.insertMany(docs);
}, 60_000);

afterAll(async () => {
  await client.close();
});

function work<T>(fn: () => Promise<T>): Promise<{ result: T; docs: number; keys: number; plan: string }> {
  resetEngineStats(client);
  return fn().then((result) => {
    const s = getEngineStats(client);
    return { result, docs: s.docsExamined, keys: s.keysExamined, plan: s.lastPlan };
  });
}

describe('work counters with 10^5 documents', () => {
  it('a partial index serves a query that states its filter, also inside a top-level $and (the what-if pages closed entries this way)', async () => {
    // the 90,000 'done' entries are indexed by fen; the 10,000 pending ones are not in the index at all
    await c.createIndex({ fen: 1 }, { name: 'fen_done', partialFilterExpression: { status: { $in: ['done'] } } });
    const filter = { status: { $in: ['done' as const] }, fen: { $gte: 100 } };
    const first = await work(() => c.find(filter).sort({ fen: 1, _id: 1 }).limit(100).toArray());
    expect(first.result).toHaveLength(100);
    expect(first.plan).toContain('fen_done');
    expect(first.docs).toBeLessThanOrEqual(200);
    // the next page: the filter inside $and with the page's position
    const last = first.result[99]!;
    const next = await work(() => c.find({ $and: [filter, { $or: [{ fen: { $gt: last.fen } }, { fen: last.fen, _id: { $gt: last._id } }] }] }).sort({ fen: 1, _id: 1 }).limit(100).toArray());
    expect(next.result).toHaveLength(100);
    expect(next.plan).toContain('fen_done');
    // without the stated filter the partial index may not be used (it would miss the pending entries)
    const unstated = await work(() => c.find({ fen: { $gte: 100 } }).limit(1).toArray());
    expect(unstated.plan).not.toContain('fen_done');
    await c.dropIndex('fen_done');
  });

  it('first pending entry of a queue examines O(1) documents', async () => {
    expect(await c.estimatedDocumentCount()).toBe(N);
    const w = await work(() => c.findOne({ queueKey: 'Q42', status: 'pending' }, { sort: { seq: 1 } }));
    expect(w.result).toMatchObject({ queueKey: 'Q42', seq: 900 });
    expect(w.docs).toBeLessThanOrEqual(2);
    expect(w.keys).toBeLessThanOrEqual(3);
    expect(w.plan).toMatch(/queueKey_1_status_1_seq_1.*sorted/);
    // last one, via the reversed index
    const last = await work(() => c.find({ queueKey: 'Q42', status: 'pending' }).sort({ seq: -1 }).limit(1).toArray());
    expect(last.result[0]!.seq).toBe(999);
    expect(last.docs).toBeLessThanOrEqual(2);
  });

  it('the payout head batch (status, $ne, seq range, sort, limit 16) examines O(batch)', async () => {
    const w = await work(() =>
      c.find({ queueKey: 'Q9', status: 'pending', _id: { $ne: -1 }, seq: { $gt: 950 } }).sort({ seq: 1 }).limit(16).toArray(),
    );
    expect(w.result.map((d) => d.seq)).toEqual(Array.from({ length: 16 }, (_, i) => 951 + i));
    expect(w.docs).toBe(16);
    expect(w.plan).toMatch(/queueKey_1_status_1_seq_1 eq\[queueKey,status\] range\[seq\] sorted/);
  });

  it('a full scan is counted (sanity check of the counters)', async () => {
    const w = await work(() => c.countDocuments({ fen: 100 }));
    expect(w.result).toBe(N);
    expect(w.docs).toBe(N);
  });

  it('count of one queue examines only that queue range', async () => {
    const w = await work(() => c.countDocuments({ queueKey: 'Q7', status: 'pending' }));
    expect(w.result).toBe(100);
    expect(w.docs).toBe(100);
    const r = await work(() => c.countDocuments({ queueKey: 'Q7', seq: { $gte: 990 } }));
    expect(r.result).toBe(10);
    expect(r.docs).toBe(10);
  });

  it('$in on _id (and on an index field) probes each value instead of scanning', async () => {
    const w = await work(() => c.find({ _id: { $in: [5, 50_000, 99_999, 123_456_789] } }).toArray());
    expect(w.result.map((d) => d._id).sort((a, b) => a - b)).toEqual([5, 50_000, 99_999]);
    expect(w.docs).toBe(3);
    const q = await work(() => c.countDocuments({ queueKey: { $in: ['Q1', 'Q2'] }, seq: 950 }));
    expect(q.result).toBe(2);
    expect(q.docs).toBe(2);
  });

  it('paying out the head of a queue (findOneAndUpdate sorted) examines O(1) per step', async () => {
    for (let i = 0; i < 5; i++) {
      const w = await work(() =>
        c.findOneAndUpdate({ queueKey: 'Q3', status: 'pending' }, { $set: { status: 'done' } }, { sort: { seq: 1 }, returnDocument: 'after' }),
      );
      expect(w.result).toMatchObject({ seq: 900 + i, status: 'done' });
      expect(w.docs).toBeLessThanOrEqual(2);
    }
  });

  it('inside a transaction, with commits after its snapshot and its own writes, still O(changes)', async () => {
    const s = client.startSession();
    try {
      s.startTransaction();
      const first = await c.findOne({ queueKey: 'Q5', status: 'pending' }, { sort: { seq: 1 }, session: s });
      expect(first!.seq).toBe(900);
      // others pay out the 20 entries after it (committed after our snapshot)
      for (let i = 1; i <= 20; i++) await c.updateOne({ queueKey: 'Q5', seq: 900 + i }, { $set: { status: 'done' } });
      // we pay out our own first entry
      await c.updateOne({ _id: first!._id }, { $set: { status: 'done' } }, { session: s });
      const w = await work(() => c.findOne({ queueKey: 'Q5', status: 'pending' }, { sort: { seq: 1 }, session: s }));
      // our snapshot: 900 was pending, we paid it; the others' payouts are invisible to us
      expect(w.result!.seq).toBe(901);
      expect(w.docs).toBeLessThanOrEqual(25);
      await s.abortTransaction();
    } finally {
      await s.endSession();
    }
    const after = await c.findOne({ queueKey: 'Q5', status: 'pending' }, { sort: { seq: 1 } });
    expect(after!.seq).toBe(900);
    const next = await c.find({ queueKey: 'Q5', status: 'pending' }).sort({ seq: 1 }).skip(1).limit(1).toArray();
    expect(next[0]!.seq).toBe(921);
  });
});
