import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../server/src/functions';
import { ADMIN, buy, createTestApp, payAtCashier, shop, type TestApp } from '../helpers/app';
import { digest, isErrorShape } from './helpers';

/**
 * Reliability: every admin action (functions `admin` and `daily`) is refused to a shopper and to
 * a merchant; every merchant action on a store, cashier or store product is refused to a shopper
 * and to another merchant (owner of another approved store); order actions of a store's orders
 * are refused to another merchant. Refusals are FORBIDDEN or NOT_FOUND (other stores' ids reveal
 * nothing), in the §8 shape, and change nothing.
 */
// deterministic: no randomness in this file
let app: TestApp;
const ids: Record<string, string> = {};
const SHOPPER = 'acc-shopper';
const OTHER_MERCHANT = 'merchant-b';

beforeAll(async () => {
  app = await createTestApp();
  await app.configure((c) => {
    c.union.enabled = true;
    c.union.poolShareBp = 2000;
  });
  const s = await shop(app); // owner 'merchant'
  Object.assign(ids, s);
  ids.storeProductId = (await app.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: s.storeId, name: '门店商品', priceFen: 5000, costFen: 1000, stock: 100 })).productId;
  await app.call(OTHER_MERCHANT, 'user', 'login');
  const sb = await app.call(OTHER_MERCHANT, 'merchant', 'applyStore', { name: '别家门店' });
  await app.call(ADMIN, 'admin', 'approveStore', { storeId: sb.storeId, approve: true, commissionBp: 1000 });
  ids.otherStoreId = sb.storeId;
  ids.otherCashierId = (await app.call(OTHER_MERCHANT, 'merchant', 'createCashier', { storeId: sb.storeId, name: 'B1' })).cashierId;
  // orders of the first store: a store-product order (paid, not completed) and a cashier order
  await app.call(SHOPPER, 'user', 'login');
  const so = await app.call(SHOPPER, 'order', 'create', { lines: [{ productId: ids.storeProductId, qty: 1 }] });
  await app.call(SHOPPER, 'order', 'pay', { orderId: so.orderId });
  ids.storeOrderId = so.orderId;
  ids.cashierOrderId = (await payAtCashier(app, SHOPPER, s.cashierId, 8800)).orderId;
  ids.mallOrderId = (await buy(app, SHOPPER, s.productId, { complete: false })).orderId;
  const w = await app.call(SHOPPER, 'wallet', 'withdraw', { amountFen: 100 }).catch(() => null);
  ids.withdrawalId = w?.withdrawalId ?? 'W_none';
}, 120_000);
afterAll(async () => app?.close());

const adminParams: Record<string, Record<string, unknown>> = {
  setConfig: { config: {} },
  validateConfig: { config: {} },
  upsertProduct: { name: '偷改', priceFen: 1, costFen: 0, stock: 1 },
  approveStore: { storeId: '', approve: true, commissionBp: 0 },
  setMemberLevels: { levels: [{ id: 'L0', name: '普通会员', minSpendFen: 0 }] },
  reviewWithdrawal: { withdrawalId: '', approve: true },
  outbox: { limit: 10 },
  confirmPayout: { withdrawalId: 'W_none', reference: 'BANK-1' },
  failPayout: { withdrawalId: 'W_none', reason: '退回' },
  refunds: {},
  resolveRefund: { refundId: 'R_none', decision: 'manual', reference: 'BANK-1' },
  anomalies: {},
  resolveAnomaly: { transactionId: 'T_none', note: 'x' },
  retryOutbox: { messageId: 'M_none' },
  reconciliations: {},
  payoutMethods: {},
};

async function refused(caller: string, fn: string, action: string, params: Record<string, unknown>, codes = ['FORBIDDEN', 'NOT_FOUND']) {
  const before = await digest(app.deps.store.db);
  const res = await app.raw(caller, fn, { action, ...params });
  const where = `${caller} → ${fn}.${action}(${JSON.stringify(params).slice(0, 80)})`;
  expect(isErrorShape(res), `${where}: ${JSON.stringify(res).slice(0, 200)}`).toBe(true);
  expect(codes, `${where}: ${res.error?.code}`).toContain(res.error.code);
  expect(await digest(app.deps.store.db), `${where} changed state`).toBe(before);
}

describe('access control', () => {
  it('every admin and daily action is refused to a shopper and to merchants (FORBIDDEN, nothing changes)', async () => {
    let n = 0;
    for (const fn of ['admin', 'daily'] as const) {
      for (const action of Object.keys(FUNCTIONS[fn]!)) {
        const params = { ...(adminParams[action] ?? {}) };
        if ('storeId' in params) params.storeId = ids.storeId;
        if ('withdrawalId' in params) params.withdrawalId = ids.withdrawalId;
        for (const caller of [SHOPPER, 'merchant', OTHER_MERCHANT]) {
          await refused(caller, fn, action, params, ['FORBIDDEN']);
          n++;
        }
      }
    }
    console.log(`[reliability] access: ${n} admin calls refused`);
  });

  it("every merchant action on a store, cashier or store product is refused to a shopper and to another merchant", async () => {
    const merchantParams: Record<string, Record<string, unknown>> = {
      createCashier: { storeId: ids.storeId, name: '偷建' },
      listCashiers: { storeId: ids.storeId },
      setStoreConfig: { storeId: ids.storeId, name: '改名', lockDays: 30 },
      setCashierConfig: { cashierId: ids.cashierId, name: '改名' },
      upsertStoreProduct: { storeId: ids.storeId, productId: ids.storeProductId, name: '改价', priceFen: 1, costFen: 0, stock: 1 },
      listStoreProducts: { storeId: ids.storeId },
      orders: { storeId: ids.storeId },
      dashboard: { storeId: ids.storeId },
      revenue: { storeId: ids.storeId },
      withdraw: { storeId: ids.storeId, amountFen: 100 },
      shipOrder: { orderId: ids.storeOrderId, carrier: 'SF', trackingNo: 'SF123456789' },
      reviewRefund: { orderId: ids.storeOrderId, approve: true },
    };
    // everything except applying for one's own store, listing one's own stores and the carriers' list acts on a store
    const open = new Set(['applyStore', 'myStores', 'carriers']);
    expect(Object.keys(FUNCTIONS.merchant!).filter((a) => !open.has(a)).sort()).toEqual(Object.keys(merchantParams).sort());
    for (const [action, params] of Object.entries(merchantParams)) {
      for (const caller of [SHOPPER, OTHER_MERCHANT]) await refused(caller, 'merchant', action, params);
    }
    // another merchant cannot move the first store's product into their own store, nor edit it through their store id
    await refused(OTHER_MERCHANT, 'merchant', 'upsertStoreProduct', { storeId: ids.otherStoreId, productId: ids.storeProductId, name: '劫持', priceFen: 1, costFen: 0, stock: 1 });
    // nor edit a mall (platform) product through their store
    await refused(OTHER_MERCHANT, 'merchant', 'upsertStoreProduct', { storeId: ids.otherStoreId, productId: ids.productId, name: '劫持', priceFen: 1, costFen: 0, stock: 1 });
    // nor configure the first store's cashier while naming their own store's cashier id elsewhere
    await refused(OTHER_MERCHANT, 'merchant', 'setCashierConfig', { cashierId: ids.cashierId, rebate: { enabled: false } });
    // myStores shows only one's own stores
    const mine = await app.call(OTHER_MERCHANT, 'merchant', 'myStores', {});
    expect(mine.map((x: { storeId: string }) => x.storeId)).toEqual([ids.otherStoreId]);
    expect(await app.call(SHOPPER, 'merchant', 'myStores', {})).toEqual([]);
  });

  it("another merchant cannot complete or refund the first store's orders; a shopper cannot touch another's orders", async () => {
    for (const action of ['complete', 'refund', 'get', 'cancel', 'pay']) {
      for (const orderId of [ids.storeOrderId, ids.cashierOrderId, ids.mallOrderId]) {
        await refused(OTHER_MERCHANT, 'order', action, { orderId });
        await refused('someone-else', 'order', action, { orderId });
      }
    }
    // the buyer cannot refund a completed cashier order by themself (the store or an admin can)
    await refused(SHOPPER, 'order', 'refund', { orderId: ids.cashierOrderId });
    expect((await app.verify()).problems).toEqual([]);
  });
});
