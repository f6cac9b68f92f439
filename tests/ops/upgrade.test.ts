import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_VERSION } from '../../server/src/engine/config/migrations';
import { DEMO } from '../../server/src/gateway/seed';
import { col } from '../../server/src/repo/db';
import { SCHEMA_VERSION } from '../../server/src/repo/schema';
import { loadSchemaV0, schemaV0Contents } from '../fixtures/schema-v0/load';
import { createTestApp, type TestApp } from '../helpers/app';

/**
 * A deployment written by the code before schema versions (tests/fixtures/schema-v0: demo data,
 * a paid order not yet completed, a withdrawal under review) meets the current code: the config
 * document lacks a setting added since, the ledger rows predate the current shape. The read path
 * upgrades the config in memory; the setup step upgrades the database; either way it works
 * through the public actions.
 */
let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const open = (setup: 'auto' | 'none') => createTestApp({ load: loadSchemaV0, admins: [DEMO.admin], setup });

describe('a database written by an older version', () => {
  it('without the setup step: getConfig answers the upgraded settings, and a getConfig → setConfig round trip saves them', async () => {
    app = await open('none');
    const stored = await col(app.deps.store.db, 'config').findOne({ _id: 'plugin' });
    expect(stored?.schemaVersion).toBeUndefined();
    expect(stored?.config.withdrawal).toEqual({ minFen: 100 });

    const cfg = await app.call(DEMO.admin, 'admin', 'getConfig');
    expect(cfg.withdrawal).toEqual({ minFen: 100, maxFen: 1_000_000_000_000 });
    expect(cfg.union.poolShareBp).toBe(2000); // the operator's settings are kept
    const saved = await app.call(DEMO.admin, 'admin', 'setConfig', { config: { ...cfg, withdrawal: { ...cfg.withdrawal, maxFen: 50_000 } } });
    expect(saved.version).toBe(cfg.version + 1);
    const after = await col(app.deps.store.db, 'config').findOne({ _id: 'plugin' });
    expect(after).toMatchObject({ schemaVersion: CONFIG_SCHEMA_VERSION, config: { withdrawal: { minFen: 100, maxFen: 50_000 } } });
  });

  it('the setup step records the schema version, writes the config back in the current shape and the shop keeps working', async () => {
    app = await open('auto');
    const db = app.deps.store.db;
    expect(app.deps.store.schema).toMatchObject({ ok: true, version: SCHEMA_VERSION });
    const meta = await col(db, 'meta').findOne({ _id: 'schema' });
    expect(meta?.history.map((h) => h.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    const oldConfig = schemaV0Contents().config![0]!.config as { version: number };
    const stored = await col(db, 'config').findOne({ _id: 'plugin' });
    expect(stored).toMatchObject({ schemaVersion: CONFIG_SCHEMA_VERSION, config: { version: oldConfig.version, withdrawal: { minFen: 100, maxFen: 1_000_000_000_000 } } });
    expect((await app.verify()).problems).toEqual([]);

    // the order paid before the upgrade completes; a new order goes through; the new setting works
    const paid = (await col(db, 'orders').find({ status: 'paid' }).toArray())[0]!;
    const buyer = (await col(db, 'users').findOne({ _id: paid.userId }))!.openid;
    expect((await app.call(buyer, 'order', 'complete', { orderId: paid._id })).status).toBe('completed');
    const { products } = await app.call(DEMO.a, 'mall', 'listProducts');
    const o = await app.call(DEMO.a, 'order', 'create', { lines: [{ productId: products[0].productId, qty: 1 }] });
    await app.call(DEMO.a, 'order', 'pay', { orderId: o.orderId });
    expect((await app.call(DEMO.a, 'order', 'complete', { orderId: o.orderId })).status).toBe('completed');
    const cfg = await app.call(DEMO.admin, 'admin', 'getConfig');
    await app.call(DEMO.admin, 'admin', 'setConfig', { config: { ...cfg, withdrawal: { minFen: 100, maxFen: 150 } } });
    expect(await app.error(DEMO.a, 'wallet', 'withdraw', { amountFen: 151 })).toBe('INVALID_AMOUNT');
    expect((await app.call(DEMO.a, 'wallet', 'withdraw', { amountFen: 150 })).status).toBe('pending');
    expect((await app.verify()).problems).toEqual([]);
  });

  it('a second setup does nothing', async () => {
    app = await open('auto');
    const { setupDatabase } = await import('../../server/src/services/setup');
    const again = await setupDatabase(app.deps.store);
    expect(again).toMatchObject({ from: SCHEMA_VERSION, version: SCHEMA_VERSION, done: true });
    expect(again.steps.filter((s) => !s.startsWith('indexes ensured'))).toEqual([]);
  });
});
