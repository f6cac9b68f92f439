/** MongoClient: owns the engine (and the data directory's storage), hands out Db and sessions. */
import { MongoClient, MongoInvalidArgumentError, type ClientSession, type Db } from 'mongodb';
import type { ClientCore } from './collection';
import { CONCERN_OPTIONS, concernsOf } from './concerns';
import { EmbeddedDb, wrapDb } from './db';
import { Engine } from './engine';
import type { EngineStats } from './executor';
import { Storage } from './persistence';
import { EmbeddedSession, wrapSession } from './session';
import { checkOptions, strict } from './strict';

export interface EmbeddedClientOptions {
  /** data directory (DATA_DIR); undefined = memory only */
  dir?: string;
  /** 'always' (default): fsync every commit batch before acknowledging; 'off': write without fsync */
  fsync?: 'always' | 'off';
  /** compaction threshold of the journal in bytes (default 64 MiB) */
  compactJournalBytes?: number;
  /** abort transactions older than this (default 60 000 ms, MongoDB's transactionLifetimeLimitSeconds) */
  transactionLifetimeMs?: number;
}

const clients = new WeakMap<object, EmbeddedClient>();

export class EmbeddedClient implements ClientCore {
  private readonly sessions = new WeakMap<object, EmbeddedSession>();
  proxy: MongoClient = this as unknown as MongoClient;

  constructor(
    readonly engine: Engine,
    private storage: Storage | null,
  ) {}

  async connect(): Promise<MongoClient> {
    this.engine.assertOpen();
    return this.proxy;
  }

  async close(force?: boolean): Promise<void> {
    void force;
    if (this.engine.closed) return;
    this.engine.shutdown();
    if (this.storage) {
      const s = this.storage;
      this.storage = null;
      await s.close();
    }
    this.engine.release();
  }

  db(name?: string, options?: Record<string, unknown>): Db {
    checkOptions('MongoClient.db', options, CONCERN_OPTIONS);
    return wrapDb(new EmbeddedDb(this, name ?? 'test', concernsOf(options)));
  }

  startSession(options?: Record<string, unknown>): ClientSession {
    this.engine.assertOpen();
    const s = new EmbeddedSession(this.engine, this, options ?? {});
    const p = wrapSession(s);
    this.sessions.set(p, s);
    this.sessions.set(s, s);
    return p;
  }

  async withSession<T>(optionsOrExecutor: unknown, executor?: (s: ClientSession) => Promise<T>): Promise<T> {
    const fn = (typeof optionsOrExecutor === 'function' ? optionsOrExecutor : executor) as (s: ClientSession) => Promise<T>;
    const opts = typeof optionsOrExecutor === 'function' ? {} : (optionsOrExecutor as Record<string, unknown>);
    const session = this.startSession(opts);
    try {
      return await fn(session);
    } finally {
      await session.endSession();
    }
  }

  /** The session of an options bag, checked to belong to this client. */
  session(opts: { session?: unknown }): EmbeddedSession | null {
    const s = opts.session;
    if (s === undefined || s === null) return null;
    const found = typeof s === 'object' ? this.sessions.get(s) : undefined;
    if (!found) throw new MongoInvalidArgumentError('ClientSession must be from the same MongoClient');
    return found;
  }

  /** Storage compaction on demand (tests, maintenance). */
  async compact(): Promise<void> {
    if (this.storage) await this.storage.compact();
  }
}

export async function openEmbedded(opts: EmbeddedClientOptions = {}): Promise<MongoClient> {
  checkOptions('openEmbeddedClient', opts, ['dir', 'fsync', 'compactJournalBytes', 'transactionLifetimeMs']);
  if (opts.fsync !== undefined && opts.fsync !== 'always' && opts.fsync !== 'off') {
    throw new Error(`embedded mongo: fsync must be 'always' or 'off'`);
  }
  const engine = new Engine({ ...(opts.transactionLifetimeMs ? { transactionLifetimeMs: opts.transactionLifetimeMs } : {}) });
  let storage: Storage | null = null;
  if (opts.dir) {
    try {
      storage = await Storage.open(engine, opts.dir, {
        fsync: (opts.fsync ?? 'always') === 'always',
        compactJournalBytes: opts.compactJournalBytes ?? 64 << 20,
      });
    } catch (e) {
      engine.shutdown();
      throw e;
    }
  }
  const c = new EmbeddedClient(engine, storage);
  const p = strict(c, 'MongoClient', [MongoClient.prototype]) as unknown as MongoClient;
  c.proxy = p;
  clients.set(p, c);
  return p;
}

function internal(client: unknown): EmbeddedClient {
  const c = typeof client === 'object' && client !== null ? clients.get(client) : undefined;
  if (!c) throw new Error('embedded mongo: not an embedded client');
  return c;
}

export function isEmbeddedClient(client: unknown): boolean {
  return typeof client === 'object' && client !== null && clients.has(client);
}

/** Work counters of an embedded client (documents examined, index keys visited, last plan). */
export function getEngineStats(client: unknown): EngineStats {
  return { ...internal(client).engine.stats };
}

export function resetEngineStats(client: unknown): void {
  const s = internal(client).engine.stats;
  s.docsExamined = 0;
  s.keysExamined = 0;
  s.inMemorySorts = 0;
  s.coveredQueries = 0;
  s.journalRecords = 0;
  s.journalFlushes = 0;
  s.lastPlan = '';
}

/** Write a snapshot and truncate the journal now (normally automatic). */
export async function compactEmbedded(client: unknown): Promise<void> {
  await internal(client).compact();
}

/** Engine internals for tests (open transactions, commit log sizes). */
export function engineOf(client: unknown): Engine {
  return internal(client).engine;
}
