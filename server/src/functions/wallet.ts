import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { amount, requestId } from '../runtime/params';
import { balances, ledgerHistory, myWithdrawals, requestWithdrawal } from '../services/wallet';
import { asUser, once } from './tx';

export const wallet: CloudFunction = {
  balances: action({ access: 'user', params: z.strictObject({}), run: (ctx) => asUser(ctx, (tx, user) => balances(tx, user._id)) }),
  /** My ledger postings, newest first (page with `before` = the last `at`). */
  ledger: action({
    access: 'user',
    params: z.strictObject({
      asset: z.enum(['CASH', 'POINTS', 'LOVE', 'VOUCHER', 'GREEN']).optional(),
      before: z.iso.datetime().optional(),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    run: (ctx, p) => asUser(ctx, (tx, user) => ledgerHistory(tx, user._id, { asset: p.asset, before: p.before, limit: p.limit ?? 50 })),
  }),
  /** 提现申请 from CASH; the platform reviews it. */
  withdraw: action({
    access: 'user',
    params: z.strictObject({ amountFen: amount(), requestId }),
    run: (ctx, p) => once(ctx, 'wallet.withdraw', p.requestId, (tx, user) => requestWithdrawal(tx, user, p.amountFen)),
  }),
  withdrawals: action({ access: 'user', params: z.strictObject({}), run: (ctx) => asUser(ctx, (tx, user) => myWithdrawals(tx, user._id)) }),
};
