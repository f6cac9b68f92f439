/**
 * Entities and operations of the unified test format, mapped onto the driver (v6) API — the same
 * calls against the embedded engine and against a real server. The spec's operation names and
 * arguments are turned into driver calls the way the Node driver's own unified runner does
 * (arguments flattened into the options object, `session` resolved to the entity, read
 * preferences converted to `ReadPreference`).
 */
import {
  MongoBulkWriteError,
  MongoServerError,
  ReadPreference,
  type ClientSession,
  type Collection,
  type Db,
  type MongoClient,
} from 'mongodb';
import { Mismatch, RunnerError, isDocument, match, matchCursorResult, type MatchContext } from './match';

type Doc = Record<string, unknown>;

/** The engine refused something it does not implement (raised by a Target's `isRefusal`). */
export class Refused extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
    this.name = 'Refused';
  }
}

/** An operation failed although the test expected a result. */
export class UnexpectedError extends Error {
  constructor(
    readonly op: string,
    override readonly cause: unknown,
  ) {
    super(`${op}: unexpected error ${describeError(cause)}`);
    this.name = 'UnexpectedError';
  }
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const x = e as Error & { code?: unknown; codeName?: unknown; errorLabels?: unknown };
  const parts = [`${e.name}: ${e.message}`];
  if (x.code !== undefined) parts.push(`code ${String(x.code)}${x.codeName ? ` (${String(x.codeName)})` : ''}`);
  if (Array.isArray(x.errorLabels) && x.errorLabels.length) parts.push(`labels ${x.errorLabels.join(',')}`);
  return parts.join(', ');
}

export interface Hooks {
  /** a client entity with the spec's uriOptions */
  openClient(uriOptions: Doc): Promise<MongoClient>;
  /** the test runner's own client (initialData, outcome, assertCollectionExists…) */
  internal: MongoClient;
  isRefusal(e: unknown): boolean;
}

type Entity =
  | { kind: 'client'; value: MongoClient }
  | { kind: 'database'; value: Db }
  | { kind: 'collection'; value: Collection<Doc> }
  | { kind: 'session'; value: ClientSession }
  | { kind: 'value'; value: unknown };

export class TestContext implements MatchContext {
  readonly entities = new Map<string, Entity>();
  readonly clients: MongoClient[] = [];
  /** assertions this runner could not check (command events, server session state) */
  readonly unchecked = new Set<string>();

  constructor(readonly hooks: Hooks) {}

  entity(name: string): unknown {
    const e = this.entities.get(name);
    if (!e) throw new RunnerError(`no entity ${name}`);
    return e.value;
  }

  private typed<K extends Entity['kind']>(name: unknown, kind: K): Extract<Entity, { kind: K }>['value'] {
    const e = this.entities.get(name as string);
    if (!e || e.kind !== kind) throw new RunnerError(`entity ${String(name)} is not a ${kind}`);
    return e.value as never;
  }
  session(name: unknown): ClientSession {
    return this.typed(name, 'session');
  }

  private define(id: string, e: Entity): void {
    if (this.entities.has(id)) throw new RunnerError(`entity ${id} defined twice`);
    this.entities.set(id, e);
  }

  async createEntities(list: Doc[]): Promise<void> {
    for (const item of list) {
      const [kind, spec] = Object.entries(item)[0] as [string, Doc];
      const id = spec.id as string;
      const unknown = Object.keys(spec).filter((k) => !(ENTITY_KEYS[kind] ?? []).includes(k));
      if (unknown.length > 0) throw new RunnerError(`${kind} entity option(s) ${unknown.join(', ')} are not supported by this runner`);
      switch (kind) {
        case 'client': {
          // observeEvents, ignoreCommandMonitoringEvents, useMultipleMongoses (one mongos or a
          // replica set: no effect) concern command monitoring, which this runner does not check
          const c = await this.hooks.openClient((spec.uriOptions as Doc | undefined) ?? {});
          this.clients.push(c);
          this.define(id, { kind: 'client', value: c });
          break;
        }
        case 'database': {
          const client = this.typed(spec.client, 'client');
          const opts = spec.databaseOptions ? commonOptions(spec.databaseOptions as Doc) : undefined;
          this.define(id, { kind: 'database', value: opts ? client.db(spec.databaseName as string, opts) : client.db(spec.databaseName as string) });
          break;
        }
        case 'collection': {
          const db = this.typed(spec.database, 'database');
          const opts = spec.collectionOptions ? commonOptions(spec.collectionOptions as Doc) : undefined;
          this.define(id, { kind: 'collection', value: opts ? db.collection(spec.collectionName as string, opts) : db.collection(spec.collectionName as string) });
          break;
        }
        case 'session': {
          const client = this.typed(spec.client, 'client');
          const so = (spec.sessionOptions as Doc | undefined) ?? {};
          const opts: Doc = { ...so };
          if (so.defaultTransactionOptions) opts.defaultTransactionOptions = commonOptions(so.defaultTransactionOptions as Doc);
          this.define(id, { kind: 'session', value: client.startSession(opts) });
          break;
        }
        default:
          throw new RunnerError(`entity type ${kind} is not supported by this runner`);
      }
    }
  }

  /** End every session (aborting open transactions) and close the test's clients. */
  async cleanup(closeClient: (c: MongoClient) => Promise<void>): Promise<void> {
    for (const e of this.entities.values()) {
      if (e.kind === 'session') await e.value.endSession().catch(() => {});
    }
    for (const c of this.clients) await closeClient(c).catch(() => {});
  }

  // -------------------------------------------------------------------------------------------
  // operations

  /**
   * Run one operation and check its expectations. `propagate`: inside a withTransaction
   * callback, errors go on to withTransaction even when they were expected.
   */
  async run(op: Doc, propagate = false): Promise<void> {
    const name = op.name as string;
    let result: unknown;
    let error: unknown;
    let threw = false;
    try {
      result = await this.invoke(op);
    } catch (e) {
      if (e instanceof Mismatch || e instanceof RunnerError || e instanceof Refused || e instanceof UnexpectedError) throw e;
      threw = true;
      error = e;
    }
    if (threw && this.hooks.isRefusal(error)) throw new Refused(error as Error);
    if (op.ignoreResultAndError) {
      if (threw && propagate) throw error;
      return;
    }
    if (threw) {
      if (op.expectError === undefined) throw new UnexpectedError(name, error);
      checkError(op.expectError as Doc, error, this, name);
      if (propagate) throw error;
      return;
    }
    if (op.expectError !== undefined) {
      throw new Mismatch(name, `expected an error ${JSON.stringify(op.expectError)}, got the result ${safeShow(result)}`);
    }
    if ('expectResult' in op) matchResult(name, op.expectResult, result, this);
    if (typeof op.saveResultAsEntity === 'string') this.define(op.saveResultAsEntity, { kind: 'value', value: result });
  }

  private async invoke(op: Doc): Promise<unknown> {
    const name = op.name as string;
    const args = { ...((op.arguments as Doc | undefined) ?? {}) };
    if (op.object === 'testRunner') return this.special(name, args);
    const target = this.entities.get(op.object as string);
    if (!target) throw new RunnerError(`no entity ${String(op.object)}`);
    if (args.session !== undefined) args.session = this.session(args.session);
    switch (target.kind) {
      case 'collection':
        return collectionOp(target.value, name, args);
      case 'database':
        return databaseOp(target.value, name, args);
      case 'session':
        return this.sessionOp(target.value, name, args);
      case 'client':
        return clientOp(target.value, name, args);
      default:
        throw new RunnerError(`cannot run ${name} on ${String(op.object)}`);
    }
  }

  private async sessionOp(s: ClientSession, name: string, args: Doc): Promise<unknown> {
    switch (name) {
      case 'startTransaction':
        return s.startTransaction(Object.keys(args).length ? commonOptions(args) : undefined);
      case 'commitTransaction':
        return s.commitTransaction();
      case 'abortTransaction':
        return s.abortTransaction();
      case 'endSession':
        return s.endSession();
      case 'withTransaction': {
        const { callback, ...rest } = args;
        const opts = Object.keys(rest).length ? commonOptions(rest) : undefined;
        return s.withTransaction(async () => {
          for (const inner of callback as Doc[]) await this.run(inner, true);
        }, opts);
      }
      default:
        throw new RunnerError(`session operation ${name} is not supported by this runner`);
    }
  }

  private async special(name: string, args: Doc): Promise<unknown> {
    const internal = this.hooks.internal;
    switch (name) {
      case 'createEntities':
        return this.createEntities(args.entities as Doc[]);
      case 'assertSessionTransactionState': {
        const s = this.session(args.session);
        const state = STATES[(s as unknown as { transaction: { state: string } }).transaction.state];
        if (state !== args.state) throw new Mismatch(name, `expected transaction state ${String(args.state)}, got ${String(state)}`);
        return;
      }
      case 'assertSessionPinned':
      case 'assertSessionUnpinned': {
        // pinning is a mongos (sharded, load-balanced) matter; a replica set session is never pinned
        const pinned = (this.session(args.session) as unknown as { isPinned: boolean }).isPinned;
        if (pinned !== (name === 'assertSessionPinned')) throw new Mismatch(name, `session isPinned is ${String(pinned)}`);
        return;
      }
      case 'assertCollectionExists':
      case 'assertCollectionNotExists': {
        const found = await internal.db(args.databaseName as string).listCollections({ name: args.collectionName }).toArray();
        if ((found.length > 0) !== (name === 'assertCollectionExists')) {
          throw new Mismatch(name, `collection ${String(args.databaseName)}.${String(args.collectionName)} ${found.length ? 'exists' : 'does not exist'}`);
        }
        return;
      }
      case 'assertIndexExists':
      case 'assertIndexNotExists': {
        let names: string[] = [];
        try {
          names = (await internal.db(args.databaseName as string).collection(args.collectionName as string).indexes()).map((i) => i.name as string);
        } catch (e) {
          if ((e as { code?: unknown }).code !== 26) throw e; // NamespaceNotFound: no indexes
        }
        if (names.includes(args.indexName as string) !== (name === 'assertIndexExists')) {
          throw new Mismatch(name, `index ${String(args.indexName)} ${names.includes(args.indexName as string) ? 'exists' : 'does not exist'} (${names.join(', ')})`);
        }
        return;
      }
      case 'assertSameLsidOnLastTwoCommands':
      case 'assertDifferentLsidOnLastTwoCommands':
      case 'assertSessionDirty':
      case 'assertSessionNotDirty':
        // these look at the commands sent and the server session pool: not observable here
        this.unchecked.add(name);
        return;
      default:
        throw new RunnerError(`special operation ${name} is not supported by this runner`);
    }
  }
}

/** Entity fields this runner understands (anything else is a runner error, never ignored). */
const ENTITY_KEYS: Record<string, string[]> = {
  client: ['id', 'uriOptions', 'useMultipleMongoses', 'observeEvents', 'ignoreCommandMonitoringEvents', 'observeSensitiveCommands'],
  database: ['id', 'client', 'databaseName', 'databaseOptions'],
  collection: ['id', 'database', 'collectionName', 'collectionOptions'],
  session: ['id', 'client', 'sessionOptions'],
};

const STATES: Record<string, string> = {
  NO_TRANSACTION: 'none',
  STARTING_TRANSACTION: 'starting',
  TRANSACTION_IN_PROGRESS: 'in_progress',
  TRANSACTION_COMMITTED: 'committed',
  TRANSACTION_COMMITTED_EMPTY: 'committed',
  TRANSACTION_ABORTED: 'aborted',
};

/** readPreference objects become `ReadPreference`s (the spec requires converting common options). */
function commonOptions(o: Doc): Doc {
  const out: Doc = { ...o };
  if (isDocument(o.readPreference)) {
    const rp = o.readPreference as { mode: string; tagSets?: Doc[]; maxStalenessSeconds?: number; hedge?: Doc };
    out.readPreference = new ReadPreference(rp.mode as never, rp.tagSets as never, {
      ...(rp.maxStalenessSeconds !== undefined ? { maxStalenessSeconds: rp.maxStalenessSeconds } : {}),
      ...(rp.hedge !== undefined ? { hedge: rp.hedge } : {}),
    });
  }
  if (typeof o.returnDocument === 'string') {
    const r = o.returnDocument.toLowerCase();
    if (r !== 'before' && r !== 'after') throw new RunnerError(`returnDocument ${o.returnDocument}`);
    out.returnDocument = r;
  }
  return out;
}

function take(args: Doc, ...names: string[]): [unknown[], Doc] {
  const rest = commonOptions(args);
  const vals = names.map((n) => {
    const v = rest[n];
    delete rest[n];
    return v;
  });
  return [vals, rest];
}

async function collectionOp(c: Collection<Doc>, name: string, args: Doc): Promise<unknown> {
  switch (name) {
    case 'aggregate': {
      const [[pipeline], o] = take(args, 'pipeline');
      return c.aggregate(pipeline as Doc[], o).toArray();
    }
    case 'bulkWrite': {
      const [[requests], o] = take(args, 'requests');
      return bulkResult(await c.bulkWrite(requests as never[], o));
    }
    case 'countDocuments': {
      const [[filter], o] = take(args, 'filter');
      return c.countDocuments(filter as Doc, o);
    }
    case 'count': {
      const [[filter], o] = take(args, 'filter');
      return c.count(filter as Doc, o);
    }
    case 'estimatedDocumentCount':
      return c.estimatedDocumentCount(commonOptions(args));
    case 'deleteOne':
    case 'deleteMany': {
      const [[filter], o] = take(args, 'filter');
      return c[name](filter as Doc, o);
    }
    case 'distinct': {
      const [[field, filter], o] = take(args, 'fieldName', 'filter');
      return c.distinct(field as string, filter as Doc, o);
    }
    case 'find': {
      const [[filter], o] = take(args, 'filter');
      return c.find(filter as Doc, o).toArray();
    }
    case 'findOne': {
      const [[filter], o] = take(args, 'filter');
      return c.findOne(filter as Doc, o);
    }
    case 'findOneAndDelete': {
      const [[filter], o] = take(args, 'filter');
      return c.findOneAndDelete(filter as Doc, o);
    }
    case 'findOneAndReplace': {
      const [[filter, replacement], o] = take(args, 'filter', 'replacement');
      return c.findOneAndReplace(filter as Doc, replacement as Doc, o);
    }
    case 'findOneAndUpdate': {
      const [[filter, update], o] = take(args, 'filter', 'update');
      return c.findOneAndUpdate(filter as Doc, update as Doc, o);
    }
    case 'insertOne': {
      const [[doc], o] = take(args, 'document');
      return c.insertOne(doc as Doc, o);
    }
    case 'insertMany': {
      const [[docs], o] = take(args, 'documents');
      return c.insertMany(docs as Doc[], o);
    }
    case 'replaceOne': {
      const [[filter, replacement], o] = take(args, 'filter', 'replacement');
      return c.replaceOne(filter as Doc, replacement as Doc, o);
    }
    case 'updateOne':
    case 'updateMany': {
      const [[filter, update], o] = take(args, 'filter', 'update');
      return c[name](filter as Doc, update as Doc, o);
    }
    case 'createIndex': {
      const [[keys], o] = take(args, 'keys');
      return c.createIndex(keys as never, o);
    }
    case 'dropIndex': {
      const [[index], o] = take(args, 'name');
      return c.dropIndex(index as string, o);
    }
    default:
      throw new RunnerError(`collection operation ${name} is not supported by this runner`);
  }
}

async function databaseOp(db: Db, name: string, args: Doc): Promise<unknown> {
  switch (name) {
    case 'aggregate': {
      const [[pipeline], o] = take(args, 'pipeline');
      return db.aggregate(pipeline as Doc[], o).toArray();
    }
    case 'createCollection': {
      const [[coll], o] = take(args, 'collection');
      await db.createCollection(coll as string, o);
      return undefined;
    }
    case 'dropCollection': {
      const [[coll], o] = take(args, 'collection');
      return db.dropCollection(coll as string, o);
    }
    case 'runCommand': {
      const [[command], o] = take(args, 'command', 'commandName');
      return db.command(command as Doc, o);
    }
    case 'modifyCollection': {
      const [[coll], o] = take(args, 'collection');
      return db.command({ collMod: coll, ...o });
    }
    case 'listCollections': {
      const [[filter], o] = take(args, 'filter');
      return db.listCollections(filter as Doc, o).toArray();
    }
    default:
      throw new RunnerError(`database operation ${name} is not supported by this runner`);
  }
}

async function clientOp(client: MongoClient, name: string, args: Doc): Promise<unknown> {
  switch (name) {
    case 'clientBulkWrite': {
      const [[models], o] = take(args, 'models');
      return client.bulkWrite(models as never[], o);
    }
    default:
      throw new RunnerError(`client operation ${name} is not supported by this runner`);
  }
}

/** BulkWriteResult as a document (the driver's result has getters). */
function bulkResult(r: unknown): Doc {
  const x = r as Doc;
  return {
    insertedCount: x.insertedCount,
    matchedCount: x.matchedCount,
    modifiedCount: x.modifiedCount,
    deletedCount: x.deletedCount,
    upsertedCount: x.upsertedCount,
    insertedIds: x.insertedIds,
    upsertedIds: x.upsertedIds,
  };
}

/** Operations whose result is an iterable of root-level documents. */
const CURSOR_OPS = new Set(['find', 'aggregate', 'listCollections', 'listIndexes', 'listDatabases']);

function matchResult(name: string, expected: unknown, actual: unknown, ctx: MatchContext): void {
  try {
    if (CURSOR_OPS.has(name)) matchCursorResult(expected, actual, ctx);
    else match(expected, actual, ctx, { root: true });
  } catch (e) {
    if (e instanceof Mismatch) throw new Mismatch(`${name} result${e.path ? ` ${e.path}` : ''}`, e.detail);
    throw e;
  }
}

function safeShow(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

const CODE_NAMES: Record<string, number> = {
  WriteConflict: 112,
  NoSuchTransaction: 251,
  OperationNotSupportedInTransaction: 263,
  UnsatisfiableWriteConcern: 100,
  UnknownReplWriteConcern: 79,
  MaxTimeMSExpired: 50,
  Interrupted: 11601,
  DuplicateKey: 11000,
};

function hasLabel(e: unknown, label: string): boolean {
  const x = e as { hasErrorLabel?: (l: string) => boolean; errorLabels?: string[] };
  if (typeof x.hasErrorLabel === 'function') return x.hasErrorLabel(label);
  return Array.isArray(x.errorLabels) && x.errorLabels.includes(label);
}

/** The server errors an error stands for (a bulk write error aggregates its write errors). */
function serverErrors(e: unknown): Doc[] {
  const out: Doc[] = [e as Doc];
  if (e instanceof MongoBulkWriteError) {
    const we = (e as unknown as { writeErrors?: unknown }).writeErrors;
    const list = Array.isArray(we) ? we : we && typeof we === 'object' ? Object.values(we) : [];
    for (const w of list as Doc[]) out.push({ code: w.code, codeName: w.codeName, message: w.errmsg ?? w.message });
    const wce = (e as unknown as { writeConcernError?: Doc }).writeConcernError;
    if (wce) out.push({ code: wce.code, codeName: wce.codeName, message: wce.errmsg });
  }
  return out;
}

/** expectedError assertions. */
function checkError(exp: Doc, e: unknown, ctx: MatchContext, op: string): void {
  const fail = (msg: string) => {
    throw new Mismatch(`${op} error`, `${msg}; got ${describeError(e)}`);
  };
  const isServer = e instanceof MongoServerError;
  if (exp.isClientError === true && isServer) fail('expected a client-side error');
  if (exp.isClientError === false && !isServer) fail('expected a server error');
  if (exp.isTimeoutError === true && (e as Error)?.name !== 'MongoOperationTimeoutError') fail('expected a timeout error');
  const all = serverErrors(e);
  if (typeof exp.errorContains === 'string') {
    const needle = exp.errorContains.toLowerCase();
    if (!all.some((x) => String(x.message ?? '').toLowerCase().includes(needle))) fail(`expected the message to contain "${exp.errorContains}"`);
  }
  if (exp.errorCode !== undefined && !all.some((x) => x.code === exp.errorCode)) fail(`expected code ${String(exp.errorCode)}`);
  if (typeof exp.errorCodeName === 'string') {
    const want = exp.errorCodeName.toLowerCase();
    const code = CODE_NAMES[exp.errorCodeName];
    const ok = all.some((x) => (typeof x.codeName === 'string' ? x.codeName.toLowerCase() === want : code !== undefined && x.code === code));
    if (!ok) fail(`expected codeName ${exp.errorCodeName}`);
  }
  for (const l of (exp.errorLabelsContain as string[] | undefined) ?? []) if (!hasLabel(e, l)) fail(`expected label ${l}`);
  for (const l of (exp.errorLabelsOmit as string[] | undefined) ?? []) if (hasLabel(e, l)) fail(`expected no label ${l}`);
  if (exp.errorResponse !== undefined) {
    const resp = (e as { errorResponse?: unknown }).errorResponse ?? e;
    match(exp.errorResponse, resp, ctx, { root: true, path: `${op} errorResponse` });
  }
  if (exp.expectResult !== undefined) {
    const r = (e as { result?: unknown }).result;
    match(exp.expectResult, r === undefined ? undefined : bulkResult(r), ctx, { root: true, path: `${op} error result` });
  }
  if (exp.writeErrors !== undefined || exp.writeConcernErrors !== undefined) {
    throw new RunnerError('expectError.writeErrors/writeConcernErrors (clientBulkWrite) are not supported by this runner');
  }
}
