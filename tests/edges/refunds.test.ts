import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { LEASE_MS } from '../../server/src/services/outbox/dispatch';
import { MONEY_RETRY } from '../../server/src/engine/outbox/retry';
import { ADMIN, edgeApp, edgeShop, payAtWeChat, type Edge } from './support';

/**
 * Refunds confirmed (issue 12, item 2) against a fake WeChat that times out, fails, answers twice
 * and late: every refund reaches exactly one final state, the ledger's money out is what WeChat
 * confirmed, the refund number is the only key ever sent for an order, dead letters are visible.
 */
let e: Edge;
afterEach(async () => e?.app.close());
const MIN = 60_000;

async function paidOrder(who = 'a', store = false) {
  const s = await edgeShop(e);
  let productId = s.productId;
  if (store) productId = (await e.call('merchant', 'merchant', 'upsertStoreProduct', { storeId: s.storeId, name: '门店商品', priceFen: 10_000, costFen: 0, stock: 100 })).productId;
  const { order, notification } = await payAtWeChat(e, who, productId);
  expect(await e.notify(notification)).toMatchObject({ ok: true, data: { errcode: 0 } });
  await e.app.settled(e.clock.now);
  return { ...s, order };
}

/** The ledger agrees with WeChat: money out through WeChat Pay = the refunds WeChat confirmed; nothing left in transit for final refunds. */
async function ledgerMatchesWeChat() {
  const report = await e.app.verify();
  expect(report.problems).toEqual([]);
  const paidIn = [...e.wx.orders.values()].filter((o) => o.transactionId).reduce((a, o) => a + o.amountFen, 0);
  const refundedAtWeChat = [...e.wx.refunds.values()].filter((r) => r.state === 'SUCCESS').reduce((a, r) => a + r.amountFen, 0);
  expect(0 - (report.systemBalances['CASH:ext:wxpay'] ?? 0), 'WeChat Pay: paid in − refunds it confirmed').toBe(paidIn - refundedAtWeChat);
  const open = await col(e.app.deps.store.db, 'refunds').find({ status: { $in: ['requested', 'processing', 'failed'] } }).toArray();
  expect(report.systemBalances['CASH:platform:refunds-in-transit'] ?? 0, 'in transit = refunds not yet final').toBe(open.reduce((a, r) => a + r.amountFen, 0));
  // the refund number is the only key: one per order, never two amounts for one key
  for (const [key, amounts] of e.wx.keysOf('refund')) {
    expect(key).toMatch(/^RO/);
    expect(amounts.size, `refund ${key} sent with ${amounts.size} amounts`).toBe(1);
  }
  return report;
}

describe('a refund', () => {
  it('is 退款中 until WeChat confirms by the refund callback (verified by its SOURCE); the callback twice and late changes nothing more', async () => {
    e = await edgeApp();
    const { order } = await paidOrder();
    const r = await e.call('a', 'order', 'refund', { orderId: order.orderId });
    expect(r).toMatchObject({ status: 'refunding', refundId: `R${order.orderId}` });
    // the answer went out before WeChat was called: nothing at WeChat yet
    expect(e.wx.refunds.size).toBe(0);
    let report = await e.app.verify();
    expect(report.systemBalances['CASH:platform:refunds-in-transit']).toBe(10_000);
    expect(report.systemBalances['CASH:ext:wxpay']).toBe(-10_000); // nothing out yet
    await e.dispatch();
    expect(e.wx.refunds.get(`R${order.orderId}`)).toMatchObject({ state: 'PROCESSING', amountFen: 10_000 });
    expect((await col(e.app.deps.store.db, 'refunds').findOne({ _id: `R${order.orderId}` }))!.status).toBe('processing');
    // a forged callback from a client is refused
    const event = e.wx.finishRefund(`R${order.orderId}`);
    const forged = await e.app.raw('a', 'refundNotify', { action: 'notify', ...event }, { source: 'wx_client', now: e.clock.now });
    expect(forged).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('refunding');
    // WeChat's own: twice
    e.later(MIN);
    expect(await e.refundNotify(event)).toMatchObject({ ok: true, data: { errcode: 0, status: 'succeeded', changed: true } });
    expect(await e.refundNotify(event)).toMatchObject({ ok: true, data: { errcode: 0, status: 'succeeded', changed: false } });
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('refunded');
    report = await ledgerMatchesWeChat();
    expect(report.systemBalances['CASH:ext:wxpay'] ?? 0).toBe(0);
    // the sweep has nothing left to ask
    e.later(60 * MIN);
    expect((await e.tick()).sweeps.refunds.checked).toBe(0);
  });

  it('whose callback is lost is confirmed by the queryRefund sweep', async () => {
    e = await edgeApp();
    const { order } = await paidOrder();
    await e.call('a', 'order', 'refund', { orderId: order.orderId });
    await e.dispatch();
    e.later(MIN);
    expect((await e.tick()).sweeps.refunds.checked).toBe(0); // not due yet
    e.later(2 * MIN);
    expect((await e.tick()).sweeps.refunds).toMatchObject({ checked: 1, changed: 0 }); // still PROCESSING at WeChat
    e.wx.finishRefund(`R${order.orderId}`); // the callback is lost
    e.later(5 * MIN);
    expect((await e.tick()).sweeps.refunds).toMatchObject({ checked: 1, changed: 1 });
    expect(await col(e.app.deps.store.db, 'refunds').findOne({ _id: `R${order.orderId}` })).toMatchObject({ status: 'succeeded', confirmedBy: 'sweep' });
    await ledgerMatchesWeChat();
  });

  it('whose request times out after WeChat took it is sent again with the same refund number: one refund', async () => {
    e = await edgeApp();
    const { order } = await paidOrder();
    e.wx.inject('refund', 'timeout', 'late');
    await e.call('a', 'order', 'refund', { orderId: order.orderId });
    await e.dispatch();
    const msg = await col(e.app.deps.store.db, 'outbox').findOne({ _id: `wxpay.refund:R${order.orderId}` });
    expect(msg).toMatchObject({ status: 'pending', attempts: 1, key: `R${order.orderId}` });
    expect(msg!.error).toMatch(/TIMEOUT/);
    e.later(MONEY_RETRY.baseMs);
    await e.dispatch();
    expect(await col(e.app.deps.store.db, 'outbox').findOne({ _id: msg!._id })).toMatchObject({ status: 'done', attempts: 2 });
    expect(e.wx.refunds.size).toBe(1);
    expect(e.wx.calls.filter((c) => c.method === 'refund').map((c) => c.key)).toEqual([`R${order.orderId}`, `R${order.orderId}`]);
    e.wx.finishRefund(`R${order.orderId}`);
    e.later(10 * MIN);
    await e.tick();
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('refunded');
    await ledgerMatchesWeChat();
  });

  it('a crash between WeChat accepting it and our record is recovered: the lease expires, the call is repeated with the same number', async () => {
    e = await edgeApp();
    const { order } = await paidOrder();
    await e.call('a', 'order', 'refund', { orderId: order.orderId });
    // a dispatcher claims it and calls WeChat, then dies before recording (we play its part by hand)
    const id = `wxpay.refund:R${order.orderId}`;
    await col(e.app.deps.store.db, 'outbox').updateOne({ _id: id }, { $set: { status: 'sending', lease: 'dead-dispatcher', leaseUntil: new Date(e.clock.now.getTime() + LEASE_MS) }, $inc: { attempts: 1 } });
    await e.wx.refund({ orderId: order.orderId, refundNo: `R${order.orderId}`, totalFen: 10_000, refundFen: 10_000 });
    await e.dispatch();
    expect(await col(e.app.deps.store.db, 'outbox').findOne({ _id: id })).toMatchObject({ status: 'sending' }); // its lease still holds
    e.later(LEASE_MS + 1000);
    await e.dispatch();
    expect(await col(e.app.deps.store.db, 'outbox').findOne({ _id: id })).toMatchObject({ status: 'done', attempts: 2 });
    expect(e.wx.refunds.size).toBe(1);
    expect((await col(e.app.deps.store.db, 'refunds').findOne({ _id: `R${order.orderId}` }))!.status).toBe('processing');
    e.wx.finishRefund(`R${order.orderId}`);
    e.later(10 * MIN);
    await e.tick();
    expect((await col(e.app.deps.store.db, 'refunds').findOne({ _id: `R${order.orderId}` }))!.status).toBe('succeeded');
    await ledgerMatchesWeChat();
  });

  it('that WeChat keeps refusing becomes a dead letter after backoff; admins and the merchant see it; an admin retries it (same number) and it succeeds', async () => {
    e = await edgeApp();
    const { order, storeId } = await paidOrder('a', true);
    e.wx.inject('refund', ...Array<'fail'>(MONEY_RETRY.maxAttempts).fill('fail'));
    await e.call('merchant', 'order', 'refund', { orderId: order.orderId });
    const waits: number[] = [];
    for (let i = 0; i < MONEY_RETRY.maxAttempts; i++) {
      await e.dispatch();
      const m = await col(e.app.deps.store.db, 'outbox').findOne({ _id: `wxpay.refund:R${order.orderId}` });
      if (m!.status === 'dead') break;
      waits.push(m!.nextAt!.getTime() - e.clock.now.getTime());
      e.at(m!.nextAt!);
    }
    // exponential backoff: each wait doubles until the cap
    expect(waits.slice(0, 4)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(waits.every((w, i) => i === 0 || w >= waits[i - 1]!)).toBe(true);
    const box = await e.call(ADMIN, 'admin', 'outbox', { status: 'dead' });
    expect(box.dead).toBe(1);
    expect(box.messages[0]).toMatchObject({ kind: 'wxpay.refund', key: `R${order.orderId}`, status: 'dead', attempts: MONEY_RETRY.maxAttempts });
    expect(box.messages[0].error).toMatch(/SYSTEMERROR/);
    expect(await e.call(ADMIN, 'admin', 'refunds', { status: 'failed' })).toMatchObject([{ refundId: `R${order.orderId}`, status: 'failed' }]);
    const rev = await e.call('merchant', 'merchant', 'revenue', { storeId });
    expect(rev.failedRefunds).toBe(1);
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('refunding');
    await e.call(ADMIN, 'admin', 'retryOutbox', { messageId: box.messages[0].messageId });
    await e.dispatch();
    expect(e.wx.refunds.get(`R${order.orderId}`)!.state).toBe('PROCESSING');
    e.wx.finishRefund(`R${order.orderId}`);
    e.later(5 * MIN);
    await e.tick();
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('refunded');
    expect((await e.call(ADMIN, 'admin', 'outbox', { status: 'dead' })).dead).toBe(0);
    await ledgerMatchesWeChat();
  });

  it('that WeChat closes (CHANGE) is failed for the admin, who records a refund made outside WeChat Pay: final, money out as manual', async () => {
    e = await edgeApp();
    const { order } = await paidOrder();
    await e.call(ADMIN, 'order', 'refund', { orderId: order.orderId });
    await e.dispatch();
    await e.refundNotify(e.wx.finishRefund(`R${order.orderId}`, 'CHANGE'));
    const [failed] = await e.call(ADMIN, 'admin', 'refunds', { status: 'failed' });
    expect(failed.error).toMatch(/退款异常/);
    expect(await e.error(ADMIN, 'admin', 'resolveRefund', { refundId: failed.refundId, decision: 'manual' })).toBe('INVALID_INPUT'); // a reference is required
    await e.call(ADMIN, 'admin', 'resolveRefund', { refundId: failed.refundId, decision: 'manual', reference: 'BANK-20260302-1' });
    expect(await e.error(ADMIN, 'admin', 'resolveRefund', { refundId: failed.refundId, decision: 'retry' })).toBe('CONFLICT'); // final
    expect((await e.call('a', 'order', 'get', { orderId: order.orderId })).status).toBe('refunded');
    const report = await ledgerMatchesWeChat();
    expect(report.systemBalances['CASH:ext:manual']).toBe(10_000);
  });

  it('many refunds with random faults all reach exactly one final state, and the ledger matches what WeChat confirmed', async () => {
    e = await edgeApp();
    const s = await edgeShop(e);
    const orders: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { order, notification } = await payAtWeChat(e, `s${i % 4}`, s.productId);
      await e.notify(notification);
      orders.push(order.orderId);
    }
    await e.app.settled(e.clock.now);
    const faults = ['fail', 'timeout', 'late', 'lost', 'twice'] as const;
    for (const [i, orderId] of orders.entries()) {
      e.wx.inject('refund', faults[i % faults.length]!);
      await e.call(ADMIN, 'order', 'refund', { orderId });
    }
    e.wx.inject('queryRefund', 'fail', 'timeout');
    // time passes: dispatch, WeChat finishes some (callbacks sometimes lost, sometimes twice), sweeps ask
    for (let round = 0; round < 40; round++) {
      await e.tick();
      for (const r of e.wx.refunds.values()) {
        if (r.state !== 'PROCESSING') continue;
        const ev = e.wx.finishRefund(r.refundNo, round % 7 === 3 ? 'CHANGE' : 'SUCCESS');
        if (round % 3 === 0) await e.refundNotify(ev);
        if (round % 5 === 0) await e.refundNotify(ev);
      }
      for (const f of await e.call(ADMIN, 'admin', 'refunds', { status: 'failed' })) await e.call(ADMIN, 'admin', 'resolveRefund', { refundId: f.refundId, decision: 'manual', reference: `REF-${f.refundId}` });
      e.later(15 * MIN);
    }
    const all = await col(e.app.deps.store.db, 'refunds').find({}).toArray();
    expect(all).toHaveLength(orders.length);
    for (const r of all) expect(['succeeded', 'manual'], `${r._id} ${r.status}`).toContain(r.status);
    for (const r of all.filter((x) => x.status === 'succeeded')) expect(e.wx.refunds.get(r._id)!.state).toBe('SUCCESS');
    const orderStates = await col(e.app.deps.store.db, 'orders').find({ _id: { $in: orders } }).toArray();
    expect(orderStates.every((o) => o.status === 'refunded')).toBe(true);
    const report = await ledgerMatchesWeChat();
    expect((report.systemBalances['CASH:ext:manual'] ?? 0) + [...e.wx.refunds.values()].filter((r) => r.state === 'SUCCESS').reduce((a, r) => a + r.amountFen, 0)).toBe(orders.length * 10_000);
  });
});
