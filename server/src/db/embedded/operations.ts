/**
 * Write operations inside a transaction (explicit, or the implicit one of an auto-commit op).
 * All synchronous: they read the transaction's view, compute new versions with mingo's update
 * operators, and hand them to `Txn.write` which checks conflicts and uniqueness.
 */
import { updateOne as mingoUpdateOne } from 'mingo/updater';
import { MongoInvalidArgumentError, ObjectId } from 'mongodb';
import type { CollectionState } from './collection-state';
import type { Engine } from './engine';
import { runFind, type FindSpec } from './executor';
import type { SortSpec } from './planner';
import { conflictWith, type Txn } from './transaction';
import { badValue, duplicateKey, notImplemented, serverError } from './errors';
import { checkUpdatePaths } from './update-paths';
import { FALLBACK, fastApplyUpdate } from './fast-update';
import { deepEqualValues, freezeClone, isPlainObject, thawClone, type Doc } from './values';

export interface OpEnv {
  engine: Engine;
  coll: CollectionState;
  txn: Txn;
}

// ---------------------------------------------------------------------------------------------
// documents

/** Frozen internal copy of a document to insert, `_id` first (as the server stores it). */
export function prepareInsert(doc: Doc): Doc {
  if (!isPlainObject(doc) && (doc === null || typeof doc !== 'object' || Array.isArray(doc))) {
    throw new MongoInvalidArgumentError('Document must be an object');
  }
  if (doc._id === undefined || doc._id === null) throw new Error('embedded mongo: internal: document without _id');
  const frozen = freezeClone(doc) as Doc;
  return idFirst(frozen);
}

function idFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id') return doc;
  const out: Doc = { _id: doc._id };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return Object.freeze(out);
}

function checkIdValue(id: unknown): void {
  if (Array.isArray(id)) throw badValue("can't use an array for _id");
  if (id instanceof RegExp) throw badValue("can't use a regex for _id");
  const dollar = dollarKeyIn(id);
  if (dollar !== null) {
    throw serverError('DollarPrefixedFieldName', `_id fields may not contain '$'-prefixed fields: ${dollar} is not valid for storage.`);
  }
}

/** DBRef fields, the only '$'-prefixed names the server stores inside _id */
const DBREF_KEYS = new Set(['$ref', '$id', '$db']);

/** The first '$'-prefixed field name inside an _id value (documents and arrays, any depth). */
function dollarKeyIn(v: unknown): string | null {
  if (Array.isArray(v)) {
    for (const x of v) {
      const k = dollarKeyIn(x);
      if (k !== null) return k;
    }
    return null;
  }
  if (!isPlainObject(v)) return null;
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$') && !DBREF_KEYS.has(k)) return k;
    const inner = dollarKeyIn(x);
    if (inner !== null) return inner;
  }
  return null;
}

/** Insert one prepared document. */
export function insertDoc(env: OpEnv, doc: Doc): void {
  const { coll, txn } = env;
  const id = doc._id;
  checkIdValue(id);
  let rec = coll.findRec(id);
  let fresh = false;
  if (rec) {
    if (rec.lock !== null && rec.lock !== txn) throw conflictWith(rec.lock);
    if (rec.ts > txn.snap!) throw conflictWith(null);
    if (txn.sees(coll, rec) !== null) throw duplicateKey(coll.ns, '_id_', { _id: 1 }, { _id: id });
  } else {
    rec = coll.newRec(id);
    fresh = true;
  }
  try {
    txn.write(coll, rec, doc);
  } catch (e) {
    if (fresh) coll.side.delete(id);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// updates

export function validateUpdate(update: unknown): Doc {
  if (Array.isArray(update)) throw notImplemented('update pipelines (an array as update)');
  if (!isPlainObject(update)) throw new MongoInvalidArgumentError('Update document requires atomic operators');
  const keys = Object.keys(update);
  if (keys.length === 0 || !keys[0]!.startsWith('$')) throw new MongoInvalidArgumentError('Update document requires atomic operators');
  for (const k of keys) {
    if (!k.startsWith('$')) throw serverError('FailedToParse', `Unknown modifier: ${k}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  return update;
}

export function validateReplacement(doc: unknown): Doc {
  if (!isPlainObject(doc)) throw new MongoInvalidArgumentError('Replacement document must be an object');
  if (Object.keys(doc).some((k) => k.startsWith('$'))) {
    throw new MongoInvalidArgumentError('Replacement document must not contain atomic operators');
  }
  return doc;
}

const POSITIONAL = /(^|\.)\$(\.|$)/;

function translateMingoError(e: unknown): Error {
  const msg = (e as Error).message ?? String(e);
  if (/immutable field/i.test(msg)) return serverError('ImmutableField', msg);
  if (/conflict/i.test(msg)) return serverError('ConflictingUpdateOperators', msg);
  if (/unknown (update )?operator/i.test(msg)) return serverError('FailedToParse', msg);
  return badValue(msg);
}

/**
 * Apply an update document to a version. Returns the new frozen version, or null if nothing
 * changed. `insert`: the document is being created by an upsert ($setOnInsert applies).
 * Simple updates ($set/$inc/$unset on plain paths) take the fast applier (fast-update.ts), which
 * produces exactly what mingo does; everything else goes through mingo.
 * Precondition (as for the server): checkUpdatePaths(update) passed.
 */
export function applyUpdate(base: Doc, update: Doc, filter: Doc, arrayFilters: Doc[] | undefined, insert: boolean): Doc | null {
  const mod = effectiveModifier(base, update, insert);
  if (Object.keys(mod).length === 0) return insert ? base : null;
  if (!arrayFilters) {
    const fast = fastApplyUpdate(base, mod, insert);
    if (fast !== FALLBACK) return fast;
  }
  return mingoApply(base, mod, filter, arrayFilters, insert);
}

/** The same, always through mingo: the reference the fast applier is tested against. */
export function applyUpdateWithMingo(base: Doc, update: Doc, filter: Doc, arrayFilters: Doc[] | undefined, insert: boolean): Doc | null {
  const mod = effectiveModifier(base, update, insert);
  if (Object.keys(mod).length === 0) return insert ? base : null;
  return mingoApply(base, mod, filter, arrayFilters, insert);
}

/** The operators that apply: $setOnInsert merged into $set on insert (dropped otherwise), `_id` guarded. */
function effectiveModifier(base: Doc, update: Doc, insert: boolean): Doc {
  // (a copy without $setOnInsert, rather than a spread and a delete: a delete turns the
  // object into a slow dictionary)
  const mod: Doc = {};
  let soi: Doc | undefined;
  for (const op of Object.keys(update)) {
    if (op === '$setOnInsert') soi = update[op] as Doc;
    else mod[op] = update[op];
  }
  // (no path of $setOnInsert overlaps a $set path: checkUpdatePaths ran before)
  if (insert && soi) mod.$set = { ...((mod.$set as Doc | undefined) ?? {}), ...soi };
  guardId(mod, base, insert);
  return mod;
}

function mingoApply(base: Doc, mod: Doc, filter: Doc, arrayFilters: Doc[] | undefined, insert: boolean): Doc | null {
  const work = thawClone(base) as Doc;
  const positional = Object.values(mod).some((v) => isPlainObject(v) && Object.keys(v).some((p) => POSITIONAL.test(p)));
  let res: { modifiedCount: number };
  try {
    res = mingoUpdateOne([work], positional && !insert ? filter : {}, mod as never, {
      cloneMode: 'copy',
      ...(arrayFilters ? { arrayFilters } : {}),
    });
  } catch (e) {
    throw translateMingoError(e);
  }
  if (res.modifiedCount === 0 && !insert) return null;
  if (!deepEqualValues(work._id, base._id) || (base._id !== undefined && work._id === undefined)) {
    throw serverError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return freezeClone(work) as Doc;
}

/**
 * `_id` is immutable: `$set: {_id: <same value>}` is a no-op (dropped before mingo, which
 * rejects any `_id` path), anything else touching `_id` of an existing document is ImmutableField.
 */
function guardId(mod: Doc, base: Doc, insert: boolean): void {
  for (const op of Object.keys(mod)) {
    const spec = mod[op];
    if (!isPlainObject(spec) || !hasIdPath(spec)) continue;
    for (const path of Object.keys(spec)) {
      if (path.charCodeAt(0) !== 95 /* _ */ || (path !== '_id' && !path.startsWith('_id.'))) continue;
      if (insert && base._id === undefined) continue; // an upsert may choose the new _id
      if (op === '$set' && path === '_id' && deepEqualValues(spec[path], base._id)) {
        const rest = { ...spec };
        delete rest._id;
        if (Object.keys(rest).length === 0) delete mod[op];
        else mod[op] = rest;
        continue;
      }
      throw serverError('ImmutableField', `Performing an update on the path '${path}' would modify the immutable field '_id'`);
    }
  }
}

/** Whether an operator's argument names `_id` or a path in it (most do not: no array to build). */
function hasIdPath(spec: Doc): boolean {
  for (const path in spec) {
    if (path.charCodeAt(0) === 95 /* _ */ && (path === '_id' || path.startsWith('_id.')) && Object.hasOwn(spec, path)) return true;
  }
  return false;
}

/** The document an upsert starts from: the equality conditions of the filter. */
export function seedFromFilter(filter: Doc): Doc {
  const out: Doc = {};
  const visit = (q: Doc) => {
    for (const [k, v] of Object.entries(q)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      let val: unknown = v;
      if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
        if (!('$eq' in v)) continue;
        val = v.$eq;
      }
      if (val instanceof RegExp) continue;
      setPath(out, k, val);
    }
  };
  visit(filter);
  return out;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const segs = path.split('.');
  let cur = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i]!;
    const next = cur[s];
    if (!isPlainObject(next)) cur[s] = {};
    cur = cur[s] as Doc;
  }
  cur[segs[segs.length - 1]!] = value;
}

function newIdDoc(doc: Doc): Doc {
  if (doc._id !== undefined && doc._id !== null) return idFirst(doc);
  return Object.freeze({ _id: new ObjectId(), ...doc });
}

export interface UpdateSpec {
  filter: Doc;
  /** update operators, or a replacement document */
  update: Doc;
  replacement: boolean;
  multi: boolean;
  upsert: boolean;
  sort?: SortSpec;
  arrayFilters?: Doc[];
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId: unknown;
  /** for findOneAndUpdate/Replace: the version before and after (internal frozen docs) */
  before: Doc | null;
  after: Doc | null;
}

function replaceVersion(old: Doc, replacement: Doc): Doc | null {
  if ('_id' in replacement && !deepEqualValues(replacement._id, old._id)) {
    throw serverError(
      'ImmutableField',
      "After applying the update, the (immutable) field '_id' was found to have been altered",
    );
  }
  const next: Doc = { _id: old._id };
  for (const [k, v] of Object.entries(replacement)) if (k !== '_id') next[k] = v;
  const frozen = freezeClone(next) as Doc;
  return deepEqualValues(frozen, old) ? null : frozen;
}

export function updateDocs(env: OpEnv, spec: UpdateSpec): UpdateOutcome {
  const { coll, txn, engine } = env;
  // refused by the server whether or not anything matches
  if (!spec.replacement) checkUpdatePaths(spec.update);
  const find: FindSpec = { filter: spec.filter, ...(spec.sort ? { sort: spec.sort } : {}), ...(spec.multi ? {} : { limit: 1 }) };
  const hits = runFind(coll, txn.view(coll), find, engine.stats);
  const out: UpdateOutcome = { matched: hits.length, modified: 0, upsertedId: null, before: null, after: null };
  for (const { rec, doc } of hits) {
    const next = spec.replacement ? replaceVersion(doc, spec.update) : applyUpdate(doc, spec.update, spec.filter, spec.arrayFilters, false);
    if (!spec.multi) {
      out.before = doc;
      out.after = next ?? doc;
    }
    if (next === null) continue;
    txn.write(coll, rec, next);
    out.modified++;
  }
  if (hits.length === 0 && spec.upsert) {
    let doc: Doc;
    if (spec.replacement) {
      const seed = seedFromFilter(spec.filter);
      const r: Doc = {};
      if (spec.update._id === undefined && seed._id !== undefined) r._id = seed._id;
      Object.assign(r, spec.update);
      doc = newIdDoc(freezeClone(r) as Doc);
    } else {
      const seed = freezeClone(seedFromFilter(spec.filter)) as Doc;
      doc = newIdDoc(applyUpdate(seed, spec.update, spec.filter, spec.arrayFilters, true)!);
    }
    insertDoc(env, doc);
    out.upsertedId = doc._id;
    out.after = doc;
  }
  return out;
}

export function deleteDocs(env: OpEnv, filter: Doc, multi: boolean, sort?: SortSpec): Doc[] {
  const { coll, txn, engine } = env;
  const hits = runFind(coll, txn.view(coll), { filter, ...(sort ? { sort } : {}), ...(multi ? {} : { limit: 1 }) }, engine.stats);
  for (const { rec } of hits) txn.write(coll, rec, null);
  return hits.map((h) => h.doc);
}

