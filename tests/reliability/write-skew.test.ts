import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { ADMIN, createTestApp, shop, type TestApp } from '../helpers/app';

/**
 * Write skew (SPEC §9): invariants that span several documents — 5 stores per owner, 50 cashiers
 * per store, the compliance guard's total of shares set in the plugin config and on stores — hold
 * under concurrent calls, because every transaction that checks one writes the same guard
 * document (MongoDB's snapshot isolation, like ours, would let both commit otherwise).
 */
let app: TestApp;
beforeEach(async () => (app = await createTestApp()));
afterEach(async () => app.close());

describe('write skew is closed', () => {
  it('12 concurrent store applications by one owner create exactly 5 stores', async () => {
    await app.call('owner', 'user', 'login');
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => app.raw('owner', 'merchant', { action: 'applyStore', name: `门店${i}` })));
    expect(outs.filter((o) => o.ok)).toHaveLength(5);
    expect(outs.filter((o) => !o.ok).map((o) => o.error.code)).toEqual(Array(7).fill('LIMIT_REACHED'));
    const me = await app.call('owner', 'user', 'me');
    expect(await col(app.deps.store.db, 'stores').countDocuments({ ownerId: me.userId })).toBe(5);
  });

  it('60 concurrent cashiers on one store: exactly 50', async () => {
    const { storeId } = await shop(app);
    const before = await col(app.deps.store.db, 'cashiers').countDocuments({ storeId });
    const outs = await Promise.all(Array.from({ length: 60 }, (_, i) => app.raw('merchant', 'merchant', { action: 'createCashier', storeId, name: `${i}号` })));
    const created = outs.filter((o) => o.ok).length;
    expect(before + created).toBe(50);
    expect(outs.filter((o) => !o.ok).every((o) => o.error.code === 'LIMIT_REACHED')).toBe(true);
    expect(await col(app.deps.store.db, 'cashiers').countDocuments({ storeId })).toBe(50);
  });

  it('a store extraction and an admin share raised at once never add up to more than 100% of an order', async () => {
    const { storeId } = await shop(app);
    // each change alone fits: plugin 40% extraction + 50% union share = 90%; a store extraction of 50% → 100%;
    // together (store 50% + union 60%) would take 110% of an order
    await app.configure((c) => {
      c.rebate.extractionBp = 4000;
      c.union.enabled = true;
      c.union.poolShareBp = 5000;
      c.green.enabled = false;
      c.referral = { commissionBp: 0, recruiterBp: 0 };
    });
    for (let round = 0; round < 5; round++) {
      await app.call('merchant', 'merchant', 'setStoreConfig', { storeId, rebate: { enabled: true, extractionBp: 4000 } });
      const c = await app.call(ADMIN, 'admin', 'getConfig');
      c.union.poolShareBp = 5000;
      await app.call(ADMIN, 'admin', 'setConfig', { config: c });
      const raised = await app.call(ADMIN, 'admin', 'getConfig');
      raised.union.poolShareBp = 6000; // 40% + 60% = 100%: fine with the old store extraction (40%)
      const [store, admin] = await Promise.all([
        app.raw('merchant', 'merchant', { action: 'setStoreConfig', storeId, rebate: { enabled: true, extractionBp: 5000 } }), // fine with the old union share (50%)
        app.raw(ADMIN, 'admin', { action: 'setConfig', config: raised }),
      ]);
      const okCount = [store, admin].filter((o) => o.ok).length;
      expect(okCount, `round ${round}: both changes committed`).toBe(1);
      const loser = [store, admin].find((o) => !o.ok)!;
      expect(loser.error.code).toBe('CONFIG_INVALID');
      const st = await col(app.deps.store.db, 'stores').findOne({ _id: storeId });
      const cfg = await app.call(ADMIN, 'admin', 'getConfig');
      expect(Math.max(cfg.rebate.extractionBp, st!.rebate.extractionBp ?? 0) + cfg.union.poolShareBp).toBeLessThanOrEqual(10_000);
    }
  });
});
