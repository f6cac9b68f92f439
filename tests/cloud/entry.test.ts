import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, createTestApp, type TestApp } from '../helpers/app';
import { col } from '../../server/src/repo/db';
import { SCHEMA_VERSION, readSchema } from '../../server/src/repo/schema';

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

  it('a failed cold start (no server) answers within the selection timeout, closes its client and retries on the next call', async () => {
    const { MongoClient } = await import('mongodb');
    const { createMain } = await import('../../server/src/cloud/entry');
    const mod = await import('../../server/src/functions/user');
    const close = vi.spyOn(MongoClient.prototype, 'close');
    const saved = process.env.MONGODB_URI;
    process.env.MONGODB_URI = 'mongodb://127.0.0.1:9/?directConnection=true'; // nothing listens there
    try {
      const user = createMain('user', mod.user);
      Object.assign(wxContext, { OPENID: 'o-real', SOURCE: 'wx_client' });
      const t0 = Date.now();
      await expect(user({ action: 'me' })).rejects.toThrow();
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(close).toHaveBeenCalledTimes(1);
      await expect(user({ action: 'me' })).rejects.toThrow(); // a new attempt, not the cached failure
      expect(close).toHaveBeenCalledTimes(2);
    } finally {
      if (saved === undefined) delete process.env.MONGODB_URI;
      else process.env.MONGODB_URI = saved;
      close.mockRestore();
    }
  }, 30_000);

  it('connection options fit a cloud function: every wait bounded inside one call', async () => {
    const { CLOUD_CLIENT_OPTIONS } = await import('../../server/src/cloud/entry');
    expect(CLOUD_CLIENT_OPTIONS).toMatchObject({ serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000, socketTimeoutMS: 20000, maxIdleTimeMS: 30000 });
    for (const k of ['serverSelectionTimeoutMS', 'connectTimeoutMS', 'socketTimeoutMS'] as const) expect(CLOUD_CLIENT_OPTIONS[k]!).toBeLessThan(60_000);
  });
});

describe('cloud entry on a database older than the code', () => {
  let old: TestApp;
  beforeAll(async () => {
    old = await createTestApp({ setup: 'none' });
    old.deps.store.schema = await readSchema(old.deps.store.db);
  });
  afterAll(async () => old.close());

  const mainOf = async (name: string, exportName: string, file: string) => {
    const { createMain } = await import('../../server/src/cloud/entry');
    const mod = (await import(`../../server/src/functions/${file}.ts`)) as Record<string, any>;
    return createMain(name, mod[exportName], async () => ({ ...old.deps, wx: { ...old.deps.wx, mode: 'wechat' } }));
  };

  it('refuses every call but the setup step with a clear message; admin.setupDatabase upgrades it and the calls go through', async () => {
    expect(old.deps.store.schema).toMatchObject({ ok: false, version: 0, needed: SCHEMA_VERSION });
    const user = await mainOf('user', 'user', 'user');
    Object.assign(wxContext, { OPENID: ADMIN, SOURCE: 'wx_client' });
    const refused = (await user({ action: 'login' })) as any;
    expect(refused).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(refused.error.message).toMatch(/v0 低于代码所需的 v\d+.*db:setup/);
    expect(await col(old.deps.store.db, 'users').countDocuments({})).toBe(0);

    // not an admin: the setup step is refused by its access rule
    Object.assign(wxContext, { OPENID: 'o-shopper', SOURCE: 'wx_client' });
    const admin = await mainOf('admin', 'admin', 'admin');
    expect(await admin({ action: 'setupDatabase' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    Object.assign(wxContext, { OPENID: ADMIN, SOURCE: 'wx_client' });
    const setup = (await admin({ action: 'setupDatabase' })) as any;
    expect(setup).toMatchObject({ ok: true, data: { from: 0, version: SCHEMA_VERSION, done: true } });
    expect((await user({ action: 'login' })) as any).toMatchObject({ ok: true });
  });
});

