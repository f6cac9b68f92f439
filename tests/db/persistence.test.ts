/**
 * Durability of the embedded engine's data directory: reopen after close, SIGKILL of a writer
 * process at random moments (acknowledged transactions survive, none is partial), torn journal
 * tail, lock file, compaction. Corruption and repair: journal-corruption.test.ts. Embedded only: skipped with a printed reason under MONGODB_URI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import { compactEmbedded, getEngineStats, openEmbeddedClient, resetEngineStats } from '../../server/src/db';
import { REAL, skipReason } from './helpers/factory';

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-'));
let dirs = 0;
const newDir = () => path.join(ROOT, `d${dirs++}`);
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const WRITER = path.join(__dirname, 'helpers', 'crash-writer.ts');

function startWriter(dir: string, round: string, mode?: string): { child: ChildProcess; acks: string[]; ready: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, round, ...(mode ? [mode] : [])], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: string[] = [];
  let buf = '';
  let stderr = '';
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      if (l === 'READY') onReady();
      else if (l.startsWith('ACK ')) acks.push(l.slice(4));
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      if (code !== null && code !== 0) console.error('writer stderr:', stderr);
      r(code);
    }),
  );
  return { child, acks, ready, exited };
}

/**
 * A writer in its own process, killed with SIGKILL once it has acknowledged `target` commits
 * (or after 8 s): its acknowledgements up to the kill.
 */
async function writeThenKill(dir: string, round: string, target: number, mode?: string): Promise<string[]> {
  const w = startWriter(dir, round, mode);
  await w.ready;
  const deadline = Date.now() + 8000;
  while (w.acks.length < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  w.child.kill('SIGKILL');
  await w.exited;
  return w.acks;
}

const d = REAL ? describe.skip : describe;
if (REAL) skipReason('persistence tests exercise the embedded engine data directory (DATA_DIR), not a server');

d('persistence (embedded)', () => {
  it('data, indexes and drops survive close and reopen', async () => {
    const dir = newDir();
    let c = await openEmbeddedClient({ dir });
    const db = c.db('app');
    await db.collection('users').createIndex({ email: 1 }, { unique: true });
    await db.collection('users').insertMany([
      { _id: 1, email: 'a@x', at: new Date(5), tags: ['t'] },
      { _id: 2, email: 'b@x', n: 1.5 },
    ] as never[]);
    await db.collection('users').updateOne({ _id: 1 } as never, { $set: { v: 2 } });
    await db.collection('users').deleteOne({ _id: 2 } as never);
    await db.collection('gone').insertOne({ x: 1 });
    await db.collection('gone').drop();
    await c.db('other').collection('x').insertOne({ y: 1 });
    await c.db('other').dropDatabase();
    const s = c.startSession();
    await s.withTransaction(async () => {
      await db.collection('users').insertOne({ _id: 3, email: 'c@x' } as never, { session: s });
    });
    await s.endSession();
    await c.close();

    c = await openEmbeddedClient({ dir });
    const users = c.db('app').collection('users');
    expect(await users.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, email: 'a@x', at: new Date(5), tags: ['t'], v: 2 },
      { _id: 3, email: 'c@x' },
    ]);
    expect((await users.indexes()).map((i) => i.name)).toEqual(['_id_', 'email_1']);
    const e = await users.insertOne({ email: 'a@x' }).catch((x) => x);
    expect(e).toBeInstanceOf(MongoServerError);
    expect(e.code).toBe(11000);
    expect((await c.db('app').listCollections().toArray()).map((x) => x.name)).toEqual(['users']);
    expect(await c.db('other').listCollections().toArray()).toEqual([]);
    await c.close();
  });

  it('acknowledged transactions survive SIGKILL at random moments; none is partial', async () => {
    const dir = newDir();
    const acked = new Set<string>();
    for (let round = 0; round < 4; round++) {
      // let it commit for a random while (compactions happen on the way: 48 KiB threshold)
      const acks = await writeThenKill(dir, `r${round}`, 30 + Math.floor(Math.random() * 150));
      for (const id of acks) acked.add(id);
      expect(acks.length).toBeGreaterThan(0);

      const c = await openEmbeddedClient({ dir });
      const db = c.db('crash');
      const a = new Set((await db.collection('pairs_a').find({}, { projection: { _id: 1 } }).toArray()).map((x) => String(x._id).slice(0, -2)));
      const b = new Set((await db.collection('pairs_b').find({}, { projection: { _id: 1 } }).toArray()).map((x) => String(x._id).slice(0, -2)));
      expect([...a].filter((id) => !b.has(id))).toEqual([]);
      expect([...b].filter((id) => !a.has(id))).toEqual([]);
      expect([...acked].filter((id) => !a.has(id))).toEqual([]);
      const counter = await db.collection('counter').findOne({ _id: 'pairs' as never });
      expect(counter?.n).toBe(a.size);
      if (process.env.DB_TEST_VERBOSE) console.log(`round ${round}: ${acks.length} acked, ${a.size} pairs on disk`, fs.readdirSync(dir).map((f) => `${f}:${fs.statSync(path.join(dir, f)).size}`));
      // the index on pairs_a came back and agrees with a scan
      expect(await db.collection('pairs_a').countDocuments({ round: `r${round}` })).toBe(
        (await db.collection('pairs_a').find({}).toArray()).filter((x) => x.round === `r${round}`).length,
      );
      await c.close();
    }
  });

  it('a torn journal tail is dropped on open and the journal keeps working; a corrupt last frame is refused, not dropped', async () => {
    const dir = newDir();
    let c = await openEmbeddedClient({ dir });
    const col = () => c.db('t').collection('c');
    await col().insertOne({ _id: 1 } as never);
    await col().insertOne({ _id: 2 } as never);
    await c.close();
    const journal = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('journal-'))!);
    const good = fs.statSync(journal).size;
    // a partial frame: a length header promising more bytes than exist
    fs.appendFileSync(journal, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5, 6]));
    c = await openEmbeddedClient({ dir });
    expect(await col().countDocuments()).toBe(2);
    expect(fs.statSync(journal).size).toBe(good);
    await col().insertOne({ _id: 3 } as never);
    await c.close();
    // flip a byte inside the last frame: acknowledged, so it is corruption (journal-corruption.test.ts)
    const bytes = fs.readFileSync(journal);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.writeFileSync(journal, bytes);
    await expect(openEmbeddedClient({ dir })).rejects.toThrow(/is corrupt at byte offset \d+: CRC mismatch in the final frame/);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    fs.writeFileSync(journal, bytes);
    c = await openEmbeddedClient({ dir });
    expect((await col().find({}).toArray()).map((x) => x._id)).toEqual([1, 2, 3]);
    await c.close();
  });

  it('a commit larger than one BSON buffer is journaled in parts, and a torn multi-part commit is dropped whole', async () => {
    const dir = newDir();
    let c = await openEmbeddedClient({ dir, fsync: 'off' });
    const col = () => c.db('t').collection<{ _id: number; pad: string }>('big');
    await col().insertOne({ _id: -1, pad: 'first' });
    const pad = 'z'.repeat(600);
    await col().insertMany(Array.from({ length: 40_000 }, (_, i) => ({ _id: i, pad })));
    await c.close();
    c = await openEmbeddedClient({ dir });
    expect(await col().countDocuments()).toBe(40_001);
    await c.close();
    // cut the journal in the middle of the big commit: none of its parts may survive
    const journal = path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('journal-'))!);
    const size = fs.statSync(journal).size;
    expect(size).toBeGreaterThan(20 << 20);
    fs.truncateSync(journal, Math.floor(size * 0.6));
    c = await openEmbeddedClient({ dir });
    expect((await col().find({}).toArray()).map((d) => d._id)).toEqual([-1]);
    // the next commit must not be confused with the dropped parts
    await col().insertOne({ _id: -2, pad: 'next' });
    await c.close();
    c = await openEmbeddedClient({ dir });
    expect((await col().find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([-2, -1]);
    await c.close();
  });

  it('a directory is refused while open in this process or locked by a live process; a stale lock is taken over', async () => {
    const dir = newDir();
    const c = await openEmbeddedClient({ dir });
    await expect(openEmbeddedClient({ dir })).rejects.toThrow(/already open in this process/);
    await c.close();

    const w = startWriter(dir, 'hold', 'hold');
    await w.ready;
    await expect(openEmbeddedClient({ dir })).rejects.toThrow(new RegExp(`locked by running process ${w.child.pid}`));
    w.child.kill('SIGKILL');
    await w.exited;
    // the dead process's lock file is still there, and is taken over
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(true);
    const c2 = await openEmbeddedClient({ dir });
    expect(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid));
    await c2.close();
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false);
  });

  it('compaction writes a snapshot, truncates the journal, and reopens to the same state', async () => {
    const dir = newDir();
    let c = await openEmbeddedClient({ dir, compactJournalBytes: 32 * 1024 });
    const col = () => c.db('t').collection<{ _id: number; v: number; s: string }>('c');
    await col().createIndex({ v: 1 });
    for (let i = 0; i < 300; i++) await col().insertOne({ _id: i, v: i % 7, s: 'y'.repeat(100) });
    await col().deleteMany({ v: 3 });
    await col().updateMany({ v: 4 }, { $set: { s: 'changed' } });
    expect(fs.existsSync(path.join(dir, 'snapshot.bson'))).toBe(true);
    await compactEmbedded(c);
    const journals = fs.readdirSync(dir).filter((f) => f.startsWith('journal-'));
    expect(journals).toHaveLength(1);
    expect(fs.statSync(path.join(dir, journals[0]!)).size).toBe(0);
    const before = await col().find({}).sort({ _id: 1 }).toArray();
    await col().insertOne({ _id: 1000, v: 1, s: 'after' });
    await c.close();
    c = await openEmbeddedClient({ dir });
    expect(await col().find({ _id: { $lt: 1000 } }).sort({ _id: 1 }).toArray()).toEqual(before);
    expect(await col().countDocuments({ v: 1 })).toBe(before.filter((x) => x.v === 1).length + 1);
    expect((await col().indexes()).map((i) => i.name)).toEqual(['_id_', 'v_1']);
    await c.close();
  });

  it('group commit: concurrent commits share write+fsync batches', async () => {
    const dir = newDir();
    const c = await openEmbeddedClient({ dir, fsync: 'always' });
    const col = c.db('t').collection<{ _id: number }>('g');
    resetEngineStats(c);
    await Promise.all(Array.from({ length: 100 }, (_, i) => col.insertOne({ _id: i })));
    const s = getEngineStats(c);
    expect(s.journalRecords).toBe(100);
    expect(s.journalFlushes).toBeLessThan(50);
    await c.close();
  });

  it('a transaction committed with { w: 1, j: false } is acknowledged from memory: visible at once, journaled in shared batches, on disk after close', async () => {
    const dir = newDir();
    let c = await openEmbeddedClient({ dir, fsync: 'always', compactJournalBytes: 16 * 1024 });
    const col = () => c.db('t').collection<{ _id: number; n: number; pad: string }>('lazy');
    const commitEach = async (n: number, writeConcern: { w: 1 | 'majority'; j?: boolean }, from: number) => {
      for (let i = from; i < from + n; i++) {
        const s = c.startSession();
        s.startTransaction({ writeConcern });
        await col().insertOne({ _id: i, n: i, pad: 'z'.repeat(300) }, { session: s });
        await s.commitTransaction();
        await s.endSession();
        // acknowledged: a read outside the transaction sees it at once
        expect(await col().findOne({ _id: i })).not.toBeNull();
      }
    };
    await col().insertOne({ _id: -1, n: 0, pad: '' });
    // one after the other, a durable commit waits for its own fsync ...
    resetEngineStats(c);
    await commitEach(20, { w: 'majority' }, 0);
    expect(getEngineStats(c).journalFlushes).toBe(20);
    // ... and one acknowledged from memory does not: the next is made while it is written
    // (the journal passes 16 KiB on the way: compactions capture commits not yet journaled)
    resetEngineStats(c);
    await commitEach(100, { w: 1, j: false }, 100);
    const s = getEngineStats(c);
    expect(s.journalFlushes).toBeLessThan(50);
    await c.close();
    expect(getEngineStats(c).journalRecords).toBe(100);
    c = await openEmbeddedClient({ dir });
    expect(await col().countDocuments({})).toBe(121);
    await c.close();
  });

  it('commits acknowledged from memory can be lost in a SIGKILL only as a suffix: every commit acknowledged durable survives with all before it', async () => {
    const dir = newDir();
    for (let round = 0; round < 3; round++) {
      const acks = await writeThenKill(dir, `r${round}`, 40 + Math.floor(Math.random() * 200), 'lazy');
      expect(acks.length).toBeGreaterThan(0);
      const c = await openEmbeddedClient({ dir });
      const seqs = (await c.db('crash').collection<{ _id: string; round: string; i: number }>('chain').find({ round: `r${round}` }).toArray()).map((x) => x.i).sort((a, b) => a - b);
      // a prefix 0..k of the writer's commits, k at least its last durable acknowledgement
      expect(seqs).toEqual(seqs.map((_, i) => i));
      expect(seqs.length).toBeGreaterThan(Math.max(...acks.map(Number)));
      await c.close();
    }
  });

  it('compaction runs while transactions are open and committing', async () => {
    const dir = newDir();
    const c = await openEmbeddedClient({ dir });
    const col = c.db('t').collection<{ _id: number; n: number }>('c');
    await col.insertMany(Array.from({ length: 2000 }, (_, i) => ({ _id: i, n: 0 })));
    const s = c.startSession();
    s.startTransaction();
    await col.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s });
    const compaction = compactEmbedded(c);
    const writes = Promise.all(Array.from({ length: 50 }, (_, i) => col.updateOne({ _id: 100 + i }, { $inc: { n: 1 } })));
    await Promise.all([compaction, writes]);
    await s.commitTransaction();
    await s.endSession();
    await c.close();
    const c2 = await openEmbeddedClient({ dir });
    const col2 = c2.db('t').collection<{ _id: number; n: number }>('c');
    expect(await col2.countDocuments({ n: 1 })).toBe(51);
    await c2.close();
  });
});
