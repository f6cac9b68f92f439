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

interface TouchedPath {
  path: string;
  parts: string[];
  /** the operator entry it comes from (a $rename's source and target may not be compared) */
  entry: number;
}

/** true when `a` is `b` or a prefix of it, by whole path components */
function covers(a: string[], b: string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkUpdatePaths(update: Doc): void {
  const seen: TouchedPath[] = [];
  let entry = 0;
  for (const [op, spec] of Object.entries(update)) {
    if (!isPlainObject(spec)) continue; // malformed operator arguments are refused when applied
    for (const [field, value] of Object.entries(spec)) {
      const paths = op === '$rename' && typeof value === 'string' ? [field, value] : [field];
      for (const path of paths) {
        const parts = path.split('.');
        for (const other of seen) {
          if (other.entry === entry) continue;
          const short = other.parts.length <= parts.length ? other : { path, parts };
          const long = short === other ? parts : other.parts;
          if (covers(short.parts, long)) {
            // (the server's wording: the path being added, and where it meets the other one)
            throw serverError('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${short.path}'`);
          }
        }
        seen.push({ path, parts, entry });
      }
      entry++;
    }
  }
}
