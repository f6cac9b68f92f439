/**
 * Reading framed files (journal files and the snapshot) without ever mistaking damage for the
 * end of the data.
 *
 * Frame = [u32 LE payload length][u32 LE CRC-32 of payload][payload = BSON document].
 *
 * A crash during a write can only damage the end of the last journal file: the bytes after its
 * last fsync, which belong to a commit that was never acknowledged. So only these count as a
 * **torn tail** (cut off on open, with a warning):
 * - an incomplete frame header at the end of the file;
 * - a final frame that runs past the end of the file, whose payload begins as every payload
 *   does, with its own BSON length (equal to the header's) — or is all zeros;
 * - a final frame that ends exactly at the end of the file with a CRC mismatch *and* a block
 *   that a lost write leaves behind: a 512-byte-aligned block (at least 64 bytes, clipped to the
 *   end of the file) of zeros. A single corrupted byte cannot produce that;
 * - a zero-filled remainder (a header of zeros up to the end of the file);
 * - the frames of a multi-frame commit that lacks its closing frame at the end of the file.
 *
 * Everything else — a CRC mismatch with data after the frame, an impossible length, a length
 * that runs past the end of the file while the payload says otherwise, BSON that does not parse,
 * an incomplete multi-frame commit followed by other records, any damage in a file that is not
 * the last journal — is **corruption**: `CorruptFileError`, naming the file and byte offset.
 * The engine then refuses to open; nothing is truncated, and `npm run db:repair` salvages the
 * valid prefix into a new directory.
 */
import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { BSON } from 'mongodb';

export const HEADER = 8;
const MIN_BSON = 5;
/** largest payload the writer produces (the BSON serializer's buffer: 17 MiB) */
export const MAX_PAYLOAD = 17 * 1024 * 1024;
const SECTOR = 512;
/** shortest zero run (clipped at the end of the file) taken as a lost write, not natural zeros */
const MIN_ZERO_BLOCK = 64;

export interface FrameProblem {
  /** byte offset in the file */
  offset: number;
  reason: string;
}

export interface ScanResult {
  size: number;
  /** end of the last complete record (a multi-frame commit is complete with its closing frame) */
  end: number;
  /** a crash's torn tail [end, size) (only when `tailMayBeTorn`) */
  torn: FrameProblem | null;
  /** the first bad frame (only with `salvage`; otherwise CorruptFileError is thrown) */
  bad: FrameProblem | null;
}

export interface ScanOptions {
  /** the last journal file: an unfinished final write is a torn tail */
  tailMayBeTorn: boolean;
  /** report the first bad frame in the result instead of throwing (the repair command) */
  salvage?: boolean;
}

export class CorruptFileError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      `embedded mongo: ${file} is corrupt at byte offset ${offset}: ${reason}. ` +
        `The data directory was left untouched and will not be opened. ` +
        `To salvage everything before that point into a new directory: npm run db:repair -- <dataDir> <newDir> (server/src/db/README.md)`,
    );
    this.name = 'CorruptFileError';
  }
}

/** Windowed reads over a file descriptor (few syscalls for many small frames). */
class Reader {
  private buf: Buffer;
  private bufStart = 0;
  private bufLen = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 16 << 20));
  }

  /** bytes [pos, pos + n) (n must not run past the end of the file); valid until the next call */
  bytes(pos: number, n: number): Buffer {
    if (pos < this.bufStart || pos + n > this.bufStart + this.bufLen) {
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
      this.bufStart = pos;
      this.bufLen = fs.readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.size - pos), pos);
    }
    const o = pos - this.bufStart;
    return this.buf.subarray(o, o + n);
  }

  allZero(from: number, to: number): boolean {
    for (let p = from; p < to; ) {
      const n = Math.min(to - p, 1 << 20);
      const b = this.bytes(p, n);
      for (let i = 0; i < n; i++) if (b[i] !== 0) return false;
      p += n;
    }
    return true;
  }

  /** a sector-aligned block of zeros (at least MIN_ZERO_BLOCK bytes, clipped at `to`) in [from, to) */
  hasZeroBlock(from: number, to: number): boolean {
    for (let z = Math.ceil(from / SECTOR) * SECTOR; z < to; z += SECTOR) {
      const blockEnd = Math.min(z + SECTOR, to);
      if (blockEnd - z >= MIN_ZERO_BLOCK && this.allZero(z, blockEnd)) return true;
    }
    return false;
  }
}

/**
 * Read every frame of a file in order, calling `onRecord` for each valid record (including the
 * parts of a multi-frame commit, before it is known to be complete: the caller assembles them).
 */
export function scanFrames(path: string, opts: ScanOptions, onRecord: (rec: Record<string, unknown>, end: number) => void): ScanResult {
  const fd = fs.openSync(path, 'r');
  try {
    const r = new Reader(fd, fs.fstatSync(fd).size);
    return scan(r, path, opts, onRecord);
  } finally {
    fs.closeSync(fd);
  }
}

function scan(r: Reader, path: string, opts: ScanOptions, onRecord: (rec: Record<string, unknown>, end: number) => void): ScanResult {
  const size = r.size;
  let pos = 0;
  let end = 0;
  /** an open multi-frame commit: its timestamp and the offset of its first part */
  let pending: { ts: unknown; start: number } | null = null;

  const bad = (offset: number, reason: string): ScanResult => {
    if (opts.salvage) return { size, end, torn: null, bad: { offset, reason } };
    throw new CorruptFileError(path, offset, reason);
  };
  const torn = (reason: string): ScanResult => {
    if (!opts.tailMayBeTorn) return bad(end, `${reason} — not possible in this file (only the last journal file can end in an unfinished write)`);
    return { size, end, torn: { offset: end, reason }, bad: null };
  };

  while (pos < size) {
    const rem = size - pos;
    if (rem < HEADER) return torn(`an incomplete frame header (${rem} of ${HEADER} bytes) ends the file`);
    const header = r.bytes(pos, HEADER);
    const len = header.readUInt32LE(0);
    const crc = header.readUInt32LE(4);
    if (len < MIN_BSON || len > MAX_PAYLOAD) {
      if (r.allZero(pos, size)) return torn(`the last ${rem} bytes are zeros (a write lost by a crash)`);
      return bad(pos, `impossible frame length ${len}`);
    }
    const frameEnd = pos + HEADER + len;
    if (frameEnd > size) {
      const avail = size - pos - HEADER;
      // a write cut short: the payload present so far starts with its BSON length (= len)
      const consistent = avail < 4 || r.bytes(pos + HEADER, 4).readInt32LE(0) === len || r.allZero(pos + HEADER, size);
      if (consistent) return torn(`the final frame (${len} bytes) is cut short: the file ends after ${avail} of them`);
      return bad(pos, `frame length ${len} runs past the end of the file (${rem} bytes left) and the payload does not begin with that length`);
    }
    const payload = r.bytes(pos + HEADER, len);
    if (crc32(payload) !== crc) {
      if (frameEnd < size) return bad(pos, `CRC mismatch in a frame of ${len} bytes, followed by ${size - frameEnd} more bytes`);
      if (r.hasZeroBlock(pos + HEADER, frameEnd)) return torn(`the final frame (${len} bytes) has a zero-filled block (a write lost by a crash)`);
      return bad(pos, `CRC mismatch in the final frame of ${len} bytes (no zero-filled block: not the mark of an unfinished write)`);
    }
    let rec: Record<string, unknown>;
    try {
      rec = BSON.deserialize(payload, { promoteValues: true, promoteLongs: true, bsonRegExp: false });
    } catch (e) {
      return bad(pos, `the frame's BSON does not parse (${(e as Error).message})`);
    }
    if (rec.op === 'cp') {
      if (pending && pending.ts !== rec.ts) return bad(pos, `a part of commit ${String(rec.ts)} follows an incomplete multi-frame commit ${String(pending.ts)}`);
      pending ??= { ts: rec.ts, start: pos };
    } else {
      if (pending && !(rec.op === 'c' && rec.ts === pending.ts)) {
        return bad(pending.start, `the multi-frame commit ${String(pending.ts)} starting here has no closing frame, and another record follows at offset ${pos}`);
      }
      pending = null;
    }
    onRecord(rec, frameEnd);
    pos = frameEnd;
    if (!pending) end = pos;
  }
  if (pending) return torn(`the multi-frame commit ${String(pending.ts)} has no closing frame at the end of the file`);
  return { size, end, torn: null, bad: null };
}
