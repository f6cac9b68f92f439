/**
 * Server-side checks of an update document that do not depend on the documents it matches:
 * the server parses every operator's paths into one tree before touching anything, and refuses
 * two paths where one is the other or a prefix of it (`{ $set: { b: 1 }, $inc: { b: 2 } }`,
 * `{ $set: { c: { d: 1 }, 'c.d': 2 } }`) with ConflictingUpdateOperators (40) — whether or not a
 * document matches, and counting $setOnInsert (parsed even when no insert happens) and both ends
 * of a $rename.
 */
import { serverError } from './errors';
import { isPlainObject, type Doc } from './values';

/** true when `a` is `b` or a prefix of it, by whole path components */
function covers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Split paths, shared by all updates (this runs for every update statement; the product uses a
// few dozen distinct paths).
const SPLIT = new Map<string, readonly string[]>();
const MAX_SPLIT = 10_000;
function partsOf(path: string): readonly string[] {
  let p = SPLIT.get(path);
  if (p === undefined) {
    if (SPLIT.size >= MAX_SPLIT) SPLIT.clear();
    SPLIT.set(path, (p = Object.freeze(path.split('.'))));
  }
  return p;
}

// The paths seen so far, their components, and the operator entry each comes from (a $rename's
// source and target share one and may not be compared). Module-level scratch arrays, filled up
// to `n` (this runs for every update statement, synchronously and never re-entered; truncating
// them would free their storage).
const paths: string[] = [];
const parts: (readonly string[])[] = [];
const entries: number[] = [];

export function checkUpdatePaths(update: Doc): void {
  let n = 0;
  let entry = 0;
  try {
    for (const op in update) {
      if (!Object.hasOwn(update, op)) continue;
      const spec = update[op];
      if (!isPlainObject(spec)) continue; // malformed operator arguments are refused when applied
      for (const field in spec) {
        if (!Object.hasOwn(spec, field)) continue;
        const value = spec[field];
        const rename = op === '$rename' && typeof value === 'string';
        for (let k = 0; k < (rename ? 2 : 1); k++) {
          const path = k === 0 ? field : (value as string);
          const pp = partsOf(path);
          for (let i = 0; i < n; i++) {
            if (entries[i] === entry) continue;
            const otherShorter = parts[i]!.length <= pp.length;
            if (otherShorter ? covers(parts[i]!, pp) : covers(pp, parts[i]!)) {
              // (the server's wording: the path being added, and where it meets the other one)
              throw serverError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${otherShorter ? paths[i] : path}'`);
            }
          }
          paths[n] = path;
          parts[n] = pp;
          entries[n] = entry;
          n++;
        }
        entry++;
      }
    }
  } finally {
    // (nothing of this update is kept alive by the scratch arrays)
    for (let i = 0; i < n; i++) {
      paths[i] = '';
      parts[i] = EMPTY;
    }
  }
}
const EMPTY: readonly string[] = Object.freeze([]);
