import type { BalancesView } from '../../../shared/views';
import type { WithdrawalMethod } from '../../../shared/contract';
import { formatYuan } from '../money/units';
import { acct, ASSET_NAMES, assetOf } from '../engine/ledger/accounts';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { PostingDoc, UserDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import { createHash } from 'node:crypto';
import type { PluginConfig } from '../engine/config/types';
import { approveWithdrawal, rejectWithdrawal, withdrawalView } from './payouts';
import { balanceOf, WALLET_ASSETS } from '../repo/ledger';
import { loadConfig } from './config';
import { postEvent, userBook } from './events';
import { Movements } from './movements';

/** 钱包: balances per asset, ledger history, withdrawal requests (提现) reviewed by the platform and paid out (services/payouts.ts). */

export async function balances(tx: Tx, userId: string): Promise<BalancesView> {
  const docs = await col(tx.db, 'balances').find({ userId }, s(tx)).toArray();
  const of = (account: string) => docs.find((d) => d._id === account)?.balance ?? 0;
  // lots that exited and wait for their payout step: their points are still in the GREEN balance
  // until then, but can no longer be used, and their payout is on its way (settler/exit-payouts.ts)
  const exiting = await col(tx.db, 'green_lots').find({ userId, payoutPending: true }, { ...s(tx), projection: { exitedUnits: 1, payoutFen: 1 } }).toArray();
  return {
    cashFen: of(acct.userCash(userId)),
    withdrawingFen: of(acct.userWithdrawing(userId)),
    points: of(acct.userPoints(userId)),
    love: of(acct.userLove(userId)),
    loveFrozen: of(acct.userLoveFrozen(userId)),
    voucherFen: of(acct.userVoucher(userId)),
    greenUnits: of(acct.userGreen(userId)) - exiting.reduce((a, l) => a + (l.exitedUnits ?? 0), 0),
    greenExitingFen: exiting.reduce((a, l) => a + (l.payoutFen ?? 0), 0),
  };
}

/**
 * A shopper's wallet rows, newest first, `limit` at a time. The next page starts after the last
 * row shown: `beforeId` its id (and `before` its time, which alone would skip rows: one event
 * writes several rows at one instant, e.g. an exit's CASH and GREEN rows). The row must be one
 * of the caller's wallet rows.
 */
export async function ledgerHistory(tx: Tx, userId: string, opts: { asset?: string; before?: string; beforeId?: string; limit: number }) {
  // The wallet's assets only, stated as the index's partial filter states them (the memo assets
  // QENT has rows too, outside it); one asset is a further condition on top of that.
  const wallet: Record<string, unknown> = { userId, asset: { $in: WALLET_ASSETS }, ...(opts.asset ? { $and: [{ asset: opts.asset }] } : {}) };
  const page = (more: Record<string, unknown>) => col(tx.db, 'postings').find({ ...wallet, ...more }, s(tx)).sort({ at: -1, _id: -1 }).limit(opts.limit).toArray();
  let before = opts.before ? new Date(opts.before) : null;
  if (opts.beforeId) {
    const last = await col(tx.db, 'postings').findOne({ _id: opts.beforeId }, s(tx));
    if (!last || last.userId !== userId || !(WALLET_ASSETS as readonly string[]).includes(last.asset)) throw new AppError('NOT_FOUND', '找不到该账目');
    if (before && before.getTime() !== last.at.getTime()) throw new AppError('INVALID_INPUT', '翻页参数不一致: before 须为该账目的时间');
    before = last.at;
  }
  let rows: PostingDoc[];
  if (!before) rows = await page({});
  else {
    const same = opts.beforeId ? await page({ at: before, _id: { $lt: opts.beforeId } }) : [];
    rows = same.length === opts.limit ? same : same.concat(await page({ at: { $lt: before } })).slice(0, opts.limit);
  }
  return rows.map((p) => ({
    id: p._id,
    asset: p.asset,
    assetName: ASSET_NAMES[assetOf(p.account)],
    account: p.account.endsWith(':frozen') ? 'frozen' : p.account.endsWith(':withdrawing') ? 'withdrawing' : 'available',
    amount: p.amount,
    type: p.type,
    memo: p.memo,
    at: p.at,
  }));
}

/**
 * A withdrawal's id from the client's request id (SPEC §8: a retry repeats the request id), so
 * the same request can only ever make one withdrawal — the primary key says so, whatever else
 * fails. Without a request id, a fresh one.
 */
export function withdrawalIdFor(ownerKey: string, requestId: string | undefined): string {
  if (!requestId) return newId('W');
  return `W${createHash('sha256').update(`${ownerKey}:${requestId}`).digest('hex').slice(0, 24).toUpperCase()}`;
}

function checkAmount(amountFen: number, config: PluginConfig): void {
  if (amountFen < config.withdrawal.minFen) throw new AppError('INVALID_AMOUNT', `最低提现 ${formatYuan(config.withdrawal.minFen)}`);
  if (amountFen > config.withdrawal.maxFen) throw new AppError('INVALID_AMOUNT', `单笔最高提现 ${formatYuan(config.withdrawal.maxFen)}`);
}

/** 提现申请 from a shopper's cash: the money waits in `withdrawing` until the payout is confirmed. */
export async function requestWithdrawal(tx: Tx, user: UserDoc, amountFen: number, requestId?: string) {
  const config = await loadConfig(tx);
  checkAmount(amountFen, config);
  if ((await balanceOf(tx, acct.userCash(user._id))) < amountFen) throw new AppError('INSUFFICIENT_BALANCE');
  const id = withdrawalIdFor(user._id, requestId);
  const mv = new Movements();
  mv.move(acct.userCash(user._id), acct.userWithdrawing(user._id), amountFen, '提现申请');
  await col(tx.db, 'withdrawals').insertOne({ _id: id, userId: user._id, storeId: null, amountFen, status: 'pending', createdAt: tx.now, reviewedAt: null, reviewedBy: null, method: null, billNo: null, payout: null, closedAt: null }, s(tx));
  await postEvent(tx, userBook(user._id), `withdraw.request:${id}`, 'withdraw.request', mv, { withdrawalId: id });
  return { withdrawalId: id, amountFen, status: 'pending' as const };
}

/** 门店提现: a store's settled revenue, by its owner; paid out the same way as a shopper's. */
export async function requestStoreWithdrawal(tx: Tx, user: UserDoc, storeId: string, amountFen: number, requestId?: string) {
  const store = await col(tx.db, 'stores').findOne({ _id: storeId }, s(tx));
  if (!store || store.ownerId !== user._id) throw new AppError('NOT_FOUND', '找不到该门店');
  const config = await loadConfig(tx);
  checkAmount(amountFen, config);
  // store accounts are not guarded (a refund may take back revenue already withdrawn): the request checks itself
  if ((await balanceOf(tx, acct.storeRevenue(storeId))) < amountFen) throw new AppError('INSUFFICIENT_BALANCE', '可提现营业款不足');
  const id = withdrawalIdFor(`store:${storeId}`, requestId);
  const mv = new Movements();
  mv.move(acct.storeRevenue(storeId), acct.storeWithdrawing(storeId), amountFen, '门店营业款提现申请');
  await col(tx.db, 'withdrawals').insertOne({ _id: id, userId: user._id, storeId, amountFen, status: 'pending', createdAt: tx.now, reviewedAt: null, reviewedBy: null, method: null, billNo: null, payout: null, closedAt: null }, s(tx));
  await postEvent(tx, `store:${storeId}`, `withdraw.request:${id}`, 'withdraw.request', mv, { withdrawalId: id, storeId });
  return { withdrawalId: id, storeId, amountFen, status: 'pending' as const };
}

/**
 * The platform's review: approve (the payout starts after the answer: WeChat Pay 商家转账 or a
 * manual payout, services/payouts.ts) or reject (the money goes back to the balance).
 */
export async function reviewWithdrawal(tx: Tx, withdrawalId: string, approve: boolean, reviewer: string, method: WithdrawalMethod) {
  const w = await col(tx.db, 'withdrawals').findOne({ _id: withdrawalId }, s(tx));
  if (!w) throw new AppError('NOT_FOUND', '找不到该提现申请');
  if (w.status !== 'pending') throw new AppError('CONFLICT', '该申请已处理');
  const done = approve ? await approveWithdrawal(tx, w, method, reviewer, await loadConfig(tx)) : await rejectWithdrawal(tx, w, reviewer);
  return withdrawalView(done);
}

export async function myWithdrawals(tx: Tx, userId: string) {
  // a store owner's store withdrawals are the store's (merchant.revenue), not their wallet's
  const rows = await col(tx.db, 'withdrawals').find({ userId, storeId: null }, s(tx)).sort({ createdAt: -1 }).limit(50).toArray();
  return rows.map(withdrawalView);
}
