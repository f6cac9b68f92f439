import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { id } from '../runtime/params';
import { AppError } from '../runtime/errors';
import { col, s } from '../repo/db';
import { BROWSE_PAGE_MAX, browseProducts, productView, productsByIds } from '../services/catalog';
import { loadConfig } from '../services/config';
import { cashierInfo } from '../services/stores';
import { categoryView, homeBanners, listCategories, publicStore } from '../services/storefront';
import { inTx } from './tx';

export const mall = {
  /**
   * Listed products of the mall (storeId omitted or null) or of one store, optionally of one
   * category, optionally matching a search (`q`: words the name contains), a page at a time
   * (`cursor` from the previous answer's `nextCursor`). A search reads at most SEARCH_SCAN_MAX
   * products per call (services/catalog.ts): a page may hold fewer matches and still have a cursor.
   */
  listProducts: action({
    access: 'public',
    params: z.strictObject({
      storeId: id.nullable().optional(),
      categoryId: id.optional(),
      q: z.string().trim().max(40).optional(),
      cursor: z.string().min(1).max(100).optional(),
      limit: z.number().int().min(1).max(BROWSE_PAGE_MAX).optional(),
    }),
    run: (ctx, p) =>
      inTx(ctx, async (tx) => {
        const config = await loadConfig(tx);
        const r = await browseProducts(tx, { storeId: p.storeId ?? null, categoryId: p.categoryId, q: p.q || undefined, cursor: p.cursor, limit: p.limit ?? BROWSE_PAGE_MAX });
        return { rebateName: config.rebate.name, products: r.products.map((x) => productView(x, config)), nextCursor: r.nextCursor, scanned: r.scanned };
      }),
  }),
  getProduct: action({
    access: 'public',
    params: z.strictObject({ productId: id }),
    run: (ctx, p) =>
      inTx(ctx, async (tx) => {
        const config = await loadConfig(tx);
        const product = await col(tx.db, 'products').findOne({ _id: p.productId }, s(tx));
        if (!product || !product.listed) throw new AppError('NOT_FOUND', '商品不存在或已下架');
        const store = product.storeId ? await col(tx.db, 'stores').findOne({ _id: product.storeId }, s(tx)) : null;
        const category = product.categoryId ? await col(tx.db, 'categories').findOne({ _id: product.categoryId }, s(tx)) : null;
        return {
          ...productView(product, config),
          deduction: config.deduction,
          rebateName: config.rebate.name,
          store: store ? { storeId: store._id, name: store.name, open: store.status === 'approved' } : null,
          categoryName: category?.listed ? category.name : null,
        };
      }),
  }),
  /** Current price, stock and state of the products in a cart (unlisted ones too, marked `listed: false`; unknown ids left out). */
  getProducts: action({
    access: 'public',
    params: z.strictObject({ productIds: z.array(id).min(1).max(50) }),
    run: (ctx, p) =>
      inTx(ctx, async (tx) => {
        const config = await loadConfig(tx);
        return (await productsByIds(tx, [...new Set(p.productIds)])).map((x) => productView(x, config));
      }),
  }),
  /** 商品分类 shown to shoppers (listed ones, in order). */
  listCategories: action({
    access: 'public',
    params: z.strictObject({}),
    run: (ctx) => inTx(ctx, async (tx) => (await listCategories(tx, { includeHidden: false })).map(categoryView)),
  }),
  /** What the mall's home page shows above the products: the banner, the categories and the stores. */
  home: action({
    access: 'public',
    params: z.strictObject({}),
    run: (ctx) =>
      inTx(ctx, async (tx) => ({
        banners: await homeBanners(tx),
        categories: (await listCategories(tx, { includeHidden: false })).map(categoryView),
        stores: (await col(tx.db, 'stores').find({ status: 'approved' }, s(tx)).sort({ createdAt: 1 }).limit(20).toArray()).map((st) => ({ storeId: st._id, name: st.name })),
      })),
  }),
  /** Approved stores, for the store list. */
  listStores: action({
    access: 'public',
    params: z.strictObject({}),
    run: (ctx) =>
      inTx(ctx, async (tx) => (await col(tx.db, 'stores').find({ status: 'approved' }, s(tx)).sort({ createdAt: 1 }).limit(100).toArray()).map((st) => ({ storeId: st._id, name: st.name }))),
  }),
  /** One store's page (approved stores only). */
  getStore: action({
    access: 'public',
    params: z.strictObject({ storeId: id }),
    run: (ctx, p) => inTx(ctx, (tx) => publicStore(tx, p.storeId)),
  }),
  /** What the cashier page shows after scanning a store's code. */
  getCashier: action({
    access: 'public',
    params: z.strictObject({ cashierId: id }),
    run: (ctx, p) => inTx(ctx, (tx) => cashierInfo(tx, p.cashierId)),
  }),
} satisfies CloudFunction;
