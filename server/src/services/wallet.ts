import { acct, ASSET_NAMES, assetOf } from '../engine/ledger/accounts';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { UserDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import { balanceOf, WALLET_ASSETS } from '../repo/ledger';
import { loadConfig } from './config';
import { postEvent, userBook } from './events';
import { Movements } from './movements';

/** 钱包: balances per asset, ledger history, withdrawal requests (提现) reviewed by the platform. */

export async function balances(tx: Tx, userId: string) {
  const docs = await col(tx.db, 'balances').find({ userId }, s(tx)).toArray();
  const of = (account: string) => docs.find((d) => d._id === account)?.balance ?? 0;
  return {
    cashFen: of(acct.userCash(userId)),
    withdrawingFen: of(acct.userWithdrawing(userId)),
    points: of(acct.userPoints(userId)),
    love: of(acct.userLove(userId)),
    loveFrozen: of(acct.userLoveFrozen(userId)),
    voucherFen: of(acct.userVoucher(userId)),
    greenUnits: of(acct.userGreen(userId)),
  };
}

export async function ledgerHistory(tx: Tx, userId: string, opts: { asset?: string; before?: string; limit: number }) {
  // the wallet's assets only: the shopper's pending-entitlement accounts (QENT/UENT) have rows too
  const filter: Record<string, unknown> = { userId, asset: opts.asset ?? { $in: WALLET_ASSETS } };
  if (opts.before) filter.at = { $lt: new Date(opts.before) };
  const rows = await col(tx.db, 'postings').find(filter, s(tx)).sort({ at: -1, _id: -1 }).limit(opts.limit).toArray();
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

export async function requestWithdrawal(tx: Tx, user: UserDoc, amountFen: number) {
  const config = await loadConfig(tx);
  if (amountFen < config.withdrawal.minFen) throw new AppError('INVALID_AMOUNT', `最低提现 ¥${(config.withdrawal.minFen / 100).toFixed(2)}`);
  if (amountFen > config.withdrawal.maxFen) throw new AppError('INVALID_AMOUNT', `单笔最高提现 ¥${(config.withdrawal.maxFen / 100).toFixed(2)}`);
  if ((await balanceOf(tx, acct.userCash(user._id))) < amountFen) throw new AppError('INSUFFICIENT_BALANCE');
  const id = newId('W');
  const mv = new Movements();
  mv.move(acct.userCash(user._id), acct.userWithdrawing(user._id), amountFen, '提现申请');
  await col(tx.db, 'withdrawals').insertOne({ _id: id, userId: user._id, amountFen, status: 'pending', createdAt: tx.now, reviewedAt: null, reviewedBy: null }, s(tx));
  await postEvent(tx, userBook(user._id), `withdraw.request:${id}`, 'withdraw.request', mv, { withdrawalId: id });
  return { withdrawalId: id, amountFen, status: 'pending' as const };
}

/** Approve (paid out: production would call the merchant transfer API after commit; local marks it paid) or reject (back to balance). */
export async function reviewWithdrawal(tx: Tx, withdrawalId: string, approve: boolean, reviewer: string) {
  const w = await col(tx.db, 'withdrawals').findOne({ _id: withdrawalId }, s(tx));
  if (!w) throw new AppError('NOT_FOUND', '找不到该提现申请');
  if (w.status !== 'pending') throw new AppError('CONFLICT', '该申请已处理');
  const mv = new Movements();
  if (approve) mv.move(acct.userWithdrawing(w.userId), acct.extPayout, w.amountFen, '提现到账');
  else mv.move(acct.userWithdrawing(w.userId), acct.userCash(w.userId), w.amountFen, '提现驳回，退回余额');
  const status = approve ? ('paid' as const) : ('rejected' as const);
  await col(tx.db, 'withdrawals').updateOne({ _id: w._id, status: 'pending' }, { $set: { status, reviewedAt: tx.now, reviewedBy: reviewer } }, s(tx));
  await postEvent(tx, userBook(w.userId), `withdraw.review:${w._id}`, 'withdraw.review', mv, { withdrawalId: w._id, status });
  return { withdrawalId: w._id, status, amountFen: w.amountFen };
}

export async function myWithdrawals(tx: Tx, userId: string) {
  const rows = await col(tx.db, 'withdrawals').find({ userId }, s(tx)).sort({ createdAt: -1 }).limit(50).toArray();
  return rows.map((w) => ({ withdrawalId: w._id, amountFen: w.amountFen, status: w.status, createdAt: w.createdAt, reviewedAt: w.reviewedAt }));
}
