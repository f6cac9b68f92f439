import { WITHDRAWAL_METHODS, WITHDRAWAL_STATUSES } from '../../../shared/contract';
import { z } from 'zod';
import { validatePluginConfig } from '../engine/config/compliance';
import { action, type CloudFunction } from '../runtime/handler';
import { id, requestId } from '../runtime/params';
import { AppError } from '../runtime/errors';
import { col, s } from '../repo/db';
import type { PaymentAnomalyDoc, ReconciliationDoc } from '../repo/documents';
import { verifyLedgerStep } from '../repo/verify-ledger';
import { enableRebateForAll, listProducts, newImageRefs, productAdminView, upsertProduct } from '../services/catalog';
import { categoryView, listCategories, loadHome, MAX_BANNER_SLIDES, setBanners, upsertCategory } from '../services/storefront';
import { imageRef } from '../runtime/images';
import { requireImages } from './images';
import { loadConfig, saveConfig } from '../services/config';
import { runDaily } from '../services/daily';
import { settlerStatus } from '../services/settler/settler';
import { setupDatabase } from '../services/setup';
import { DEFAULT_DAYS, simulateConfig } from '../services/simulation/simulate';
import { MAX_DAYS } from '../services/simulation/period';
import { liabilityDashboard } from '../services/dashboard';
import { approveStore, storeView } from '../services/stores';
import { reviewWithdrawal } from '../services/wallet';
import { adminWithdrawals, availableMethods, confirmManualPayout, failManualPayout, payoutPort, withdrawalView } from '../services/payouts';
import { refundView, resolveRefund, REFUND_CALL } from '../services/refunds';
import { resolveAnomaly } from '../services/anomalies';
import { outboxView } from '../services/outbox/views';
import { retryMessage } from '../services/outbox/dispatch';
import { OUTBOX_KIND_NAMES } from '../services/outbox/registry';
import { runSweeps } from '../services/sweeps';
import { reconcileDay } from '../services/reconcile';
import { addDays, shanghaiDay } from '../engine/time';
import { productFields } from './admin-params';
import { afterPoolChange, inTx, once } from './tx';
import { orderView } from '../services/orders';
import { CARRIERS, reviewAfterSale, shipOrder } from '../services/fulfilment';
import { filterQuery, orderFilter, reviewParams, shipParams } from './fulfilment-params';

/** A calendar day YYYY-MM-DD that exists (not 2026-02-30). */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, '不是有效的日期');

/**
 * One call of the database deploy step fits a cloud function's 60 s: it stops starting new
 * migration steps after this long and answers `done: false`; the next call resumes.
 */
export const SETUP_BUDGET_MS = 40_000;

/**
 * The database deploy step from the cloud (collections, indexes, migrations, stored documents
 * upgraded): the one action a cloud function still serves while its database is older than its
 * code (SETUP_ACTIONS in cloud/entry.ts). Offered by both `admin` and `daily`.
 */
const setupDatabaseAction = action({
  access: 'admin',
  params: z.strictObject({}),
  run: async (ctx) => {
    const report = await setupDatabase(ctx.deps.store, { now: ctx.now, budgetMs: SETUP_BUDGET_MS });
    ctx.deps.store.schema = report.schema;
    return report;
  },
});

/** 平台后台: admins only (OPENIDs in ADMIN_OPENIDS). */
export const admin = {
  getConfig: action({ access: 'admin', params: z.strictObject({}), run: (ctx) => inTx(ctx, (tx) => loadConfig(tx)) }),
  setupDatabase: setupDatabaseAction,
  /**
   * Replace the plugin configuration. The compliance guard validates it (CONFIG_INVALID names the
   * rule); `version` must be the version read, so two admins cannot overwrite each other.
   */
  setConfig: action({
    access: 'admin',
    params: z.strictObject({ config: z.unknown() }),
    run: (ctx, p) =>
      inTx(ctx, async (tx) => {
        const current = await loadConfig(tx);
        const v = (p.config as { version?: unknown } | null)?.version;
        if (v !== undefined && v !== current.version) throw new AppError('CONFLICT', `设置已被他人修改 (当前版本 ${current.version})，请刷新后再改`);
        return saveConfig(tx, { ...(p.config as object), version: current.version }, ctx.caller.openid);
      }),
  }),
  /**
   * 模拟 (issue 14): replay the last `days` days of real orders under `config` and under the
   * configuration in force, side by side, with the steady state in plain words. Reads in bounded
   * pages on one snapshot, writes nothing; `config` passes the same compliance guard as setConfig.
   */
  simulateConfig: action({
    access: 'admin',
    params: z.strictObject({ config: z.unknown(), days: z.number().int().min(1).max(MAX_DAYS).optional() }),
    run: (ctx, p) => simulateConfig(ctx.deps.store, ctx.now, p.config, p.days ?? DEFAULT_DAYS),
  }),
  /** Check a configuration without saving it. */
  validateConfig: action({
    access: 'admin',
    params: z.strictObject({ config: z.unknown() }),
    run: async (_ctx, p) => (validatePluginConfig(p.config), { valid: true }),
  }),
  /** A mall product (self-operated or supplier); new image references are checked first (WxPort.inspectImage). */
  upsertProduct: action({
    access: 'admin',
    params: z.strictObject({ ...productFields, source: z.enum(['self', 'supplier']).optional(), requestId }),
    run: async (ctx, p) => {
      const { requestId: _r, ...input } = p;
      await requireImages(ctx, await inTx(ctx, (tx) => newImageRefs(tx, input)));
      return once(ctx, 'admin.upsertProduct', p.requestId, async (tx) => productAdminView(await upsertProduct(tx, input, null), await loadConfig(tx)));
    },
  }),
  /** 商品分类: add (no categoryId) or rename, reorder, hide/show (listed) one; at most 50, names unique. */
  upsertCategory: action({
    access: 'admin',
    params: z.strictObject({ categoryId: id.optional(), name: z.string().trim().min(1).max(12), sort: z.number().int().min(0).max(100_000).optional(), listed: z.boolean().optional() }),
    run: (ctx, p) => inTx(ctx, async (tx) => categoryView(await upsertCategory(tx, p))),
  }),
  /** Every category, hidden ones included. */
  listCategories: action({
    access: 'admin',
    params: z.strictObject({}),
    run: (ctx) => inTx(ctx, async (tx) => (await listCategories(tx, { includeHidden: true })).map(categoryView)),
  }),
  /** 首页横幅 as stored (with links to targets that are gone: the shoppers' view leaves those out). */
  getBanners: action({
    access: 'admin',
    params: z.strictObject({}),
    run: (ctx) => inTx(ctx, async (tx) => (await loadHome(tx)).banners),
  }),
  /** Replace the home banner: up to 5 slides, each an uploaded image, a title and where a tap leads. */
  setBanners: action({
    access: 'admin',
    params: z.strictObject({
      banners: z
        .array(
          z.strictObject({
            imageUrl: imageRef.refine((v) => v !== '', '请上传横幅图片'),
            title: z.string().trim().max(30),
            link: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('none') }), z.strictObject({ kind: z.enum(['product', 'store', 'category']), id })]),
          }),
        )
        .max(MAX_BANNER_SLIDES),
    }),
    run: async (ctx, p) => {
      const held = new Set((await inTx(ctx, (tx) => loadHome(tx))).banners.map((b) => b.imageUrl));
      await requireImages(ctx, [...new Set(p.banners.map((b) => b.imageUrl).filter((x) => !held.has(x)))]);
      return inTx(ctx, async (tx) => (await setBanners(tx, p.banners, ctx.caller.openid)).banners);
    },
  }),
  listProducts: action({
    access: 'admin',
    params: z.strictObject({}),
    run: (ctx) =>
      inTx(ctx, async (tx) => {
        const config = await loadConfig(tx);
        return (await listProducts(tx, { storeId: null, includeUnlisted: true }, 500)).map((x) => productAdminView(x, config));
      }),
  }),
  /** 一键开启: queue rebate on for every existing product. */
  enableRebateForAll: action({ access: 'admin', params: z.strictObject({}), run: (ctx) => inTx(ctx, async (tx) => ({ updated: await enableRebateForAll(tx) })) }),
  listStores: action({
    access: 'admin',
    params: z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() }),
    run: (ctx, p) => inTx(ctx, async (tx) => (await col(tx.db, 'stores').find(p.status ? { status: p.status } : {}, s(tx)).sort({ createdAt: -1 }).limit(200).toArray()).map(storeView)),
  }),
  approveStore: action({
    access: 'admin',
    params: z.strictObject({ storeId: id, approve: z.boolean().optional(), commissionBp: z.number().int().min(0).max(10_000).optional() }),
    run: (ctx, p) => inTx(ctx, async (tx) => storeView(await approveStore(tx, p.storeId, p.approve ?? true, p.commissionBp))),
  }),
  /** Member levels by cumulative completed spend; nothing can be bought to reach a level. */
  setMemberLevels: action({
    access: 'admin',
    params: z.strictObject({ levels: z.unknown() }),
    run: (ctx, p) => inTx(ctx, async (tx) => (await saveConfig(tx, { ...(await loadConfig(tx)), memberLevels: p.levels }, ctx.caller.openid)).memberLevels),
  }),
  /** The daily job by hand (also the timer trigger's work); `day` defaults to today in Asia/Shanghai. */
  runDaily: action({
    access: 'trigger',
    params: z.strictObject({ day: day.optional() }),
    run: (ctx, p) => runDaily(ctx.deps, ctx.now, p.day),
  }),
  /** Withdrawal requests of shoppers and stores (`storeId` set), oldest first, with their payout state and whom they pay (nickname, store name). */
  listWithdrawals: action({
    access: 'admin',
    params: z.strictObject({ status: z.enum(WITHDRAWAL_STATUSES).optional() }),
    run: (ctx, p) => inTx(ctx, (tx) => adminWithdrawals(tx, p.status)),
  }),
  /** The payout methods this deployment offers (WeChat Pay 商家转账 only when its keys are configured). */
  payoutMethods: action({ access: 'admin', params: z.strictObject({}), run: async (ctx) => ({ methods: availableMethods(ctx.deps.payouts) }) }),
  /**
   * Approve (the payout starts after the answer, by `method`: WeChat Pay 商家转账 — the default
   * when configured — or manual) or reject (the money goes back to the balance).
   */
  reviewWithdrawal: action({
    access: 'admin',
    params: z.strictObject({ withdrawalId: id, approve: z.boolean(), method: z.enum(WITHDRAWAL_METHODS).optional() }),
    run: (ctx, p) => {
      const method = p.method ?? availableMethods(ctx.deps.payouts)[0]!;
      if (p.approve) payoutPort(ctx.deps.payouts, method); // INVALID_INPUT when WeChat transfers are not configured
      return inTx(ctx, (tx) => reviewWithdrawal(tx, p.withdrawalId, p.approve, ctx.caller.openid!, method));
    },
  }),
  /** 登记线下打款: a manual payout was made; the reference (bank or transfer number) confirms it: paid. */
  confirmPayout: action({
    access: 'admin',
    params: z.strictObject({ withdrawalId: id, reference: z.string().trim().min(2).max(100) }),
    run: (ctx, p) => inTx(ctx, async (tx) => (await confirmManualPayout(tx, p.withdrawalId, p.reference, ctx.caller.openid!), withdrawalView((await col(tx.db, 'withdrawals').findOne({ _id: p.withdrawalId }, s(tx)))!))),
  }),
  /** 打款失败: a manual payout could not be made; the money goes back to the balance. */
  failPayout: action({
    access: 'admin',
    params: z.strictObject({ withdrawalId: id, reason: z.string().trim().min(1).max(100) }),
    run: (ctx, p) => inTx(ctx, async (tx) => (await failManualPayout(tx, p.withdrawalId, p.reason, ctx.caller.openid!), withdrawalView((await col(tx.db, 'withdrawals').findOne({ _id: p.withdrawalId }, s(tx)))!))),
  }),
  /** Refunds, newest first; `failed` ones (WeChat refused or closed them) need a decision (resolveRefund). */
  refunds: action({
    access: 'admin',
    params: z.strictObject({ status: z.enum(['requested', 'processing', 'succeeded', 'failed', 'manual']).optional(), limit: z.number().int().min(1).max(200).optional() }),
    run: (ctx, p) => inTx(ctx, async (tx) => (await col(tx.db, 'refunds').find(p.status ? { status: p.status } : {}, s(tx)).sort({ requestedAt: -1 }).limit(p.limit ?? 50).toArray()).map(refundView)),
  }),
  /** A failed refund: `decision` retry (WeChat Pay again, same refund number) or manual (refunded outside WeChat Pay; `reference` required). */
  resolveRefund: action({
    access: 'admin',
    params: z.strictObject({ refundId: id, decision: z.enum(['retry', 'manual']), reference: z.string().trim().min(2).max(100).optional() }),
    run: (ctx, p) => inTx(ctx, async (tx) => refundView(await resolveRefund(tx, p.refundId, p.decision, p.reference ?? null))),
  }),
  /** Payment notifications that could not be applied (amount differs from the order). */
  anomalies: action({
    access: 'admin',
    params: z.strictObject({ status: z.enum(['open', 'resolved']).optional() }),
    run: (ctx, p): Promise<PaymentAnomalyDoc[]> => inTx(ctx, async (tx) => col(tx.db, 'payment_anomalies').find(p.status ? { status: p.status } : {}, s(tx)).sort({ at: -1 }).limit(200).toArray()),
  }),
  /** An anomaly handled in the WeChat Pay merchant platform (the payment refunded there): the suspense money is recorded as gone. */
  resolveAnomaly: action({
    access: 'admin',
    params: z.strictObject({ transactionId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/), note: z.string().trim().min(1).max(200) }),
    run: (ctx, p) => inTx(ctx, (tx) => resolveAnomaly(tx, p.transactionId, p.note, ctx.caller.openid!)),
  }),
  /**
   * The outbox (messages, refunds, payouts that leave for WeChat): `status` dead = the dead letters,
   * with their error; retry them with retryOutbox.
   */
  outbox: action({
    access: 'admin',
    params: z.strictObject({ status: z.enum(['pending', 'sending', 'done', 'skipped', 'dead', 'sent', 'recorded', 'failed']).optional(), kind: z.enum(OUTBOX_KIND_NAMES).optional(), limit: z.number().int().min(1).max(200).optional() }),
    run: (ctx, p) =>
      inTx(ctx, async (tx) => {
        const filter = { ...(p.status ? { status: p.status } : {}), ...(p.kind ? { kind: p.kind } : {}) };
        const rows = await col(tx.db, 'outbox').find(filter, s(tx)).sort({ createdAt: -1 }).limit(p.limit ?? 50).toArray();
        const dead = await col(tx.db, 'outbox').countDocuments({ status: 'dead' }, s(tx));
        return { dead, messages: rows.map(outboxView) };
      }),
  }),
  /** Send a dead letter again (same idempotency key: a refund or payout that did happen is not repeated). */
  retryOutbox: action({
    access: 'admin',
    params: z.strictObject({ messageId: z.string().min(1).max(120) }),
    run: async (ctx, p) => {
      const m = await retryMessage(ctx.deps.store, p.messageId, ctx.now);
      if (!m) throw new AppError('CONFLICT', '只有失败的消息可以重试');
      if (m.kind === REFUND_CALL) await inTx(ctx, (tx) => col(tx.db, 'refunds').updateOne({ _id: m.key!, status: 'failed' }, { $set: { status: 'requested', error: null } }, s(tx)));
      return outboxView(m);
    },
  }),
  /** Ask WeChat now about payments, refunds and transfers whose result we have not heard (the outbox function does this every minute). */
  /** 商城订单 (self-operated and supplier products; store orders are their merchants'), newest first, by filter. */
  orders: action({
    access: 'admin',
    params: z.strictObject({ filter: orderFilter.optional(), limit: z.number().int().min(1).max(100).optional() }),
    run: (ctx, p) => inTx(ctx, async (tx) => (await col(tx.db, 'orders').find({ storeId: null, ...filterQuery(p.filter) }, s(tx)).sort({ createdAt: -1 }).limit(p.limit ?? 50).toArray()).map(orderView)),
  }),
  carriers: action({ access: 'admin', params: z.strictObject({}), run: async () => CARRIERS }),
  /** 发货 (mall orders): carrier + tracking number, or 已备货 for pickup. Idempotent. */
  shipOrder: action({
    access: 'admin',
    params: shipParams,
    run: (ctx, p) => inTx(ctx, async (tx) => orderView(await shipOrder(tx, p.orderId, { kind: 'admin', openid: ctx.caller.openid! }, p))),
  }),
  /** 处理退款申请 (mall orders): approve = the refund; reject with a note. */
  reviewRefund: action({
    access: 'admin',
    params: reviewParams,
    run: async (ctx, p) => {
      const r = await inTx(ctx, async (tx) => orderView(await reviewAfterSale(tx, p.orderId, { kind: 'admin', openid: ctx.caller.openid! }, p.approve, p.note ?? '')));
      if (p.approve) await afterPoolChange(ctx);
      return r;
    },
  }),
  sweep: action({ access: 'trigger', params: z.strictObject({}), run: (ctx) => runSweeps(ctx.deps, ctx.now) }),
  /** 对账: compare a finished day (YYYY-MM-DD, default yesterday) with WeChat Pay's bill. */
  reconcile: action({
    access: 'trigger',
    params: z.strictObject({ day: day.optional() }),
    run: (ctx, p) => reconcileDay(ctx.deps, p.day ?? addDays(shanghaiDay(ctx.now), -1), ctx.now),
  }),
  /** The latest days' reconciliations with their differences. */
  reconciliations: action({
    access: 'admin',
    params: z.strictObject({ limit: z.number().int().min(1).max(90).optional() }),
    run: (ctx, p): Promise<ReconciliationDoc[]> => inTx(ctx, async (tx) => col(tx.db, 'reconciliations').find({}, s(tx)).sort({ _id: -1 }).limit(p.limit ?? 14).toArray()),
  }),
  /** 结算状态: due orders, the settler's lease, and the settlement lag over the most recent orders. */
  settlerStatus: action({ access: 'admin', params: z.strictObject({}), run: (ctx) => settlerStatus(ctx.deps.store, ctx.now) }),
  /** 负债看板. */
  dashboard: action({ access: 'admin', params: z.strictObject({}), run: (ctx) => inTx(ctx, (tx) => liabilityDashboard(tx)) }),
  /**
   * Re-check the ledger (chains, zero sums, balances, pools, pending entitlements, order clearing)
   * in bounded steps, each on one snapshot (repo/verify-ledger.ts): call without a cursor, then
   * with the cursor answered until `done`; the problems of all steps together are the verdict.
   */
  verifyLedger: action({
    access: 'admin',
    params: z.strictObject({ cursor: z.string().min(1).max(200_000).optional() }),
    run: (ctx, p) => verifyLedgerStep(ctx.deps.store, p.cursor),
  }),
} satisfies CloudFunction;

/** The timer trigger's function: { action: 'run' } at 00:00 Asia/Shanghai. */
export const daily = {
  run: action({ access: 'trigger', params: z.strictObject({ day: day.optional() }), run: (ctx, p) => runDaily(ctx.deps, ctx.now, p.day) }),
  /** The 10:00 timer (`reconcile-1000`): yesterday's WeChat Pay bill against our payments and refunds. */
  reconcile: action({
    access: 'trigger',
    params: z.strictObject({ day: day.optional() }),
    run: (ctx, p) => reconcileDay(ctx.deps, p.day ?? addDays(shanghaiDay(ctx.now), -1), ctx.now),
  }),
  /** the database deploy step (admins), callable on the daily function too */
  setupDatabase: setupDatabaseAction,
} satisfies CloudFunction;
