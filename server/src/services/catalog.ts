import { MAX_PRODUCT_IMAGES } from '../../../shared/contract';
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

/** Pictures per product (the first is the cover). */
export { MAX_PRODUCT_IMAGES };

export interface ProductInput {
  productId?: string;
  name: string;
  description?: string;
  /** the cover alone (older clients); `images` wins when both are given */
  imageUrl?: string;
  images?: string[];
  categoryId?: string | null;
  priceFen: number;
  costFen: number;
  stock: number;
  source?: 'self' | 'supplier';
  listed?: boolean;
  rebate?: unknown;
  lockDays?: number | null;
  maxDeductBp?: number;
}

/** A product's pictures; documents written before there were several hold only the cover. */
export function productImages(p: Pick<ProductDoc, 'imageUrl' | 'images'>): string[] {
  return p.images ?? (p.imageUrl ? [p.imageUrl] : []);
}

/** The pictures an upsert asks for: `images`, else the cover alone, else what the product has. */
export function requestedImages(input: Pick<ProductInput, 'images' | 'imageUrl'>, existing: Pick<ProductDoc, 'imageUrl' | 'images'> | null): string[] {
  const images = input.images ?? (input.imageUrl !== undefined ? (input.imageUrl ? [input.imageUrl] : []) : existing ? productImages(existing) : []);
  if (images.length > MAX_PRODUCT_IMAGES) throw new AppError('INVALID_INPUT', `每件商品最多 ${MAX_PRODUCT_IMAGES} 张图片`);
  if (images.some((x) => !x)) throw new AppError('INVALID_INPUT', '图片地址不能为空');
  if (new Set(images).size !== images.length) throw new AppError('INVALID_INPUT', '图片重复');
  return images;
}

export async function upsertProduct(tx: Tx, input: ProductInput, storeId: string | null): Promise<ProductDoc> {
  const config = await loadConfig(tx);
  const existing = input.productId ? await col(tx.db, 'products').findOne({ _id: input.productId }, s(tx)) : null;
  if (input.productId && (!existing || existing.storeId !== storeId)) throw new AppError('NOT_FOUND', '找不到该商品');
  if (input.rebate !== undefined) await touchGuard(tx, guard.shares); // checked against the plugin's shares
  const rebate = input.rebate !== undefined ? validateRebateRules(input.rebate, config, { allowRandomReturn: false }) : (existing?.rebate ?? defaultRebateRules(config.rebate.newProductsDefaultOn));
  const lockDays = input.lockDays === undefined ? (existing?.lockDays ?? null) : input.lockDays === null ? null : validateLockDays(input.lockDays);
  const source: ProductSource = storeId ? 'store' : (input.source ?? existing?.source ?? 'self');
  const images = requestedImages(input, existing);
  const categoryId = input.categoryId === undefined ? (existing?.categoryId ?? null) : input.categoryId;
  if (categoryId !== null && categoryId !== (existing?.categoryId ?? null)) {
    // a category that exists (hidden ones too: hiding a category must not break saving its products)
    if (!(await col(tx.db, 'categories').findOne({ _id: categoryId }, s(tx)))) throw new AppError('NOT_FOUND', '找不到该分类');
  }
  const doc: ProductDoc = {
    _id: existing?._id ?? newId('P'),
    name: input.name,
    description: input.description ?? existing?.description ?? '',
    imageUrl: images[0] ?? '',
    images,
    categoryId,
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

/** The image references of an upsert that the product does not hold yet: only those are inspected (WxPort.inspectImage). */
export async function newImageRefs(tx: Tx, input: Pick<ProductInput, 'productId' | 'images' | 'imageUrl'>): Promise<string[]> {
  const existing = input.productId ? await col(tx.db, 'products').findOne({ _id: input.productId }, s(tx)) : null;
  const have = new Set(existing ? productImages(existing) : []);
  const wanted = input.images ?? (input.imageUrl ? [input.imageUrl] : []);
  return [...new Set(wanted.filter((x) => x && !have.has(x)))];
}

/** 一键开启: switch queue rebate on for every existing product. */
export async function enableRebateForAll(tx: Tx): Promise<number> {
  const r = await col(tx.db, 'products').updateMany({ 'rebate.enabled': false }, { $set: { 'rebate.enabled': true, updatedAt: tx.now } }, s(tx));
  return r.modifiedCount;
}

export function productView(p: ProductDoc, config: PluginConfig) {
  const images = productImages(p);
  return {
    productId: p._id,
    name: p.name,
    description: p.description,
    imageUrl: images[0] ?? '',
    images,
    categoryId: p.categoryId ?? null,
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

// ---------------------------------------------------------------------------------------------
// Browsing and search

/**
 * Search is a bounded scan, not an index: a name matches when it contains the words typed
 * (case- and width-insensitive, any order), which no B-tree index answers, and the embedded engine
 * uses no multikey (token) index. Each call reads at most SEARCH_SCAN_MAX listed products of the
 * scope (mall or one store, optionally one category) in listing order, through the
 * (storeId, listed, [categoryId,] createdAt) index, and answers the matches with a cursor where
 * the scan stopped: a shop of a few thousand products is searched in one or a few calls, and no
 * call does more than this much work however large the catalogue grows.
 */
export const SEARCH_SCAN_MAX = 500;
export const BROWSE_PAGE_MAX = 100;

/** Where a listing continues: after (createdAt, _id) of the last product read. */
export interface BrowseCursor {
  at: number;
  id: string;
}

export function encodeCursor(c: BrowseCursor): string {
  return `${c.at}_${c.id}`;
}

export function decodeCursor(raw: string): BrowseCursor {
  const m = /^(\d{1,15})_([A-Za-z0-9_:.-]{1,64})$/.exec(raw);
  if (!m) throw new AppError('INVALID_INPUT', '游标格式不正确');
  return { at: Number(m[1]), id: m[2]! };
}

/** What a search compares: NFKC (full-width → half-width), lower case, no spaces. */
export function searchKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/** The words of a query: each must appear in the name. */
export function queryWords(q: string): string[] {
  return q
    .normalize('NFKC')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 5);
}

export function nameMatches(name: string, words: string[]): boolean {
  const key = searchKey(name);
  return words.every((w) => key.includes(w));
}

export interface BrowseRequest {
  storeId: string | null;
  categoryId?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

export async function browseProducts(tx: Tx, req: BrowseRequest): Promise<{ products: ProductDoc[]; nextCursor: string | null; scanned: number }> {
  const filter: Record<string, unknown> = { storeId: req.storeId, listed: true };
  if (req.categoryId) filter.categoryId = req.categoryId;
  const after = req.cursor ? decodeCursor(req.cursor) : null;
  if (after) filter.createdAt = { $gte: new Date(after.at) };
  const words = req.q ? queryWords(req.q) : [];
  const window = words.length ? SEARCH_SCAN_MAX : req.limit;
  // products created in the cursor's own millisecond with a smaller id were read already: read a few more and skip them
  const queryLimit = window + 1 + (after ? 20 : 0);
  const rows = await col(tx.db, 'products').find(filter, s(tx)).sort({ createdAt: 1, _id: 1 }).limit(queryLimit).toArray();
  const fresh = after ? rows.filter((p) => p.createdAt.getTime() > after.at || p._id > after.id) : rows;
  const scan = fresh.slice(0, window);
  const out: ProductDoc[] = [];
  let read = 0;
  for (; read < scan.length && out.length < req.limit; read++) {
    if (!words.length || nameMatches(scan[read]!.name, words)) out.push(scan[read]!);
  }
  // more to read: rows are left after the last one read, or the query itself was cut by its limit
  const more = read < fresh.length || (read === fresh.length && rows.length === queryLimit);
  const last = scan[read - 1];
  return { products: out, nextCursor: more && last ? encodeCursor({ at: last.createdAt.getTime(), id: last._id }) : null, scanned: read };
}

/** Several products by id (the cart page refreshes prices and stock), unlisted ones included so the cart can say so. */
export async function productsByIds(tx: Tx, ids: string[]): Promise<ProductDoc[]> {
  const rows = await col(tx.db, 'products').find({ _id: { $in: ids } }, s(tx)).toArray();
  const byId = new Map(rows.map((p) => [p._id, p]));
  return ids.map((id) => byId.get(id)).filter((p): p is ProductDoc => !!p);
}
