import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, shop, startTestGateway, type TestApp } from '../helpers/app';

/** SPEC §8 over HTTP: every failure answers { ok:false, error:{code,message} }, never a crash. */
let app: TestApp;
let gw: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  app = await createTestApp();
  gw = await startTestGateway(app);
});
afterAll(async () => {
  await gw.close();
  await app.close();
});

const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const res = await fetch(gw.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, json: (await res.json()) as any };
};

describe('local gateway', () => {
  it('GET /health', async () => {
    const r = await fetch(gw.url + '/health');
    expect(await r.json()).toMatchObject({ ok: true, data: { status: 'up', mode: 'local' } });
  });

  it.each([
    ['malformed JSON', '/api/user', '{"action":', 'INVALID_INPUT'],
    ['an array body', '/api/user', '[1,2]', 'INVALID_INPUT'],
    ['no action', '/api/user', '{}', 'INVALID_INPUT'],
    ['unknown action', '/api/user', '{"action":"hack"}', 'INVALID_INPUT'],
    ['inherited property as action', '/api/user', '{"action":"toString"}', 'INVALID_INPUT'],
    ['unknown function', '/api/nosuch', '{"action":"x"}', 'NOT_FOUND'],
    ['wrong type', '/api/order', '{"action":"cashier","cashierId":1,"amountFen":100}', 'INVALID_INPUT'],
    ['fractional amount', '/api/order', '{"action":"cashier","cashierId":"C1","amountFen":1.5}', 'INVALID_AMOUNT'],
    ['negative amount', '/api/order', '{"action":"cashier","cashierId":"C1","amountFen":-100}', 'INVALID_AMOUNT'],
    ['huge amount', '/api/order', '{"action":"cashier","cashierId":"C1","amountFen":1e30}', 'INVALID_AMOUNT'],
    ['amount as a string', '/api/order', '{"action":"cashier","cashierId":"C1","amountFen":"100"}', 'INVALID_AMOUNT'],
    ['smuggled user id', '/api/wallet', '{"action":"balances","userId":"U1"}', 'INVALID_INPUT'],
    ['unknown cashier', '/api/order', '{"action":"cashier","cashierId":"C-none","amountFen":100}', 'NOT_FOUND'],
  ])('%s → %s', async (_name, path, body, code) => {
    await app.call('shopper', 'user', 'login');
    const r = await post(path, body, { 'x-openid': 'shopper' });
    expect(r.json).toMatchObject({ ok: false, error: { code } });
    expect(typeof r.json.error.message).toBe('string');
  });

  it('an oversized body is refused', async () => {
    const r = await post('/api/user', JSON.stringify({ action: 'login', pad: 'x'.repeat(100_000) }));
    expect(r.json).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('no identity: user actions are FORBIDDEN; public ones work', async () => {
    expect((await post('/api/wallet', '{"action":"balances"}')).json).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await post('/api/mall', '{"action":"listProducts"}')).json.ok).toBe(true);
  });

  it('x-now sets the clock of a request (local mode only); an invalid x-now is refused', async () => {
    const ids = await shop(app, { priceFen: 1000 });
    const h = { 'x-openid': 'clock' };
    await post('/api/user', '{"action":"login"}', h);
    const o = await post('/api/order', JSON.stringify({ action: 'cashier', cashierId: ids.cashierId, amountFen: 500 }), { ...h, 'x-now': '2026-08-01T10:00:00+08:00' });
    expect(o.json.data.createdAt).toBe('2026-08-01T02:00:00.000Z');
    expect((await post('/api/user', '{"action":"me"}', { ...h, 'x-now': 'yesterday' })).json.error.code).toBe('INVALID_INPUT');
  });
});
