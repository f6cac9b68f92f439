import { acct } from '../engine/ledger/accounts';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { UserDoc } from '../repo/documents';
import { balanceOf } from '../repo/ledger';
import { withdrawalView } from './payouts';
import { refundView } from './refunds';

/**
 * A merchant's money (门店营业款): what the store's orders left it after the queue extraction, the
 * pools and the one-level rewards (the platform's commission already taken at settlement, as
 * before). Settled revenue sits in CASH:store:<id>:revenue and is withdrawn like a shopper's cash
 * (services/wallet.ts requestStoreWithdrawal → services/payouts.ts).
 *
 * Why withdrawals and not WeChat Pay profit sharing (分账): stores are not WeChat Pay sub-merchants
 * here — the platform's cloud pay merchant collects every payment — and a store's share is only
 * known after settlement (extraction, pools, commission), days after the payment; 分账 is decided
 * per payment, needs each store as a receiver and, for an ordinary merchant, caps what is shared at
 * 30% of the payment, well below a store's usual share. A withdrawal paid by 商家转账 or a manual
 * transfer works for every store today.
 */

/** Store orders read to estimate what is still pending (the newest first); beyond it the figure says it is partial. */
const PENDING_SCAN = 2000;

async function ownStore(tx: Tx, storeId: string, user: UserDoc) {
  const store = await col(tx.db, 'stores').findOne({ _id: storeId }, s(tx));
  if (!store || store.ownerId !== user._id) throw new AppError('NOT_FOUND', '找不到该门店');
  return store;
}

export async function storeRevenue(tx: Tx, storeId: string, user: UserDoc) {
  const store = await ownStore(tx, storeId, user);
  const [settledFen, withdrawingFen] = await Promise.all([balanceOf(tx, acct.storeRevenue(store._id)), balanceOf(tx, acct.storeWithdrawing(store._id))]);
  // orders not yet completed and distributed: their cash still sits in clearing; the store's part is known at settlement
  const open = await col(tx.db, 'orders')
    .find({ storeId: store._id }, { ...s(tx), projection: { status: 1, clearingFen: 1, distributedAt: 1 } })
    .sort({ createdAt: -1 })
    .limit(PENDING_SCAN)
    .toArray();
  const pending = open.filter((o) => (o.status === 'paid' || o.status === 'completed') && !o.distributedAt);
  const withdrawals = await col(tx.db, 'withdrawals').find({ storeId: store._id }, s(tx)).sort({ createdAt: -1 }).limit(50).toArray();
  const refunds = await col(tx.db, 'refunds').find({ storeId: store._id }, s(tx)).sort({ requestedAt: -1 }).limit(50).toArray();
  return {
    storeId: store._id,
    storeName: store.name,
    /** 可提现: settled revenue (may be negative when refunds took back revenue already withdrawn) */
    settledFen,
    /** 提现中 */
    withdrawingFen,
    /** 已提现 (of the withdrawals listed) */
    paidOutFen: withdrawals.filter((w) => w.status === 'paid').reduce((a, w) => a + w.amountFen, 0),
    /** 待结算: cash of orders not yet completed and distributed (before extraction and pool shares) */
    pendingFen: pending.reduce((a, o) => a + o.clearingFen, 0),
    pendingOrders: pending.length,
    pendingPartial: open.length === PENDING_SCAN,
    withdrawals: withdrawals.map(withdrawalView),
    /** the store's refunds; `failed` ones need the platform's attention */
    refunds: refunds.map(refundView),
    failedRefunds: refunds.filter((r) => r.status === 'failed').length,
  };
}
