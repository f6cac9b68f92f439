import { ADMIN, createTestApp, shop, type TestApp } from '../helpers/app';
import { FakeWeChat } from '../support/fake-wx';

/**
 * The edges tests run the app in WeChat mode against the fake WeChat (tests/support/fake-wx.ts),
 * with the outbox driven by hand (`afterAnswer: 'off'`): a test decides when the dispatcher and
 * the sweeps run and what time it is then, as the outbox function's timer would.
 */
export interface Edge {
  app: TestApp;
  wx: FakeWeChat;
  /** the business clock of the test (moved by `at`) */
  clock: { now: Date };
  at(iso: string | Date): Date;
  later(ms: number): Date;
  /** WeChat Pay's payment callback, from its SOURCE */
  notify(event: Record<string, unknown>): Promise<any>;
  /** WeChat Pay's refund callback, from its SOURCE */
  refundNotify(event: Record<string, unknown>): Promise<any>;
  /** what the outbox function does on its timer: the sweeps, then the dispatcher until nothing is due */
  tick(): Promise<{ sweeps: any; outbox: any }>;
  /** just the dispatcher */
  dispatch(): Promise<any>;
  call<T = any>(openid: string | null, fn: string, action: string, params?: Record<string, unknown>): Promise<T>;
  error(openid: string | null, fn: string, action: string, params?: Record<string, unknown>): Promise<string>;
}

export const T0 = '2026-03-02T10:00:00+08:00';

export async function edgeApp(opts: { wechatPayouts?: boolean } = {}): Promise<Edge> {
  const wx = new FakeWeChat();
  const clock = { now: new Date(T0) };
  wx.now = () => clock.now;
  const app = await createTestApp({ wx, payouts: opts.wechatPayouts === false ? {} : { wechat: wx.payout() }, outbox: { afterAnswer: 'off' } });
  const e: Edge = {
    app,
    wx,
    clock,
    at: (iso) => (clock.now = new Date(iso)),
    later: (ms) => (clock.now = new Date(clock.now.getTime() + ms)),
    notify: (event) => app.raw(null, 'payNotify', { action: 'notify', ...event }, { source: 'wx_paycallback', now: clock.now }),
    refundNotify: (event) => app.raw(null, 'refundNotify', { action: 'notify', ...event }, { source: 'wx_paycallback', now: clock.now }),
    async tick() {
      const sweeps = await app.call(ADMIN, 'admin', 'sweep', {}, { now: clock.now });
      await app.settled(clock.now);
      const outbox = await app.deps.outbox.drain(clock.now);
      return { sweeps, outbox };
    },
    dispatch: () => app.deps.outbox.drain(clock.now),
    call: (openid, fn, action, params = {}) => app.call(openid, fn, action, params, { now: clock.now }),
    error: (openid, fn, action, params = {}) => app.error(openid, fn, action, params, { now: clock.now }),
  };
  return e;
}

/** A shop (admin, a mall product, an approved store with a cashier) for the edges tests. */
export async function edgeShop(e: Edge, priceFen = 10_000) {
  const s = await shop(e.app, { priceFen, costFen: 0 });
  return s;
}

/** Create a mall order as `openid`, have WeChat Pay make a prepay (order.pay) and the shopper pay it; the notification is returned, not delivered. */
export async function payAtWeChat(e: Edge, openid: string, productId: string, qty = 1) {
  await e.call(openid, 'user', 'login');
  const o = await e.call(openid, 'order', 'create', { lines: [{ productId, qty }] });
  const pay = await e.call(openid, 'order', 'pay', { orderId: o.orderId });
  if (!pay.payment?.package) throw new Error('expected WeChat Pay parameters from order.pay');
  return { order: o, notification: e.wx.pay(o.orderId) };
}

export { ADMIN };
