/**
 * BSON encoding of the journal's records, byte for byte what `BSON.serialize` (js-bson 6, default
 * options) writes, for documents made of the types the product stores: strings, numbers,
 * booleans, null, Dates, plain objects and arrays. Anything else (ObjectId, Binary, Long, bigint,
 * RegExp, Map, class instances, functions, a key with a NUL byte, nesting deeper than js-bson
 * allows …) hands the whole record to `BSON.serialize`, so the output never differs.
 *
 * Why: the journal serializes every document a commit writes, on the one thread that also runs
 * the queries; js-bson's general loop (a regular expression per key, a cycle set per object, a
 * type ladder per value) made it about a tenth of a job's time. This loop writes the same bytes
 * in about 70% of that.
 */
import { BSON } from 'mongodb';

/** js-bson's serialization buffer: a record that does not fit fails with a RangeError (journal.ts splits it). */
const MAX_BYTES = 17 * 1024 * 1024;
/** nesting beyond this (or a cycle) is left to js-bson, which reports it */
const MAX_DEPTH = 100;

const TWO_32 = 0x100000000;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('bson-fast: unsupported value');

let buf = Buffer.allocUnsafe(1 << 16);
let pos = 0;
const f64 = new Float64Array(1);
const f64bytes = new Uint8Array(f64.buffer); // (little-endian: every platform Node runs on here)

function writeInt32(v: number): void {
  buf[pos] = v & 0xff;
  buf[pos + 1] = (v >>> 8) & 0xff;
  buf[pos + 2] = (v >>> 16) & 0xff;
  buf[pos + 3] = (v >>> 24) & 0xff;
  pos += 4;
}

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  if (size > MAX_BYTES) {
    if (pos + n > MAX_BYTES) throw UNSUPPORTED; // js-bson throws its RangeError for this record
    size = MAX_BYTES;
  }
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, pos);
  buf = next;
}

/** A cstring (element name): UTF-8 without NUL, then NUL. */
function writeKey(key: string): void {
  const n = key.length;
  ensure(n * 3 + 1);
  let i = 0;
  for (; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) break;
    if (c === 0) throw UNSUPPORTED; // js-bson refuses it
    buf[pos + i] = c;
  }
  if (i === n) {
    pos += n;
  } else {
    if (key.includes('\u0000')) throw UNSUPPORTED;
    pos += buf.write(key, pos, 'utf8');
  }
  buf[pos++] = 0;
}

/** A BSON string: int32 byte length (with the NUL), UTF-8, NUL. */
function writeString(s: string): void {
  const n = s.length;
  ensure(n * 3 + 5);
  const at = pos + 4;
  let bytes: number;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    bytes = i === n ? n : buf.write(s, at, 'utf8');
  } else {
    bytes = buf.write(s, at, 'utf8');
  }
  writeInt32(bytes + 1);
  pos = at + bytes;
  buf[pos++] = 0;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function writeElement(key: string, v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      ensure(1);
      buf[pos++] = 0x02;
      writeKey(key);
      writeString(v);
      return;
    case 'number': {
      // js-bson: int32 for a safe integer in range that is not -0, else a double
      const int = (v | 0) === v && (v !== 0 || 1 / v > 0);
      ensure(1);
      buf[pos++] = int ? 0x10 : 0x01;
      writeKey(key);
      ensure(8);
      if (int) writeInt32(v);
      else {
        f64[0] = v;
        for (let i = 0; i < 8; i++) buf[pos + i] = f64bytes[i]!;
        pos += 8;
      }
      return;
    }
    case 'boolean':
      ensure(1);
      buf[pos++] = 0x08;
      writeKey(key);
      ensure(1);
      buf[pos++] = v ? 1 : 0;
      return;
    case 'undefined':
      ensure(1);
      buf[pos++] = 0x0a;
      writeKey(key);
      return;
    case 'object': {
      if (v === null) {
        ensure(1);
        buf[pos++] = 0x0a;
        writeKey(key);
        return;
      }
      if (v instanceof Date) {
        if (Object.getPrototypeOf(v) !== Date.prototype) throw UNSUPPORTED;
        const ms = v.getTime();
        if (!Number.isSafeInteger(ms)) throw UNSUPPORTED; // (an invalid Date: js-bson's Long rules)
        ensure(1);
        buf[pos++] = 0x09;
        writeKey(key);
        ensure(8);
        // int64 little-endian: low word (ToUint32 is the two's complement low word), then high
        writeInt32(ms >>> 0);
        writeInt32(Math.floor(ms / TWO_32));
        return;
      }
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) throw UNSUPPORTED;
        ensure(1);
        buf[pos++] = 0x04;
        writeKey(key);
        writeArray(v, depth + 1);
        return;
      }
      if (!isPlainObject(v) || typeof (v as { toBSON?: unknown }).toBSON === 'function') throw UNSUPPORTED;
      ensure(1);
      buf[pos++] = 0x03;
      writeKey(key);
      writeObject(v as Record<string, unknown>, depth + 1);
      return;
    }
    default:
      // bigint, symbol, function: js-bson's own rules (a Long, skipped keys …)
      throw UNSUPPORTED;
  }
}

/** Start a document or array: room for its int32 length. Returns where it starts. */
function openDocument(depth: number): number {
  if (depth > MAX_DEPTH) throw UNSUPPORTED;
  ensure(4);
  const start = pos;
  pos += 4;
  return start;
}

/** End it: the terminating NUL, then its length written at its start. */
function closeDocument(start: number): void {
  ensure(1);
  buf[pos++] = 0;
  const end = pos;
  pos = start;
  writeInt32(end - start);
  pos = end;
}

function writeObject(o: Record<string, unknown>, depth: number): void {
  const start = openDocument(depth);
  for (const key of Object.keys(o)) {
    const v = o[key];
    // (js-bson's default ignoreUndefined: a document leaves such a field out, an array writes null)
    if (v !== undefined) writeElement(key, v, depth);
  }
  closeDocument(start);
}

function writeArray(a: readonly unknown[], depth: number): void {
  const start = openDocument(depth);
  for (let i = 0; i < a.length; i++) writeElement(String(i), a[i], depth);
  closeDocument(start);
}

/**
 * `BSON.serialize(doc)` (faster for plain data, see the header), after `reserve` bytes left for
 * the caller (a journal frame's header) in the same buffer: one copy of the record, not two.
 */
export function serializeBsonAfter(doc: object, reserve: number): Buffer {
  const viaJsBson = () => {
    const payload = BSON.serialize(doc as BSON.Document);
    const out = Buffer.allocUnsafe(reserve + payload.length);
    out.set(payload, reserve);
    return out;
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !isPlainObject(doc) || typeof (doc as { toBSON?: unknown }).toBSON === 'function') return viaJsBson();
  pos = 0;
  try {
    writeObject(doc as Record<string, unknown>, 0);
  } catch (e) {
    if (e !== UNSUPPORTED) throw e;
    return viaJsBson();
  }
  const out = Buffer.allocUnsafe(reserve + pos);
  buf.copy(out, reserve, 0, pos);
  return out;
}
