import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_VERSION } from '../../server/src/engine/config/migrations';
import { DEMO } from '../../server/src/gateway/seed';
import { col } from '../../server/src/repo/db';
import { SCHEMA_VERSION, readSchema } from '../../server/src/repo/schema';
import { loadSchemaV0, schemaV0Contents } from '../fixtures/schema-v0/load';
import { createTestApp, payAtCashier, shop, type TestApp } from '../helpers/app';
import { REPLAY_CHUNK } from '../../server/src/repo/migrate-ledger-chains';
import { UENT_CHUNK } from '../../server/src/repo/migrate-union-entitlements';

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

/** A new app with a cashier whose payments feed the queue and the union pool (and the green pool with `green`), after `orders` payments. */
async function paidShop(orders: number, green: boolean): Promise<{ t: TestApp; cashierId: string }> {
  const t = await createTestApp();
  const s = await shop(t, { priceFen: 3000, costFen: 500 });
  await t.configure((c) => {
    c.rebate.extractionBp = 3000;
    c.union.enabled = true;
    c.union.poolShareBp = 3000;
    if (green) {
      c.green.enabled = true;
      c.green.poolShareBp = 2000;
    }
  });
  for (let i = 0; i < orders; i++) await payAtCashier(t, `m${i % 7}`, s.cashierId, 500 + 37 * i);
  return { t, cashierId: s.cashierId };
}

/** Run the setup one step per call until it is done; returns its last report and the calls made. */
async function setupStepByStep(t: TestApp) {
  const { setupDatabase } = await import('../../server/src/services/setup');
  let calls = 0;
  let report;
  do {
    report = await setupDatabase(t.deps.store, { budgetMs: 0 }); // one step per call
    calls++;
  } while (!report.done && calls < 1000);
  return { report, calls };
}

describe('a database written by an older version', () => {
  it('without the setup step: getConfig answers the upgraded settings, and a getConfig → setConfig round trip saves them', async () => {
    app = await open('none');
    const stored = await col(app.deps.store.db, 'config').findOne({ _id: 'plugin' });
    expect(stored?.schemaVersion).toBeUndefined();
    expect(stored?.config.withdrawal).toEqual({ minFen: 100 });

    const cfg = await app.call(DEMO.admin, 'admin', 'getConfig');
    expect(cfg.withdrawal).toEqual({ minFen: 100, maxFen: 1_000_000_000_000, confirmHours: 24 });
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
    await app.call(DEMO.admin, 'admin', 'setConfig', { config: { ...cfg, withdrawal: { ...cfg.withdrawal, minFen: 100, maxFen: 150 } } });
    expect(await app.error(DEMO.a, 'wallet', 'withdraw', { amountFen: 151 })).toBe('INVALID_AMOUNT');
    expect((await app.call(DEMO.a, 'wallet', 'withdraw', { amountFen: 150 })).status).toBe('pending');
    expect((await app.verify()).problems).toEqual([]);
  });

  it('the ledger rebuild (migration 2) runs in bounded, resumable steps: one call at a time it ends with the same balances', async () => {
    const { t, cashierId } = await paidShop(130, true);
    app = t;
    const db = t.deps.store.db;
    const balancesBefore = await col(db, 'balances').find({}, { projection: { balance: 1 } }).sort({ _id: 1 }).toArray();
    const rowsBefore = await col(db, 'postings').countDocuments({});
    const entries = await col(db, 'journal').countDocuments({});
    expect(entries).toBeGreaterThan(REPLAY_CHUNK); // so the replay takes several steps
    // as if this database had been set up before migration 2
    await col(db, 'meta').updateOne({ _id: 'schema' }, { $set: { version: 1 }, $pop: { history: 1 } });
    expect((await readSchema(db)).ok).toBe(false);

    const { report, calls } = await setupStepByStep(t);
    expect(report.schema.ok).toBe(true);
    // delete the rows, delete the balances, replay the journal: each phase at least one step, one step per call
    expect(calls).toBeGreaterThanOrEqual(1 + 1 + Math.ceil(entries / REPLAY_CHUNK));
    expect(await col(db, 'balances').find({}, { projection: { balance: 1 } }).sort({ _id: 1 }).toArray()).toEqual(balancesBefore);
    expect(await col(db, 'postings').countDocuments({})).toBe(rowsBefore);
    expect((await t.verify()).problems).toEqual([]);
    // and the shop goes on
    await payAtCashier(t, 'm1', cashierId, 999);
    expect((await t.verify()).problems).toEqual([]);
  });

  it('migration 4 counts the commission each invited friend brought from the orders settled before it', async () => {
    app = await open('auto');
    // in the old database: shopper B (invited by A) has two completed orders whose settlement paid A 504 + 264 fen
    const page = await app.call(DEMO.a, 'user', 'invitees');
    expect(page.commissionEarnedFen).toBe(768);
    const friendsOfA = page.friends.map((f: { commissionFen: number }) => f.commissionFen).sort((x: number, y: number) => x - y);
    expect(friendsOfA).toEqual([0, 768]); // B, and the merchant (invited by A, no orders)
    // B's paid order completes after the upgrade: the settler adds its commission to the same counters
    const db = app.deps.store.db;
    const paid = (await col(db, 'orders').find({ status: 'paid' }).toArray())[0]!;
    await app.call(DEMO.b, 'order', 'complete', { orderId: paid._id });
    const done = await col(db, 'orders').findOne({ _id: paid._id });
    const after = await app.call(DEMO.a, 'user', 'invitees');
    expect(after.commissionEarnedFen).toBe(768 + done!.settlement!.commissionFen);
    expect(done!.settlement!.commissionFen).toBeGreaterThan(0);
  });

  it('migration 5 removes the UENT balances and rows older versions kept, in bounded steps, and nothing else', async () => {
    const { t } = await paidShop(12, false);
    app = t;
    const db = t.deps.store.db;
    // this version writes none of them
    expect(await col(db, 'balances').countDocuments({ _id: { $gte: 'UENT:user:', $lt: 'UENT:user;' } })).toBe(0);
    const balancesBefore = await col(db, 'balances').find({}).sort({ _id: 1 }).toArray();
    const rowsBefore = await col(db, 'postings').countDocuments({});
    expect(await col(db, 'union_entries').countDocuments({})).toBeGreaterThan(0);
    // what an older version left: a balance document and rows per shopper (more rows than one step removes)
    const old = Array.from({ length: 3 }, (_, u) => `UENT:user:old${u}`);
    await col(db, 'balances').insertMany(old.map((a, u) => ({ _id: a, userId: `old${u}`, asset: 'UENT' as const, balance: 300, seq: 300 })));
    await col(db, 'postings').insertMany(
      old.flatMap((account, u) => Array.from({ length: 300 }, (_, k) => ({ _id: `old:${u}:${k}/0`, userId: `old${u}`, account, asset: 'UENT' as const, amount: 1, seq: k + 1, balanceAfter: k + 1, type: 'order.settle', memo: '工会排队权益', eventKey: `old:${u}:${k}`, at: new Date() }))),
    );
    await col(db, 'meta').updateOne({ _id: 'schema' }, { $set: { version: 4 }, $pop: { history: 1 } });
    const { report, calls } = await setupStepByStep(t);
    expect(report.schema.ok).toBe(true);
    expect(calls).toBeGreaterThanOrEqual(Math.ceil(900 / UENT_CHUNK) + 1);
    expect(await col(db, 'postings').countDocuments({ asset: 'UENT', account: { $regex: '^UENT:user:' } })).toBe(0);
    expect(await col(db, 'balances').find({}).sort({ _id: 1 }).toArray()).toEqual(balancesBefore);
    expect(await col(db, 'postings').countDocuments({})).toBe(rowsBefore);
    expect((await t.verify()).problems).toEqual([]);
  });

  it('a second setup does nothing', async () => {
    app = await open('auto');
    const { setupDatabase } = await import('../../server/src/services/setup');
    const again = await setupDatabase(app.deps.store);
    expect(again).toMatchObject({ from: SCHEMA_VERSION, version: SCHEMA_VERSION, done: true });
    expect(again.steps.filter((s) => !s.startsWith('indexes ensured'))).toEqual([]);
  });
});
