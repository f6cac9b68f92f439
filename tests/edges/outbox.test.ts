import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { makeDeps } from '../../server/src/app/deps';
import { DISPATCH_CONCURRENCY } from '../../server/src/services/outbox/dispatch';
import { ADMIN, createTestApp, shop, type TestApp } from '../helpers/app';
import { FakeWeChat } from '../support/fake-wx';

/**
 * The outbox (issue 12, item 1) and subscribe messages end to end (item 5): templates and field
 * mapping from the settings, WeChat's length rules per key type, what the shopper agreed to, sends
 * only from the dispatcher after the answer, never twice from two dispatchers, dead letters.
 */
let app: TestApp;
afterEach(async () => app?.close());

async function configured(a: TestApp, wx: FakeWeChat) {
  const s = await shop(a, { priceFen: 10_000 });
  await a.configure((c) => {
    c.rebate.extractionBp = 6500;
    c.messages.payout = { templateId: 'TPL_PAYOUT_1', fields: [{ key: 'amount1', field: 'amount' }, { key: 'thing2', field: 'source' }, { key: 'time3', field: 'time' }, { key: 'thing4', field: 'note' }] };
  });
  await a.call('merchant', 'merchant', 'setStoreConfig', { storeId: s.storeId, name: '一家名字特别特别特别特别长的社区便利店（旗舰）' });
  void wx;
  return s;
}

/** Six subscribed shoppers pay in turn at one cashier: each later payment pays earlier ones, queueing payout messages. */
async function subscribedPayouts(a: TestApp, wx: FakeWeChat) {
  const s = await configured(a, wx);
  for (const who of ['a', 'b', 'c', 'd', 'e', 'f']) {
    await a.call(who, 'user', 'login');
    await a.call(who, 'user', 'subscribe', { results: { TPL_PAYOUT_1: 'accept' } });
    const o = await a.call(who, 'order', 'cashier', { cashierId: s.cashierId, amountFen: 10_000 });
    await a.call(who, 'order', 'pay', { orderId: o.orderId });
    await a.raw(null, 'payNotify', { action: 'notify', ...wx.pay(o.orderId) }, { source: 'wx_paycallback' });
    await a.settled();
  }
}

/** A test app whose outbox sends nothing on its own, with subscribed payouts queued and the next `late` sends taking `lateMs` each. */
async function appWithSlowSends(lateMs: number, late: number): Promise<FakeWeChat> {
  const wx = new FakeWeChat();
  wx.lateMs = lateMs;
  app = await createTestApp({ wx, outbox: { afterAnswer: 'off' } });
  await subscribedPayouts(app, wx);
  wx.inject('sendSubscribeMessage', ...Array<'late'>(late).fill('late'));
  return wx;
}

describe('subscribe messages end to end', () => {
  it('the shopper subscribes, a payout is sent with the operator’s template and mapping within WeChat’s length rules; a shopper who did not subscribe is skipped, not a dead letter', async () => {
    const wx = new FakeWeChat();
    app = await createTestApp({ wx, outbox: { afterAnswer: 'off' } });
    const s = await configured(app, wx);
    await app.call('a', 'user', 'login');
    const subs = await app.call('a', 'user', 'subscriptions');
    expect(subs.kinds).toEqual([{ kind: 'payout', title: '返利到账提醒', templateId: 'TPL_PAYOUT_1', remaining: 0, last: null, at: null }]);
    // wx.requestSubscribeMessage answered accept (twice: two one-time subscriptions)
    await app.call('a', 'user', 'subscribe', { results: { TPL_PAYOUT_1: 'accept' } });
    const after = await app.call('a', 'user', 'subscribe', { results: { TPL_PAYOUT_1: 'accept', TPL_OTHER: 'accept' } });
    expect(after.kinds[0]).toMatchObject({ kind: 'payout', remaining: 2, last: 'accept' });
    expect(await app.error('a', 'user', 'subscribe', { results: { TPL_PAYOUT_1: 'maybe' } })).toBe('INVALID_INPUT');

    // A pays at the cashier (joins the queue), B pays: A receives a payout → a message
    const pay = async (who: string, amountFen = 10_000) => {
      await app.call(who, 'user', 'login');
      const o = await app.call(who, 'order', 'cashier', { cashierId: s.cashierId, amountFen });
      await app.call(who, 'order', 'pay', { orderId: o.orderId });
      await app.raw(null, 'payNotify', { action: 'notify', ...wx.pay(o.orderId) }, { source: 'wx_paycallback' });
      await app.settled();
    };
    await pay('a');
    wx.unsubscribed.add('b');
    await pay('b');
    await pay('c', 20_000); // extracts ¥130: the rest of A's entry (completed) and ¥65 to B (not subscribed at WeChat)
    expect(wx.messages).toEqual([]); // nothing before the dispatcher runs
    const r = await app.deps.outbox.drain(new Date());
    expect(r.dead).toBe(0);
    const toA = wx.messages.filter((m) => m.openid === 'a');
    expect(toA.length).toBeGreaterThan(0);
    const m = toA[0]!;
    expect(m).toMatchObject({ templateId: 'TPL_PAYOUT_1', page: 'pages/queue/index' });
    expect(m.data.amount1!.value).toMatch(/^\d+\.\d{2}元$/);
    expect(Array.from(m.data.thing2!.value).length).toBeLessThanOrEqual(20);
    expect(m.data.time3!.value).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
    expect(Array.from(m.data.thing4!.value).length).toBeLessThanOrEqual(20);
    // B's was refused by WeChat (43101): skipped with the reason, never retried, never dead
    const toB = await col(app.deps.store.db, 'outbox').find({ userId: (await app.call('b', 'user', 'me')).userId, kind: 'payout' }).toArray();
    expect(toB.length).toBeGreaterThan(0);
    expect(toB.every((x) => x.status === 'skipped' && /43101/.test(String(x.result?.reason)))).toBe(true);
    // A's subscriptions were used up as sent
    expect((await app.call('a', 'user', 'subscriptions')).kinds[0].remaining).toBe(Math.max(0, 2 - toA.length));
    // kinds without a template are skipped (the queue entry's `completed` …), nothing dead
    expect(await col(app.deps.store.db, 'outbox').countDocuments({ status: 'dead' })).toBe(0);
  });

  it('the operator’s mapping is checked when saved: a key that is not WeChat’s, a field a key type cannot take, too many keys', async () => {
    app = await createTestApp();
    await app.call(ADMIN, 'user', 'login');
    const cfg = await app.call(ADMIN, 'admin', 'getConfig');
    const bad = async (payout: unknown) => {
      const r = await app.raw(ADMIN, 'admin', { action: 'setConfig', config: { ...cfg, messages: { ...cfg.messages, payout } } });
      return r.ok ? 'ok' : `${r.error.code} ${r.error.message}`;
    };
    expect(await bad({ templateId: 'T1', fields: [{ key: 'title1', field: 'amount' }] })).toMatch(/^CONFIG_INVALID .*订阅消息.*title1/);
    expect(await bad({ templateId: 'T1', fields: [{ key: 'time1', field: 'amount' }] })).toMatch(/^CONFIG_INVALID .*不能填入 time/);
    expect(await bad({ templateId: 'T1', fields: [1, 2, 3, 4, 5, 6].map((i) => ({ key: `thing${i}`, field: 'note' })) })).toMatch(/最多 5 个字段/);
    expect(await bad({ templateId: 'T 1', fields: [] })).toMatch(/^CONFIG_INVALID/);
    expect(await bad({ templateId: 'T1', fields: [{ key: 'amount1', field: 'amount' }, { key: 'phrase2', field: 'note' }] })).toBe('ok');
  });
});

describe('dispatch never delays an answer and never sends twice', () => {
  it('in WeChat mode a call only starts the outbox function (asynchronously); the sends happen there', async () => {
    const wx = new FakeWeChat();
    const started: string[] = [];
    app = await createTestApp({ wx, outbox: { trigger: async () => void started.push('outbox') } });
    const s = await configured(app, wx);
    await app.call('a', 'user', 'login');
    const o = await app.call('a', 'order', 'cashier', { cashierId: s.cashierId, amountFen: 10_000 });
    await app.call('a', 'order', 'pay', { orderId: o.orderId });
    await app.raw(null, 'payNotify', { action: 'notify', ...wx.pay(o.orderId) }, { source: 'wx_paycallback' });
    await app.settled();
    await app.call(ADMIN, 'order', 'refund', { orderId: o.orderId }); // queues the refund call
    expect(started.length).toBeGreaterThan(0);
    expect(wx.refunds.size).toBe(0); // the refund call was not made by the call that answered
    expect(wx.messages).toEqual([]);
    // the outbox function (its timer or its start) sends
    const run = await app.call(ADMIN, 'outbox', 'run', {});
    expect(run.outbox.done).toBeGreaterThan(0);
    expect(wx.refunds.size).toBe(1);
  });

  it('two dispatchers running at once never send the same message twice (claims with leases)', async () => {
    const wx = await appWithSlowSends(5, 20);
    const other = makeDeps(app.deps.store, wx, { adminOpenids: [ADMIN], outbox: { afterAnswer: 'off' } });
    const now = new Date();
    await Promise.all([app.deps.outbox.drain(now), other.outbox.drain(now), app.deps.outbox.drain(now)]);
    const done = await col(app.deps.store.db, 'outbox').countDocuments({ kind: 'payout', status: 'done' });
    expect(done).toBeGreaterThan(0);
    expect(wx.messages.length).toBe(done);
  });

  it('one dispatcher overlaps a few sends (at most DISPATCH_CONCURRENCY), each message once', async () => {
    const wx = await appWithSlowSends(20, 50);
    let inFlight = 0;
    let most = 0;
    const send = wx.sendSubscribeMessage.bind(wx);
    wx.sendSubscribeMessage = async (p) => {
      most = Math.max(most, ++inFlight);
      try {
        return await send(p);
      } finally {
        inFlight--;
      }
    };
    await app.deps.outbox.drain(new Date());
    const done = await col(app.deps.store.db, 'outbox').countDocuments({ kind: 'payout', status: 'done' });
    expect(done).toBeGreaterThan(2);
    expect(wx.messages.length).toBe(done);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(DISPATCH_CONCURRENCY);
    expect(await col(app.deps.store.db, 'outbox').countDocuments({ status: { $in: ['pending', 'sending'] } })).toBe(0);
  });

  it('a permanent error is a dead letter at once, listed with its error; an admin retries it', async () => {
    const wx = new FakeWeChat();
    app = await createTestApp({ wx, outbox: { afterAnswer: 'off' } });
    const s = await configured(app, wx);
    await app.call('a', 'user', 'login');
    const o = await app.call('a', 'order', 'cashier', { cashierId: s.cashierId, amountFen: 10_000 });
    await app.call('a', 'order', 'pay', { orderId: o.orderId });
    await app.raw(null, 'payNotify', { action: 'notify', ...wx.pay(o.orderId) }, { source: 'wx_paycallback' });
    await app.settled();
    await app.call(ADMIN, 'order', 'refund', { orderId: o.orderId });
    wx.inject('refund', 'permanent');
    await app.deps.outbox.drain(new Date());
    const box = await app.call(ADMIN, 'admin', 'outbox', { status: 'dead' });
    expect(box.messages).toMatchObject([{ kind: 'wxpay.refund', attempts: 1, status: 'dead' }]);
    expect(box.messages[0].error).toMatch(/PARAM_ERROR/);
    expect(await app.error(ADMIN, 'admin', 'retryOutbox', { messageId: 'nope' })).toBe('CONFLICT');
    expect(await app.error('a', 'admin', 'retryOutbox', { messageId: box.messages[0].messageId })).toBe('FORBIDDEN');
    await app.call(ADMIN, 'admin', 'retryOutbox', { messageId: box.messages[0].messageId });
    await app.deps.outbox.drain(new Date());
    expect(wx.refunds.size).toBe(1);
    expect((await app.call(ADMIN, 'admin', 'outbox', { status: 'dead' })).dead).toBe(0);
    expect(await col(app.deps.store.db, 'refunds').findOne({ orderId: o.orderId })).toMatchObject({ status: 'processing' });
  });
});
