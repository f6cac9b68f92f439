/**
 * Client factory of the contract suite: the same tests run against the embedded engine, and
 * against a real replica set when MONGODB_URI is set. Each test gets a fresh database name.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { openEmbeddedClient } from '../../../server/src/db';

export const MONGODB_URI = process.env.MONGODB_URI;
export const REAL = !!MONGODB_URI;
export const TARGET = REAL ? 'real MongoDB (MONGODB_URI)' : 'embedded engine';

let counter = 0;
export function freshDbName(tag: string): string {
  return `t_${tag}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

/**
 * A connected client: the real driver under MONGODB_URI (with `options`), else a fresh in-memory
 * embedded engine (which takes no client options: passing any is a mistake of the caller).
 */
export async function makeClient(options?: MongoClientOptions): Promise<MongoClient> {
  if (REAL) return new MongoClient(MONGODB_URI!, options).connect();
  if (options && Object.keys(options).length > 0) throw new Error('makeClient: client options are only for a real server');
  return openEmbeddedClient({});
}

/** A client for the file plus a fresh database per test (dropped afterwards). */
export function useClient(tag: string): { client: () => MongoClient; db: () => Db } {
  let client: MongoClient | null = null;
  let db: Db | null = null;
  beforeAll(async () => {
    client = await makeClient();
  });
  afterAll(async () => {
    await client?.close();
  });
  beforeEach(() => {
    db = client!.db(freshDbName(tag));
  });
  afterEach(async () => {
    await db?.dropDatabase();
  });
  return { client: () => client!, db: () => db! };
}

/** Major version of the target server (the embedded engine answers as MongoDB 7.0). */
export async function serverMajor(client: MongoClient): Promise<number> {
  if (!REAL) return 7;
  const info = await client.db('admin').command({ buildInfo: 1 });
  return Number(String(info.version).split('.')[0]);
}

/** Log why a test does not apply to the current target (instead of silently passing). */
export function skipReason(reason: string): void {
  console.log(`[skipped on ${TARGET}] ${reason}`);
}
