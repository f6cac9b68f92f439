/**
 * Fast update applier for the common case: `$set`, `$inc` and `$unset` (with `$setOnInsert`
 * already merged into `$set` on an upsert-insert) on plain dotted paths.
 *
 * Why: mingo's updater rebuilds its operator context on every call, and the engine had to thaw
 * the whole stored version into a mutable copy for it and freeze the whole result again. Here the
 * new version is built with structural sharing instead: only the objects along the changed paths
 * are copied (values of the old version are already frozen and compact, so they are reused as
 * they are), and the copies are rebuilt with the shape factories of values.ts and frozen.
 *
 * The result must be exactly what the mingo path (operations.ts applyUpdate) produces: the same
 * document (existing fields keep their place, new fields are appended, missing intermediates
 * become new objects), the same "modified" answer, the same errors. So this only takes what it
 * can reproduce exactly and answers FALLBACK for everything else:
 *   - operators other than $set/$inc/$unset, or an operator argument that is not a plain object
 *     (or a null-prototype one);
 *   - paths with `$` (positional, `$`-prefixed), numeric or empty segments, segments that are
 *     Object.prototype members (`__proto__`, `constructor`, `toString`… mingo reads those through
 *     the prototype), and paths on `_id` (immutability is mingo's and guardId's business);
 *   - an intermediate value that is present but not a plain object (null, a scalar, an array, a
 *     Date…): mingo then silently skips, replaces (null) or descends (arrays);
 *   - `$inc` by anything but a plain JS number (mingo refuses NaN, Long/Int32 wrappers differ),
 *     or of a present value that is not a plain JS number (mingo skips it silently);
 *   - `$set` of `undefined`, a function, a symbol or a bigint;
 *   - any exception while building (e.g. a value that cannot be stored): the mingo path then
 *     raises its own error, in its own order.
 *
 * Mingo's rules reproduced (mingo/esm/operators/update/{set,inc,unset}.js, util isEqual):
 *   - $set: no change (and no write) when `isEqual(old, value)` (mingo's own isEqual is used);
 *     otherwise the value is stored as freezeClone(value) (what freezeClone(work) made of
 *     mingo's shallow copy);
 *   - $inc: `o[k] ||= 0; o[k] += v`, modified iff the result `!==` the old value: so $inc by 0
 *     is no change, and -0 becomes 0 without counting as a change;
 *   - $unset: only an own field is deleted; modified iff its old value was not undefined;
 *   - operators in the update's key order, fields in each operator's key order.
 */
import { isEqual } from 'mingo/util';
import { buildObject, compactShallow, freezeClone, isPlainObject, type Doc } from './values';
import { plainSegments } from './simple-path';

/** Returned when the update is not one this applier reproduces exactly: use the mingo path. */
export const FALLBACK: unique symbol = Symbol('fast-update fallback');

const OP_SET = 0;
const OP_INC = 1;
const OP_UNSET = 2;
const OPS: Record<string, number> = { $set: OP_SET, $inc: OP_INC, $unset: OP_UNSET };

/** The segments of a path this applier handles (not `_id` or below it), or null. */
export function simplePath(path: string): readonly string[] | null {
  const segs = plainSegments(path);
  return segs && segs[0] !== '_id' ? segs : null;
}

/**
 * A plain object as both mingo (`constructor === Object`) and our cloning (Object.prototype)
 * see it. Stored objects are built by literal factories, so this holds for all of them.
 */
function isPlain(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && (v as Doc).constructor === Object;
}

/** Acceptable `$set` values: what mingo compares and stores the way we reproduce. */
function settable(v: unknown): boolean {
  switch (typeof v) {
    case 'undefined':
    case 'function':
    case 'symbol':
    case 'bigint':
      return false;
    default:
      return true;
  }
}

/**
 * Apply `mod` (operators already validated, `$setOnInsert` merged or dropped, `_id` guarded) to
 * the frozen version `base`. Returns the new frozen version, null when nothing changed (and not
 * `insert`), or FALLBACK.
 */
export function fastApplyUpdate(base: Doc, mod: Doc, insert: boolean): Doc | null | typeof FALLBACK {
  if (!isPlain(base)) return FALLBACK;
  // validate the whole update before building anything
  let flat = true;
  for (const op in mod) {
    const code = OPS[op];
    const spec = mod[op];
    // (an operator argument is only read by its keys: a null-prototype object is fine too)
    if (code === undefined || !Object.hasOwn(mod, op) || !isPlainObject(spec)) return FALLBACK;
    for (const field in spec) {
      const path = simplePath(field);
      if (path === null) return FALLBACK;
      if (path.length > 1) flat = false;
      const v = spec[field];
      if (code === OP_INC ? typeof v !== 'number' || Number.isNaN(v) : code === OP_SET && !settable(v)) return FALLBACK;
    }
  }
  try {
    return flat ? buildFlat(base, mod, insert) : build(base, mod, insert);
  } catch {
    // the mingo path raises the error (or not) in its own order
    return FALLBACK;
  }
}

// (scratch of buildFlat: never re-entered)
const FLAT_KEYS: string[] = [];
const FLAT_VALS: unknown[] = [];

/**
 * `build` for an update of top-level fields only (the usual `$inc` of a balance, `$set` of a
 * status): the new version's fields are laid out from the old one's and changed in place, then
 * built once by their shape's factory, with no draft copy in between. Same rules as `build`.
 */
function buildFlat(base: Doc, mod: Doc, insert: boolean): Doc | null | typeof FALLBACK {
  const keys = FLAT_KEYS;
  const vals = FLAT_VALS;
  let n = 0;
  for (const k in base) {
    keys[n] = k;
    vals[n++] = base[k];
  }
  let modified = false;
  let changed = false;
  try {
    for (const op in mod) {
      const code = OPS[op]!;
      const spec = mod[op] as Doc;
      for (const field in spec) {
        let i = 0;
        while (i < n && keys[i] !== field) i++;
        const own = i < n;
        const old = own ? vals[i] : undefined;
        const arg = spec[field];
        if (code === OP_UNSET) {
          if (!own) continue;
          if (old !== undefined) modified = true;
          for (; i + 1 < n; i++) {
            keys[i] = keys[i + 1]!;
            vals[i] = vals[i + 1];
          }
          n--;
          changed = true;
          continue;
        }
        let value: unknown;
        if (code === OP_SET) {
          if (isEqual(old, arg)) continue;
          value = freezeClone(arg, field);
          modified = true;
        } else {
          if (old !== undefined && (typeof old !== 'number' || Number.isNaN(old))) return FALLBACK;
          const sum = ((old as number | undefined) || 0) + (arg as number);
          if (Object.is(sum, old)) continue;
          value = sum;
          if (sum !== old) modified = true;
        }
        if (!own) keys[n++] = field;
        vals[i] = value;
        changed = true;
      }
    }
    if (!modified && !insert) return null;
    if (!changed) return base;
    keys.length = n;
    vals.length = n;
    return Object.freeze(buildObject(keys, vals));
  } finally {
    vals.fill(undefined); // (drop the references to values)
  }
}

function build(base: Doc, mod: Doc, insert: boolean): Doc | null | typeof FALLBACK {
  // Copy-on-write: `root` and every object in `drafts` are private mutable copies (or new
  // objects); everything else is shared with `base`.
  let root: Doc | null = null;
  const drafts = new Set<Doc>();
  let modified = false;

  for (const op in mod) {
    const code = OPS[op]!;
    const spec = mod[op] as Doc;
    for (const field in spec) {
      const path = simplePath(field)!;
      const last = path.length - 1;
      // read-only descent to the parent of the leaf (through the copies made so far)
      let parent: Doc | undefined = root ?? base;
      for (let i = 0; i < last && parent !== undefined; i++) {
        const next: unknown = parent[path[i]!];
        if (next === undefined) parent = undefined;
        else if (isPlain(next)) parent = next;
        else return FALLBACK;
      }
      const leaf = path[last]!;
      const old = parent === undefined ? undefined : parent[leaf];
      const arg = spec[field];
      let value: unknown;
      if (code === OP_SET) {
        if (isEqual(old, arg)) continue;
        value = freezeClone(arg, field);
        modified = true;
      } else if (code === OP_INC) {
        if (old !== undefined && (typeof old !== 'number' || Number.isNaN(old))) return FALLBACK;
        const sum = ((old as number | undefined) || 0) + (arg as number);
        if (Object.is(sum, old)) continue;
        value = sum;
        if (sum !== old) modified = true;
      } else {
        if (parent === undefined || !Object.hasOwn(parent, leaf)) continue;
        if (old !== undefined) modified = true;
      }
      // copy the objects along the path (once per update), creating missing intermediates
      if (root === null) {
        root = { ...base };
        drafts.add(root);
      }
      let cur: Doc = root;
      for (let i = 0; i < last; i++) {
        const seg = path[i]!;
        const next = cur[seg] as Doc | undefined;
        let d: Doc;
        if (next === undefined) d = {};
        else if (drafts.has(next)) d = next;
        else d = { ...next };
        if (d !== next) {
          drafts.add(d);
          cur[seg] = d;
        }
        cur = d;
      }
      if (code === OP_UNSET) delete cur[leaf];
      else cur[leaf] = value;
    }
  }
  if (!modified && !insert) return null;
  if (root === null) return base;
  return seal(root, drafts);
}

/** Compact, frozen form of a draft: its nested drafts sealed first, shared values as they are. */
function seal(d: Doc, drafts: Set<Doc>): Doc {
  for (const k in d) {
    const v = d[k];
    if (v !== null && typeof v === 'object' && drafts.has(v as Doc)) d[k] = seal(v as Doc, drafts);
  }
  return compactShallow(d);
}
