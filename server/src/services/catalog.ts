import { validateLockDays, validateRebateRules } from '../engine/config/compliance';
import { guard, touchGuard } from './guards';
import { defaultRebateRules } from '../engine/config/defaults';
import type { PluginConfig } from '../engine/config/types';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { ProductDoc, ProductSource } from '../repo/documents';
import { newId } from '../repo/ids';
import { loadConfig } from './config';

/** Products of the mall (platform: self-operated / supplier) and of stores (门店线上商品). */

export interface ProductInput {
  productId?: string;
  name: string;
  description?: string;
  imageUrl?: string;
  priceFen: number;
  costFen: number;
  stock: number;
  source?: 'self' | 'supplier';
  listed?: boolean;
  rebate?: unknown;
  lockDays?: number | null;
  maxDeductBp?: number;
}

export async function upsertProduct(tx: Tx, input: ProductInput, storeId: string | null): Promise<ProductDoc> {
  const config = await loadConfig(tx);
  const existing = input.productId ? await col(tx.db, 'products').findOne({ _id: input.productId }, s(tx)) : null;
  if (input.productId && (!existing || existing.storeId !== storeId)) throw new AppError('NOT_FOUND', '找不到该商品');
  if (input.rebate !== undefined) await touchGuard(tx, guard.shares); // checked against the plugin's shares
  const rebate = input.rebate !== undefined ? validateRebateRules(input.rebate, config, { allowRandomReturn: false }) : (existing?.rebate ?? defaultRebateRules(config.rebate.newProductsDefaultOn));
  const lockDays = input.lockDays === undefined ? (existing?.lockDays ?? null) : input.lockDays === null ? null : validateLockDays(input.lockDays);
  const source: ProductSource = storeId ? 'store' : (input.source ?? existing?.source ?? 'self');
  const doc: ProductDoc = {
    _id: existing?._id ?? newId('P'),
    name: input.name,
    description: input.description ?? existing?.description ?? '',
    imageUrl: input.imageUrl ?? existing?.imageUrl ?? '',
    priceFen: input.priceFen,
    costFen: input.costFen,
    stock: input.stock,
    source,
    storeId,
    listed: input.listed ?? existing?.listed ?? true,
    rebate,
    lockDays,
    maxDeductBp: input.maxDeductBp ?? existing?.maxDeductBp ?? 0,
    sold: existing?.sold ?? 0,
    createdAt: existing?.createdAt ?? tx.now,
    updatedAt: tx.now,
  };
  await col(tx.db, 'products').replaceOne({ _id: doc._id }, doc, { ...s(tx), upsert: true });
  return doc;
}

/** 一键开启: switch queue rebate on for every existing product. */
export async function enableRebateForAll(tx: Tx): Promise<number> {
  const r = await col(tx.db, 'products').updateMany({ 'rebate.enabled': false }, { $set: { 'rebate.enabled': true, updatedAt: tx.now } }, s(tx));
  return r.modifiedCount;
}

export function productView(p: ProductDoc, config: PluginConfig) {
  return {
    productId: p._id,
    name: p.name,
    description: p.description,
    imageUrl: p.imageUrl,
    priceFen: p.priceFen,
    stock: p.stock,
    sold: p.sold,
    source: p.source,
    storeId: p.storeId,
    listed: p.listed,
    maxDeductBp: p.maxDeductBp,
    rebateEnabled: config.rebate.enabled && p.rebate.enabled,
    lotteryAvailable: !!(p.rebate.lottery ?? config.rebate.lottery),
    lockDays: p.lockDays ?? config.union.defaultLockDays,
  };
}

/** Admin/merchant view: includes cost and the raw settings. */
export function productAdminView(p: ProductDoc, config: PluginConfig) {
  return { ...productView(p, config), costFen: p.costFen, rebate: p.rebate, lockDaysSetting: p.lockDays };
}

export async function listProducts(tx: Tx, filter: { storeId?: string | null; includeUnlisted?: boolean }, limit = 100) {
  const q: Record<string, unknown> = {};
  if (filter.storeId !== undefined) q.storeId = filter.storeId;
  if (!filter.includeUnlisted) q.listed = true;
  return col(tx.db, 'products').find(q, s(tx)).sort({ createdAt: 1 }).limit(limit).toArray();
}
