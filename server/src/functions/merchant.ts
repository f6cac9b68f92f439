import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { id } from '../runtime/params';
import { col, s } from '../repo/db';
import { listProducts, newImageRefs, productAdminView, upsertProduct } from '../services/catalog';
import { requireImages } from './images';
import { loadConfig } from '../services/config';
import { orderView } from '../services/orders';
import { applyStore, cashierView, createCashier, prepareCashierCode, merchantDashboard, ownStore, setCashierConfig, setStoreConfig, storeView } from '../services/stores';
import { asUser, once } from './tx';
import { amount, requestId } from '../runtime/params';
import { requestStoreWithdrawal } from '../services/wallet';
import { storeRevenue } from '../services/store-revenue';
import { productFields } from './admin-params';
import { CARRIERS, reviewAfterSale, shipOrder } from '../services/fulfilment';
import { filterQuery, orderFilter, reviewParams, shipParams } from './fulfilment-params';
import { afterPoolChange } from './tx';

const name = z.string().trim().min(1).max(40);

/** 门店小后台: every action acts on the caller's own store only (another store's id is "not found"). */
export const merchant = {
  applyStore: action({
    access: 'user',
    params: z.strictObject({ name, requestId }),
    run: (ctx, p) => once(ctx, 'merchant.applyStore', p.requestId, async (tx, user) => storeView(await applyStore(tx, user, p.name))),
  }),
  myStores: action({
    access: 'user',
    params: z.strictObject({}),
    run: (ctx) => asUser(ctx, async (tx, user) => (await col(tx.db, 'stores').find({ ownerId: user._id }, s(tx)).toArray()).map(storeView)),
  }),
  /** A cashier and its mini-program code (scene `c=<cashierId>`, page pages/cashier/index). */
  createCashier: action({
    access: 'user',
    params: z.strictObject({ storeId: id, name, requestId }),
    run: async (ctx, p) => {
      await asUser(ctx, (tx, user) => ownStore(tx, user, p.storeId)); // only the owner may have a code made
      const code = await prepareCashierCode(ctx.deps.wx);
      return once(ctx, 'merchant.createCashier', p.requestId, async (tx, user) => cashierView(await createCashier(tx, code, await ownStore(tx, user, p.storeId), p.name)));
    },
  }),
  listCashiers: action({
    access: 'user',
    params: z.strictObject({ storeId: id }),
    run: (ctx, p) =>
      asUser(ctx, async (tx, user) => {
        const st = await ownStore(tx, user, p.storeId, { approved: false });
        return (await col(tx.db, 'cashiers').find({ storeId: st._id }, s(tx)).toArray()).map(cashierView);
      }),
  }),
  /** Store-level queue-rebate settings (incl. random return) and union lock days. */
  setStoreConfig: action({
    access: 'user',
    params: z.strictObject({ storeId: id, name: name.optional(), rebate: z.unknown().optional(), lockDays: z.number().nullable().optional() }),
    run: (ctx, p) => asUser(ctx, async (tx, user) => storeView(await setStoreConfig(tx, await ownStore(tx, user, p.storeId), p))),
  }),
  setCashierConfig: action({
    access: 'user',
    params: z.strictObject({ cashierId: id, name: name.optional(), rebate: z.unknown().optional() }),
    run: (ctx, p) => asUser(ctx, async (tx, user) => cashierView(await setCashierConfig(tx, user, p.cashierId, p))),
  }),
  /** 门店线上商品 with their own queue-rebate settings. */
  upsertStoreProduct: action({
    access: 'user',
    params: z.strictObject({ storeId: id, ...productFields, requestId }),
    run: async (ctx, p) => {
      const { storeId: _s, requestId: _r, ...input } = p;
      // the owner first (another merchant's call costs no download), then the new images, then the save
      const refs = await asUser(ctx, async (tx, user) => (await ownStore(tx, user, p.storeId), newImageRefs(tx, input)));
      await requireImages(ctx, refs);
      return once(ctx, 'merchant.upsertStoreProduct', p.requestId, async (tx, user) => {
        const st = await ownStore(tx, user, p.storeId);
        return productAdminView(await upsertProduct(tx, input, st._id), await loadConfig(tx));
      });
    },
  }),
  listStoreProducts: action({
    access: 'user',
    params: z.strictObject({ storeId: id }),
    run: (ctx, p) =>
      asUser(ctx, async (tx, user) => {
        const st = await ownStore(tx, user, p.storeId, { approved: false });
        const config = await loadConfig(tx);
        return (await listProducts(tx, { storeId: st._id, includeUnlisted: true })).map((x) => productAdminView(x, config));
      }),
  }),
  orders: action({
    access: 'user',
    params: z.strictObject({ storeId: id, filter: orderFilter.optional(), limit: z.number().int().min(1).max(100).optional() }),
    run: (ctx, p) =>
      asUser(ctx, async (tx, user) => {
        const st = await ownStore(tx, user, p.storeId, { approved: false });
        return (await col(tx.db, 'orders').find({ storeId: st._id, ...filterQuery(p.filter) }, s(tx)).sort({ createdAt: -1 }).limit(p.limit ?? 50).toArray()).map(orderView);
      }),
  }),
  /** 快递公司: the carriers offered when shipping (WeChat's delivery ids). */
  carriers: action({ access: 'user', params: z.strictObject({}), run: async () => CARRIERS }),
  /** 发货 (store orders of the caller's store): carrier + tracking number, or 已备货 for pickup. Idempotent. */
  shipOrder: action({
    access: 'user',
    params: shipParams,
    run: (ctx, p) => asUser(ctx, async (tx, user) => orderView(await shipOrder(tx, p.orderId, { kind: 'owner', user }, p))),
  }),
  /** 处理退款申请 (store and cashier orders of the caller's store): approve = the refund; reject with a note. */
  reviewRefund: action({
    access: 'user',
    params: reviewParams,
    run: async (ctx, p) => {
      const r = await asUser(ctx, async (tx, user) => orderView(await reviewAfterSale(tx, p.orderId, { kind: 'owner', user }, p.approve, p.note ?? '')));
      if (p.approve) await afterPoolChange(ctx); // as order.refund: a voided green lot leaves its value in the pool
      return r;
    },
  }),
  dashboard: action({
    access: 'user',
    params: z.strictObject({ storeId: id }),
    run: (ctx, p) => asUser(ctx, async (tx, user) => merchantDashboard(tx, await ownStore(tx, user, p.storeId, { approved: false }))),
  }),
  /**
   * 门店营业款: settled revenue (withdrawable), what is still pending (orders not yet completed),
   * withdrawals with their payout state, and the store's refunds (failed ones need the platform).
   */
  revenue: action({
    access: 'user',
    params: z.strictObject({ storeId: id }),
    run: (ctx, p) => asUser(ctx, (tx, user) => storeRevenue(tx, p.storeId, user)),
  }),
  /** 营业款提现: reviewed by the platform and paid out like a shopper's withdrawal (商家转账 to the owner, or manual). */
  withdraw: action({
    access: 'user',
    params: z.strictObject({ storeId: id, amountFen: amount(), requestId }),
    run: (ctx, p) => once(ctx, 'merchant.withdraw', p.requestId, (tx, user) => requestStoreWithdrawal(tx, user, p.storeId, p.amountFen, p.requestId)),
  }),
} satisfies CloudFunction;
