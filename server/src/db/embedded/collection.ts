/**
 * Collection: the driver's Collection API over the engine. Validates options strictly, resolves
 * the session (operations of a session in a transaction run in it, others auto-commit), clones
 * at the boundary, and shapes results like driver v6.
 */
import { ObjectId } from 'mongodb';
import { Aggregator } from 'mingo';
import {
  AggregationCursor,
  Collection,
  FindCursor,
  MongoBulkWriteError,
  MongoInvalidArgumentError,
  MongoServerError,
  type BulkWriteResult,
} from 'mongodb';
import { CollectionState } from './collection-state';
import {
  checkTransactionReadPreference,
  checkWriteConcern,
  effectiveWriteConcern,
  unsatisfiedWriteConcern,
  type Concerns,
} from './concerns';
import { FindCursorImpl, ListCursorImpl, makeProjector, normalizeSort, type FindState } from './cursor';
import type { Engine } from './engine';
import { allDocs, runCount, runFind, type ReadView } from './executor';
import { defaultIndexName, validateIndexKey, type IndexSpec } from './index-btree';
import {
  deleteDocs,
  insertDoc,
  prepareInsert,
  updateDocs,
  validateReplacement,
  validateUpdate,
  type OpEnv,
  type UpdateOutcome,
} from './operations';
import type { EmbeddedSession } from './session';
import { checkOptions, strict } from './strict';
import type { Txn } from './transaction';
import { blockerOf } from './transaction';
import { notImplemented, serverError, type EmbeddedMongoServerError } from './errors';
import { isPlainObject, thawClone, type Doc } from './values';

/** What a collection needs from its client. */
export interface ClientCore {
  readonly engine: Engine;
  /** the session object of an options bag (validated to belong to this client) */
  session(opts: { session?: unknown }): EmbeddedSession | null;
}

const RC = ['session', 'readPreference', 'readConcern'] as const;
const WC = ['session', 'writeConcern'] as const;

type Opts = Record<string, unknown>;

function checkFilter(filter: unknown): Doc {
  if (filter === undefined) return {};
  if (!isPlainObject(filter)) throw new MongoInvalidArgumentError('Query filter must be a plain object or ObjectId');
  return filter;
}

function checkReturnDocument(v: unknown): 'before' | 'after' {
  if (v === undefined) return 'before';
  if (v === 'before' || v === 'after') return v;
  throw new MongoInvalidArgumentError(`returnDocument must be 'before' or 'after'`);
}

function checkMetadata(where: string, o: Opts): void {
  if (o.includeResultMetadata !== undefined && o.includeResultMetadata !== false) {
    throw notImplemented(`${where} option 'includeResultMetadata: true'`);
  }
}

/**
 * MongoDB 7.0 refuses `sort` in an update statement (updateOne, replaceOne and their bulkWrite
 * forms; 8.0 accepts it): the server parses the command and rejects the unknown field, so the
 * error is a server error, raised where the statement runs (it fails that statement, and aborts
 * a transaction). findOneAndUpdate/Replace/Delete take `sort` on every version.
 */
function updateSortRefused(): EmbeddedMongoServerError {
  return serverError('Location40415', "BSON field 'update.updates.sort' is an unknown field.");
}

export class EmbeddedCollection {
  constructor(
    private readonly core: ClientCore,
    readonly dbName: string,
    readonly collectionName: string,
    /** read/write concern and read preference of the collection (inherited from its db) */
    private readonly concerns: Concerns = {},
  ) {}

  get namespace(): string {
    return `${this.dbName}.${this.collectionName}`;
  }

  private get engine(): Engine {
    return this.core.engine;
  }

  /** State for reads (an empty stand-in when the collection does not exist). */
  private readState(): CollectionState {
    return this.engine.getColl(this.dbName, this.collectionName) ?? new CollectionState(this.dbName, this.collectionName);
  }

  /** Run a read in the session's transaction view, or at the latest committed state. */
  private read<R>(opts: Opts, fn: (coll: CollectionState, view: ReadView, txn: Txn | null) => R): R {
    this.engine.assertOpen();
    const s = this.core.session(opts);
    if (s?.inTransaction()) checkTransactionReadPreference(opts, s.txnOptions, this.concerns);
    const txn = s?.txnForOp() ?? null;
    const coll = this.readState();
    if (!txn) return fn(coll, { snap: this.engine.appliedTs, own: null }, null);
    try {
      return fn(coll, txn.view(coll), txn);
    } catch (e) {
      if (e instanceof MongoServerError) this.engine.abort(txn, `operation failed: ${e.message}`);
      throw e;
    }
  }

  /**
   * Run a write in the session's transaction, or as its own auto-committed transaction. Outside
   * a transaction the operation's write concern (else the collection's) applies: refused when
   * the engine cannot honour it, reported after the write when one member cannot satisfy it
   * (see concerns.ts); inside one, the transaction's applies at commit (as the driver does).
   * `many`: insertMany/bulkWrite, whose write-concern failures are not implemented.
   */
  private async write<R>(where: string, opts: Opts, fn: (env: OpEnv) => R, many = false): Promise<R> {
    this.engine.assertOpen();
    const s = this.core.session(opts);
    const wc = s?.inTransaction() ? undefined : effectiveWriteConcern(opts, this.concerns);
    checkWriteConcern(wc, where, many);
    const r = await this.writeNow(s, fn);
    const unsatisfied = unsatisfiedWriteConcern(wc);
    if (unsatisfied) throw unsatisfied;
    return r;
  }

  private async writeNow<R>(s: EmbeddedSession | null, fn: (env: OpEnv) => R): Promise<R> {
    const txn = s?.txnForOp() ?? null;
    if (txn) {
      const coll = this.engine.coll(this.dbName, this.collectionName);
      try {
        return fn({ engine: this.engine, coll, txn });
      } catch (e) {
        if (e instanceof MongoServerError) this.engine.abort(txn, `operation failed: ${e.message}`);
        throw e;
      }
    }
    return this.engine.autoCommit((t) => fn({ engine: this.engine, coll: this.engine.coll(this.dbName, this.collectionName), txn: t }));
  }

  // ---------------------------------------------------------------------------------------------
  // inserts

  async insertOne(doc: Doc, options?: Opts): Promise<{ acknowledged: true; insertedId: unknown }> {
    const o = checkOptions('Collection.insertOne', options, WC);
    if (!isPlainObject(doc) && (doc === null || typeof doc !== 'object' || Array.isArray(doc))) {
      throw new MongoInvalidArgumentError('Document must be an object');
    }
    // the driver adds the generated _id to the caller's document
    if (doc._id === undefined || doc._id === null) doc._id = new ObjectId();
    const prepared = prepareInsert(doc);
    await this.write('Collection.insertOne', o, (env) => insertDoc(env, prepared));
    return { acknowledged: true, insertedId: doc._id };
  }

  async insertMany(docs: Doc[], options?: Opts): Promise<{ acknowledged: true; insertedCount: number; insertedIds: Record<number, unknown> }> {
    const o = checkOptions<{ ordered?: boolean }>('Collection.insertMany', options, [...WC, 'ordered']);
    if (!Array.isArray(docs)) throw new MongoInvalidArgumentError('Argument "docs" must be an array of documents');
    const ordered = o.ordered !== false;
    const prepared = docs.map((d) => {
      if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new MongoInvalidArgumentError('Document must be an object');
      if (d._id === undefined || d._id === null) d._id = new ObjectId();
      return prepareInsert(d);
    });
    const insertedIds: Record<number, unknown> = {};
    const result = await this.write('Collection.insertMany', o, (env) => {
      const errors: { index: number; err: MongoServerError }[] = [];
      let inserted = 0;
      for (let i = 0; i < prepared.length; i++) {
        try {
          insertDoc(env, prepared[i]!);
          inserted++;
          insertedIds[i] = docs[i]!._id;
        } catch (e) {
          // a write conflict fails (and retries) the whole operation
          if (blockerOf(e) !== undefined || !(e instanceof MongoServerError)) throw e;
          // in a transaction the error aborts it (driver: a MongoBulkWriteError)
          if (!env.txn.autoCommit) throw bulkError([{ index: i, err: e }], { insertedCount: inserted, insertedIds });
          errors.push({ index: i, err: e });
          if (ordered) break;
        }
      }
      return { inserted, errors };
    }, true);
    if (result.errors.length > 0) throw bulkError(result.errors, { insertedCount: result.inserted, insertedIds });
    return { acknowledged: true, insertedCount: result.inserted, insertedIds };
  }

  // ---------------------------------------------------------------------------------------------
  // reads

  find(filter?: Doc, options?: Opts): FindCursor {
    const o = checkOptions<Opts>('Collection.find', options, [...RC, 'sort', 'skip', 'limit', 'projection', 'batchSize']);
    const st: FindState = { filter: checkFilter(filter) };
    const sort = normalizeSort(o.sort);
    if (sort) st.sort = sort;
    if (o.skip !== undefined) st.skip = o.skip as number;
    if (o.limit !== undefined) st.limit = Math.abs(o.limit as number);
    if (o.projection !== undefined) st.projection = o.projection as Doc;
    // (what the deferred read needs: the session, and the read preference checked in a transaction)
    const sessionOpts: Opts = { session: o.session, readPreference: o.readPreference };
    const cursor = new FindCursorImpl(st, (s) =>
      this.read(sessionOpts, (coll, view) => runFind(coll, view, s, this.engine.stats).map((h) => h.doc)),
    );
    return strict(cursor, 'FindCursor', [FindCursor.prototype], { bindMethods: true }) as unknown as FindCursor;
  }

  async findOne(filter?: Doc, options?: Opts): Promise<Doc | null> {
    const o = checkOptions<Opts>('Collection.findOne', options, [...RC, 'sort', 'skip', 'projection']);
    const f = checkFilter(filter);
    const sort = normalizeSort(o.sort);
    const project = makeProjector(f, o.projection as Doc | undefined);
    const hits = this.read(o, (coll, view) =>
      runFind(coll, view, { filter: f, ...(sort ? { sort } : {}), skip: (o.skip as number) ?? 0, limit: 1 }, this.engine.stats),
    );
    return hits[0] ? project(hits[0].doc) : null;
  }

  async countDocuments(filter?: Doc, options?: Opts): Promise<number> {
    const o = checkOptions<Opts>('Collection.countDocuments', options, [...RC, 'skip', 'limit']);
    const f = checkFilter(filter);
    return this.read(o, (coll, view) => runCount(coll, view, f, (o.skip as number) ?? 0, (o.limit as number) ?? 0, this.engine.stats));
  }

  async estimatedDocumentCount(options?: Opts): Promise<number> {
    const o = checkOptions<Opts>('Collection.estimatedDocumentCount', options, RC);
    const s = this.core.session(o);
    if (s?.inTransaction()) {
      throw serverError('OperationNotSupportedInTransaction', "Cannot run 'count' in a multi-document transaction.");
    }
    this.engine.assertOpen();
    return this.engine.getColl(this.dbName, this.collectionName)?.live ?? 0;
  }

  aggregate(pipeline?: Doc[], options?: Opts): AggregationCursor {
    const o = checkOptions<Opts>('Collection.aggregate', options, [...RC, 'batchSize', 'allowDiskUse']);
    const stages = pipeline ?? [];
    if (!Array.isArray(stages)) throw new MongoInvalidArgumentError('pipeline must be an array');
    for (const st of stages) {
      if (!isPlainObject(st) || Object.keys(st).length !== 1) throw serverError('BadValue', 'A pipeline stage specification object must contain exactly one field.');
      const name = Object.keys(st)[0]!;
      if (name === '$out' || name === '$merge') throw notImplemented(`aggregate stage ${name}`);
    }
    // a leading $match (then $sort, $skip, $limit in this order) runs through the planner
    const head: FindState = { filter: {} };
    let i = 0;
    if (stages[i] && '$match' in stages[i]!) head.filter = checkFilter(stages[i++]!.$match);
    if (stages[i] && '$sort' in stages[i]!) head.sort = normalizeSort(stages[i++]!.$sort);
    if (stages[i] && '$skip' in stages[i]!) head.skip = stages[i++]!.$skip as number;
    if (stages[i] && '$limit' in stages[i]!) head.limit = stages[i++]!.$limit as number;
    const rest = stages.slice(i);
    // (what the deferred read needs: the session, and the read preference checked in a transaction)
    const sessionOpts: Opts = { session: o.session, readPreference: o.readPreference };
    const cursor = new ListCursorImpl(
      () =>
        this.read(sessionOpts, (coll, view, txn) => {
          const docs = runFind(coll, view, head, this.engine.stats).map((h) => thawClone(h.doc));
          if (rest.length === 0) return docs;
          // other collections ($lookup, $unionWith) are read in the same view
          const resolver = (name: string): Doc[] => {
            const c = this.engine.getColl(this.dbName, name);
            if (!c) return [];
            const v: ReadView = txn ? txn.view(c) : { snap: view.snap, own: null };
            return allDocs(c, v, this.engine.stats).map((d) => thawClone(d));
          };
          try {
            return new Aggregator(rest, { collectionResolver: resolver }).run(docs) as Doc[];
          } catch (e) {
            throw serverError('BadValue', `aggregation failed: ${(e as Error).message}`);
          }
        }),
      false,
    );
    return strict(cursor, 'AggregationCursor', [AggregationCursor.prototype], { bindMethods: true }) as unknown as AggregationCursor;
  }

  // ---------------------------------------------------------------------------------------------
  // updates

  private async update(where: string, filter: unknown, update: unknown, options: Opts | undefined, multi: boolean, replacement: boolean): Promise<UpdateOutcome> {
    const allowed = replacement ? [...WC, 'upsert', 'sort'] : multi ? [...WC, 'upsert', 'arrayFilters'] : [...WC, 'upsert', 'arrayFilters', 'sort'];
    const o = checkOptions<Opts>(where, options, allowed);
    const f = checkFilter(filter);
    const u = replacement ? validateReplacement(update) : validateUpdate(update);
    const sorted = normalizeSort(o.sort) !== undefined;
    return this.write(where, o, (env) => {
      if (sorted) throw updateSortRefused();
      return updateDocs(env, {
        filter: f,
        update: u,
        replacement,
        multi,
        upsert: o.upsert === true,
        ...(o.arrayFilters ? { arrayFilters: o.arrayFilters as Doc[] } : {}),
      });
    });
  }

  private static updateResult(r: UpdateOutcome) {
    const upserted = r.upsertedId !== null;
    return {
      acknowledged: true as const,
      matchedCount: r.matched,
      modifiedCount: r.modified,
      upsertedCount: upserted ? 1 : 0,
      upsertedId: upserted ? thawClone(r.upsertedId) : null,
    };
  }

  async updateOne(filter: Doc, update: Doc, options?: Opts) {
    return EmbeddedCollection.updateResult(await this.update('Collection.updateOne', filter, update, options, false, false));
  }

  async updateMany(filter: Doc, update: Doc, options?: Opts) {
    return EmbeddedCollection.updateResult(await this.update('Collection.updateMany', filter, update, options, true, false));
  }

  async replaceOne(filter: Doc, replacement: Doc, options?: Opts) {
    return EmbeddedCollection.updateResult(await this.update('Collection.replaceOne', filter, replacement, options, false, true));
  }

  private async findOneAndModify(where: string, filter: unknown, update: unknown, options: Opts | undefined, replacement: boolean): Promise<Doc | null> {
    const o = checkOptions<Opts>(where, options, [
      ...WC,
      'upsert',
      'returnDocument',
      'sort',
      'projection',
      'includeResultMetadata',
      ...(replacement ? [] : ['arrayFilters']),
    ]);
    checkMetadata(where, o);
    const ret = checkReturnDocument(o.returnDocument);
    const f = checkFilter(filter);
    const u = replacement ? validateReplacement(update) : validateUpdate(update);
    const sort = normalizeSort(o.sort);
    const project = makeProjector(f, o.projection as Doc | undefined);
    const r = await this.write(where, o, (env) =>
      updateDocs(env, {
        filter: f,
        update: u,
        replacement,
        multi: false,
        upsert: o.upsert === true,
        ...(sort ? { sort } : {}),
        ...(o.arrayFilters ? { arrayFilters: o.arrayFilters as Doc[] } : {}),
      }),
    );
    const d = ret === 'after' ? r.after : r.before;
    return d ? project(d) : null;
  }

  findOneAndUpdate(filter: Doc, update: Doc, options?: Opts) {
    return this.findOneAndModify('Collection.findOneAndUpdate', filter, update, options, false);
  }

  findOneAndReplace(filter: Doc, replacement: Doc, options?: Opts) {
    return this.findOneAndModify('Collection.findOneAndReplace', filter, replacement, options, true);
  }

  async findOneAndDelete(filter: Doc, options?: Opts): Promise<Doc | null> {
    const o = checkOptions<Opts>('Collection.findOneAndDelete', options, [...WC, 'sort', 'projection', 'includeResultMetadata']);
    checkMetadata('Collection.findOneAndDelete', o);
    const f = checkFilter(filter);
    const sort = normalizeSort(o.sort);
    const project = makeProjector(f, o.projection as Doc | undefined);
    const deleted = await this.write('Collection.findOneAndDelete', o, (env) => deleteDocs(env, f, false, sort));
    return deleted[0] ? project(deleted[0]) : null;
  }

  // ---------------------------------------------------------------------------------------------
  // deletes

  async deleteOne(filter: Doc, options?: Opts) {
    const o = checkOptions<Opts>('Collection.deleteOne', options, WC);
    const f = checkFilter(filter);
    const n = (await this.write('Collection.deleteOne', o, (env) => deleteDocs(env, f, false))).length;
    return { acknowledged: true as const, deletedCount: n };
  }

  async deleteMany(filter: Doc, options?: Opts) {
    const o = checkOptions<Opts>('Collection.deleteMany', options, WC);
    const f = checkFilter(filter);
    const n = (await this.write('Collection.deleteMany', o, (env) => deleteDocs(env, f, true))).length;
    return { acknowledged: true as const, deletedCount: n };
  }

  // ---------------------------------------------------------------------------------------------
  // bulk

  async bulkWrite(operations: Doc[], options?: Opts): Promise<BulkWriteResult> {
    const o = checkOptions<{ ordered?: boolean }>('Collection.bulkWrite', options, [...WC, 'ordered']);
    if (!Array.isArray(operations)) throw new MongoInvalidArgumentError('operations must be an array');
    const ordered = o.ordered !== false;
    type Prepared = (env: OpEnv, res: BulkCounts, i: number) => void;
    const prepared: Prepared[] = operations.map((op, i) => {
      if (!isPlainObject(op) || Object.keys(op).length !== 1) throw new MongoInvalidArgumentError(`Invalid BulkWriteOperation at index ${i}`);
      const kind = Object.keys(op)[0]!;
      const raw = op[kind] as Doc;
      const w = BULK_WHERE[kind] ?? `Collection.bulkWrite ${kind}`;
      switch (kind) {
        case 'insertOne': {
          const a = checkOptions<{ document: Doc }>(w, raw, BULK_DOCUMENT_ONLY);
          if (a.document._id === undefined || a.document._id === null) a.document._id = new ObjectId();
          const d = prepareInsert(a.document);
          return (env, res, idx) => {
            insertDoc(env, d);
            res.insertedCount++;
            res.insertedIds[idx] = a.document._id;
          };
        }
        case 'updateOne':
        case 'updateMany':
        case 'replaceOne': {
          const replacement = kind === 'replaceOne';
          const a = checkOptions<Opts>(w, raw, BULK_UPDATE_OPTIONS[kind]!);
          const f = checkFilter(a.filter);
          const u = replacement ? validateReplacement(a.replacement) : validateUpdate(a.update);
          const sorted = normalizeSort(a.sort) !== undefined;
          return (env, res, idx) => {
            if (sorted) throw updateSortRefused();
            const r = updateDocs(env, {
              filter: f,
              update: u,
              replacement,
              multi: kind === 'updateMany',
              upsert: a.upsert === true,
              ...(a.arrayFilters ? { arrayFilters: a.arrayFilters as Doc[] } : {}),
            });
            res.matchedCount += r.matched;
            res.modifiedCount += r.modified;
            if (r.upsertedId !== null) {
              res.upsertedCount++;
              res.upsertedIds[idx] = thawClone(r.upsertedId);
            }
          };
        }
        case 'deleteOne':
        case 'deleteMany': {
          const a = checkOptions<Opts>(w, raw, BULK_FILTER_ONLY);
          const f = checkFilter(a.filter);
          return (env, res) => {
            res.deletedCount += deleteDocs(env, f, kind === 'deleteMany').length;
          };
        }
        default:
          throw notImplemented(`Collection.bulkWrite operation '${kind}'`);
      }
    });
    const out = await this.write('Collection.bulkWrite', o, (env) => {
      const res = newCounts();
      const errors: { index: number; err: MongoServerError }[] = [];
      for (let i = 0; i < prepared.length; i++) {
        try {
          prepared[i]!(env, res, i);
        } catch (e) {
          if (!env.txn.autoCommit || blockerOf(e) !== undefined || !(e instanceof MongoServerError)) throw e;
          errors.push({ index: i, err: e });
          if (ordered) break;
        }
      }
      return { res, errors };
    }, true);
    const result = { ...out.res, ok: 1, isOk: () => true } as unknown as BulkWriteResult;
    if (out.errors.length > 0) throw bulkError(out.errors, out.res);
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // indexes and DDL

  async createIndex(keys: unknown, options?: Opts): Promise<string> {
    const o = checkOptions<Opts>('Collection.createIndex', options, ['unique', 'name', 'partialFilterExpression', 'background', 'writeConcern']);
    const key = validateIndexKey(typeof keys === 'string' ? { [keys]: 1 } : keys);
    if (o.partialFilterExpression !== undefined && !isPlainObject(o.partialFilterExpression)) {
      throw serverError('BadValue', 'partialFilterExpression must be an object');
    }
    const spec: IndexSpec = {
      name: (o.name as string | undefined) ?? defaultIndexName(key),
      key,
      unique: o.unique === true,
      ...(o.partialFilterExpression ? { partialFilterExpression: o.partialFilterExpression as Doc } : {}),
    };
    if (spec.name === '_id_' || (key.length === 1 && key[0]![0] === '_id')) {
      if (spec.unique || o.partialFilterExpression) throw serverError('InvalidOptions', "The field 'unique' is not valid for an _id index specification.");
      return '_id_';
    }
    return this.engine.createIndex(this.dbName, this.collectionName, spec);
  }

  async createIndexes(specs: Doc[], options?: Opts): Promise<string[]> {
    checkOptions('Collection.createIndexes', options, ['writeConcern']);
    const names: string[] = [];
    for (const s of specs) {
      const { key, ...rest } = s;
      names.push(await this.createIndex(key, rest));
    }
    return names;
  }

  async dropIndex(name: string, options?: Opts): Promise<Doc> {
    checkOptions('Collection.dropIndex', options, ['writeConcern']);
    await this.engine.dropIndex(this.dbName, this.collectionName, name);
    return { ok: 1 };
  }

  async indexes(options?: Opts): Promise<Doc[]> {
    checkOptions('Collection.indexes', options, ['session', 'readPreference']);
    this.engine.assertOpen();
    const coll = this.engine.getColl(this.dbName, this.collectionName);
    if (!coll || !coll.persisted) throw serverError('NamespaceNotFound', `ns does not exist: ${this.namespace}`);
    return coll.indexes.map((ix) => ({
      v: 2,
      key: { ...ix.keyPattern },
      name: ix.spec.name,
      ...(ix.spec.unique && !ix.isId ? { unique: true } : {}),
      ...(ix.spec.partialFilterExpression ? { partialFilterExpression: thawClone(ix.spec.partialFilterExpression) } : {}),
    }));
  }

  async drop(options?: Opts): Promise<boolean> {
    const o = checkOptions<Opts>('Collection.drop', options, WC);
    if (this.core.session(o)?.inTransaction()) {
      throw serverError('OperationNotSupportedInTransaction', 'Cannot run drop in a multi-document transaction.');
    }
    await this.engine.dropCollection(this.dbName, this.collectionName);
    return true;
  }
}

// (per bulkWrite statement, computed once: a settler batch has hundreds of statements)
const BULK_WHERE: Record<string, string> = Object.fromEntries(
  ['insertOne', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany'].map((k) => [k, `Collection.bulkWrite ${k}`]),
);
const BULK_UPDATE_OPTIONS: Record<string, readonly string[]> = {
  updateOne: ['filter', 'update', 'upsert', 'arrayFilters', 'sort'],
  updateMany: ['filter', 'update', 'upsert', 'arrayFilters'],
  replaceOne: ['filter', 'replacement', 'upsert', 'sort'],
};
const BULK_FILTER_ONLY = ['filter'] as const;
const BULK_DOCUMENT_ONLY = ['document'] as const;

interface BulkCounts {
  insertedCount: number;
  matchedCount: number;
  modifiedCount: number;
  deletedCount: number;
  upsertedCount: number;
  insertedIds: Record<number, unknown>;
  upsertedIds: Record<number, unknown>;
}
const newCounts = (): BulkCounts => ({
  insertedCount: 0,
  matchedCount: 0,
  modifiedCount: 0,
  deletedCount: 0,
  upsertedCount: 0,
  insertedIds: {},
  upsertedIds: {},
});

/** The driver's MongoBulkWriteError for per-document failures of insertMany/bulkWrite. */
function bulkError(errors: { index: number; err: MongoServerError }[], result: Partial<BulkCounts>): MongoBulkWriteError {
  const writeErrors = errors.map(({ index, err }) => ({
    index,
    code: err.code,
    errmsg: err.message,
    errInfo: undefined,
    ...(err.keyPattern ? { keyPattern: err.keyPattern } : {}),
    ...(err.keyValue ? { keyValue: err.keyValue } : {}),
  }));
  const counts = { ...newCounts(), ...result, ok: 1 };
  return new MongoBulkWriteError(
    { message: errors[0]!.err.message, code: errors[0]!.err.code, writeErrors } as never,
    counts as unknown as BulkWriteResult,
  );
}

export function wrapCollection(c: EmbeddedCollection): Collection {
  return strict(c, 'Collection', [Collection.prototype]) as unknown as Collection;
}
