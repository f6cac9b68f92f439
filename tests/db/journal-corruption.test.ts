/**
 * A journal that never drops acknowledged data (embedded only): damage anywhere either leaves
 * every acknowledged commit readable or makes the engine refuse to open, naming the file and the
 * byte offset — never anything in between; only an unfinished final write (a crash) is cut; the
 * repair command salvages the valid prefix into a new directory and never touches the original.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON } from 'mongodb';
import { compactEmbedded, openEmbeddedClient } from '../../server/src/db';
import { scanFrames } from '../../server/src/db/embedded/journal-scan';
import { frame } from '../../server/src/db/embedded/journal';
import { repairDataDir } from '../../server/src/db/embedded/repair';
import { xorshift32 } from '../support/xorshift';
import { REAL, skipReason } from './helpers/factory';

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-corruption-'));
let dirs = 0;
const newDir = () => path.join(ROOT, `d${dirs++}`);
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const REPO = path.resolve(__dirname, '../..');

type Pair = { _id: string; i: number; pad: string };

/**
 * N acknowledged commits, each one transaction writing a pair (`<i>:a`, `<i>:b`) and bumping a
 * counter; the data directory is closed afterwards. `compactAt`: write a snapshot after that
 * many commits (so the directory has a snapshot and a journal).
 */
async function writeCommits(dir: string, n: number, opts: { compactAt?: number; pad?: number } = {}): Promise<void> {
  const c = await openEmbeddedClient({ dir });
  const db = c.db('app');
  for (let i = 0; i < n; i++) {
    if (i === opts.compactAt) await compactEmbedded(c);
    const s = c.startSession();
    await s.withTransaction(async () => {
      const pad = 'p'.repeat(opts.pad ?? 20 + (i % 7) * 13);
      await db.collection<Pair>('pairs').insertOne({ _id: `${i}:a`, i, pad }, { session: s });
      await db.collection<Pair>('pairs').insertOne({ _id: `${i}:b`, i, pad: '' }, { session: s });
      await db.collection<{ _id: string; n: number }>('counter').updateOne({ _id: 'n' }, { $inc: { n: 1 } }, { session: s, upsert: true });
    });
    await s.endSession();
  }
  await c.close();
}

/** The commits present in a directory (checked to be whole), or the error opening it. */
async function readCommits(dir: string): Promise<{ commits: number[] } | { error: Error }> {
  let c;
  try {
    c = await openEmbeddedClient({ dir });
  } catch (e) {
    return { error: e as Error };
  }
  try {
    const db = c.db('app');
    const docs = await db.collection<Pair>('pairs').find({}).toArray();
    const byI = new Map<number, string[]>();
    for (const d of docs) byI.set(d.i, [...(byI.get(d.i) ?? []), d._id]);
    for (const [i, ids] of byI) expect(ids.sort(), `commit ${i} is whole`).toEqual([`${i}:a`, `${i}:b`]);
    const counter = await db.collection<{ _id: string; n: number }>('counter').findOne({ _id: 'n' });
    expect(counter?.n ?? 0).toBe(byI.size);
    return { commits: [...byI.keys()].sort((a, b) => a - b) };
  } finally {
    await c.close();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const journalOf = (dir: string) => path.join(dir, fs.readdirSync(dir).filter((f) => f.startsWith('journal-')).sort().at(-1)!);

/** Every file of a directory with its bytes (to prove a refused open changed nothing). */
function snapshotFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir)) if (f !== 'LOCK') out[f] = fs.readFileSync(path.join(dir, f)).toString('base64');
  return out;
}

/** The frames of a file: [start, end) offsets. */
function frames(file: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  scanFrames(file, { tailMayBeTorn: true }, (_rec, end) => {
    out.push({ start, end });
    start = end;
  });
  return out;
}

function flip(file: string, offset: number, mask: number): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, offset);
  b[0] = b[0]! ^ mask;
  fs.writeSync(fd, b, 0, 1, offset);
  fs.closeSync(fd);
}

/** A refusal names the file and the byte offset, says nothing was changed and how to repair. */
function expectLoudRefusal(e: Error, file: string): number {
  expect(e.message).toContain(file);
  expect(e.message).toMatch(/is corrupt at byte offset \d+/);
  expect(e.message).toMatch(/db:repair/);
  return Number(/byte offset (\d+)/.exec(e.message)![1]);
}

const d = REAL ? describe.skip : describe;
if (REAL) skipReason('journal corruption tests exercise the embedded engine data directory, not a server');

d('journal corruption (embedded)', () => {
  const N = 40;
  let pristine = '';
  let pristineWithSnapshot = '';
  beforeAll(async () => {
    pristine = newDir();
    await writeCommits(pristine, N);
    pristineWithSnapshot = newDir();
    await writeCommits(pristineWithSnapshot, N, { compactAt: 15 });
  });
  const copyOf = (src: string) => {
    const dst = newDir();
    fs.cpSync(src, dst, { recursive: true });
    return dst;
  };

  it('random byte flips (seeded) anywhere in the files: every acknowledged commit, or a loud refusal that changes nothing', async () => {
    expect(await readCommits(pristine)).toEqual({ commits: range(N) });
    expect(await readCommits(pristineWithSnapshot)).toEqual({ commits: range(N) });
    const rnd = xorshift32(20260811);
    const outcomes = { intact: 0, refused: 0 };
    for (let round = 0; round < 60; round++) {
      const dir = copyOf(round % 2 ? pristineWithSnapshot : pristine);
      const files = fs.readdirSync(dir).filter((f) => f !== 'LOCK' && fs.statSync(path.join(dir, f)).size > 0);
      const flips = 1 + (rnd() % 3);
      for (let k = 0; k < flips; k++) {
        const file = path.join(dir, files[rnd() % files.length]!);
        flip(file, rnd() % fs.statSync(file).size, 1 + (rnd() % 255));
      }
      const before = snapshotFiles(dir);
      const r = await readCommits(dir);
      if ('error' in r) {
        expectLoudRefusal(r.error, dir);
        expect(snapshotFiles(dir)).toEqual(before);
        outcomes.refused++;
      } else {
        expect(r.commits).toEqual(range(N));
        outcomes.intact++;
      }
    }
    if (process.env.DB_TEST_VERBOSE) console.log('random flips:', outcomes);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('every single-byte change of the final frame (and of a middle one) is refused, with its file and offset', async () => {
    const dir = copyOf(pristine);
    const journal = journalOf(dir);
    const fr = frames(journal);
    const middle = fr[Math.floor(fr.length * 0.3)]!;
    const last = fr[fr.length - 1]!;
    // every byte of the final frame (where a torn write could be suspected); the header and
    // every 5th byte of a middle one
    const offsets = [...range(last.end - last.start).map((i) => last.start + i), ...range(middle.end - middle.start).filter((i) => i < 8 || i % 5 === 0).map((i) => middle.start + i)];
    for (const off of offsets) {
      flip(journal, off, 0x5a);
      const r = await readCommits(dir);
      expect('error' in r, `flip at ${off}`).toBe(true);
      expect(expectLoudRefusal((r as { error: Error }).error, path.basename(journal))).toBe(off >= last.start ? last.start : middle.start);
      flip(journal, off, 0x5a); // restore
    }
    expect(await readCommits(dir)).toEqual({ commits: range(N) });
  });

  it('a final write cut short by a crash (at any byte) is dropped: only that unacknowledged commit is lost', async () => {
    const journal = journalOf(pristine);
    const last = frames(journal).at(-1)!;
    const cuts = [last.start + 1, last.start + 7, last.start + 8, last.start + 12, Math.floor((last.start + last.end) / 2), last.end - 1];
    for (const cut of cuts) {
      const dir = copyOf(pristine);
      fs.truncateSync(journalOf(dir), cut);
      expect(await readCommits(dir), `cut at ${cut}`).toEqual({ commits: range(N - 1) });
      // the tail was cut off and the journal goes on working
      expect(fs.statSync(journalOf(dir)).size).toBe(last.start);
      const c = await openEmbeddedClient({ dir });
      await c.db('app').collection<Pair>('pairs').insertMany([
        { _id: '1000:a', i: 1000, pad: '' },
        { _id: '1000:b', i: 1000, pad: '' },
      ]);
      await c.db('app').collection('counter').updateOne({ _id: 'n' as never }, { $inc: { n: 1 } });
      await c.close();
      expect(await readCommits(dir)).toEqual({ commits: [...range(N - 1), 1000] });
    }
  });

  it('a final frame left zero-filled by a crash (power loss) is a torn tail; a short zero run or garbage is refused', async () => {
    // a last commit big enough to span several disk sectors
    const base = newDir();
    await writeCommits(base, 5);
    {
      const c = await openEmbeddedClient({ dir: base });
      const s = c.startSession();
      await s.withTransaction(async () => {
        await c.db('app').collection<Pair>('pairs').insertOne({ _id: '5:a', i: 5, pad: 'z'.repeat(3000) }, { session: s });
        await c.db('app').collection<Pair>('pairs').insertOne({ _id: '5:b', i: 5, pad: '' }, { session: s });
        await c.db('app').collection('counter').updateOne({ _id: 'n' as never }, { $inc: { n: 1 } }, { session: s });
      });
      await s.endSession();
      await c.close();
    }
    expect(await readCommits(base)).toEqual({ commits: range(6) });
    const last = frames(journalOf(base)).at(-1)!;
    const firstSector = Math.ceil((last.start + 8) / 512) * 512;

    // the file has its full length but the blocks from a sector boundary on were never written
    let dir = copyOf(base);
    const j = journalOf(dir);
    fs.writeFileSync(j, Buffer.concat([fs.readFileSync(j).subarray(0, firstSector), Buffer.alloc(last.end - firstSector)]));
    expect(await readCommits(dir)).toEqual({ commits: range(5) });

    // only one sector in the middle of the frame is zeros
    dir = copyOf(base);
    const bytes = fs.readFileSync(journalOf(dir));
    bytes.fill(0, firstSector + 512, firstSector + 1024);
    fs.writeFileSync(journalOf(dir), bytes);
    expect(await readCommits(dir)).toEqual({ commits: range(5) });

    // the whole frame, header included, is zeros
    dir = copyOf(base);
    const all = fs.readFileSync(journalOf(dir));
    all.fill(0, last.start, last.end);
    fs.writeFileSync(journalOf(dir), all);
    expect(await readCommits(dir)).toEqual({ commits: range(5) });

    // a few zero bytes (no whole block) or a changed byte are not the mark of a lost write
    for (const damage of [(b: Buffer) => b.fill(0, last.end - 20, last.end - 10), (b: Buffer) => (b[last.end - 100] = b[last.end - 100]! ^ 1)]) {
      dir = copyOf(base);
      const b = fs.readFileSync(journalOf(dir));
      damage(b);
      fs.writeFileSync(journalOf(dir), b);
      const r = await readCommits(dir);
      expect('error' in r).toBe(true);
      expect(expectLoudRefusal((r as { error: Error }).error, 'journal-')).toBe(last.start);
    }
  });

  it('a length header corrupted to run past the end of the file is refused, not taken for a torn tail', async () => {
    const fr = frames(journalOf(pristine));
    for (const t of [fr[3]!, fr.at(-1)!]) {
      const dir = copyOf(pristine);
      const j = journalOf(dir);
      const b = fs.readFileSync(j);
      b.writeUInt32LE(fs.statSync(j).size, t.start); // longer than what is left
      fs.writeFileSync(j, b);
      const r = await readCommits(dir);
      expect('error' in r).toBe(true);
      expect(expectLoudRefusal((r as { error: Error }).error, 'journal-')).toBe(t.start);
    }
  });

  it('the scanner: what counts as a torn tail, what as corruption, and where', () => {
    const dir = newDir();
    fs.mkdirSync(dir);
    const a = frame({ op: 'c', ts: 1, w: [] });
    const b = frame({ op: 'c', ts: 2, w: [] });
    const part = frame({ op: 'cp', ts: 3, w: [] });
    const close3 = frame({ op: 'c', ts: 3, w: [] });
    const cases: [string, Buffer, 'ok' | 'torn' | 'bad', number][] = [
      ['whole', Buffer.concat([a, b]), 'ok', a.length + b.length],
      ['header cut', Buffer.concat([a, b.subarray(0, 5)]), 'torn', a.length],
      ['payload cut', Buffer.concat([a, b.subarray(0, b.length - 1)]), 'torn', a.length],
      ['zeros after the last frame', Buffer.concat([a, Buffer.alloc(100)]), 'torn', a.length],
      ['multi-frame commit without its closing frame at the end', Buffer.concat([a, part]), 'torn', a.length],
      ['multi-frame commit complete', Buffer.concat([a, part, close3]), 'ok', a.length + part.length + close3.length],
      ['multi-frame commit without its closing frame, then another record', Buffer.concat([a, part, b]), 'bad', a.length],
      ['impossible length', Buffer.concat([a, Buffer.from([2, 0, 0, 0, 1, 2, 3, 4]), b]), 'bad', a.length],
      ['garbage after the last frame', Buffer.concat([a, Buffer.from('garbage!garbage!')]), 'bad', a.length],
    ];
    const bad = Buffer.from(a);
    bad[a.length - 3] = bad[a.length - 3]! ^ 1;
    cases.push(['CRC mismatch followed by data', Buffer.concat([bad, b]), 'bad', 0]);
    const unparsable = Buffer.from([5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1]);
    unparsable.writeUInt32LE(crc32(unparsable.subarray(8)), 4);
    cases.push(['CRC fine but BSON unparsable', Buffer.concat([a, unparsable, b]), 'bad', a.length]);
    for (const [name, bytes, want, at] of cases) {
      for (const last of [true, false]) {
        const file = path.join(dir, 'f');
        fs.writeFileSync(file, bytes);
        const r = scanFrames(file, { tailMayBeTorn: last, salvage: true }, () => {});
        // outside the last journal file, nothing may be torn: it is corruption there
        const expected = want === 'torn' && !last ? 'bad' : want;
        const got = r.bad ? 'bad' : r.torn ? 'torn' : 'ok';
        expect(got, `${name} (last file: ${last})`).toBe(expected);
        // where: the end of the data (ok), the start of the torn tail, or the bad frame
        expect(r.bad?.offset ?? r.torn?.offset ?? r.end, name).toBe(at);
        if (got === 'torn') expect(r.end, name).toBe(at);
        // without `salvage`, corruption throws (naming file and offset) and a torn tail does not
        if (expected === 'bad') expect(() => scanFrames(file, { tailMayBeTorn: last }, () => {})).toThrow(`${file} is corrupt at byte offset ${at}`);
        else expect(() => scanFrames(file, { tailMayBeTorn: last }, () => {})).not.toThrow();
      }
    }
  });

  it('db:repair salvages the valid prefix into a new directory, reports what it dropped, never touches the original', async () => {
    const dir = copyOf(pristine);
    const journal = journalOf(dir);
    const fr = frames(journal);
    // damage the frame of commit k: commits 0..k-1 can be salvaged
    const k = 12;
    const commitFrames = fr.filter((f) => {
      const rec = BSON.deserialize(fs.readFileSync(journal).subarray(f.start + 8, f.end));
      return rec.op === 'c';
    });
    const target = commitFrames[k]!;
    flip(journal, target.start + 20, 0x01);
    const before = snapshotFiles(dir);
    const refused = await readCommits(dir);
    expect('error' in refused).toBe(true);
    expect(expectLoudRefusal((refused as { error: Error }).error, journal)).toBe(target.start);

    const out = newDir();
    const report = await repairDataDir(dir, out);
    expect(snapshotFiles(dir)).toEqual(before);
    expect(report.dropped.join('\n')).toMatch(new RegExp(`corrupt at byte offset ${target.start}`));
    // the later commits are listed by what they held
    expect(report.dropped.join('\n')).toMatch(/commit ts \d+: app\.pairs: 2 written/);
    expect(await readCommits(out)).toEqual({ commits: range(k) });
    // the original still refuses, unchanged
    expect('error' in (await readCommits(dir))).toBe(true);
    expect(snapshotFiles(dir)).toEqual(before);

    // the command itself (npm run db:repair -- <dataDir> <newDir>)
    const out2 = newDir();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-repair.ts', dir, out2], { cwd: REPO, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/DROPPED:/);
    expect(run.stdout).toMatch(new RegExp(`corrupt at byte offset ${target.start}`));
    expect(run.stdout).toMatch(/app\.pairs: 24 document\(s\)/);
    expect(await readCommits(out2)).toEqual({ commits: range(k) });
    // it refuses a target that is not empty, and a directory in use
    const again = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-repair.ts', dir, out2], { cwd: REPO, encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
    const inUse = await openEmbeddedClient({ dir: out2 });
    await expect(repairDataDir(out2, newDir())).rejects.toThrow(/in use by process/);
    await inUse.close();
  });

  it('db:repair of a damaged snapshot keeps its documents before the damage and the journal after it', async () => {
    const dir = copyOf(pristineWithSnapshot);
    const snap = path.join(dir, 'snapshot.bson');
    const fr = frames(snap);
    // damage the first frame that holds documents (commits 0..14 of app.pairs)
    const docsFrame = fr.find((f) => BSON.deserialize(fs.readFileSync(snap).subarray(f.start + 8, f.end)).op === 'docs')!;
    flip(snap, docsFrame.start + 30, 0x10);
    const r = await readCommits(dir);
    expect('error' in r).toBe(true);
    expect(expectLoudRefusal((r as { error: Error }).error, snap)).toBe(docsFrame.start);
    const out = newDir();
    const report = await repairDataDir(dir, out);
    expect(report.dropped.join('\n')).toMatch(/snapshot\.bson: corrupt at byte offset/);
    // the journal after the snapshot (commits 15..39) is whole; what the damaged frame held is gone
    const c = await openEmbeddedClient({ dir: out });
    const ids = new Set((await c.db('app').collection<Pair>('pairs').find({}).toArray()).map((x) => x._id));
    await c.close();
    for (const i of range(N).slice(15)) expect(ids.has(`${i}:a`) && ids.has(`${i}:b`)).toBe(true);
    expect(ids.size).toBeLessThan(2 * N);
  });
});
