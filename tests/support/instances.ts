import type { ClientSession, Collection, Db, MongoClient } from 'mongodb';
import { openEmbeddedClient } from '../../server/src/db';
import { callFunction } from '../../server/src/app/call';
import { makeDeps, openStore } from '../../server/src/app/deps';
import { localWx } from '../../server/src/app/local-wx';
import type { Random } from '../../server/src/engine/rebate/lottery';
import type { AppDeps } from '../../server/src/runtime/context';
import type { SettlerOptions } from '../../server/src/services/settler/settler';

/**
 * Production shape in one process (SPEC §9): N app *instances* — each with its own
 * dependencies, its own settler object and no shared in-process state, as separate cloud
 * function containers would have — on ONE embedded database, every database operation delayed
 * by an injected latency (a network round trip to a real server). Nothing an instance keeps in
 * memory can help another: they meet only in the database.
 *
 * An instance can be *killed in the middle of a settler batch*: its next settler write is done
 * and then never returns, so its transaction stays open holding its locks (like a frozen or dead
 * container) until the engine's transaction lifetime ends it; the instance takes no more calls.
 */

export interface Instance {
  index: number;
  deps: AppDeps;
  /** false once the instance died (its settler hung in a batch) */
  alive: boolean;
  /** arm: the instance's next settler batch write hangs for ever (the instance dies there) */
  killInNextBatch(): void;
  /** arm: the instance's next write that `match` picks (a collection's method and its arguments) is applied, then hangs for ever */
  killInNextWrite(match: (collection: string, method: string, args: unknown[]) => boolean): void;
  call(openid: string | null, fn: string, event: Record<string, unknown>, now?: Date): Promise<any>;
}

export interface Cluster {
  server: MongoClient;
  instances: Instance[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const never = () => new Promise<never>(() => undefined);

/** Methods of a collection that go to the server (and so pay the round trip). */
const ASYNC_COLLECTION = new Set([
  'insertOne', 'insertMany', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany', 'findOne',
  'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'bulkWrite', 'countDocuments', 'estimatedDocumentCount',
  'createIndex', 'createIndexes', 'dropIndex', 'indexes', 'drop',
]);
const CURSOR_FETCH = new Set(['toArray', 'next', 'tryNext', 'hasNext']);

interface LatencyState {
  latency: () => number;
  /** real session of each session proxy handed out */
  sessions: WeakMap<object, ClientSession>;
  /** set by killInNextBatch / killInNextWrite: the next write it matches hangs after it is applied */
  killArmed: ((collection: string, method: string, args: unknown[]) => boolean) | null;
  dead: boolean;
}

function unwrapOptions(st: LatencyState, args: unknown[]): unknown[] {
  return args.map((a) => {
    if (a && typeof a === 'object' && 'session' in (a as object)) {
      const s = (a as { session?: object }).session;
      const real = s ? st.sessions.get(s) : undefined;
      if (real) return { ...(a as object), session: real };
    }
    return a;
  });
}

function latencyCursor<T extends object>(cursor: T, st: LatencyState): T {
  return new Proxy(cursor, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === Symbol.asyncIterator) {
        return async function* () {
          await sleep(st.latency());
          yield* target as unknown as AsyncIterable<unknown>;
        };
      }
      if (typeof v !== 'function') return v;
      if (typeof prop === 'string' && CURSOR_FETCH.has(prop)) {
        return async (...args: unknown[]) => {
          await sleep(st.latency());
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (...args: unknown[]) => {
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        return r === target ? receiver : r;
      };
    },
  });
}

function latencyCollection(c: Collection, st: LatencyState): Collection {
  return new Proxy(c, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      if (prop === 'find' || prop === 'aggregate' || prop === 'listIndexes') {
        return (...args: unknown[]) => latencyCursor((v as (...a: unknown[]) => object).apply(target, unwrapOptions(st, args)), st);
      }
      if (!ASYNC_COLLECTION.has(prop)) return (v as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        if (st.dead) return never();
        await sleep(st.latency());
        const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, unwrapOptions(st, args));
        if (st.killArmed?.(target.collectionName, prop, args)) {
          st.killArmed = null;
          st.dead = true;
          return never();
        }
        return r;
      };
    },
  });
}

function latencyDb(db: Db, st: LatencyState): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'collection') return (name: string, o?: unknown) => latencyCollection((v as (n: string, o?: unknown) => Collection).call(target, name, o), st);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function latencySession(s: ClientSession, st: LatencyState): ClientSession {
  const p = new Proxy(s, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (prop === 'commitTransaction' || prop === 'abortTransaction') {
        return async (...args: unknown[]) => {
          if (st.dead) return never();
          await sleep(st.latency());
          return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
  st.sessions.set(p, s);
  return p;
}

/** The server as one instance sees it: the same database, every operation a round trip away. */
function latencyClient(server: MongoClient, st: LatencyState): MongoClient {
  return new Proxy(server, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'db') return (name?: string, o?: unknown) => latencyDb((v as (n?: string, o?: unknown) => Db).call(target, name, o), st);
      if (prop === 'startSession') return (o?: unknown) => latencySession((v as (o?: unknown) => ClientSession).call(target, o), st);
      if (prop === 'close') return async () => undefined; // the server outlives its instances
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export interface ClusterOptions {
  instances: number;
  /** per database operation, in ms: a number or [min, max] */
  latencyMs?: number | [number, number];
  admins?: string[];
  random?: (i: number) => Random;
  settler?: SettlerOptions;
  /** how long the engine lets a transaction live (a dead instance's open transaction holds its locks that long) */
  transactionLifetimeMs?: number;
  dbName?: string;
}

export async function openCluster(opts: ClusterOptions): Promise<Cluster> {
  const server = await openEmbeddedClient({ transactionLifetimeMs: opts.transactionLifetimeMs ?? 60_000 });
  const dbName = opts.dbName ?? 'cluster';
  await openStore({ client: server, dbName }); // the deploy step, once
  const [lo, hi] = typeof opts.latencyMs === 'number' ? [opts.latencyMs, opts.latencyMs] : (opts.latencyMs ?? [0, 0]);
  const instances: Instance[] = [];
  for (let i = 0; i < opts.instances; i++) {
    const st: LatencyState = { latency: () => lo + Math.random() * (hi - lo), sessions: new WeakMap(), killArmed: null, dead: false };
    const client = latencyClient(server, st);
    const store = await openStore({ client, dbName, setup: 'check' });
    const deps = makeDeps(store, localWx('http://127.0.0.1:0'), { adminOpenids: opts.admins ?? [], random: opts.random?.(i), settler: opts.settler });
    const inst: Instance = {
      index: i,
      deps,
      get alive() {
        return !st.dead;
      },
      // the settler's batch writes orders first with a bulk write: a killed instance dies right after it
      killInNextBatch: () => void (st.killArmed = (coll, method) => method === 'bulkWrite' && coll === 'orders'),
      killInNextWrite: (match) => void (st.killArmed = match),
      async call(openid, fn, event, now = new Date()) {
        if (st.dead) throw new Error(`instance ${i} is dead`);
        return callFunction(fn, event, deps, { openid, source: 'wx_client', now });
      },
    };
    instances.push(inst);
  }
  return { server, instances, close: () => server.close() };
}
