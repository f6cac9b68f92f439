import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../server/src/app/deps';
import { col } from '../../server/src/repo/db';
import { indexFingerprint } from '../../server/src/repo/indexes';
import { SCHEMA_VERSION, readSchema } from '../../server/src/repo/schema';
import { setupDatabase } from '../../server/src/services/setup';
import { createTestApp, type TestApp } from '../helpers/app';

/** The database deploy step (services/setup.ts) and the cold-start check (repo/schema.ts readSchema). */
let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('database setup', () => {
  it('an empty database: the check refuses it, the setup creates every collection and index once and records the version', async () => {
    app = await createTestApp({ setup: 'none' });
    const { db, client } = app.deps.store;
    expect(await readSchema(db)).toMatchObject({ ok: false, version: 0, needed: SCHEMA_VERSION });
    const checked = await openStore({ client, dbName: db.databaseName, setup: 'check' });
    expect(checked.schema?.ok).toBe(false);
    expect(await col(db, 'meta').countDocuments({})).toBe(0); // 'check' writes nothing

    const report = await setupDatabase(app.deps.store);
    expect(report).toMatchObject({ from: 0, version: SCHEMA_VERSION, done: true });
    expect(report.schema.ok).toBe(true);
    const names = new Set((await db.listCollections().toArray()).map((c) => c.name));
    for (const n of ['journal', 'balances', 'postings', 'orders', 'meta', 'config']) expect(names.has(n), n).toBe(true);
    expect((await db.collection('journal').indexes()).map((i) => i.name)).toContain('book_1_height_1');
    const meta = await col(db, 'meta').findOne({ _id: 'schema' });
    expect(meta).toMatchObject({ version: SCHEMA_VERSION, indexes: indexFingerprint(), migrating: null });
  });

  it('two setups at the same time apply each migration once', async () => {
    app = await createTestApp({ setup: 'none' });
    const [a, b] = await Promise.all([setupDatabase(app.deps.store), setupDatabase(app.deps.store)]);
    expect(a.schema.ok && b.schema.ok).toBe(true);
    const meta = await col(app.deps.store.db, 'meta').findOne({ _id: 'schema' });
    expect(meta?.history.map((h) => h.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('indexes changed since the last setup (another fingerprint) or a migration left half done: the check refuses, a setup fixes it', async () => {
    app = await createTestApp();
    const { db } = app.deps.store;
    expect((await readSchema(db)).ok).toBe(true);
    await col(db, 'meta').updateOne({ _id: 'schema' }, { $set: { indexes: 'older-definitions' } });
    expect(await readSchema(db)).toMatchObject({ ok: false, message: expect.stringMatching(/索引/) });
    await setupDatabase(app.deps.store);
    expect((await readSchema(db)).ok).toBe(true);
    await col(db, 'meta').updateOne({ _id: 'schema' }, { $set: { migrating: { version: SCHEMA_VERSION + 1, state: 'x' } } });
    expect(await readSchema(db)).toMatchObject({ ok: false, message: expect.stringMatching(/尚未完成/) });
  });

  it('an index a later version replaced is dropped by the setup (closedAt_1 → the partial closedAt_closed, userId_1_at_-1 → the partial userId_at_id_wallet)', async () => {
    app = await createTestApp();
    const { db } = app.deps.store;
    // as the earlier versions made them
    await db.collection('entries').createIndex({ closedAt: 1 });
    await db.collection('postings').createIndex({ userId: 1, at: -1 });
    expect((await db.collection('entries').indexes()).map((i) => i.name)).toContain('closedAt_1');
    expect((await db.collection('postings').indexes()).map((i) => i.name)).toContain('userId_1_at_-1');
    await setupDatabase(app.deps.store);
    const names = (await db.collection('entries').indexes()).map((i) => i.name);
    expect(names).not.toContain('closedAt_1');
    expect(names).toContain('closedAt_closed');
    const postings = (await db.collection('postings').indexes()).map((i) => i.name);
    expect(postings).not.toContain('userId_1_at_-1');
    expect(postings).toContain('userId_at_id_wallet');
  });

  it('a database newer than the code (a rollback) still serves', async () => {
    app = await createTestApp();
    await col(app.deps.store.db, 'meta').updateOne({ _id: 'schema' }, { $set: { version: SCHEMA_VERSION + 1, indexes: 'newer' } });
    expect((await readSchema(app.deps.store.db)).ok).toBe(true);
  });
});
