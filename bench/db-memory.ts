/**
 * Memory and speed of the embedded engine with 10^6 queue entries (~12 fields each) and the six
 * indexes of the `entries` collection. Run:
 *   node --expose-gc --max-old-space-size=4096 --import tsx bench/db-memory.ts [count] [dir]
 * Prints resident memory after loading, timings of typical operations, and (with a dir) the
 * time to reopen from the journal / snapshot.
 */
import { ObjectId } from 'mongodb';
import { compactEmbedded, getEngineStats, openEmbeddedClient, resetEngineStats } from '../server/src/db';

const N = Number(process.argv[2] ?? 1_000_000);
const dir = process.argv[3] || undefined;
const useObjectIds = process.env.OBJECT_IDS === '1';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
function mem(label: string) {
  gc();
  const m = process.memoryUsage();
  console.log(`${label}: rss ${mb(m.rss)}, heapTotal ${mb(m.heapTotal)}, heap ${mb(m.heapUsed)}, external ${mb(m.external)}, arrayBuffers ${mb(m.arrayBuffers)}`);
}

mem('start');
const client = await openEmbeddedClient(dir ? { dir, fsync: 'off' } : {});
const c = client.db('bench').collection<any>('entries'); // eslint-disable-line @typescript-eslint/no-explicit-any
for (const [k, o] of [
  [{ queueKey: 1, seq: 1 }, { unique: true }],
  [{ queueKey: 1, status: 1, seq: 1 }, {}],
  [{ queueKey: 1, status: 1, orderDone: 1, seq: 1 }, {}],
  [{ orderId: 1, lineIndex: 1 }, { unique: true }],
  [{ userId: 1, createdAt: -1 }, {}],
  [{ status: 1, createdAt: 1 }, {}],
] as const) {
  await c.createIndex(k, o);
}
let t = Date.now();
const BATCH = 10_000;
for (let i = 0; i < N; i += BATCH) {
  const docs = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) {
    docs.push({
      _id: `E${(1_700_000_000_000 + j).toString(36).toUpperCase()}${(j * 7919).toString(32).padStart(8, '0')}`,
      queueKey: `store${j % 50}:p${j % 7}`,
      seq: Math.floor(j / 350),
      status: j % 11 === 0 ? 'pending' : 'done',
      orderDone: j % 3 === 0,
      orderId: useObjectIds ? new ObjectId() : `O${j.toString(36)}`,
      lineIndex: j % 4,
      userId: `u${j % 20000}`,
      entitlementFen: 10000 + (j % 1000),
      receivedFen: j % 5000,
      createdAt: new Date(1_700_000_000_000 + j * 1000),
      price: 9900,
      ratio: 0.15,
    });
  }
  await c.insertMany(docs);
}
console.log(`inserted ${N} in ${Date.now() - t} ms`);
mem('loaded');

t = Date.now();
resetEngineStats(client);
const q = 'store7:p3';
for (let i = 0; i < 1000; i++) await c.findOne({ queueKey: q, status: 'pending' }, { sort: { seq: 1 } });
console.log(`1000 x queue head: ${Date.now() - t} ms, docs examined ${getEngineStats(client).docsExamined}`);

t = Date.now();
const s = client.startSession();
for (let i = 0; i < 1000; i++) {
  await s.withTransaction(async () => {
    const head = await c.findOne({ queueKey: q, status: 'pending' }, { sort: { seq: 1 }, session: s });
    await c.updateOne({ _id: head!._id }, { $inc: { receivedFen: 1 } }, { session: s });
    await c.updateOne({ _id: head!._id }, { $inc: { receivedFen: -1 } }, { session: s });
  });
}
await s.endSession();
console.log(`1000 transactions (read head + 2 updates): ${Date.now() - t} ms`);

t = Date.now();
console.log(`count pending of one queue: ${await c.countDocuments({ queueKey: q, status: 'pending' })} in ${Date.now() - t} ms`);
mem('after ops');

if (dir) {
  t = Date.now();
  await compactEmbedded(client);
  console.log(`compaction: ${Date.now() - t} ms`);
  mem('after compaction');
  await client.close();
  t = Date.now();
  const again = await openEmbeddedClient({ dir });
  console.log(`reopen: ${Date.now() - t} ms, ${await again.db('bench').collection('entries').estimatedDocumentCount()} docs`);
  mem('reopened');
  await again.close();
} else {
  await client.close();
}
