import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { id } from '../runtime/params';
import { AppError } from '../runtime/errors';
import { col, s } from '../repo/db';
import { listProducts, productView } from '../services/catalog';
import { loadConfig } from '../services/config';
import { cashierInfo } from '../services/stores';
import { inTx } from './tx';

export const mall: CloudFunction = {
  /** Listed products: the mall's (storeId omitted or null) or one store's online products. */
  listProducts: action({
    access: 'public',
    params: z.strictObject({ storeId: id.nullable().optional() }),
    run: (ctx, p) =>
      inTx(ctx, async (tx) => {
        const config = await loadConfig(tx);
        const products = await listProducts(tx, { storeId: p.storeId ?? null });
        return { rebateName: config.rebate.name, products: products.map((x) => productView(x, config)) };
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
        return { ...productView(product, config), deduction: config.deduction, rebateName: config.rebate.name };
      }),
  }),
  /** Approved stores, for the store list. */
  listStores: action({
    access: 'public',
    params: z.strictObject({}),
    run: (ctx) =>
      inTx(ctx, async (tx) => (await col(tx.db, 'stores').find({ status: 'approved' }, s(tx)).sort({ createdAt: 1 }).limit(100).toArray()).map((st) => ({ storeId: st._id, name: st.name }))),
  }),
  /** What the cashier page shows after scanning a store's code. */
  getCashier: action({
    access: 'public',
    params: z.strictObject({ cashierId: id }),
    run: (ctx, p) => inTx(ctx, (tx) => cashierInfo(tx, p.cashierId)),
  }),
};
