/**
 * Dotted paths the fast matcher and the fast updater take: no `$`, no empty or all-digit segment
 * (array positions), no name mingo reads through Object.prototype. Anything else goes to mingo.
 * Compiled once per distinct path (the product uses a few dozen), shared by both.
 */

/** Names mingo's path resolution reads through the prototype of a plain object (`o[k]` without an own check). */
const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const PATHS = new Map<string, readonly string[] | null>();
const MAX_PATHS = 10_000;

/** The frozen segments of `path`, or null when the fast paths do not take it. */
export function plainSegments(path: string): readonly string[] | null {
  let p = PATHS.get(path);
  if (p !== undefined) return p;
  p = null;
  if (path.length > 0 && !path.includes('$')) {
    const segs = path.split('.');
    if (segs.every((s) => s.length > 0 && !isDigits(s) && !PROTO_NAMES.has(s))) p = Object.freeze(segs);
  }
  if (PATHS.size >= MAX_PATHS) PATHS.clear();
  PATHS.set(path, p);
  return p;
}
