/**
 * Salvage of a data directory the engine refuses to open (CorruptFileError): copies the valid
 * prefix — the snapshot and every journal record before the first bad frame — into a NEW
 * directory, and says exactly what it left behind. The original directory is only read.
 *
 * Run by a person (`npm run db:repair -- <dataDir> <newDir>`), who then checks the report,
 * reconciles what was dropped, and points DATA_DIR at the new directory. Records after a bad
 * frame are never replayed, even when they look valid: commits after a missing one could leave
 * a state that never existed; the report lists them instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { BSON } from 'mongodb';
import { engineOf, openEmbedded } from './client';
import { Journal, frame, syncDir } from './journal';
import { HEADER, MAX_PAYLOAD, scanFrames, type ScanResult } from './journal-scan';
import { isProcessAlive, SNAPSHOT } from './persistence';

export interface RepairReport {
  source: string;
  target: string;
  /** what was copied */
  kept: string[];
  /** what was left behind, and why */
  dropped: string[];
  /** documents per collection in the new directory (it was opened to check) */
  collections: { ns: string; documents: number }[];
}

type Rec = Record<string, unknown>;

function writeFileSynced(file: string, data: Buffer | Buffer[]): void {
  const fd = fs.openSync(file, 'wx');
  try {
    for (const b of Array.isArray(data) ? data : [data]) {
      let off = 0;
      while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readRange(file: string, start: number, end: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const out = Buffer.allocUnsafe(end - start);
    let off = 0;
    while (off < out.length) {
      const n = fs.readSync(fd, out, off, out.length - off, start + off);
      if (n === 0) throw new Error(`embedded mongo: ${file} shrank while being read`);
      off += n;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** A one-line summary of a journal record (for the list of what was dropped). */
function describeRecord(rec: Rec): string {
  switch (rec.op) {
    case 'c':
    case 'cp': {
      const parts = (rec.w as { db: string; coll: string; put: { _id: unknown }[]; del: unknown[] }[]).map((w) => {
        const ids = [...w.put.map((d) => d._id), ...w.del].slice(0, 5).map((id) => JSON.stringify(id));
        const more = w.put.length + w.del.length > 5 ? ', …' : '';
        return `${w.db}.${w.coll}: ${w.put.length} written, ${w.del.length} deleted (_id ${ids.join(', ')}${more})`;
      });
      return `commit ts ${String(rec.ts)}${rec.op === 'cp' ? ' (part)' : ''}: ${parts.join('; ') || 'no documents'}`;
    }
    default:
      return `${String(rec.op)} ts ${String(rec.ts)} ${[rec.db, rec.coll, rec.name].filter((x) => x !== undefined).join('.')}`;
  }
}

/**
 * Best effort: the records that can still be read after `from` in a damaged file (skipping a bad
 * frame when its length looks plausible), so that the report can say what was dropped.
 */
function readableAfter(file: string, from: number): string[] {
  const data = readRange(file, from, fs.statSync(file).size);
  const out: string[] = [];
  let pos = 0;
  while (pos + HEADER <= data.length) {
    const len = data.readUInt32LE(pos);
    if (len < 5 || len > MAX_PAYLOAD || pos + HEADER + len > data.length) break;
    const payload = data.subarray(pos + HEADER, pos + HEADER + len);
    if (crc32(payload) === data.readUInt32LE(pos + 4)) {
      try {
        out.push(describeRecord(BSON.deserialize(payload)));
      } catch {
        out.push(`unreadable record at offset ${from + pos}`);
      }
    } else {
      out.push(`damaged frame at offset ${from + pos} (${len} bytes)`);
    }
    pos += HEADER + len;
  }
  if (pos < data.length) out.push(`${data.length - pos} more bytes that do not form a frame`);
  return out;
}

function listDropped(report: RepairReport, lines: string[], indent = '    '): void {
  const max = 50;
  for (const l of lines.slice(0, max)) report.dropped.push(indent + l);
  if (lines.length > max) report.dropped.push(`${indent}… and ${lines.length - max} more`);
}

export async function repairDataDir(source: string, target: string): Promise<RepairReport> {
  const src = path.resolve(source);
  const dst = path.resolve(target);
  if (!fs.existsSync(src) || !fs.statSync(src).isDirectory()) throw new Error(`embedded mongo repair: ${src} is not a directory`);
  if (src === dst) throw new Error('embedded mongo repair: the new directory must differ from the data directory (the original is never modified)');
  if (fs.existsSync(dst) && fs.readdirSync(dst).length > 0) throw new Error(`embedded mongo repair: ${dst} exists and is not empty`);
  const lock = path.join(src, 'LOCK');
  if (fs.existsSync(lock)) {
    const pid = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
      throw new Error(`embedded mongo repair: ${src} is in use by process ${pid} (${lock}); stop it first`);
    }
  }
  fs.mkdirSync(dst, { recursive: true });
  const report: RepairReport = { source: src, target: dst, kept: [], dropped: [], collections: [] };

  // -- the snapshot: copied when whole; otherwise rebuilt from its valid records
  let snapTs = 0;
  const snapPath = path.join(src, SNAPSHOT);
  if (fs.existsSync(snapPath)) {
    let complete = false;
    const check = scanFrames(snapPath, { tailMayBeTorn: false, salvage: true }, (rec) => {
      if (rec.op === 'snap') snapTs = rec.ts as number;
      if (rec.op === 'end') complete = true;
    });
    if (!check.bad && complete) {
      fs.copyFileSync(snapPath, path.join(dst, SNAPSHOT));
      report.kept.push(`${SNAPSHOT}: whole (${check.size} bytes, state at commit ts ${snapTs})`);
    } else {
      // (its header keeps the snapshot's timestamp: journal records up to it stay skipped)
      salvageSnapshot(snapPath, dst, check, report);
    }
  }

  // -- the journal files, in order, up to the first bad frame
  const gens = Journal.list(src);
  let stopped: string | null = null;
  for (let i = 0; i < gens.length; i++) {
    const file = Journal.path(src, gens[i]!);
    const name = path.basename(file);
    const out = path.join(dst, name);
    if (stopped) {
      report.dropped.push(`${name}: all ${fs.statSync(file).size} bytes (it comes after the damage in ${stopped})`);
      listDropped(report, readableAfter(file, 0));
      continue;
    }
    let records = 0;
    const r = scanFrames(file, { tailMayBeTorn: i === gens.length - 1, salvage: true }, () => records++);
    writeFileSynced(out, r.end > 0 ? readRange(file, 0, r.end) : Buffer.alloc(0));
    report.kept.push(`${name}: ${r.end} of ${r.size} bytes`);
    if (r.torn) {
      report.dropped.push(`${name}: torn tail of ${r.size - r.end} bytes at offset ${r.end} (${r.torn.reason}); never acknowledged`);
    } else if (r.bad) {
      report.dropped.push(`${name}: corrupt at byte offset ${r.bad.offset} (${r.bad.reason}); dropped bytes ${r.end}..${r.size}, which held:`);
      listDropped(report, readableAfter(file, r.end));
      stopped = name;
    }
  }
  syncDir(dst);

  // -- check: the new directory opens, and what it holds
  const client = await openEmbedded({ dir: dst });
  try {
    for (const [db, colls] of engineOf(client).dbs) {
      for (const c of colls.values()) if (c.persisted) report.collections.push({ ns: `${db}.${c.name}`, documents: c.live });
    }
  } finally {
    await client.close();
  }
  report.collections.sort((a, b) => a.ns.localeCompare(b.ns));
  return report;
}

/**
 * A damaged snapshot: keep its records before the first bad frame (collections and documents),
 * leave out the saved index orders (indexes are rebuilt on open), close it with an end record.
 */
function salvageSnapshot(snapPath: string, dst: string, check: ScanResult, report: RepairReport): void {
  const keep: Buffer[] = [];
  let ts: number | null = null;
  let docs = 0;
  const collections: string[] = [];
  scanFrames(snapPath, { tailMayBeTorn: false, salvage: true }, (rec) => {
    if (rec.op === 'snap') ts = rec.ts as number;
    if (ts === null || rec.op === 'order' || rec.op === 'end') return;
    if (rec.op === 'coll') collections.push(`${String(rec.db)}.${String(rec.coll)}`);
    if (rec.op === 'docs') docs += (rec.docs as unknown[]).length;
    keep.push(frame(rec));
  });
  const why = check.bad ? `corrupt at byte offset ${check.bad.offset} (${check.bad.reason})` : 'no end record';
  if (ts === null) {
    report.dropped.push(`${SNAPSHOT}: ${why}; its header is unreadable, so none of it is kept (the journal holds only the documents changed after it)`);
    return;
  }
  keep.push(frame({ op: 'end', ts }));
  writeFileSynced(path.join(dst, SNAPSHOT), keep);
  report.kept.push(`${SNAPSHOT}: ${docs} documents of ${collections.length} collection(s) before the damage (state at commit ts ${String(ts)}, incomplete)`);
  report.dropped.push(
    `${SNAPSHOT}: ${why}; dropped bytes ${check.bad?.offset ?? check.end}..${check.size}: the documents after that point ` +
      `(the last kept collection, ${collections[collections.length - 1] ?? 'none'}, may be incomplete; collections after it are missing)`,
  );
}

/** The report as the repair command prints it. */
export function formatRepairReport(r: RepairReport): string {
  const lines = [`salvaged ${r.source}`, `     into ${r.target} (the original was not modified)`, '', 'kept:'];
  for (const k of r.kept) lines.push(`  ${k}`);
  lines.push('', r.dropped.length ? 'DROPPED:' : 'dropped: nothing');
  for (const d of r.dropped) lines.push(`  ${d}`);
  lines.push('', 'the new directory opens and holds:');
  for (const c of r.collections) lines.push(`  ${c.ns}: ${c.documents} document(s)`);
  lines.push('', 'Check what was dropped, then point DATA_DIR at the new directory.');
  return lines.join('\n');
}
