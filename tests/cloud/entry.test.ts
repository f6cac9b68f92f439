import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app';

/** The WeChat cloud-function entry: identity and SOURCE only from getWXContext(), never from the event. */
const wxContext = { OPENID: '', SOURCE: '' };
vi.mock('wx-server-sdk', () => ({
  default: { init: () => undefined, DYNAMIC_CURRENT_ENV: 'test', getWXContext: () => wxContext },
}));

let app: TestApp;
beforeAll(async () => (app = await createTestApp()));
afterAll(async () => app.close());

async function main(name: string, exportName: string, file: string) {
  const { createMain } = await import('../../server/src/cloud/entry');
  const mod = (await import(`../../server/src/functions/${file}.ts`)) as Record<string, any>;
  // WeChat mode: the deps of the test app, with the port in 'wechat' mode
  return createMain(name, mod[exportName], async () => ({ ...app.deps, wx: { ...app.deps.wx, mode: 'wechat' } }));
}

describe('cloud entry', () => {
  it('takes the OPENID from the context and ignores userInfo / ids in the event', async () => {
    const user = await main('user', 'user', 'user');
    Object.assign(wxContext, { OPENID: 'o-real', SOURCE: 'wx_client' });
    const r = (await user({ action: 'login', userInfo: { openId: 'o-forged' } })) as any;
    expect(r.ok).toBe(true);
    const again = (await user({ action: 'me' })) as any;
    expect(again.data.userId).toBe(r.data.userId);
  });

  it('a timer-shaped event from a client cannot run the daily job; the real trigger can', async () => {
    const daily = await main('daily', 'daily', 'admin');
    Object.assign(wxContext, { OPENID: 'o-real', SOURCE: 'wx_client' });
    expect(await daily({ Type: 'Timer', TriggerName: 'daily-0000' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    Object.assign(wxContext, { OPENID: '', SOURCE: 'wx_trigger' });
    expect(await daily({ Type: 'Timer', TriggerName: 'daily-0000', Time: new Date().toISOString() })).toMatchObject({ ok: true });
  });

  it('payNotify answers WeChat Pay with errcode, and refuses a client posing as the callback', async () => {
    const notify = await main('payNotify', 'payNotify', 'order');
    Object.assign(wxContext, { OPENID: 'o-real', SOURCE: 'wx_client' });
    expect(await notify({ outTradeNo: 'O1', transactionId: 'T1', totalFee: 100, resultCode: 'SUCCESS' })).toMatchObject({ errcode: 1 });
    Object.assign(wxContext, { OPENID: '', SOURCE: 'wx_paycallback' });
    // an unknown order is refused (errcode ≠ 0 makes WeChat retry and shows up in the logs)
    expect(await notify({ outTradeNo: 'O-unknown', transactionId: 'T2', totalFee: 100, resultCode: 'SUCCESS', returnCode: 'SUCCESS' })).toMatchObject({ errcode: 1 });
  });
});
