/**
 * Child process of the crash test: opens the embedded engine on a data directory and runs a
 * stream of transactions from several concurrent writers (so commits share fsyncs), printing
 * `ACK <id>` once each commit is acknowledged. The parent kills it with SIGKILL at random moments.
 *
 * Each transaction inserts two documents (`<id>:a` in pairs_a, `<id>:b` in pairs_b) and
 * increments a counter: after a crash, both or neither must exist, every acknowledged id must
 * exist, and the counter must equal the number of pairs.
 *
 * usage: node --import tsx crash-writer.ts <dir> <round> [hold|lazy]
 *   hold: open, print READY, and wait (lock test)
 *   lazy: one writer inserts chain documents i = 0, 1, 2 … one transaction each, two of three
 *         acknowledged from memory ({ w: 1, j: false }), every third durable, which alone prints
 *         `ACK <i>`: after a crash the chain must be a prefix reaching at least the last ACK
 */
import { openEmbeddedClient } from '../../../server/src/db';

const [dir, round, mode] = process.argv.slice(2);
if (!dir || !round) throw new Error('usage: crash-writer <dir> <round> [hold]');

const client = await openEmbeddedClient({ dir, fsync: 'always', compactJournalBytes: 48 * 1024 });
if (mode === 'hold') {
  process.stdout.write('READY\n');
  setInterval(() => {}, 1000);
} else if (mode === 'lazy') {
  const chain = client.db('crash').collection<{ _id: string; round: string; i: number; pad: string }>('chain');
  const pad = 'x'.repeat(200);
  process.stdout.write('READY\n');
  for (let i = 0; ; i++) {
    const durable = i % 3 === 2;
    const s = client.startSession();
    s.startTransaction({ writeConcern: durable ? { w: 'majority' } : { w: 1, j: false } });
    await chain.insertOne({ _id: `${round}:${i}`, round, i, pad }, { session: s });
    await s.commitTransaction();
    await s.endSession();
    if (durable) process.stdout.write(`ACK ${i}\n`);
  }
} else {
  const db = client.db('crash');
  const a = db.collection<{ _id: string; round: string; pad: string }>('pairs_a');
  const b = db.collection<{ _id: string; round: string }>('pairs_b');
  const counter = db.collection<{ _id: string; n: number }>('counter');
  await a.createIndex({ round: 1 });
  const pad = 'x'.repeat(200);
  let next = 0;
  const writer = async (w: number) => {
    for (;;) {
      const id = `${round}-${w}-${next++}`;
      const s = client.startSession();
      try {
        await s.withTransaction(async () => {
          await a.insertOne({ _id: `${id}:a`, round, pad }, { session: s });
          await counter.updateOne({ _id: 'pairs' }, { $inc: { n: 1 } }, { session: s, upsert: true });
          await b.insertOne({ _id: `${id}:b`, round }, { session: s });
        });
      } finally {
        await s.endSession();
      }
      process.stdout.write(`ACK ${id}\n`);
    }
  };
  process.stdout.write('READY\n');
  await Promise.all([0, 1, 2, 3].map(writer));
}
