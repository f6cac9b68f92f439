import type { WithdrawalView } from '../../../shared/views';
import type { WithdrawalMethod } from '../../../shared/contract';
import { acct } from '../engine/ledger/accounts';
import { MONEY_RETRY } from '../engine/outbox/retry';
import type { PluginConfig } from '../engine/config/types';
import { AppError } from '../runtime/errors';
import type { AppDeps } from '../runtime/context';
import { PAYOUT_CANCELLABLE, PAYOUT_FAILED, PAYOUT_SUCCESS, type PayoutPort, type PayoutState, type Payouts } from '../runtime/payout';
import { asWxError } from '../runtime/wx';
import { col, runTransaction, s, type Tx } from '../repo/db';
import type { PayoutInfo, WithdrawalDoc } from '../repo/documents';
import { postEvent, userBook } from './events';
import { Movements } from './movements';
import type { OutboxKind } from './outbox/kinds';
import { queueOutbox } from './outbox/queue';

/**
 * Paying withdrawals out (SPEC §7), for shoppers' cash and stores' revenue alike. Approving a
 * request starts its payout through the outbox (the call leaves after the answer, keyed by the
 * bill number); the payout method answers its state, and so does the payout sweep later. Cash
 * counts as paid out only at SUCCESS (withdrawing → CASH:ext:payout or CASH:ext:manual); a
 * failed, cancelled or expired payout returns it to the balance with a ledger entry. Each
 * withdrawal ends in exactly one of paid, rejected, failed.
 */

/** The outbox kind of a payout start (key: the bill number). */
export const PAYOUT_CALL = 'payout.start';

/** When the payout sweep first asks about a WeChat transfer, and at most how long it waits between asks. */
const FIRST_CHECK_MS = 5 * 60_000;
const MAX_CHECK_MS = 60 * 60_000;
const checkDelay = (checks: number) => Math.min(MAX_CHECK_MS, FIRST_CHECK_MS * 2 ** Math.min(checks, 20));

/** The bill number WeChat sees (out_bill_no: letters and digits, ≤ 32): the withdrawal id without anything else. */
export const billNoOf = (withdrawalId: string) => withdrawalId.replace(/[^A-Za-z0-9]/g, '').slice(0, 32);

/** The accounts a withdrawal moves between: the owner's balance and the money waiting for its payout. */
export function withdrawalAccounts(w: Pick<WithdrawalDoc, 'userId' | 'storeId'>): { balance: string; withdrawing: string; book: string } {
  if (w.storeId) return { balance: acct.storeRevenue(w.storeId), withdrawing: acct.storeWithdrawing(w.storeId), book: `store:${w.storeId}` };
  return { balance: acct.userCash(w.userId), withdrawing: acct.userWithdrawing(w.userId), book: userBook(w.userId) };
}

export function payoutPort(payouts: Payouts, method: WithdrawalMethod): PayoutPort {
  const port = method === 'wechat' ? payouts.wechat : payouts.manual;
  if (!port) throw new AppError('INVALID_INPUT', '未配置微信支付商家转账，请选择线下打款');
  return port;
}

/** The methods a deployment offers: WeChat Pay 商家转账 only when it is configured. */
export const availableMethods = (payouts: Payouts): WithdrawalMethod[] => (payouts.wechat ? ['wechat', 'manual'] : ['manual']);

/** Approve: the payout starts (after the answer, from the outbox). The money stays in `withdrawing` until it is confirmed. */
export async function approveWithdrawal(tx: Tx, w: WithdrawalDoc, method: WithdrawalMethod, reviewer: string, config: PluginConfig): Promise<WithdrawalDoc> {
  const billNo = billNoOf(w._id);
  const payout: PayoutInfo = {
    state: 'STARTING',
    packageInfo: null,
    transferBillNo: null,
    reference: null,
    error: null,
    startedAt: tx.now,
    checkAt: null,
    checks: 0,
    expiresAt: method === 'wechat' ? new Date(tx.now.getTime() + config.withdrawal.confirmHours * 3_600_000) : null,
  };
  const set = { status: 'paying' as const, method, billNo, payout, reviewedAt: tx.now, reviewedBy: reviewer };
  const r = await col(tx.db, 'withdrawals').updateOne({ _id: w._id, status: 'pending' }, { $set: set }, s(tx));
  if (r.modifiedCount !== 1) throw new AppError('CONFLICT', '该申请已处理');
  await queueOutbox(tx, w.userId, PAYOUT_CALL, { withdrawalId: w._id, method }, { key: billNo });
  return { ...w, ...set };
}

/** Reject a request: the money goes back to the balance. */
export async function rejectWithdrawal(tx: Tx, w: WithdrawalDoc, reviewer: string): Promise<WithdrawalDoc> {
  const a = withdrawalAccounts(w);
  const mv = new Movements();
  mv.move(a.withdrawing, a.balance, w.amountFen, '提现驳回，退回余额');
  const set = { status: 'rejected' as const, reviewedAt: tx.now, reviewedBy: reviewer, closedAt: tx.now };
  const r = await col(tx.db, 'withdrawals').updateOne({ _id: w._id, status: 'pending' }, { $set: set }, s(tx));
  if (r.modifiedCount !== 1) throw new AppError('CONFLICT', '该申请已处理');
  await postEvent(tx, a.book, `withdraw.review:${w._id}`, 'withdraw.review', mv, { withdrawalId: w._id, status: 'rejected' });
  return { ...w, ...set };
}

export type PayoutUpdate = { withdrawalId: string; status: WithdrawalDoc['status']; changed: boolean };

/**
 * Apply a payout's state — the method's answer to the start, the sweep's check or cancel, or an
 * admin's record of a manual payout. Idempotent: a closed withdrawal ignores anything later.
 */
export async function applyPayoutState(tx: Tx, withdrawalId: string, st: PayoutState & { reference?: string | null }, by: string): Promise<PayoutUpdate> {
  const w = await col(tx.db, 'withdrawals').findOne({ _id: withdrawalId }, s(tx));
  if (!w) throw new AppError('NOT_FOUND', '找不到该提现申请');
  if (w.status !== 'paying' || !w.payout) return { withdrawalId, status: w.status, changed: false };
  const a = withdrawalAccounts(w);
  const payout: PayoutInfo = {
    ...w.payout,
    state: st.state,
    packageInfo: st.packageInfo ?? w.payout.packageInfo,
    transferBillNo: st.transferBillNo ?? w.payout.transferBillNo,
    reference: st.reference ?? w.payout.reference,
  };
  const close = async (status: 'paid' | 'failed', mv: Movements, message: string) => {
    const r = await col(tx.db, 'withdrawals').updateOne({ _id: w._id, status: 'paying' }, { $set: { status, payout: { ...payout, checkAt: null }, closedAt: tx.now } }, s(tx));
    if (r.modifiedCount !== 1) throw new AppError('CONFLICT', '提现状态已变化');
    await postEvent(tx, a.book, `withdraw.${status}:${w._id}`, `withdraw.${status}`, mv, { withdrawalId: w._id, by });
    await queueOutbox(tx, w.userId, 'withdrawal', { withdrawalId: w._id, amount: String(w.amountFen), status: message });
    return { withdrawalId, status, changed: true };
  };
  if (st.state === PAYOUT_SUCCESS) {
    const mv = new Movements();
    mv.move(a.withdrawing, w.method === 'manual' ? acct.extManual : acct.extPayout, w.amountFen, w.method === 'manual' ? '提现已线下打款' : '提现已到账微信零钱');
    return close('paid', mv, '已到账');
  }
  if (PAYOUT_FAILED.has(st.state)) {
    const mv = new Movements();
    mv.move(a.withdrawing, a.balance, w.amountFen, st.state === 'CANCELLED' ? '提现未确认收款已撤销，退回余额' : '提现打款失败，退回余额');
    payout.error = st.failReason ?? (st.state === 'CANCELLED' ? '未在时限内确认收款，已撤销' : '打款失败');
    return close('failed', mv, '打款失败，已退回余额');
  }
  const waiting = w.method === 'wechat' && st.state !== 'NOT_FOUND';
  const checkAt = waiting ? new Date(tx.now.getTime() + checkDelay(w.payout.checks)) : w.payout.checkAt;
  await col(tx.db, 'withdrawals').updateOne({ _id: w._id, status: 'paying' }, { $set: { payout: { ...payout, checkAt } } }, s(tx));
  return { withdrawalId, status: 'paying', changed: st.state !== w.payout.state };
}

/** The outbox kind that starts a payout (key: the bill number, WeChat's out_bill_no). */
export const payoutCallKind: OutboxKind = {
  retry: MONEY_RETRY,
  async send(ctx, msg) {
    const w = await col(ctx.store.db, 'withdrawals').findOne({ _id: msg.data.withdrawalId! });
    if (!w || w.status !== 'paying') return { status: 'skipped', result: { reason: '提现已不在打款中' } };
    const owner = await col(ctx.store.db, 'users').findOne({ _id: w.userId }, { projection: { openid: 1 } });
    const st = await payoutPort(ctx.payouts, w.method ?? 'manual').start({
      billNo: msg.key!,
      openid: owner?.openid ?? '',
      amountFen: w.amountFen,
      remark: w.storeId ? '门店营业款提现' : '余额提现',
      payee: w.storeId ? 'store' : 'user',
    });
    return { status: 'done', result: { ...st } };
  },
  async record(tx, msg, outcome) {
    if (outcome.status !== 'done') return;
    await applyPayoutState(tx, msg.data.withdrawalId!, outcome.result as unknown as PayoutState, 'answer');
  },
  async onDead(tx, msg, error) {
    // The start may or may not have reached WeChat (timeouts): never return the money on a guess.
    // The sweep asks WeChat about the bill now; NOT_FOUND there returns the money (payout-sweep below).
    await col(tx.db, 'withdrawals').updateOne(
      { _id: msg.data.withdrawalId!, status: 'paying' },
      { $set: { 'payout.error': `打款请求未被受理：${error}`, 'payout.checkAt': tx.now } },
      s(tx),
    );
  },
};

/** An admin records a manual payout: the bank or transfer reference confirms it. */
export async function confirmManualPayout(tx: Tx, withdrawalId: string, reference: string, admin: string): Promise<PayoutUpdate> {
  const w = await col(tx.db, 'withdrawals').findOne({ _id: withdrawalId }, s(tx));
  if (!w) throw new AppError('NOT_FOUND', '找不到该提现申请');
  if (w.status !== 'paying' || w.method !== 'manual') throw new AppError('CONFLICT', '只有线下打款中的提现可以登记打款');
  return applyPayoutState(tx, withdrawalId, { state: PAYOUT_SUCCESS, reference }, `admin:${admin}`);
}

/** An admin records that a manual payout could not be made: the money goes back to the balance. */
export async function failManualPayout(tx: Tx, withdrawalId: string, reason: string, admin: string): Promise<PayoutUpdate> {
  const w = await col(tx.db, 'withdrawals').findOne({ _id: withdrawalId }, s(tx));
  if (!w) throw new AppError('NOT_FOUND', '找不到该提现申请');
  if (w.status !== 'paying' || w.method !== 'manual') throw new AppError('CONFLICT', '只有线下打款中的提现可以登记失败（微信转账的结果以微信支付为准）');
  return applyPayoutState(tx, withdrawalId, { state: 'FAIL', failReason: reason }, `admin:${admin}`);
}

export interface PayoutSweepReport {
  checked: number;
  cancelled: number;
  changed: number;
  errors: number;
}

/**
 * The payout sweep: every WeChat transfer due to be asked about is checked; one still waiting for
 * the shopper after its confirmation time is cancelled (the money comes back when WeChat says
 * CANCELLED). A start that never reached WeChat (NOT_FOUND, and its outbox message dead) fails
 * and returns the money. Claimed by moving checkAt on before the call.
 */
export async function sweepPayouts(deps: Pick<AppDeps, 'store' | 'payouts'>, now: Date, limit = 20): Promise<PayoutSweepReport> {
  const report: PayoutSweepReport = { checked: 0, cancelled: 0, changed: 0, errors: 0 };
  const withdrawals = col(deps.store.db, 'withdrawals');
  const due = await withdrawals.find({ status: 'paying', 'payout.checkAt': { $lte: now } }).sort({ 'payout.checkAt': 1 }).limit(limit).toArray();
  for (const w of due) {
    if (!w.payout || w.method !== 'wechat' || !w.billNo) continue;
    const next = new Date(now.getTime() + checkDelay(w.payout.checks + 1));
    const claimed = await withdrawals.findOneAndUpdate(
      { _id: w._id, status: 'paying', 'payout.checkAt': w.payout.checkAt },
      { $set: { 'payout.checkAt': next }, $inc: { 'payout.checks': 1 } },
      { returnDocument: 'after' },
    );
    if (!claimed?.payout) continue;
    report.checked++;
    try {
      const port = payoutPort(deps.payouts, 'wechat');
      let st = await port.check(w.billNo);
      if (PAYOUT_CANCELLABLE.has(st.state) && claimed.payout.expiresAt && claimed.payout.expiresAt.getTime() <= now.getTime()) {
        st = await port.cancel(w.billNo);
        report.cancelled++;
      }
      if (st.state === 'NOT_FOUND') {
        const start = await col(deps.store.db, 'outbox').findOne({ _id: `${PAYOUT_CALL}:${w.billNo}` }, { projection: { status: 1 } });
        // only a start that will never be sent again is a payout that never happened
        if (start?.status === 'dead') st = { state: 'FAIL', failReason: '打款请求未被微信支付受理' };
      }
      const u = await runTransaction(deps.store, now, (tx) => applyPayoutState(tx, w._id, st, 'sweep'));
      if (u.changed) report.changed++;
    } catch (err) {
      report.errors++;
      console.error('payout check failed', w._id, asWxError(err).message);
    }
  }
  return report;
}

/** A withdrawal as its owner and the admins see it. */
export function withdrawalView(w: WithdrawalDoc): WithdrawalView<Date> {
  const waiting = w.status === 'paying' && w.method === 'wechat' && w.payout?.state === 'WAIT_USER_CONFIRM' && !!w.payout.packageInfo;
  return {
    withdrawalId: w._id,
    userId: w.userId,
    storeId: w.storeId ?? null,
    amountFen: w.amountFen,
    status: w.status,
    method: w.method ?? null,
    payoutState: w.payout?.state ?? null,
    /** the shopper has to confirm the WeChat transfer in the mini-program (wallet.transferParams) */
    awaitingConfirmation: waiting,
    expiresAt: w.payout?.expiresAt ?? null,
    reference: w.payout?.reference ?? null,
    error: w.payout?.error ?? null,
    createdAt: w.createdAt,
    reviewedAt: w.reviewedAt,
    closedAt: w.closedAt ?? null,
  };
}

/**
 * Withdrawals as the admins review them (oldest first): each with who is paid — the shopper's
 * nickname, or the store's name and its owner's — since a manual payout is made by a person who
 * has to know whom to pay (the ids alone tell nobody).
 */
export async function adminWithdrawals(tx: Tx, status: WithdrawalDoc['status'] | undefined, limit = 200) {
  const rows = await col(tx.db, 'withdrawals').find(status ? { status } : {}, s(tx)).sort({ createdAt: 1 }).limit(limit).toArray();
  const userIds = [...new Set(rows.map((w) => w.userId))];
  const storeIds = [...new Set(rows.flatMap((w) => (w.storeId ? [w.storeId] : [])))];
  const [users, stores] = await Promise.all([
    userIds.length ? col(tx.db, 'users').find({ _id: { $in: userIds } }, { ...s(tx), projection: { nickname: 1 } }).toArray() : [],
    storeIds.length ? col(tx.db, 'stores').find({ _id: { $in: storeIds } }, { ...s(tx), projection: { name: 1 } }).toArray() : [],
  ]);
  const nickname = new Map(users.map((u) => [u._id, u.nickname]));
  const storeName = new Map(stores.map((st) => [st._id, st.name]));
  return rows.map((w) => ({ ...withdrawalView(w), nickname: nickname.get(w.userId) ?? null, storeName: w.storeId ? (storeName.get(w.storeId) ?? null) : null }));
}
