import { MAX_BANNER_SLIDES } from '../../../shared/contract';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { BannerSlide, CategoryDoc, ContentDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import { guard, touchGuard } from './guards';

/**
 * What the operator puts in the shop window: the categories (商品分类) every product may carry,
 * and the home banner (首页横幅). Both are small and bounded, so shoppers read them whole.
 */

export const MAX_CATEGORIES = 50;
export { MAX_BANNER_SLIDES };

export interface CategoryInput {
  categoryId?: string;
  name: string;
  sort?: number;
  listed?: boolean;
}

export function categoryView(c: CategoryDoc) {
  return { categoryId: c._id, name: c.name, sort: c.sort, listed: c.listed };
}

/** Categories in display order; shoppers see the listed ones only. */
export async function listCategories(tx: Tx, opts: { includeHidden: boolean }): Promise<CategoryDoc[]> {
  return col(tx.db, 'categories')
    .find(opts.includeHidden ? {} : { listed: true }, s(tx))
    .sort({ sort: 1, createdAt: 1 })
    .limit(MAX_CATEGORIES)
    .toArray();
}

/**
 * Add or change a category. Names are unique (ignoring case and width) and there are at most
 * MAX_CATEGORIES: both span documents, so the transaction writes the `categories` guard and two
 * concurrent saves conflict instead of both passing the check (write skew).
 */
export async function upsertCategory(tx: Tx, input: CategoryInput): Promise<CategoryDoc> {
  await touchGuard(tx, guard.categories);
  const all = await col(tx.db, 'categories').find({}, s(tx)).limit(MAX_CATEGORIES + 1).toArray();
  const existing = input.categoryId ? all.find((c) => c._id === input.categoryId) : undefined;
  if (input.categoryId && !existing) throw new AppError('NOT_FOUND', '找不到该分类');
  if (!existing && all.length >= MAX_CATEGORIES) throw new AppError('LIMIT_REACHED', `最多 ${MAX_CATEGORIES} 个分类`);
  const key = (n: string) => n.normalize('NFKC').toLowerCase();
  if (all.some((c) => c._id !== existing?._id && key(c.name) === key(input.name))) throw new AppError('CONFLICT', `已有名为「${input.name}」的分类`);
  const doc: CategoryDoc = {
    _id: existing?._id ?? newId('K'),
    name: input.name,
    sort: input.sort ?? existing?.sort ?? all.length * 10,
    listed: input.listed ?? existing?.listed ?? true,
    createdAt: existing?.createdAt ?? tx.now,
    updatedAt: tx.now,
  };
  await col(tx.db, 'categories').replaceOne({ _id: doc._id }, doc, { ...s(tx), upsert: true });
  return doc;
}

export async function loadHome(tx: Tx): Promise<ContentDoc> {
  return (await col(tx.db, 'content').findOne({ _id: 'home' }, s(tx))) ?? { _id: 'home', banners: [], updatedAt: new Date(0), updatedBy: null };
}

/** The banner as shoppers see it: slides whose target is gone (delisted product, closed store, hidden category) lead nowhere. */
export async function homeBanners(tx: Tx): Promise<BannerSlide[]> {
  const home = await loadHome(tx);
  const out: BannerSlide[] = [];
  for (const b of home.banners) out.push((await linkAlive(tx, b.link)) ? b : { ...b, link: { kind: 'none' } });
  return out;
}

async function linkAlive(tx: Tx, link: BannerSlide['link']): Promise<boolean> {
  switch (link.kind) {
    case 'none':
      return true;
    case 'product':
      return !!(await col(tx.db, 'products').findOne({ _id: link.id, listed: true }, s(tx)));
    case 'store':
      return !!(await col(tx.db, 'stores').findOne({ _id: link.id, status: 'approved' }, s(tx)));
    case 'category':
      return !!(await col(tx.db, 'categories').findOne({ _id: link.id, listed: true }, s(tx)));
  }
}

/** Replace the banner (images already inspected by the caller). A link must lead somewhere that exists now. */
export async function setBanners(tx: Tx, slides: BannerSlide[], by: string | null): Promise<ContentDoc> {
  if (slides.length > MAX_BANNER_SLIDES) throw new AppError('INVALID_INPUT', `横幅最多 ${MAX_BANNER_SLIDES} 张`);
  for (const [i, b] of slides.entries()) {
    if (!(await linkAlive(tx, b.link))) throw new AppError('NOT_FOUND', `第 ${i + 1} 张横幅的链接目标不存在或未上架`);
  }
  const doc: ContentDoc = { _id: 'home', banners: slides, updatedAt: tx.now, updatedBy: by };
  await col(tx.db, 'content').replaceOne({ _id: 'home' }, doc, { ...s(tx), upsert: true });
  return doc;
}

/** A store's public face (the store page). */
export async function publicStore(tx: Tx, storeId: string) {
  const st = await col(tx.db, 'stores').findOne({ _id: storeId }, s(tx));
  if (!st || st.status !== 'approved') throw new AppError('NOT_FOUND', '门店不存在或未营业');
  return { storeId: st._id, name: st.name };
}
