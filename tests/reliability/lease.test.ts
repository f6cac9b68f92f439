import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import { col } from '../../server/src/repo/db';
import { acquireLease, releaseLease } from '../../server/src/services/settler/lease';
import { createTestApp, type TestApp } from '../helpers/app';

/**
 * The settler's lease (SPEC §9): taken when free or expired, refused while another settler holds
 * it — in ONE database operation either way, since every payment's nudge tries to take it while a
 * settler works (at a real round trip each).
 */
let app: TestApp;
let db: Db;
let ops = 0;

/** `db` whose collections count the operations sent to the server. */
function counting(real: Db): Db {
  return new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'collection') return typeof v === 'function' ? v.bind(target) : v;
      return (name: string) =>
        new Proxy(target.collection(name), {
          get(c, p, r) {
            const m = Reflect.get(c, p, r);
            if (typeof m !== 'function') return m;
            return (...args: unknown[]) => {
              ops++;
              return m.apply(c, args);
            };
          },
        });
    },
  });
}

beforeAll(async () => {
  app = await createTestApp();
  await app.deps.settler.stop(); // this test takes the lease itself
  db = counting(app.deps.store.db);
});
afterAll(() => app.close());

describe('settler lease', () => {
  it('first use creates it, a held lease is refused, an expired one is taken over with a new token: one operation each', async () => {
    await col(app.deps.store.db, 'settler').deleteOne({ _id: 'settler' });
    ops = 0;
    const first = await acquireLease(db, 'instance-a', 15_000);
    expect(first).toMatchObject({ token: 1, holder: 'instance-a' });
    expect(ops).toBe(1);
    const created = (await col(app.deps.store.db, 'settler').findOne({ _id: 'settler' }))!;
    expect(created).toMatchObject({ holder: 'instance-a', token: 1, seq: 0, cut: null, greenVersion: 0, transactions: 0 });

    ops = 0;
    expect(await acquireLease(db, 'instance-b', 15_000)).toBeNull();
    expect(ops).toBe(1);
    expect(await col(app.deps.store.db, 'settler').findOne({ _id: 'settler' })).toEqual(created);

    // a holder that died: its lease runs out, the next one takes over with a newer token
    await col(app.deps.store.db, 'settler').updateOne({ _id: 'settler' }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    ops = 0;
    const second = await acquireLease(db, 'instance-b', 15_000);
    expect(second).toMatchObject({ token: 2, holder: 'instance-b' });
    expect(ops).toBe(1);

    // the old holder's release changes nothing; the holder's own frees it
    await releaseLease(db, first!);
    expect(await acquireLease(db, 'instance-c', 15_000)).toBeNull();
    await releaseLease(db, second!);
    expect(await acquireLease(db, 'instance-c', 15_000)).toMatchObject({ token: 3, holder: 'instance-c' });
  });
});
