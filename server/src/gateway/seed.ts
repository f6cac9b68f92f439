import type { AppDeps } from '../runtime/context';
import { callFunction } from '../app/call';
import { col } from '../repo/db';
import { defaultPluginConfig } from '../engine/config/defaults';

/** Demo identities (the h5 client's dev identity switcher offers the same). */
export const DEMO = { admin: 'demo-admin', merchant: 'demo-merchant', a: 'demo-shopper-a', b: 'demo-shopper-b' } as const;

const CATEGORIES = ['粮油', '茶饮', '生鲜'] as const;

const PRODUCTS = [
  { name: '有机大米 5kg', priceFen: 16800, costFen: 9800, stock: 500, description: '东北五常有机大米，当季新米', category: '粮油' },
  { name: '高山绿茶 250g', priceFen: 8800, costFen: 4200, stock: 300, description: '明前采摘，清香回甘', category: '茶饮' },
  { name: '土鸡蛋 30枚', priceFen: 5990, costFen: 3600, stock: 800, description: '散养土鸡蛋，产地直发', category: '生鲜' },
  { name: '冷榨山茶油 1L', priceFen: 12800, costFen: 7000, stock: 200, description: '一级冷榨，家庭装', category: '粮油' },
  { name: '手工挂面 2kg', priceFen: 3900, costFen: 2100, stock: 1000, description: '无添加手工挂面', category: '粮油' },
];

/** Load demo data through the public actions, on a fresh database only. */
export async function seedDemo(deps: AppDeps, now = new Date()): Promise<boolean> {
  if ((await col(deps.store.db, 'users').countDocuments({})) > 0) return false;
  const call = async (openid: string, fn: string, event: Record<string, unknown>) => {
    const r = await callFunction(fn, event, deps, { openid, source: 'wx_client', now });
    if (!r.ok) throw new Error(`seed: ${fn}.${String(event.action)} failed: ${r.error.code} ${r.error.message}`);
    return r.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  await call(DEMO.admin, 'user', { action: 'login' });
  const config = defaultPluginConfig();
  config.union = { ...config.union, enabled: true, poolShareBp: 2000 };
  config.green = { ...config.green, enabled: true, poolShareBp: 1000, mintBp: 5000 };
  config.referral = { commissionBp: 300, recruiterBp: 100 };
  config.memberLevels = [
    { id: 'L0', name: '普通会员', minSpendFen: 0 },
    { id: 'L1', name: '银卡会员', minSpendFen: 100_000 },
    { id: 'L2', name: '金卡会员', minSpendFen: 500_000 },
  ];
  config.rebate.lottery = { kind: 'fixed', options: [{ ratioBp: 12000, weight: 2 }, { ratioBp: 15000, weight: 2 }, { ratioBp: 20000, weight: 1 }] };
  await call(DEMO.admin, 'admin', { action: 'setConfig', config });
  const categoryIds: Record<string, string> = {};
  for (const name of CATEGORIES) categoryIds[name] = (await call(DEMO.admin, 'admin', { action: 'upsertCategory', name })).categoryId;
  const products = [];
  for (const { category, ...p } of PRODUCTS) products.push(await call(DEMO.admin, 'admin', { action: 'upsertProduct', ...p, categoryId: categoryIds[category], maxDeductBp: 2000 }));

  const a = await call(DEMO.a, 'user', { action: 'login' });
  await call(DEMO.b, 'user', { action: 'login', ref: a.inviteCode });
  await call(DEMO.merchant, 'user', { action: 'login', ref: a.inviteCode });
  const store = await call(DEMO.merchant, 'merchant', { action: 'applyStore', name: '绿源便利店' });
  await call(DEMO.admin, 'admin', { action: 'approveStore', storeId: store.storeId, approve: true, commissionBp: 1000 });
  const cashier = await call(DEMO.merchant, 'merchant', { action: 'createCashier', storeId: store.storeId, name: '1号收银台' });
  await call(DEMO.merchant, 'merchant', { action: 'upsertStoreProduct', storeId: store.storeId, name: '鲜榨果汁', priceFen: 1800, costFen: 600, stock: 100 });

  // A few real orders so the queues, pools and price chart are not empty.
  const buy = async (openid: string, productId: string) => {
    const o = await call(openid, 'order', { action: 'create', lines: [{ productId, qty: 1 }] });
    await call(openid, 'order', { action: 'pay', orderId: o.orderId });
    await call(openid, 'order', { action: 'complete', orderId: o.orderId });
  };
  await buy(DEMO.a, products[0]!.productId);
  await buy(DEMO.b, products[0]!.productId);
  await buy(DEMO.b, products[1]!.productId);
  const c = await call(DEMO.a, 'order', { action: 'cashier', cashierId: cashier.cashierId, amountFen: 5000 });
  await call(DEMO.a, 'order', { action: 'pay', orderId: c.orderId });
  return true;
}
