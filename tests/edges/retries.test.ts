import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { ADMIN, buy, createTestApp, shop, type TestApp } from '../helpers/app';

/**
 * A client retry is the same request (issue 12, item 6): every action that creates or moves
 * something takes a requestId, and the same id again has no second effect — green withdrawals and
 * transfers are keyed by it in the journal itself. And (item 8) a refund takes an exchanged
 * entry's credit back from the account it actually went to.
 */
let app: TestApp;
afterEach(async () => app?.close());

describe('retries with the same requestId', () => {
  it('green withdraw and transfer: the journal entry is keyed by the request id; the retry answers the first result', async () => {
    app = await createTestApp();
    const s = await shop(app, { priceFen: 10_000 });
    await app.configure((c) => ((c.green.enabled = true), (c.green.poolShareBp = 3000), (c.green.mintBp = 5000), (c.green.exitMultipleBp = 0)));
    await buy(app, 'a', s.productId);
    const b = await app.call('b', 'user', 'login');
    const before = (await app.call('a', 'green', 'mine')).units;
    const w1 = await app.call('a', 'green', 'withdraw', { units: 10_000, requestId: 'green-wd-00000001' });
    const w2 = await app.call('a', 'green', 'withdraw', { units: 10_000, requestId: 'green-wd-00000001' });
    expect(w2).toEqual(w1);
    const t1 = await app.call('a', 'green', 'transfer', { toUserId: b.userId, units: 5_000, requestId: 'green-tr-00000001' });
    expect(await app.call('a', 'green', 'transfer', { toUserId: b.userId, units: 5_000, requestId: 'green-tr-00000001' })).toEqual(t1);
    expect((await app.call('a', 'green', 'mine')).units).toBe(before - 15_000);
    const a = await app.call('a', 'user', 'me');
    const keys = (await col(app.deps.store.db, 'journal').find({ type: { $in: ['green.withdraw', 'green.transfer'] } }).toArray()).map((j) => j.eventKey);
    expect(keys.sort()).toEqual([`green.transfer:${a.userId}:green-tr-00000001`, `green.withdraw:${a.userId}:green-wd-00000001`]);
    expect((await app.verify()).problems).toEqual([]);
  });

  it('wallet.withdraw: the withdrawal id comes from the request id, so a retry finds the same withdrawal', async () => {
    app = await createTestApp();
    const s = await shop(app, { priceFen: 10_000 });
    await app.configure((c) => (c.rebate.extractionBp = 5000));
    await buy(app, 'a', s.productId);
    await buy(app, 'b', s.productId);
    const w1 = await app.call('a', 'wallet', 'withdraw', { amountFen: 1000, requestId: 'wallet-wd-000001' });
    const w2 = await app.call('a', 'wallet', 'withdraw', { amountFen: 1000, requestId: 'wallet-wd-000001' });
    expect(w2).toEqual(w1);
    expect(w1.withdrawalId).toMatch(/^W[0-9A-F]{24}$/);
    expect(await col(app.deps.store.db, 'withdrawals').countDocuments({})).toBe(1);
    // another request id is another withdrawal
    await app.call('a', 'wallet', 'withdraw', { amountFen: 1000, requestId: 'wallet-wd-000002' });
    expect(await col(app.deps.store.db, 'withdrawals').countDocuments({})).toBe(2);
  });

  it('creating actions of merchants and admins take a requestId too: a retry creates nothing new', async () => {
    app = await createTestApp();
    await app.call('m', 'user', 'login');
    const st = await app.call('m', 'merchant', 'applyStore', { name: '重试店', requestId: 'apply-store-0001' });
    // as the client sees it (JSON): the same answer
    const json = (x: unknown) => JSON.parse(JSON.stringify(x));
    expect(json(await app.call('m', 'merchant', 'applyStore', { name: '重试店', requestId: 'apply-store-0001' }))).toEqual(json(st));
    await app.call(ADMIN, 'user', 'login');
    await app.call(ADMIN, 'admin', 'approveStore', { storeId: st.storeId });
    const c1 = await app.call('m', 'merchant', 'createCashier', { storeId: st.storeId, name: '1号', requestId: 'cashier-req-0001' });
    const c2 = await app.call('m', 'merchant', 'createCashier', { storeId: st.storeId, name: '1号', requestId: 'cashier-req-0001' });
    expect(c2.cashierId).toBe(c1.cashierId);
    const p1 = await app.call('m', 'merchant', 'upsertStoreProduct', { storeId: st.storeId, name: '商品', priceFen: 100, costFen: 0, stock: 1, requestId: 'product-req-0001' });
    expect((await app.call('m', 'merchant', 'upsertStoreProduct', { storeId: st.storeId, name: '商品', priceFen: 100, costFen: 0, stock: 1, requestId: 'product-req-0001' })).productId).toBe(p1.productId);
    const a1 = await app.call(ADMIN, 'admin', 'upsertProduct', { name: '平台商品', priceFen: 100, costFen: 0, stock: 1, requestId: 'admin-prod-0001' });
    expect((await app.call(ADMIN, 'admin', 'upsertProduct', { name: '平台商品', priceFen: 100, costFen: 0, stock: 1, requestId: 'admin-prod-0001' })).productId).toBe(a1.productId);
    expect(await col(app.deps.store.db, 'stores').countDocuments({})).toBe(1);
    expect(await col(app.deps.store.db, 'cashiers').countDocuments({})).toBe(1);
    expect(await col(app.deps.store.db, 'products').countDocuments({})).toBe(2);
  });
});

describe('a refund takes an exchange back from where it was credited', () => {
  it('love exchanged while love was frozen comes back out of the frozen account even after the setting changed', async () => {
    app = await createTestApp();
    const s = await shop(app, { priceFen: 10_000 });
    await app.configure((c) => ((c.rebate.settleOn = 'pay'), (c.rebate.exchange.loveFrozen = true)));
    const o = await buy(app, 'a', s.productId, { complete: false });
    const [e] = (await app.call('a', 'queue', 'mine')).entries;
    const ex = await app.call('a', 'queue', 'exchange', { entryId: e.entryId, to: 'love' });
    expect(ex.frozen).toBe(true);
    expect(await app.call('a', 'wallet', 'balances')).toMatchObject({ love: 0, loveFrozen: ex.amount });
    const entry = await col(app.deps.store.db, 'entries').findOne({ _id: e.entryId });
    expect(entry!.exchanged!.account).toMatch(/^LOVE:user:.+:frozen$/);
    // the operator unfreezes exchanges before the refund: the refund must still take from the frozen account
    await app.configure((c) => (c.rebate.exchange.loveFrozen = false));
    await app.call('a', 'order', 'refund', { orderId: o.orderId });
    expect(await app.call('a', 'wallet', 'balances')).toMatchObject({ love: 0, loveFrozen: 0 });
    expect((await app.verify()).problems).toEqual([]);
  });

  it('an entry exchanged before the account was recorded is reversed from the account its journal entry credited', async () => {
    app = await createTestApp();
    const s = await shop(app, { priceFen: 10_000 });
    await app.configure((c) => ((c.rebate.settleOn = 'pay'), (c.rebate.exchange.loveFrozen = false)));
    const o = await buy(app, 'a', s.productId, { complete: false });
    const [e] = (await app.call('a', 'queue', 'mine')).entries;
    const ex = await app.call('a', 'queue', 'exchange', { entryId: e.entryId, to: 'love' });
    // as written by older code: no account on the entry
    await col(app.deps.store.db, 'entries').updateOne({ _id: e.entryId }, { $unset: { 'exchanged.account': '' } });
    await app.configure((c) => (c.rebate.exchange.loveFrozen = true));
    await app.call('a', 'order', 'refund', { orderId: o.orderId });
    expect(await app.call('a', 'wallet', 'balances')).toMatchObject({ love: 0, loveFrozen: 0 });
    expect(ex.amount).toBeGreaterThan(0);
    expect((await app.verify()).problems).toEqual([]);
  });
});
