/** Per-operation cost of the embedded engine (memory only): node --import tsx bench/db-ops.ts */
import { openEmbeddedClient } from '../server/src/db';

const client = await openEmbeddedClient({});
const c = client.db('ops').collection<{ _id: string; q: string; status: string; seq: number; n: number }>('c');
await c.createIndex({ q: 1, status: 1, seq: 1 });
await c.insertMany(Array.from({ length: 10_000 }, (_, i) => ({ _id: `d${i}`, q: `q${i % 10}`, status: i % 3 ? 'done' : 'pending', seq: i, n: 0 })));
async function time(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  console.log(`${label}: ${(Number(process.hrtime.bigint() - t) / 1000 / n).toFixed(1)} µs/op`);
}
const N = 20_000;
await time('findOne by _id', N, (i) => c.findOne({ _id: `d${i % 10_000}` }));
await time('findOne queue head', N, (i) => c.findOne({ q: `q${i % 10}`, status: 'pending' }, { sort: { seq: 1 } }));
await time('updateOne $inc by _id', N, (i) => c.updateOne({ _id: `d${i % 10_000}` }, { $inc: { n: 1 } }));
await time('insertOne', N, (i) => c.insertOne({ _id: `x${i}`, q: 'qx', status: 'pending', seq: i, n: 0 }));
const s = client.startSession();
await time('withTransaction (head + 2 updates)', 5000, (i) =>
  s.withTransaction(async () => {
    const h = await c.findOne({ q: `q${i % 10}`, status: 'pending' }, { sort: { seq: 1 }, session: s });
    await c.updateOne({ _id: h!._id }, { $inc: { n: 1 } }, { session: s });
    await c.updateOne({ _id: `d${i % 10_000}` }, { $inc: { n: 1 } }, { session: s });
  }),
);
await s.endSession();
await client.close();
