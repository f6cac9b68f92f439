import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { FUNCTIONS } from '../../server/src/functions';
import { MAX_BODY_BYTES } from '../../server/src/gateway/server';
import { ADMIN, buy, createTestApp, payAtCashier, shop, startTestGateway, type TestApp } from '../helpers/app';
import { digest, isErrorShape, rng, seedFromEnv } from './helpers';

/**
 * Reliability: a generated corpus of bad input against every action of every function in
 * FUNCTIONS (negative, zero, fractional, NaN, ±Infinity, huge, strings where numbers belong and
 * numbers where strings belong, oversized strings, operator objects, arrays, nested objects,
 * unknown fields, identity/role/price fields, unknown ids, other users' ids), called in-process
 * exactly as the gateway and WeChat call them; and malformed HTTP bodies (oversized, not JSON,
 * not an object, deep nesting, prototype names) against the gateway. Every answer must be the
 * SPEC §8 shape `{ ok: false, error: { code ∈ §8, message: string } }`, never INTERNAL, and the
 * database must be exactly as before (digest of every document of every collection).
 */
const seed = seedFromEnv('bad-input', 9090);
let app: TestApp;
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await createTestApp();
  await app.configure((c) => {
    c.rebate.extractionBp = 2000;
    c.rebate.lottery = { kind: 'fixed', options: [{ ratioBp: 10000, weight: 1 }, { ratioBp: 15000, weight: 1 }] };
    c.union.enabled = true;
    c.union.poolShareBp = 2000;
    c.green.enabled = true;
    c.green.poolShareBp = 2000;
  });
  const s = await shop(app, { priceFen: 10_000, costFen: 3000 });
  Object.assign(ids, s);
  const sp = await app.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: s.storeId, name: '门店商品', priceFen: 5000, costFen: 1000, stock: 100 });
  ids.storeProductId = sp.productId;
  // shopper A and another shopper B, each with completed orders, entries, union entries, green lots, cash
  for (const who of ['shopper-a', 'shopper-b']) {
    await buy(app, who, s.productId);
    await buy(app, who, s.productId);
    await payAtCashier(app, who, s.cashierId, 20_000);
  }
  const mine = async (who: string) => (await app.call(who, 'queue', 'mine', {})) as any;
  const entriesA = await mine('shopper-a');
  const entriesB = await mine('shopper-b');
  const list = (x: any) => (Array.isArray(x) ? x : (x.entries ?? x.items ?? []));
  ids.entryA = list(entriesA)[0].entryId;
  ids.entryB = list(entriesB)[0].entryId;
  ids.orderA = (await app.call('shopper-a', 'order', 'list', {}))[0].orderId;
  ids.orderB = (await app.call('shopper-b', 'order', 'list', {}))[0].orderId;
  ids.userB = (await app.call('shopper-b', 'user', 'me', {})).userId;
  const open = await app.call('shopper-a', 'order', 'create', { lines: [{ productId: s.productId, qty: 1 }] });
  ids.openOrderA = open.orderId;
  const w = await app.call('shopper-a', 'wallet', 'withdraw', { amountFen: 100 });
  ids.withdrawalA = w.withdrawalId ?? w._id ?? w.id;
  expect((await app.verify()).problems).toEqual([]);
}, 120_000);
afterAll(async () => app?.close());

/** The caller of each function, and a valid-looking baseline of params per action (so each mutation tests one field). */
const callerOf = (fn: string) => (fn === 'admin' || fn === 'daily' ? ADMIN : fn === 'merchant' ? 'merchant' : fn === 'payNotify' ? null : 'shopper-a');
const baseline = (fn: string, action: string): Record<string, unknown> => {
  const b: Record<string, Record<string, unknown>> = {
    'user.login': { ref: 'NOSUCHCODE' },
    'mall.getProduct': { productId: ids.productId },
    'mall.getCashier': { cashierId: ids.cashierId },
    'mall.listProducts': { storeId: ids.storeId },
    'order.create': { lines: [{ productId: ids.productId, qty: 1 }], deduct: { points: 0 }, delivery: { method: 'express', address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园 1 号' } } },
    'order.requestRefund': { orderId: ids.orderA, reason: '不想要了' },
    'merchant.shipOrder': { orderId: ids.orderA, carrier: 'SF', trackingNo: 'SF0001112223' },
    'merchant.reviewRefund': { orderId: ids.orderA, approve: false, note: '不同意' },
    'admin.shipOrder': { orderId: ids.orderA, carrier: 'SF', trackingNo: 'SF0001112223' },
    'admin.reviewRefund': { orderId: ids.orderA, approve: false, note: '不同意' },
    'admin.orders': { filter: 'toShip' },
    'order.cashier': { cashierId: ids.cashierId, amountFen: 1000 },
    'order.pay': { orderId: ids.openOrderA },
    'order.complete': { orderId: ids.orderA },
    'order.refund': { orderId: ids.orderA },
    'order.cancel': { orderId: ids.openOrderA },
    'order.get': { orderId: ids.orderA },
    'payNotify.notify': { outTradeNo: ids.openOrderA, transactionId: 'TXBAD1', totalFee: 10_000 },
    'queue.draw': { entryId: ids.entryA },
    'queue.exchange': { entryId: ids.entryA, to: 'points' },
    'queue.board': { queueKey: 'mall' },
    'green.withdraw': { units: 1 },
    'green.transfer': { toUserId: ids.userB, units: 1 },
    'wallet.withdraw': { amountFen: 100 },
    'wallet.ledger': { asset: 'CASH' },
    'merchant.applyStore': { name: '新店' },
    'merchant.createCashier': { storeId: ids.storeId, name: '2号' },
    'merchant.listCashiers': { storeId: ids.storeId },
    'merchant.setStoreConfig': { storeId: ids.storeId, lockDays: 30 },
    'merchant.setCashierConfig': { cashierId: ids.cashierId, name: '收银' },
    'merchant.upsertStoreProduct': { storeId: ids.storeId, productId: ids.storeProductId, name: '门店商品', priceFen: 5000, costFen: 1000, stock: 100 },
    'merchant.listStoreProducts': { storeId: ids.storeId },
    'merchant.orders': { storeId: ids.storeId },
    'merchant.dashboard': { storeId: ids.storeId },
    'admin.setConfig': { config: {} },
    'admin.validateConfig': { config: {} },
    'admin.simulateConfig': { config: {}, days: 30 },
    'admin.upsertProduct': { productId: ids.productId, name: '测试商品', priceFen: 16800, costFen: 0, stock: 100 },
    'admin.approveStore': { storeId: ids.storeId, approve: true },
    'admin.setMemberLevels': { levels: [] },
    'admin.runDaily': { day: '2026-02-30' },
    'admin.reviewWithdrawal': { withdrawalId: ids.withdrawalA, approve: true },
    'daily.run': { day: '2026-02-30' },
    'user.updateProfile': { nickname: '小绿' },
    'user.invitees': { limit: 10 },
    'mall.getProducts': { productIds: [ids.productId] },
    'mall.getStore': { storeId: ids.storeId },
    'admin.upsertCategory': { name: '粮油', sort: 1 },
    'admin.setBanners': { banners: [] },
  };
  return { ...(b[`${fn}.${action}`] ?? {}) };
};

const deep = (n: number): unknown => (n === 0 ? {} : { a: deep(n - 1) });
const BAD: unknown[] = [
  -1, 0, 0.5, -0.01, NaN, Infinity, -Infinity, 1e308, 2 ** 53 + 2, -(2 ** 31),
  '', ' ', '１００', 'x'.repeat(5000), '<script>alert(1)</script>', '12.5', '1e3', '../../etc/passwd',
  { $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, [], [1, 2], [{}], deep(60), { toString: 'x' },
  true, false, null,
];
const EXTRA_FIELDS: Record<string, unknown>[] = [{ zzz: 1 }, { userId: 'U_forged' }, { openid: ADMIN }, { role: 'admin' }, { isAdmin: true }, { priceFen: 1 }, { OPENID: ADMIN }, JSON.parse('{"__proto__": {"polluted": 1}}')];

/** Values that are legitimate for their field (a boolean, null for a nullable field, ordinary text or a small count) are not bad input. */
function legitimate(schema: z.ZodType, params: Record<string, unknown>, key: string, v: unknown): boolean {
  if (!schema.safeParse(params).success) return false;
  if (typeof v === 'boolean' || v === null) return true;
  if (typeof v === 'string' && /name|description|imageUrl|avatarUrl|title|ref|transactionId|resultCode|returnCode|^q$|^note$|^reason$/i.test(key)) return true;
  if (Array.isArray(v) && v.length === 0 && /^(images|banners)$/.test(key)) return true; // no pictures, an empty banner
  if (typeof v === 'string' && key === 'categoryId' && schema === FUNCTIONS.mall!.listProducts!.params) return true; // a filter: unknown category → empty list
  if (typeof v === 'string' && key === 'day' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return true;
  if (typeof v === 'string' && key === 'storeId' && schema === FUNCTIONS.mall!.listProducts!.params) return true; // a filter: unknown store → empty list
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e9 && !/amount|units|fee|qty/i.test(key)) return true;
  return false;
}

function shapeOf(schema: z.ZodType): Record<string, unknown> {
  return ((schema as unknown as { shape?: Record<string, unknown> }).shape ?? {}) as Record<string, unknown>;
}

interface Case {
  fn: string;
  action: string;
  caller: string | null;
  event: Record<string, unknown>;
  label: string;
}

function corpus(): Case[] {
  const cases: Case[] = [];
  const r = rng(seed);
  for (const [fn, def] of Object.entries(FUNCTIONS)) {
    for (const [action, a] of Object.entries(def)) {
      const caller = callerOf(fn);
      const base = baseline(fn, action);
      const keys = [...new Set([...Object.keys(shapeOf(a.params)), ...Object.keys(base)])];
      for (const key of keys) {
        for (const v of BAD) {
          const params = { ...base, [key]: v };
          if (legitimate(a.params, params, key, v)) continue;
          cases.push({ fn, action, caller, event: { action, ...params }, label: `${key}=${JSON.stringify(v)?.slice(0, 40)}` });
        }
        // nested fields of arrays/objects in the baseline (order lines, deductions)
        const bv = base[key];
        const inner = Array.isArray(bv) ? (bv[0] as Record<string, unknown>) : bv && typeof bv === 'object' ? (bv as Record<string, unknown>) : null;
        if (inner) {
          for (const ik of [...Object.keys(inner), 'extra']) {
            for (const v of BAD) {
              if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 99 && ik !== 'extra') continue; // qty 0 fails, 1..99 legit
              if (v === 0 && ik === 'points') continue; // a zero deduction is legitimate
              const changed = { ...inner, [ik]: v };
              const params = { ...base, [key]: Array.isArray(bv) ? [changed] : changed };
              if (legitimate(a.params, params, ik, v)) continue;
              cases.push({ fn, action, caller, event: { action, ...params }, label: `${key}.${ik}=${JSON.stringify(v)?.slice(0, 40)}` });
            }
          }
        }
      }
      for (const extra of EXTRA_FIELDS) {
        if (fn === 'payNotify') continue; // WeChat adds fields to the callback: passthrough by design
        if (Object.keys(extra).some((k) => k in shapeOf(a.params))) continue; // a real parameter of this action
        cases.push({ fn, action, caller, event: { action, ...base, ...extra }, label: `extra ${Object.keys(extra).join(',') || '__proto__'}` });
      }
      // unknown ids and other users' ids in every id-like field
      for (const key of keys.filter((k) => /Id$|^id$|queueKey/.test(k) && k !== 'requestId' && k !== 'transactionId')) {
        for (const v of ['O_no_such', 'ZZZZZZZZ', ids.orderB, ids.entryB, ids.userB, `${ids.storeId}x`]) {
          if (v === base[key]) continue;
          if (key === 'toUserId' && v === ids.userB) continue; // a transfer *to* another user is the point of transfer
          if (key === 'queueKey') continue; // any queue board is public to signed-in shoppers
          if (fn === 'mall' && action === 'listProducts') continue; // a filter: an unknown store lists nothing
          cases.push({ fn, action, caller, event: { action, ...base, [key]: v }, label: `${key}=${v}` });
        }
      }
      // impossible calendar days
      if ('day' in shapeOf(a.params)) for (const day of ['2026-02-30', '2026-13-01', '0000-00-00', '2026-00-10']) cases.push({ fn, action, caller, event: { action, day }, label: `day=${day}` });
      // a random pick of two bad values at once
      if (keys.length >= 2) {
        for (let k = 0; k < 3; k++) {
          const [k1, k2] = [r.pick(keys), r.pick(keys)];
          const params = { ...base, [k1]: r.pick(BAD), [k2]: r.pick(BAD) };
          if (!a.params.safeParse(params).success) cases.push({ fn, action, caller, event: { action, ...params }, label: `${k1},${k2} random` });
        }
      }
    }
  }
  return cases;
}

describe('bad input against every action', () => {
  it('every function and action is covered by the corpus', () => {
    const cs = corpus();
    const covered = new Set(cs.map((c) => `${c.fn}.${c.action}`));
    const all = Object.entries(FUNCTIONS).flatMap(([fn, d]) => Object.keys(d).map((a) => `${fn}.${a}`));
    const bare = all.filter((x) => !covered.has(x));
    expect(bare).toEqual([]);
    console.log(`[reliability] bad input: ${cs.length} generated calls over ${all.length} actions of ${Object.keys(FUNCTIONS).length} functions`);
  });

  it('each bad call is answered in the §8 shape (never INTERNAL) and changes nothing', async () => {
    const db = app.deps.store.db;
    const failures: string[] = [];
    let before = await digest(db);
    for (const c of corpus()) {
      const res = await app.raw(c.caller, c.fn, c.event);
      const after = await digest(db);
      const where = `${c.fn}.${c.action} ${c.label}`;
      if (!isErrorShape(res)) failures.push(`${where}: answered ${JSON.stringify(res).slice(0, 160)}`);
      else if (res.error.code === 'INTERNAL') failures.push(`${where}: INTERNAL`);
      if (after !== before) {
        failures.push(`${where}: state changed`);
        before = after;
      }
    }
    expect(failures).toEqual([]);
    expect((await app.verify()).problems).toEqual([]);
  }, 170_000);

  it('a payment notification that is not a success (resultCode/returnCode FAIL, empty, blank) changes nothing', async () => {
    const db = app.deps.store.db;
    const before = await digest(db);
    for (const [k, v] of [['resultCode', 'FAIL'], ['returnCode', 'FAIL'], ['resultCode', ''], ['returnCode', ''], ['resultCode', ' '], ['resultCode', 'success']] as [string, string][]) {
      const res = await app.raw(null, 'payNotify', { action: 'notify', outTradeNo: ids.openOrderA, transactionId: `TXNS${k}${v.length}${v.trim()}`, totalFee: 10_000, [k]: v });
      expect(res.ok === false ? isErrorShape(res) : res.data.errcode === 0, JSON.stringify(res)).toBe(true);
      expect(await digest(db), `${k}=${JSON.stringify(v)}`).toBe(before);
    }
  });

  it('malformed HTTP requests to the gateway: §8 shape, nothing changes', async () => {
    const gw = await startTestGateway(app);
    const db = app.deps.store.db;
    try {
      const before = await digest(db);
      const bodies: [string, string | Buffer][] = [
        ['oversized', JSON.stringify({ action: 'cashier', cashierId: ids.cashierId, amountFen: 100, pad: 'x'.repeat(MAX_BODY_BYTES + 10) })],
        ['huge', Buffer.alloc(2 * 1024 * 1024, 0x41)],
        ['not json', '{"action": "cashier",'],
        ['array', '[1,2,3]'],
        ['string', '"cashier"'],
        ['number', '42'],
        ['null', 'null'],
        ['empty', ''],
        ['no action', '{}'],
        ['numeric action', '{"action": 7}'],
        ['proto action', '{"action": "__proto__"}'],
        ['constructor action', '{"action": "constructor"}'],
        ['toString action', '{"action": "toString"}'],
        ['hasOwnProperty action', '{"action": "hasOwnProperty"}'],
        ['proto pollution', `{"action": "cashier", "__proto__": {"amountFen": 1}, "cashierId": "${ids.cashierId}"}`],
        ['deep nesting', `{"action": "cashier", "cashierId": ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`],
        ['NaN literal', `{"action": "cashier", "cashierId": "${ids.cashierId}", "amountFen": NaN}`],
        ['1e400', `{"action": "cashier", "cashierId": "${ids.cashierId}", "amountFen": 1e400}`],
        ['duplicate keys', `{"action": "cashier", "cashierId": "${ids.cashierId}", "amountFen": 100, "amountFen": -100}`],
      ];
      const failures: string[] = [];
      const send = async (url: string, body: string | Buffer, headers: Record<string, string> = {}) => {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-openid': 'shopper-a', ...headers }, body });
        return { status: r.status, body: (await r.json().catch(() => 'not json')) as any };
      };
      for (const [label, body] of bodies) {
        const { status, body: res } = await send(`${gw.url}/api/order`, body);
        if (!isErrorShape(res) || res.error.code === 'INTERNAL') failures.push(`${label}: ${status} ${JSON.stringify(res).slice(0, 160)}`);
      }
      for (const fn of ['nope', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        const { body: res } = await send(`${gw.url}/api/${fn}`, '{"action": "me"}');
        if (!isErrorShape(res)) failures.push(`function ${fn}: ${JSON.stringify(res).slice(0, 160)}`);
      }
      for (const now of ['yesterday', '2026-13-45T99:00:00Z', '']) {
        const { body: res } = await send(`${gw.url}/api/order`, JSON.stringify({ action: 'cashier', cashierId: ids.cashierId, amountFen: 100 }), { 'x-now': now });
        if (now !== '' && !isErrorShape(res)) failures.push(`x-now ${now}: ${JSON.stringify(res).slice(0, 160)}`);
        if (now === '' && res.ok) failures.push('x-now empty accepted as a time and created an order');
      }
      expect(failures).toEqual([]);
      expect(await digest(db)).toBe(before);
    } finally {
      await gw.close();
    }
  }, 60_000);
});
