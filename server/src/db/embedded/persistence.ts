/**
 * Durability of a data directory: lock file, snapshot + journal replay on open, compaction.
 *
 * Files: `LOCK` (pid of the owner), `snapshot.bson` (framed records: header with its commit
 * timestamp X, per collection its index definitions then its documents in chunks, footer),
 * `journal-<gen>.log` (commits and DDL, each with its timestamp). State = snapshot + every
 * journal record with ts > X, so a crash at any point of a compaction is harmless: the new
 * snapshot only replaces the old one by an atomic rename, and old journal files are deleted
 * only after that.
 */
import * as fs from 'node:fs';
import { Binary } from 'mongodb';
import * as path from 'node:path';
import type { Engine, JournalRecord } from './engine';
import type { IndexSpec } from './index-btree';
import { Journal, Replay, frame, frameParts, syncDirAsync } from './journal';
import { CorruptFileError, scanFrames } from './journal-scan';
import type { Rec } from './record';
import { collectGarbage, LOAD_GC_DOCS } from './heap';
import { compactFreeze, type Doc } from './values';

export interface StorageOptions {
  fsync: boolean;
  /** compact when the journal exceeds this many bytes and the snapshot size (default 64 MiB) */
  compactJournalBytes: number;
}

const openDirs = new Set<string>();

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the directory lock (pid file); a lock left by a dead process is taken over. */
function acquireLock(dir: string): () => void {
  const real = fs.realpathSync(dir);
  if (openDirs.has(real)) throw new Error(`embedded mongo: data directory ${dir} is already open in this process`);
  const lockPath = path.join(dir, 'LOCK');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      openDirs.add(real);
      return () => {
        openDirs.delete(real);
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    try {
      pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    } catch {
      continue; // removed meanwhile: retry
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
      throw new Error(`embedded mongo: data directory ${dir} is locked by running process ${pid} (${lockPath})`);
    }
    // stale lock (dead process, or an unclosed client of this process): take it over
    try {
      fs.unlinkSync(lockPath);
    } catch {
      /* raced with another opener: retry */
    }
  }
  throw new Error(`embedded mongo: could not acquire the lock ${lockPath}`);
}

export const SNAPSHOT = 'snapshot.bson';
const ORDER_CHUNK = 256 * 1024;
/**
 * Documents per snapshot frame. Each frame is serialized in one go on the event loop, between two
 * writes: at 1,000 documents a frame of orders or journal entries took ~9 ms (15 ms at most) while
 * the gateway served 128 shoppers; at 250, a quarter of that.
 */
const SNAPSHOT_FRAME_DOCS = 250;

/** Int32 positions from a BSON Binary (copied: the bytes may not be 4-byte aligned). */
function int32sOf(b: Binary): Int32Array {
  const bytes = b.buffer;
  const out = new Int32Array(bytes.byteLength >> 2);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4));
  return out;
}

function concatInt32(parts: Int32Array[]): Int32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const SNAPSHOT_TMP = 'snapshot.tmp';

export class Storage {
  private journal!: Journal;
  private releaseLock: () => void;
  private snapshotBytes = 0;
  /** bytes of journal files older than the current one (left by an interrupted compaction) */
  private olderJournalBytes = 0;
  private compacting: Promise<void> | null = null;
  private closing = false;

  private constructor(
    private readonly engine: Engine,
    private readonly dir: string,
    private readonly opts: StorageOptions,
  ) {
    this.releaseLock = acquireLock(dir);
  }

  static async open(engine: Engine, dir: string, opts: StorageOptions): Promise<Storage> {
    fs.mkdirSync(dir, { recursive: true });
    const s = new Storage(engine, dir, opts);
    try {
      s.load();
      if (s.shouldCompact()) await s.compact();
    } catch (e) {
      s.releaseLock();
      throw e;
    }
    return s;
  }

  /** Load snapshot + journals into the engine and open the journal for appending. */
  private load(): void {
    const dir = this.dir;
    fs.rmSync(path.join(dir, SNAPSHOT_TMP), { force: true });
    let snapTs = 0;
    const snapPath = path.join(dir, SNAPSHOT);
    if (fs.existsSync(snapPath)) {
      let complete = false;
      // a collection's documents are buffered, then loaded at once (bulk-built indexes)
      let cur: { db: string; coll: string; docs: Doc[]; orders: Map<string, Int32Array[]> } | null = null;
      let loadedSinceGc = 0;
      const flush = () => {
        if (cur) {
          const orders = new Map([...cur.orders].map(([name, parts]) => [name, concatInt32(parts)]));
          this.engine.coll(cur.db, cur.coll).bulkLoad(cur.docs, snapTs, orders);
          // (the index build's scratch: see heap.ts)
          if (cur.docs.length >= LOAD_GC_DOCS) collectGarbage();
        }
        cur = null;
      };
      // the snapshot was fsynced before its rename: any damage is corruption (refused, named)
      const r = scanFrames(snapPath, { tailMayBeTorn: false }, (rec) => {
        switch (rec.op) {
          case 'snap':
            snapTs = rec.ts as number;
            break;
          case 'coll':
            flush();
            cur = { db: rec.db as string, coll: rec.coll as string, docs: [], orders: new Map() };
            this.engine.coll(cur.db, cur.coll).persisted = true;
            for (const spec of rec.indexes as IndexSpec[]) this.engine.loadIndex(cur.db, cur.coll, spec);
            break;
          case 'docs':
            for (const d of rec.docs as Doc[]) cur!.docs.push(compactFreeze(d));
            // a large collection: collect the load's garbage every LOAD_GC_DOCS documents (heap.ts)
            loadedSinceGc += (rec.docs as Doc[]).length;
            if (loadedSinceGc >= LOAD_GC_DOCS) {
              collectGarbage();
              loadedSinceGc = 0;
            }
            break;
          case 'order': {
            const parts = cur!.orders.get(rec.index as string) ?? [];
            parts.push(int32sOf(rec.pos as Binary));
            cur!.orders.set(rec.index as string, parts);
            break;
          }
          case 'end':
            flush();
            complete = true;
            break;
        }
      });
      if (!complete) throw new CorruptFileError(snapPath, r.end, 'the snapshot has no end record');
      this.snapshotBytes = r.size;
    }
    this.engine.setLoadedTs(snapTs);
    const gens = Journal.list(dir);
    const assembler = new Replay();
    // Every file is read before anything is changed: a corrupt frame anywhere throws
    // CorruptFileError (file, offset) and the directory stays as it was.
    let tornTail: { path: string; end: number; size: number; reason: string } | null = null;
    for (let i = 0; i < gens.length; i++) {
      const p = Journal.path(dir, gens[i]!);
      const last = i === gens.length - 1;
      const r = scanFrames(p, { tailMayBeTorn: last }, (raw) => {
        const rec = assembler.feed(raw);
        if (rec && rec.ts > snapTs) this.replay(rec);
      });
      if (r.torn) tornTail = { path: p, end: r.end, size: r.size, reason: r.torn.reason };
    }
    if (tornTail) {
      // the unfinished write of a crash (never acknowledged): cut it, whole frames of an
      // incomplete multi-frame commit included, so that no later commit can join them
      console.warn(
        `embedded mongo: ${tornTail.path}: dropped a torn tail of ${tornTail.size - tornTail.end} bytes at offset ${tornTail.end} ` +
          `(${tornTail.reason}); it was never acknowledged`,
      );
      fs.truncateSync(tornTail.path, tornTail.end);
    }
    for (const g of gens.slice(0, -1)) this.olderJournalBytes += fs.statSync(Journal.path(dir, g)).size;
    this.journal = new Journal(dir, gens.length ? gens[gens.length - 1]! : 1, this.opts.fsync);
    this.journal.stats = this.engine.stats;
    this.journal.onAppended = () => {
      if (!this.compacting && !this.closing && this.shouldCompact()) {
        this.compact().catch((e) => console.error('embedded mongo: compaction failed', e));
      }
    };
    this.engine.journal = this.journal;
  }

  private replay(rec: JournalRecord): void {
    const e = this.engine;
    switch (rec.op) {
      case 'c':
        for (const w of rec.w) for (let i = 0; i < w.put.length; i++) w.put[i] = compactFreeze(w.put[i]!);
        e.replayCommit(rec);
        break;
      case 'ci':
        e.loadIndex(rec.db, rec.coll, rec.spec);
        break;
      case 'di':
        e.dropIndexNow(rec.db, rec.coll, rec.name);
        break;
      case 'cc':
        e.coll(rec.db, rec.coll).persisted = true;
        break;
      case 'dc':
        e.dropCollectionNow(rec.db, rec.coll);
        break;
      case 'dd':
        e.dropDatabaseNow(rec.db);
        break;
    }
    e.setLoadedTs(rec.ts);
  }

  private shouldCompact(): boolean {
    const j = this.olderJournalBytes + this.journal.bytes;
    return j > this.opts.compactJournalBytes && j > this.snapshotBytes;
  }

  /**
   * Write a snapshot of the state at a commit timestamp X, then drop the journal files it covers.
   * Runs concurrently with commits: the journal is rotated first (every record in older files
   * has ts <= X), the state at X is pinned (old versions are kept) and written in chunks.
   */
  compact(): Promise<void> {
    // one compaction at a time: a request during a running one runs after it
    const run = (this.compacting ?? Promise.resolve()).catch(() => {}).then(() => this.compactNow());
    const tracked: Promise<void> = run.finally(() => {
      if (this.compacting === tracked) this.compacting = null;
    });
    this.compacting = tracked;
    return tracked;
  }

  private async compactNow(): Promise<void> {
    const engine = this.engine;
    const newGen = await this.journal.rotate();
    const X = engine.appliedTs;
    engine.pin(X);
    try {
      // the collections and records at X, captured synchronously
      // (at this instant the latest state is the state at X, so the trees give each index's
      // order at X: saved as positions, it spares the reopen a sort per index)
      const colls: { db: string; coll: string; indexes: IndexSpec[]; recs: Rec[]; orders: [string, Int32Array][] }[] = [];
      for (const [db, m] of engine.dbs) {
        for (const c of m.values()) {
          if (!c.persisted) continue;
          // (leaf walks into arrays, no generator step per entry: this capture holds the event loop)
          const recs = c.liveRecords();
          for (let i = 0; i < recs.length; i++) recs[i]!.pos = i;
          const orders: [string, Int32Array][] = [];
          for (const ix of c.indexes) {
            if (ix.isId || ix.multikeyDocs > 0) continue;
            const entries = ix.tree.toArray();
            const pos = new Int32Array(entries.length);
            for (let i = 0; i < entries.length; i++) pos[i] = (entries[i] as Rec).pos;
            orders.push([ix.spec.name, pos]);
          }
          colls.push({ db, coll: c.name, indexes: c.indexes.filter((i) => !i.isId).map((i) => i.spec), recs, orders });
        }
      }
      const tmp = path.join(this.dir, SNAPSHOT_TMP);
      const fd = fs.openSync(tmp, 'w');
      let bytes = 0;
      const write = async (b: Buffer) => {
        await new Promise<void>((res, rej) => fs.write(fd, b, 0, b.length, null, (e) => (e ? rej(e) : res())));
        bytes += b.length;
      };
      const put = (rec: object) => write(frame(rec));
      try {
        await put({ op: 'snap', ts: X, v: 1 });
        for (const c of colls) {
          await put({ op: 'coll', db: c.db, coll: c.coll, indexes: c.indexes });
          let chunk: Doc[] = [];
          for (const rec of c.recs) {
            const d = rec.visibleAt(X);
            if (d) chunk.push(d);
            if (chunk.length >= SNAPSHOT_FRAME_DOCS) {
              for (const b of frameParts(chunk, (docs) => ({ op: 'docs', db: c.db, coll: c.coll, docs }), SNAPSHOT_FRAME_DOCS)) await write(b);
              chunk = [];
            }
          }
          if (chunk.length) for (const b of frameParts(chunk, (docs) => ({ op: 'docs', db: c.db, coll: c.coll, docs }), SNAPSHOT_FRAME_DOCS)) await write(b);
          for (const [index, pos] of c.orders) {
            for (let i = 0; i < pos.length; i += ORDER_CHUNK) {
              const part = pos.subarray(i, i + ORDER_CHUNK);
              await put({ op: 'order', db: c.db, coll: c.coll, index, pos: new Binary(Buffer.from(part.buffer, part.byteOffset, part.byteLength)) });
            }
          }
        }
        await put({ op: 'end', ts: X });
        // (the fsync and the removals below run off the event loop: done synchronously, a
        // compaction of a 45 MB snapshot held every call in flight for ~75 ms at a time)
        if (this.opts.fsync) await new Promise<void>((res, rej) => fs.fsync(fd, (e) => (e ? rej(e) : res())));
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, path.join(this.dir, SNAPSHOT));
      await syncDirAsync(this.dir);
      this.snapshotBytes = bytes;
      this.olderJournalBytes = 0;
      for (const g of Journal.list(this.dir)) if (g < newGen) await fs.promises.rm(Journal.path(this.dir, g), { force: true });
    } finally {
      engine.unpin(X);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    while (this.compacting) await this.compacting.catch(() => {});
    await this.journal.close();
    this.engine.journal = null;
    this.releaseLock();
  }
}
