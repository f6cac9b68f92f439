import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { MONEY_RETRY } from '../../server/src/engine/outbox/retry';
import { ADMIN, edgeApp, edgeShop, type Edge } from './support';

/**
 * Withdrawals really paid (issue 12, item 3): WeChat Pay 商家转账 through the payout port (the
 * shopper confirms receipt in the mini-program), manual payouts with a reference, failed and
 * expired transfers returning the money, merchants withdrawing their revenue. Every withdrawal
 * ends in exactly one of paid, rejected, failed; cash counts as out only when confirmed.
 */
let e: Edge;
afterEach(async () => e?.app.close());
const MIN = 60_000;
const HOUR = 60 * MIN;

/** Shopper `who` with cash in the wallet (a queue payout from a later order), in local-like settlement via WeChat mode. */
async function withCash(who: string) {
  const s = await edgeShop(e);
  await e.app.configure((c) => ((c.rebate.extractionBp = 5000), (c.rebate.settleOn = 'pay')));
  // the cashier is a store order that completes at payment: pay it through WeChat (notification delivered)
  for (const shopper of [who, `${who}-friend`]) {
    await e.call(shopper, 'user', 'login');
    const o = await e.call(shopper, 'order', 'cashier', { cashierId: s.cashierId, amountFen: 20_000 });
    await e.call(shopper, 'order', 'pay', { orderId: o.orderId });
    await e.notify(e.wx.pay(o.orderId));
    await e.app.settled(e.clock.now);
  }
  const cash = (await e.call(who, 'wallet', 'balances')).cashFen;
  expect(cash).toBeGreaterThan(5000);
  return { ...s, cash };
}

async function ledgerOk() {
  const report = await e.app.verify();
  expect(report.problems).toEqual([]);
  // money out by 商家转账 is exactly what WeChat says it transferred
  const transferred = [...e.wx.transfers.values()].filter((t) => t.state === 'SUCCESS').reduce((a, t) => a + t.amountFen, 0);
  expect(report.systemBalances['CASH:ext:payout'] ?? 0, 'paid out = transfers WeChat completed').toBe(transferred);
  for (const [key, amounts] of e.wx.keysOf('transfer')) expect(amounts.size, `bill ${key} sent with two amounts`).toBe(1);
  return report;
}

describe('WeChat Pay 商家转账', () => {
  it('approve → the transfer starts after the answer → the shopper confirms in the mini-program → paid; only then is the cash out', async () => {
    e = await edgeApp();
    const { cash } = await withCash('a');
    const w = await e.call('a', 'wallet', 'withdraw', { amountFen: 5000, requestId: 'req-withdraw-0001' });
    expect(await e.call(ADMIN, 'admin', 'payoutMethods')).toEqual({ methods: ['wechat', 'manual'] });
    const approved = await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w.withdrawalId, approve: true });
    expect(approved).toMatchObject({ status: 'paying', method: 'wechat', payoutState: 'STARTING' });
    expect(e.wx.transfers.size).toBe(0); // after the answer, not before
    await e.dispatch();
    const [mine] = await e.call('a', 'wallet', 'withdrawals');
    expect(mine).toMatchObject({ status: 'paying', payoutState: 'WAIT_USER_CONFIRM', awaitingConfirmation: true });
    // what wx.requestMerchantTransfer needs
    const params = await e.call('a', 'wallet', 'transferParams', { withdrawalId: w.withdrawalId });
    expect(params).toMatchObject({ mchId: '1900000001', appId: 'wxfake', package: `pkg-${mine.withdrawalId.replace(/[^A-Za-z0-9]/g, '')}` });
    expect(await e.error('a-friend', 'wallet', 'transferParams', { withdrawalId: w.withdrawalId })).toBe('NOT_FOUND'); // not theirs
    expect(await e.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: cash - 5000, withdrawingFen: 5000 });
    // the shopper confirms; the client asks for a check; the sweep finds SUCCESS
    e.wx.settleTransfer([...e.wx.transfers.keys()][0]!);
    await e.call('a', 'wallet', 'checkPayout', { withdrawalId: w.withdrawalId });
    await e.tick();
    expect((await e.call('a', 'wallet', 'withdrawals'))[0]).toMatchObject({ status: 'paid', payoutState: 'SUCCESS' });
    expect(await e.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: cash - 5000, withdrawingFen: 0 });
    // the shopper is told (subscribe message queued; sent when a template is configured)
    expect(await col(e.app.deps.store.db, 'outbox').findOne({ kind: 'withdrawal', 'data.withdrawalId': w.withdrawalId })).toMatchObject({ data: { status: '已到账' } });
    await ledgerOk();
  });

  it('a transfer not confirmed in time is cancelled at WeChat and the money comes back with a ledger entry', async () => {
    e = await edgeApp();
    const { cash } = await withCash('a');
    const w = await e.call('a', 'wallet', 'withdraw', { amountFen: 5000 });
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w.withdrawalId, approve: true, method: 'wechat' });
    await e.dispatch();
    for (let h = 0; h < 25; h++) {
      e.later(HOUR);
      await e.tick();
    }
    const [mine] = await e.call('a', 'wallet', 'withdrawals');
    expect(mine).toMatchObject({ status: 'failed', payoutState: 'CANCELLED' });
    expect(mine.error).toMatch(/确认收款/);
    expect(await e.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: cash, withdrawingFen: 0 });
    expect(e.wx.calls.some((c) => c.method === 'cancelTransfer')).toBe(true);
    const ledger = await e.call('a', 'wallet', 'ledger', { asset: 'CASH' });
    expect(ledger.some((p: any) => p.memo.includes('退回余额') && p.amount === 5000)).toBe(true);
    await ledgerOk();
  });

  it('a transfer WeChat fails returns the money; a start that times out after WeChat made the bill is repeated with the same bill number', async () => {
    e = await edgeApp();
    const { cash } = await withCash('a');
    const w1 = await e.call('a', 'wallet', 'withdraw', { amountFen: 2000 });
    const w2 = await e.call('a', 'wallet', 'withdraw', { amountFen: 3000 });
    e.wx.inject('transfer', 'timeout', 'late');
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w1.withdrawalId, approve: true });
    await e.dispatch(); // timed out (the bill exists at WeChat)
    e.later(MONEY_RETRY.baseMs);
    await e.dispatch(); // again, same bill number: WeChat answers the bill that exists
    expect(e.wx.transfers.size).toBe(1);
    const bills = e.wx.calls.filter((c) => c.method === 'transfer').map((c) => c.key);
    expect(new Set(bills).size).toBe(1);
    e.wx.settleTransfer(bills[0]!, 'FAIL');
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w2.withdrawalId, approve: true });
    e.later(10 * MIN);
    await e.tick();
    const ws = await e.call('a', 'wallet', 'withdrawals');
    expect(ws.find((w: any) => w.withdrawalId === w1.withdrawalId)).toMatchObject({ status: 'failed', payoutState: 'FAIL' });
    expect(ws.find((w: any) => w.withdrawalId === w2.withdrawalId)).toMatchObject({ status: 'paying', payoutState: 'WAIT_USER_CONFIRM' });
    expect(await e.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: cash - 3000, withdrawingFen: 3000 });
    await ledgerOk();
  });

  it('a start WeChat never received (dead letter) is checked by the sweep before the money returns: NOT_FOUND → failed, back to the balance', async () => {
    e = await edgeApp();
    const { cash } = await withCash('a');
    const w = await e.call('a', 'wallet', 'withdraw', { amountFen: 2000 });
    e.wx.inject('transfer', ...Array<'lost'>(MONEY_RETRY.maxAttempts).fill('lost'));
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w.withdrawalId, approve: true });
    for (let i = 0; i < MONEY_RETRY.maxAttempts + 2; i++) {
      await e.tick();
      e.later(6 * HOUR);
    }
    expect((await e.call(ADMIN, 'admin', 'outbox', { status: 'dead' })).messages[0]).toMatchObject({ kind: 'payout.start' });
    expect((await e.call('a', 'wallet', 'withdrawals'))[0]).toMatchObject({ status: 'failed' });
    expect(await e.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: cash, withdrawingFen: 0 });
    expect(e.wx.calls.some((c) => c.method === 'queryTransfer')).toBe(true); // asked before giving the money back
    await ledgerOk();
  });

  it('a start that WeChat took but whose answers all timed out is found by the sweep and paid once the shopper confirms (no money returned on a guess)', async () => {
    e = await edgeApp();
    const { cash } = await withCash('a');
    const w = await e.call('a', 'wallet', 'withdraw', { amountFen: 2000 });
    e.wx.inject('transfer', ...Array<'timeout'>(MONEY_RETRY.maxAttempts).fill('timeout'));
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w.withdrawalId, approve: true });
    // every retry when its backoff is over (about 14 h in all, inside the shopper's 24 h to confirm)
    for (let i = 0; i < MONEY_RETRY.maxAttempts; i++) {
      await e.dispatch();
      const m = await col(e.app.deps.store.db, 'outbox').findOne({ kind: 'payout.start' });
      if (m!.status === 'dead') break;
      e.at(m!.nextAt!);
    }
    expect(e.clock.now.getTime() - new Date('2026-03-02T10:00:00+08:00').getTime()).toBeLessThan(24 * HOUR);
    expect((await e.call(ADMIN, 'admin', 'outbox', { status: 'dead' })).dead).toBe(1);
    expect(e.wx.transfers.size).toBe(1);
    await e.tick(); // the sweep finds the bill waiting for the shopper (within its 24 h)
    expect((await e.call('a', 'wallet', 'withdrawals'))[0]).toMatchObject({ status: 'paying', payoutState: 'WAIT_USER_CONFIRM' });
    e.wx.settleTransfer([...e.wx.transfers.keys()][0]!);
    await e.call('a', 'wallet', 'checkPayout', { withdrawalId: w.withdrawalId });
    await e.tick();
    expect((await e.call('a', 'wallet', 'withdrawals'))[0]).toMatchObject({ status: 'paid' });
    expect(await e.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: cash - 2000, withdrawingFen: 0 });
    await ledgerOk();
  });
});

describe('manual payout', () => {
  it('approve (manual) → the admin records the bank reference → paid; a manual payout that could not be made returns the money', async () => {
    e = await edgeApp({ wechatPayouts: false });
    const { cash } = await withCash('a');
    expect(await e.call(ADMIN, 'admin', 'payoutMethods')).toEqual({ methods: ['manual'] });
    expect(await e.error(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: 'W_x', approve: true, method: 'wechat' })).toBe('INVALID_INPUT');
    const w1 = await e.call('a', 'wallet', 'withdraw', { amountFen: 2000 });
    const w2 = await e.call('a', 'wallet', 'withdraw', { amountFen: 1000 });
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w1.withdrawalId, approve: true });
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w2.withdrawalId, approve: true, method: 'manual' });
    await e.tick();
    expect((await e.call(ADMIN, 'admin', 'listWithdrawals', { status: 'paying' })).map((w: any) => w.payoutState)).toEqual(['MANUAL', 'MANUAL']);
    expect(await e.error(ADMIN, 'admin', 'confirmPayout', { withdrawalId: w1.withdrawalId, reference: '' })).toBe('INVALID_INPUT');
    await e.call(ADMIN, 'admin', 'confirmPayout', { withdrawalId: w1.withdrawalId, reference: 'ICBC-7788' });
    expect(await e.error(ADMIN, 'admin', 'confirmPayout', { withdrawalId: w1.withdrawalId, reference: 'ICBC-7788' })).toBe('CONFLICT');
    await e.call(ADMIN, 'admin', 'failPayout', { withdrawalId: w2.withdrawalId, reason: '账户信息有误' });
    const ws = await e.call('a', 'wallet', 'withdrawals');
    expect(ws.find((w: any) => w.withdrawalId === w1.withdrawalId)).toMatchObject({ status: 'paid', reference: 'ICBC-7788' });
    expect(ws.find((w: any) => w.withdrawalId === w2.withdrawalId)).toMatchObject({ status: 'failed', error: '账户信息有误' });
    expect(await e.call('a', 'wallet', 'balances')).toMatchObject({ cashFen: cash - 2000, withdrawingFen: 0 });
    const report = await ledgerOk();
    expect(report.systemBalances['CASH:ext:manual']).toBe(2000);
  });
});

describe('a merchant’s revenue', () => {
  it('is shown settled and pending, and withdrawn like a shopper’s cash (only by the owner, only what is settled)', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    await e.app.configure((c) => (c.rebate.extractionBp = 1000));
    // a store order paid and not yet completed: pending; a cashier payment: settled at once
    const sp = await e.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: s.storeId, name: '门店商品', priceFen: 10_000, costFen: 0, stock: 10 });
    await e.call('c', 'user', 'login');
    const o = await e.call('c', 'order', 'create', { lines: [{ productId: sp.productId, qty: 1 }] });
    await e.call('c', 'order', 'pay', { orderId: o.orderId });
    await e.notify(e.wx.pay(o.orderId));
    const k = await e.call('c', 'order', 'cashier', { cashierId: s.cashierId, amountFen: 30_000 });
    await e.call('c', 'order', 'pay', { orderId: k.orderId });
    await e.notify(e.wx.pay(k.orderId));
    await e.app.settled(e.clock.now);
    const rev = await e.call('merchant', 'merchant', 'revenue', { storeId: s.storeId });
    expect(rev).toMatchObject({ pendingFen: 10_000, pendingOrders: 1, withdrawingFen: 0 });
    expect(rev.settledFen).toBeGreaterThan(0);
    expect(rev.settledFen).toBeLessThanOrEqual(30_000);
    expect(await e.error('c', 'merchant', 'revenue', { storeId: s.storeId })).toBe('NOT_FOUND');
    expect(await e.error('merchant', 'merchant', 'withdraw', { storeId: s.storeId, amountFen: rev.settledFen + 1 })).toBe('INSUFFICIENT_BALANCE');
    const w = await e.call('merchant', 'merchant', 'withdraw', { storeId: s.storeId, amountFen: rev.settledFen, requestId: 'store-wd-000001' });
    // the same request again (a retry after a timeout) is the same withdrawal
    expect(await e.call('merchant', 'merchant', 'withdraw', { storeId: s.storeId, amountFen: rev.settledFen, requestId: 'store-wd-000001' })).toEqual(w);
    expect((await e.call('merchant', 'merchant', 'revenue', { storeId: s.storeId })).withdrawingFen).toBe(rev.settledFen);
    const [listed] = await e.call(ADMIN, 'admin', 'listWithdrawals', { status: 'pending' });
    expect(listed).toMatchObject({ withdrawalId: w.withdrawalId, storeId: s.storeId, amountFen: rev.settledFen });
    await e.call(ADMIN, 'admin', 'reviewWithdrawal', { withdrawalId: w.withdrawalId, approve: true });
    await e.dispatch();
    // the store owner confirms the transfer to their WeChat
    expect(await e.call('merchant', 'wallet', 'transferParams', { withdrawalId: w.withdrawalId })).toMatchObject({ package: expect.stringMatching(/^pkg-/) });
    e.wx.settleTransfer([...e.wx.transfers.keys()][0]!);
    e.later(10 * MIN);
    await e.tick();
    const after = await e.call('merchant', 'merchant', 'revenue', { storeId: s.storeId });
    expect(after).toMatchObject({ settledFen: 0, withdrawingFen: 0, paidOutFen: rev.settledFen });
    expect(after.withdrawals[0]).toMatchObject({ status: 'paid' });
    // completing the store order settles its revenue
    await e.call('c', 'order', 'complete', { orderId: o.orderId });
    const done = await e.call('merchant', 'merchant', 'revenue', { storeId: s.storeId });
    expect(done.pendingFen).toBe(0);
    expect(done.settledFen).toBeGreaterThan(0);
    await ledgerOk();
  });
});

