import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, buy, createTestApp, payAtCashier, shop, type TestApp } from '../helpers/app';
import { defaultPluginConfig } from '../../server/src/engine/config/defaults';

let app: TestApp;
beforeEach(async () => (app = await createTestApp()));
afterEach(async () => {
  expect((await app.verify()).problems).toEqual([]);
  await app.close();
});

describe('§6 referral: bound once, one level only', () => {
  it('binds on first sign-in only; a later ref never rebinds; unknown refs bind nothing', async () => {
    const a = await app.call('a', 'user', 'login');
    const b = await app.call('b', 'user', 'login', { ref: a.inviteCode });
    expect(b.referrer).toMatchObject({ userId: a.userId });
    const c = await app.call('c', 'user', 'login');
    const again = await app.call('b', 'user', 'login', { ref: c.inviteCode });
    expect(again.referrer.userId).toBe(a.userId);
    const card = await app.call('a', 'user', 'inviteCard');
    expect(card).toMatchObject({ inviteCode: a.inviteCode, scene: `r=${a.inviteCode}`, page: 'pages/mall/index' });
    expect(card.codeUrl).toMatch(/^data:image\/png;base64,/); // local mode: a QR of the h5 link
    const d = await app.call('d', 'user', 'login', { ref: 'NOSUCH' });
    expect(d.referrer).toBeNull();
    // A, signed in before, cannot be bound to B (that would be a cycle)
    expect((await app.call('a', 'user', 'login', { ref: b.inviteCode })).referrer).toBeNull();
  });

  it('commission goes to the direct referrer only, at completion; recruiter reward to whoever invited the store', async () => {
    await app.configure((c) => {
      c.rebate.enabled = false;
      c.referral = { commissionBp: 500, recruiterBp: 200 };
    });
    const ids = await shop(app, { priceFen: 10000 });
    const a = await app.call('a', 'user', 'login');
    const b = await app.call('b', 'user', 'login', { ref: a.inviteCode });
    await app.call('c', 'user', 'login', { ref: b.inviteCode });
    const paid = await buy(app, 'c', ids.productId, { complete: false });
    expect((await app.call('b', 'wallet', 'balances')).cashFen).toBe(0); // not before completion
    await app.call('c', 'order', 'complete', { orderId: paid.orderId });
    expect((await app.call('b', 'wallet', 'balances')).cashFen).toBe(500);
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(0); // no second level
    // the store's owner was invited by A: A gets the recruiter reward on the store's flow
    await app.call('owner', 'user', 'login', { ref: a.inviteCode });
    const st = await app.call('owner', 'merchant', 'applyStore', { name: '新店' });
    await app.call(ADMIN, 'admin', 'approveStore', { storeId: st.storeId });
    const cashier = await app.call('owner', 'merchant', 'createCashier', { storeId: st.storeId, name: '收银台' });
    await payAtCashier(app, 'c', cashier.cashierId, 10000);
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(200);
    expect((await app.call('b', 'wallet', 'balances')).cashFen).toBe(1000); // commission on C's cashier payment too
  });
});

describe('§6 compliance guard', () => {
  const base = () => defaultPluginConfig();
  const reject = async (config: unknown) => {
    await app.call(ADMIN, 'user', 'login');
    const before = await app.call(ADMIN, 'admin', 'getConfig');
    const r = await app.raw(ADMIN, 'admin', { action: 'setConfig', config });
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('CONFIG_INVALID');
    expect(await app.call(ADMIN, 'admin', 'getConfig')).toEqual(before); // nothing changed
    return r.error.message as string;
  };

  it('a second referral level is rejected, naming the rule', async () => {
    expect(await reject({ ...base(), referral: { commissionBp: 500, recruiterBp: 0, indirectCommissionBp: 200 } })).toContain('一级分销');
    expect(await reject({ ...base(), referral: { commissionBp: 500, recruiterBp: 0, levels: [500, 200] } })).toContain('一级分销');
    expect(await reject({ ...base(), teamBonusBp: 100 })).toContain('团队');
  });

  it('an entry fee (paid level, fee to join) is rejected', async () => {
    expect(await reject({ ...base(), memberLevels: [{ id: 'L0', name: '普通', minSpendFen: 0, priceFen: 9900 }] })).toContain('入门费');
    expect(await reject({ ...base(), entryFeeFen: 9900 })).toContain('入门费');
  });

  it('shares above 100% of what an order pays are rejected', async () => {
    const c = base();
    c.rebate.extractionBp = 6500;
    c.union = { ...c.union, enabled: true, poolShareBp: 3000 };
    c.green = { ...c.green, enabled: true, poolShareBp: 1000 };
    expect(await reject(c)).toContain('100%');
    // …also through a product's own extraction
    await app.configure((x) => (x.referral.commissionBp = 3400));
    const r = await app.raw(ADMIN, 'admin', { action: 'upsertProduct', name: 'p', priceFen: 100, costFen: 0, stock: 1, rebate: { enabled: true, extractionBp: 7000 } });
    expect(r.error.code).toBe('CONFIG_INVALID');
  });

  it('sharing never unlocks a reward by itself', async () => {
    expect(await reject({ ...base(), shareRewardPoints: 10 })).toContain('分享');
  });

  it('config changes need the version read (no lost update between two admins)', async () => {
    await app.call(ADMIN, 'user', 'login');
    const c = await app.call(ADMIN, 'admin', 'getConfig');
    await app.call(ADMIN, 'admin', 'setConfig', { config: { ...c, rebate: { ...c.rebate, name: '甲' } } });
    const stale = await app.raw(ADMIN, 'admin', { action: 'setConfig', config: { ...c, rebate: { ...c.rebate, name: '乙' } } });
    expect(stale.error.code).toBe('CONFLICT');
  });
});
