import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { EJSON } from 'bson';
import { ERROR_CODES } from '../../server/src/runtime/errors';
import { xorshift32 } from '../support/xorshift';

/** The SPEC §8 error codes. */
export const CODES = new Set(Object.keys(ERROR_CODES));

/** A seeded generator (xorshift32); every test prints its seed. */
export function rng(seed: number) {
  const next = xorshift32(seed);
  return {
    int: (n: number) => next() % n,
    pick: <T>(xs: readonly T[]) => xs[next() % xs.length]!,
    chance: (p: number) => next() / 4294967296 < p,
    shuffle: <T>(xs: T[]) => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = next() % (i + 1);
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    },
  };
}

export function seedFromEnv(name: string, fallback: number): number {
  const seed = Number(process.env.RELIABILITY_SEED ?? fallback);
  console.log(`[reliability] ${name}: seed ${seed} (RELIABILITY_SEED=${seed} reproduces)`);
  return seed;
}

/** A digest of every document of every collection (sorted by _id): equal digests = no state change. */
export async function digest(db: Db): Promise<string> {
  const h = createHash('sha256');
  const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
  for (const name of names) {
    h.update(`\u0000${name}\u0000`);
    for (const d of await db.collection(name).find({}).sort({ _id: 1 }).toArray()) h.update(EJSON.stringify(d, { relaxed: false }));
  }
  return h.digest('hex');
}

/** Is `r` the SPEC §8 error shape with a documented code? */
export function isErrorShape(r: any): boolean {
  return !!r && r.ok === false && typeof r.error === 'object' && r.error !== null && CODES.has(r.error.code) && typeof r.error.message === 'string' && Object.keys(r).length === 2;
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
    }),
  );
  return out;
}
