/**
 * The journal: an append-only file of framed records, one per commit or DDL.
 *
 * Frame = [u32 LE payload length][u32 LE CRC-32 of payload][payload = BSON document]. A commit
 * is acknowledged only after its frame (and everything before it) is written and fsynced, so a
 * crash can only leave an unfinished write at the end of the last file, never acknowledged;
 * journal-scan.ts tells such a torn tail (cut on open) from corruption (refused).
 *
 * Group commit: commits that arrive while a write+fsync is in flight are queued and written
 * together by the next write+fsync.
 */
import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { serializeBsonAfter } from './bson-fast';
import type { DurableLog, JournalRecord } from './engine';
import { serverError } from './errors';
import { HEADER } from './journal-scan';

/** One framed record. */
export function frame(rec: object): Buffer {
  const out = serializeBsonAfter(rec, HEADER);
  const payload = out.subarray(HEADER);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  return out;
}

function isTooBig(e: unknown): boolean {
  return e instanceof RangeError || (e as { code?: unknown })?.code === 'ERR_OUT_OF_RANGE';
}

/**
 * Frame a list of items as one or more records (`make(part, last)`), splitting when a record
 * would exceed the BSON serializer's buffer (17 MiB): a big commit becomes several frames written
 * together, the last one marking it complete (see `Replay`).
 */
export function frameParts<T>(items: T[], make: (part: T[], last: boolean) => object, per = 512): Buffer[] {
  const out: Buffer[] = [];
  const emit = (part: T[], last: boolean): void => {
    try {
      out.push(frame(make(part, last)));
    } catch (e) {
      if (!isTooBig(e)) throw e;
      if (part.length <= 1) throw new Error('embedded mongo: a document is too large to be journaled (BSON serializer limit 17 MiB)');
      const mid = part.length >> 1;
      emit(part.slice(0, mid), false);
      emit(part.slice(mid), last);
    }
  };
  if (items.length === 0) emit([], true);
  for (let i = 0; i < items.length; i += per) emit(items.slice(i, i + per), i + per >= items.length);
  return out;
}

type CommitRecord = Extract<JournalRecord, { op: 'c' }>;
type CommitItem = { db: string; coll: string; put?: Record<string, unknown>; del?: unknown };

/** Frames of a commit: parts ('cp') then the final part ('c'), all with the commit's ts. */
export function frameCommit(rec: CommitRecord, per = 512): Buffer {
  // the usual commit fits one frame: written as it is (the same record `make` would build)
  let count = 0;
  for (const w of rec.w) count += w.put.length + w.del.length;
  if (count <= per) {
    try {
      return frame({ op: 'c', ts: rec.ts, w: rec.w.filter((w) => w.put.length + w.del.length > 0) });
    } catch (e) {
      if (!isTooBig(e)) throw e;
    }
  }
  const items: CommitItem[] = [];
  for (const w of rec.w) {
    for (const d of w.put) items.push({ db: w.db, coll: w.coll, put: d });
    for (const id of w.del) items.push({ db: w.db, coll: w.coll, del: id });
  }
  const make = (part: CommitItem[], last: boolean) => {
    const byColl = new Map<string, { db: string; coll: string; put: unknown[]; del: unknown[] }>();
    for (const it of part) {
      const k = `${it.db}\u0000${it.coll}`;
      let g = byColl.get(k);
      if (!g) byColl.set(k, (g = { db: it.db, coll: it.coll, put: [], del: [] }));
      if (it.put) g.put.push(it.put);
      else g.del.push(it.del);
    }
    return { op: last ? 'c' : 'cp', ts: rec.ts, w: [...byColl.values()] };
  };
  const bufs = frameParts(items, make, per);
  return bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs);
}

/** Reassembles multi-frame commits during replay. */
export class Replay {
  private parts: CommitRecord['w'] = [];
  private partsTs = -1;
  /** Feed a raw record; returns the complete logical record to apply, or null. */
  feed(rec: Record<string, unknown>): JournalRecord | null {
    if (rec.op === 'cp') {
      if (rec.ts !== this.partsTs) this.parts = [];
      this.partsTs = rec.ts as number;
      this.parts.push(...(rec.w as CommitRecord['w']));
      return null;
    }
    if (rec.op === 'c') {
      const w = rec.ts === this.partsTs ? [...this.parts, ...(rec.w as CommitRecord['w'])] : (rec.w as CommitRecord['w']);
      this.parts = [];
      this.partsTs = -1;
      return { op: 'c', ts: rec.ts as number, w };
    }
    // (parts not followed by their final frame cannot reach here: the scanner refuses them
    // unless they end the last file, where they are a torn tail and never completed)
    this.parts = [];
    this.partsTs = -1;
    return rec as unknown as JournalRecord;
  }
}

interface Pending {
  buf: Buffer;
  onDurable: () => void;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class Journal implements DurableLog {
  private fd: number;
  private queue: (Pending | { rotate: () => void })[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  private closed = false;
  /** bytes in the current journal file */
  bytes: number;
  /** called after each batch (compaction trigger) */
  onAppended: (() => void) | null = null;
  /** counters (the engine's stats object) */
  stats: { journalRecords: number; journalFlushes: number } = { journalRecords: 0, journalFlushes: 0 };

  constructor(
    private readonly dir: string,
    public gen: number,
    private readonly fsync: boolean,
  ) {
    const path = Journal.path(dir, gen);
    const existed = fs.existsSync(path);
    this.fd = fs.openSync(path, 'a');
    this.bytes = fs.fstatSync(this.fd).size;
    if (!existed) syncDir(dir); // the new file's directory entry must survive a power loss too
  }

  static path(dir: string, gen: number): string {
    return `${dir}/journal-${String(gen).padStart(8, '0')}.log`;
  }

  static list(dir: string): number[] {
    return fs
      .readdirSync(dir)
      .map((f) => /^journal-(\d+)\.log$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  append(rec: JournalRecord, onDurable: () => void): Promise<void> {
    let buf: Buffer;
    try {
      buf = this.frame(rec);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.appendFramed(buf, onDurable);
  }

  frame(rec: JournalRecord): Buffer {
    try {
      return rec.op === 'c' ? frameCommit(rec) : frame(rec);
    } catch (e) {
      // nothing was written: the journal stays healthy, only this commit fails
      throw serverError('BSONObjectTooLarge', (e as Error).message);
    }
  }

  appendFramed(buf: Buffer, onDurable: () => void): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('embedded mongo: journal is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf, onDurable, resolve, reject });
      this.kick();
    });
  }

  /** Switch to a new journal file once everything queued before is durable. Resolves with the new generation. */
  rotate(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.queue.push({ rotate: () => resolve(this.gen) });
      this.kick();
    });
  }

  isIdle(): boolean {
    return this.flushing === null && this.queue.length === 0;
  }

  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private kick(): void {
    if (!this.flushing) {
      this.flushing = this.flushLoop().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.kick();
      });
    }
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if ('rotate' in head) {
        this.queue.shift();
        fs.closeSync(this.fd);
        this.gen++;
        this.fd = fs.openSync(Journal.path(this.dir, this.gen), 'a');
        this.bytes = 0;
        // (off the event loop: a rotation starts a compaction while calls are being served)
        await syncDirAsync(this.dir);
        head.rotate();
        continue;
      }
      // a batch: everything up to the next rotation marker
      let n = 0;
      while (n < this.queue.length && !('rotate' in this.queue[n]!)) n++;
      const batch = this.queue.splice(0, n) as Pending[];
      try {
        if (this.failed) throw this.failed;
        // (the frames as they are, one gathered write: concatenating a job's commits first copied every byte once more)
        const written = await writeAll(this.fd, batch.map((p) => p.buf));
        if (this.fsync) await new Promise<void>((res, rej) => fs.fdatasync(this.fd, (e) => (e ? rej(e) : res())));
        this.bytes += written;
        this.stats.journalFlushes++;
        this.stats.journalRecords += batch.length;
      } catch (e) {
        // the file may now end with a partial frame: refuse every further append
        this.failed ??= e as Error;
        for (const p of batch) p.reject(e);
        continue;
      }
      for (const p of batch) {
        try {
          p.onDurable();
          p.resolve();
        } catch (e) {
          p.reject(e);
        }
      }
      this.onAppended?.();
    }
  }

  async close(): Promise<void> {
    await this.idle();
    if (this.closed) return;
    this.closed = true;
    if (this.fsync) fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

/** Write the buffers in order at the end of the file (a short write continues where it stopped); resolves with the bytes written. */
function writeAll(fd: number, bufs: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let i = 0; // the first buffer not wholly written
    let off = 0; // bytes of bufs[i] written
    let total = 0;
    const step = () => {
      while (i < bufs.length && off >= bufs[i]!.length) {
        off -= bufs[i]!.length;
        i++;
      }
      if (i >= bufs.length) return resolve(total);
      // (IOV_MAX is 1024 on Linux)
      const part = bufs.slice(i, i + 1024);
      if (off > 0) part[0] = part[0]!.subarray(off);
      fs.writev(fd, part, null, (err, n) => {
        if (err) return reject(err);
        total += n;
        off += n;
        step();
      });
    };
    step();
  });
}

/** syncDir off the event loop (a compaction and its journal rotation, while calls are served). */
export async function syncDirAsync(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | null = null;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    /* some filesystems do not support fsync on directories */
  } finally {
    await handle?.close();
  }
}

/** fsync a directory so a rename/create in it is durable. */
export function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* some filesystems do not support fsync on directories */
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
