import { validateLockDays, validateRebateRules } from '../engine/config/compliance';
import { AppError } from '../runtime/errors';
import type { WxPort } from '../runtime/wx';
import { col, s, type Tx } from '../repo/db';
import type { CashierDoc, StoreDoc, UserDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import { loadConfig } from './config';
import { shanghaiDay } from '../engine/time';
import { guard, touchGuard } from './guards';

/** Stores (门店) and their cashiers (收银台). A merchant reads and changes only their own store. */

export const CASHIER_PAGE = 'pages/cashier/index';

export async function applyStore(tx: Tx, user: UserDoc, name: string): Promise<StoreDoc> {
  await touchGuard(tx, guard.storesOf(user._id)); // concurrent applications conflict instead of both passing the count
  const mine = await col(tx.db, 'stores').countDocuments({ ownerId: user._id, status: { $in: ['pending', 'approved'] } }, s(tx));
  if (mine >= 5) throw new AppError('LIMIT_REACHED', '每位用户最多开 5 家门店');
  const store: StoreDoc = {
    _id: newId('S'),
    ownerId: user._id,
    name,
    status: 'pending',
    commissionBp: 0,
    rebate: { enabled: true },
    lockDays: null,
    // 招商奖励 goes to whoever invited the owner: one level, fixed at application.
    recruiterId: user.referrerId,
    createdAt: tx.now,
  };
  await col(tx.db, 'stores').insertOne(store, s(tx));
  return store;
}

export async function approveStore(tx: Tx, storeId: string, approve: boolean, commissionBp: number | undefined): Promise<StoreDoc> {
  const st = await col(tx.db, 'stores').findOne({ _id: storeId }, s(tx));
  if (!st) throw new AppError('NOT_FOUND', '找不到该门店');
  const set = { status: approve ? ('approved' as const) : ('rejected' as const), ...(commissionBp !== undefined ? { commissionBp } : {}) };
  await col(tx.db, 'stores').updateOne({ _id: storeId }, { $set: set }, s(tx));
  return { ...st, ...set };
}

/** The caller's own store; anything else is "not found", so ids of other stores reveal nothing. */
export async function ownStore(tx: Tx, user: UserDoc, storeId: string, opts: { approved: boolean } = { approved: true }): Promise<StoreDoc> {
  const st = await col(tx.db, 'stores').findOne({ _id: storeId }, s(tx));
  if (!st || st.ownerId !== user._id) throw new AppError('NOT_FOUND', '找不到该门店');
  if (opts.approved && st.status !== 'approved') throw new AppError('FORBIDDEN', '门店尚未通过审核');
  return st;
}

export const MAX_CASHIERS_PER_STORE = 50;

/** A new cashier's id and its mini-program code, made before the transaction (a call to WeChat must not be repeated by a transaction retry). */
export async function prepareCashierCode(wx: WxPort): Promise<{ id: string; scene: string; codeUrl: string }> {
  const id = newId('C');
  const scene = `c=${id}`; // ≤ 32 chars, as wxacode.getUnlimited requires
  return { id, scene, codeUrl: await wx.createMiniCode(scene, CASHIER_PAGE) };
}

export async function createCashier(tx: Tx, code: { id: string; scene: string; codeUrl: string }, store: StoreDoc, name: string): Promise<CashierDoc> {
  await touchGuard(tx, guard.cashiersOf(store._id));
  const count = await col(tx.db, 'cashiers').countDocuments({ storeId: store._id }, s(tx));
  if (count >= MAX_CASHIERS_PER_STORE) throw new AppError('LIMIT_REACHED', `每家门店最多 ${MAX_CASHIERS_PER_STORE} 个收银台`);
  const cashier: CashierDoc = { _id: code.id, storeId: store._id, name, scene: code.scene, codeUrl: code.codeUrl, rebate: { enabled: true }, createdAt: tx.now };
  await col(tx.db, 'cashiers').insertOne(cashier, s(tx));
  return cashier;
}

export async function setStoreConfig(tx: Tx, store: StoreDoc, input: { rebate?: unknown; lockDays?: number | null; name?: string }): Promise<StoreDoc> {
  const config = await loadConfig(tx);
  const set: Partial<StoreDoc> = {};
  if (input.rebate !== undefined) {
    await touchGuard(tx, guard.shares); // checked against the plugin's shares: conflicts with a concurrent admin.setConfig
    set.rebate = validateRebateRules(input.rebate, config, { allowRandomReturn: true });
  }
  if (input.lockDays !== undefined) set.lockDays = input.lockDays === null ? null : validateLockDays(input.lockDays);
  if (input.name !== undefined) set.name = input.name;
  await col(tx.db, 'stores').updateOne({ _id: store._id }, { $set: set }, s(tx));
  return { ...store, ...set };
}

export async function setCashierConfig(tx: Tx, user: UserDoc, cashierId: string, input: { rebate?: unknown; name?: string }): Promise<CashierDoc> {
  const c = await col(tx.db, 'cashiers').findOne({ _id: cashierId }, s(tx));
  if (!c) throw new AppError('NOT_FOUND', '找不到该收银台');
  await ownStore(tx, user, c.storeId);
  const config = await loadConfig(tx);
  const set: Partial<CashierDoc> = {};
  if (input.rebate !== undefined) {
    await touchGuard(tx, guard.shares);
    set.rebate = validateRebateRules(input.rebate, config, { allowRandomReturn: true });
  }
  if (input.name !== undefined) set.name = input.name;
  await col(tx.db, 'cashiers').updateOne({ _id: c._id }, { $set: set }, s(tx));
  return { ...c, ...set };
}

export function storeView(st: StoreDoc) {
  return { storeId: st._id, name: st.name, status: st.status, commissionBp: st.commissionBp, rebate: st.rebate, lockDays: st.lockDays, createdAt: st.createdAt };
}

export function cashierView(c: CashierDoc) {
  return { cashierId: c._id, storeId: c.storeId, name: c.name, scene: c.scene, codeUrl: c.codeUrl, page: CASHIER_PAGE, rebate: c.rebate };
}

/** The public face of a cashier for the cashier page (no settings). */
export async function cashierInfo(tx: Tx, cashierId: string) {
  const c = await col(tx.db, 'cashiers').findOne({ _id: cashierId }, s(tx));
  if (!c) throw new AppError('NOT_FOUND', '找不到该收银台');
  const st = await col(tx.db, 'stores').findOne({ _id: c.storeId }, s(tx));
  if (st?.status !== 'approved') throw new AppError('NOT_FOUND', '门店未营业');
  const config = await loadConfig(tx);
  return { cashierId: c._id, name: c.name, storeId: st._id, storeName: st.name, rebateEnabled: config.rebate.enabled && c.rebate.enabled, rebateName: config.rebate.name };
}

export async function merchantDashboard(tx: Tx, store: StoreDoc) {
  const orders = await col(tx.db, 'orders').find({ storeId: store._id, status: { $in: ['paid', 'completed', 'refunded'] } }, { ...s(tx), projection: { cashFen: 1, status: 1, paidAt: 1, settlement: 1 } }).toArray();
  const today = shanghaiDay(tx.now);
  const cashiers = await col(tx.db, 'cashiers').find({ storeId: store._id }, s(tx)).toArray();
  const queueKeys = [`store:${store._id}`, ...cashiers.map((c) => `cashier:${c._id}`)];
  const queues = await col(tx.db, 'queues').find({ _id: { $in: queueKeys } }, s(tx)).toArray();
  const live = orders.filter((o) => o.status !== 'refunded');
  return {
    store: storeView(store),
    orderCount: live.length,
    flowFen: live.reduce((a, o) => a + o.cashFen, 0),
    todayFlowFen: live.filter((o) => o.paidAt && shanghaiDay(o.paidAt) === today).reduce((a, o) => a + o.cashFen, 0),
    refundedCount: orders.length - live.length,
    revenueFen: live.reduce((a, o) => a + (o.status === 'completed' ? (o.settlement?.revenueFen ?? 0) : 0), 0),
    cashiers: cashiers.map(cashierView),
    queues: queues.map((q) => ({ queueKey: q._id, name: q.name, pendingCount: q.pendingCount, pendingFen: q.pendingFen, paidFen: q.paidFen })),
  };
}
