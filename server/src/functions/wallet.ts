import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { amount, id, postingId, requestId } from '../runtime/params';
import { balances, ledgerHistory, myWithdrawals, requestWithdrawal } from '../services/wallet';
import { asUser, once } from './tx';
import { col, s } from '../repo/db';
import { AppError } from '../runtime/errors';
import { withdrawalView } from '../services/payouts';

export const wallet = {
  balances: action({ access: 'user', params: z.strictObject({}), run: (ctx) => asUser(ctx, (tx, user) => balances(tx, user._id)) }),
  /** My ledger postings, newest first (the next page: `beforeId` = the last row's `id`; `before` alone, a time, is the older form). */
  ledger: action({
    access: 'user',
    params: z.strictObject({
      asset: z.enum(['CASH', 'POINTS', 'LOVE', 'VOUCHER', 'GREEN']).optional(),
      before: z.iso.datetime().optional(),
      beforeId: postingId.optional(),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    run: (ctx, p) => asUser(ctx, (tx, user) => ledgerHistory(tx, user._id, { asset: p.asset, before: p.before, beforeId: p.beforeId, limit: p.limit ?? 50 })),
  }),
  /** 提现申请 from CASH; the platform reviews it. */
  withdraw: action({
    access: 'user',
    params: z.strictObject({ amountFen: amount(), requestId }),
    run: (ctx, p) => once(ctx, 'wallet.withdraw', p.requestId, (tx, user) => requestWithdrawal(tx, user, p.amountFen, p.requestId)),
  }),
  withdrawals: action({ access: 'user', params: z.strictObject({}), run: (ctx) => asUser(ctx, (tx, user) => myWithdrawals(tx, user._id)) }),
  /**
   * 确认收款: what wx.requestMerchantTransfer needs for a WeChat transfer waiting for the caller
   * (their own withdrawal, or their store's): { mchId, appId, package }.
   */
  transferParams: action({
    access: 'user',
    params: z.strictObject({ withdrawalId: id }),
    run: async (ctx, p) => {
      const w = await asUser(ctx, async (tx, user) => {
        const w = await col(tx.db, 'withdrawals').findOne({ _id: p.withdrawalId }, s(tx));
        if (!w || w.userId !== user._id) throw new AppError('NOT_FOUND', '找不到该提现');
        return w;
      });
      const port = ctx.deps.payouts.wechat;
      if (!port?.confirmParams || w.method !== 'wechat' || w.status !== 'paying' || w.payout?.state !== 'WAIT_USER_CONFIRM' || !w.payout.packageInfo) throw new AppError('CONFLICT', '该提现当前无需确认收款');
      return { withdrawalId: w._id, ...port.confirmParams(w.payout.packageInfo) };
    },
  }),
  /** After the shopper confirmed (or closed) the transfer page: have the payout asked about now instead of at its next check. */
  checkPayout: action({
    access: 'user',
    params: z.strictObject({ withdrawalId: id }),
    run: async (ctx, p) => {
      const w = await asUser(ctx, async (tx, user) => {
        const r = await col(tx.db, 'withdrawals').findOneAndUpdate(
          { _id: p.withdrawalId, userId: user._id, status: 'paying', method: 'wechat' },
          { $set: { 'payout.checkAt': tx.now } },
          { ...s(tx), returnDocument: 'after' },
        );
        return r ?? (await col(tx.db, 'withdrawals').findOne({ _id: p.withdrawalId, userId: user._id }, s(tx)));
      });
      if (!w) throw new AppError('NOT_FOUND', '找不到该提现');
      if (w.status === 'paying') await ctx.deps.outbox.nudge(ctx.now); // the outbox function runs the sweeps too
      return withdrawalView(w);
    },
  }),
} satisfies CloudFunction;
