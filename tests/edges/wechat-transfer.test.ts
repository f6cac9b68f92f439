import { createSign, createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lazyWechatTransferPayout, transferBody, wechatpayFromEnv, type WechatpayEnvConfig } from '../../server/src/app/payouts/wechat-transfer';
import { WxError } from '../../server/src/runtime/wx';

/**
 * The 商家转账 payout through the real library (wechatpay-axios-plugin) against a fake WeChat Pay
 * server played by an axios adapter: the library signs every request with the merchant key (we
 * check the signature as WeChat Pay would), and checks every answer's signature against the
 * WeChat Pay public key (an answer signed with another key is refused). Keys are generated here;
 * nothing leaves the machine.
 */

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: KeyObject, type: 'pkcs8' | 'spki') => String(k.export({ type, format: 'pem' }));
const PUB_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000000';

const env = {
  WECHATPAY_MCHID: '1900000001',
  WECHATPAY_APPID: 'wx1234567890abcdef',
  WECHATPAY_CERT_SERIAL: '3775B6A45ACD588826D15E583A95F5DD00000000',
  WECHATPAY_PRIVATE_KEY: pem(merchant.privateKey, 'pkcs8').replace(/\n/g, '\\n'), // as an env var holds it
  WECHATPAY_PUBLIC_KEY_ID: PUB_KEY_ID,
  WECHATPAY_PUBLIC_KEY: pem(platform.publicKey, 'spki'),
  WECHATPAY_TRANSFER_SCENE_ID: '1000',
  WECHATPAY_TRANSFER_SCENE_REPORT: JSON.stringify([{ info_type: '活动名称', info_content: '排队返利' }, { info_type: '奖励说明', info_content: '返利余额提现' }]),
};

interface Seen {
  method: string;
  url: string;
  body: string;
  authorization: string;
  signatureValid: boolean;
}

/** A WeChat Pay server: bills by out_bill_no; answers signed with `signer`. */
function fakeServer(signer = platform.privateKey) {
  const bills = new Map<string, Record<string, unknown>>();
  const seen: Seen[] = [];
  const adapter = async (config: { method?: string; url?: string; baseURL?: string; data?: unknown; headers: { get?: (k: string) => unknown } & Record<string, unknown> }) => {
    const method = (config.method ?? 'get').toUpperCase();
    const url = new URL(config.url!, config.baseURL);
    const body = typeof config.data === 'string' ? config.data : config.data === undefined ? '' : JSON.stringify(config.data);
    const authorization = String(config.headers.get?.('Authorization') ?? config.headers.Authorization ?? '');
    const m = /mchid="(\d+)",serial_no="([^"]+)",timestamp="(\d+)",nonce_str="([^"]+)",signature="([^"]+)"/.exec(authorization);
    let signatureValid = false;
    if (m) {
      const v = createVerify('RSA-SHA256');
      v.update(`${method}\n${url.pathname}${url.search}\n${m[3]}\n${m[4]}\n${body}\n`);
      signatureValid = v.verify(merchant.publicKey, m[5]!, 'base64');
    }
    seen.push({ method, url: url.pathname, body, authorization, signatureValid });
    let status = 200;
    let answer: Record<string, unknown>;
    const byNo = /\/transfer-bills\/out-bill-no\/([^/]+)(\/cancel)?$/.exec(url.pathname);
    if (!signatureValid) (status = 401), (answer = { code: 'SIGN_ERROR', message: '签名错误' });
    else if (method === 'POST' && url.pathname === '/v3/fund-app/mch-transfer/transfer-bills') {
      const req = JSON.parse(body) as Record<string, unknown>;
      const no = String(req.out_bill_no);
      const bill = bills.get(no) ?? { out_bill_no: no, transfer_bill_no: `1330${bills.size + 1}`, state: 'WAIT_USER_CONFIRM', package_info: `pkg-${no}`, amount: req.transfer_amount };
      bills.set(no, bill);
      answer = { out_bill_no: no, transfer_bill_no: bill.transfer_bill_no, state: bill.state, package_info: bill.package_info, create_time: '2026-03-02T10:00:00+08:00' };
    } else if (byNo && method === 'GET') {
      const bill = bills.get(byNo[1]!);
      if (!bill) (status = 404), (answer = { code: 'NOT_FOUND', message: '记录不存在' });
      else answer = { ...bill };
    } else if (byNo && byNo[2] && method === 'POST') {
      const bill = bills.get(byNo[1]!)!;
      bill.state = 'CANCELLED';
      answer = { out_bill_no: byNo[1], transfer_bill_no: bill.transfer_bill_no, state: 'CANCELING', update_time: '2026-03-02T10:00:00+08:00' };
    } else (status = 500), (answer = { code: 'SYSTEM_ERROR', message: '系统错误' });
    const text = JSON.stringify(answer);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const s = createSign('RSA-SHA256');
    s.update(`${timestamp}\n${nonce}\n${text}\n`);
    const headers = { 'content-type': 'application/json', 'wechatpay-timestamp': timestamp, 'wechatpay-nonce': nonce, 'wechatpay-serial': PUB_KEY_ID, 'wechatpay-signature': s.sign(signer, 'base64') };
    const response = { data: text, status, statusText: String(status), headers, config, request: {} };
    if (status >= 400) {
      const err = Object.assign(new Error(`Request failed with status code ${status}`), { response, config, isAxiosError: true });
      throw err;
    }
    return response;
  };
  return { adapter, bills, seen };
}

function configured(): WechatpayEnvConfig {
  const c = wechatpayFromEnv(env as unknown as NodeJS.ProcessEnv);
  expect(c).not.toBeNull();
  return c!;
}

describe('WeChat Pay 商家转账 through wechatpay-axios-plugin', () => {
  it('is configured from the environment only when every key is there', () => {
    expect(wechatpayFromEnv({} as NodeJS.ProcessEnv)).toBeNull();
    const { WECHATPAY_PUBLIC_KEY: _drop, ...partial } = env;
    expect(wechatpayFromEnv(partial as unknown as NodeJS.ProcessEnv)).toBeNull();
    const c = configured();
    expect(c.library.privateKey).toContain('-----BEGIN PRIVATE KEY-----\n'); // the env's literal \n became newlines
    expect(c.transfer.scenes.store).toEqual(c.transfer.scenes.user); // the store scene falls back to the shoppers'
  });

  it('a transfer bill is started, asked about and cancelled with signed requests; the bill number is the key; answers are checked against WeChat Pay’s public key', async () => {
    const server = fakeServer();
    const port = lazyWechatTransferPayout(configured(), { adapter: server.adapter });
    const req = { billNo: 'WABC123', openid: 'o-user-1', amountFen: 12_345, remark: '余额提现'.repeat(10), payee: 'user' as const };
    const started = await port.start(req);
    expect(started).toEqual({ state: 'WAIT_USER_CONFIRM', packageInfo: 'pkg-WABC123', transferBillNo: '13301', failReason: null });
    // the same bill again (a retry after a timeout) is the same bill
    expect(await port.start(req)).toMatchObject({ state: 'WAIT_USER_CONFIRM', transferBillNo: '13301' });
    expect(server.bills.size).toBe(1);
    const body = JSON.parse(server.seen[0]!.body);
    expect(body).toEqual(transferBody(configured().transfer, req));
    expect(body).toMatchObject({ appid: env.WECHATPAY_APPID, out_bill_no: 'WABC123', transfer_scene_id: '1000', openid: 'o-user-1', transfer_amount: 12_345 });
    expect(Array.from(body.transfer_remark as string).length).toBe(32);
    expect(await port.check('WABC123')).toMatchObject({ state: 'WAIT_USER_CONFIRM' });
    expect(await port.check('WNOPE')).toEqual({ state: 'NOT_FOUND' });
    expect(await port.cancel('WABC123')).toMatchObject({ state: 'CANCELING' });
    expect(await port.check('WABC123')).toMatchObject({ state: 'CANCELLED' });
    // every request was signed with the merchant key, as WeChat Pay checks it
    expect(server.seen.every((s) => s.signatureValid && s.authorization.startsWith(`WECHATPAY2-SHA256-RSA2048 mchid="${env.WECHATPAY_MCHID}",serial_no="${env.WECHATPAY_CERT_SERIAL}"`))).toBe(true);
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /v3/fund-app/mch-transfer/transfer-bills',
      'POST /v3/fund-app/mch-transfer/transfer-bills',
      'GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/WABC123',
      'GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/WNOPE',
      'POST /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/WABC123/cancel',
      'GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/WABC123',
    ]);
    expect(port.confirmParams!('pkg-WABC123')).toEqual({ mchId: env.WECHATPAY_MCHID, appId: env.WECHATPAY_APPID, package: 'pkg-WABC123' });
  });

  it('an answer not signed by WeChat Pay is not believed; server errors are retryable, refusals are not', async () => {
    const forged = lazyWechatTransferPayout(configured(), { adapter: fakeServer(impostor.privateKey).adapter });
    await expect(forged.start({ billNo: 'WX1', openid: 'o', amountFen: 100, remark: 'x', payee: 'user' })).rejects.toBeInstanceOf(WxError);
    const server = fakeServer();
    const port = lazyWechatTransferPayout(configured(), { adapter: server.adapter });
    const err = await port.cancel('WNOPE-NO-BILL').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WxError);
    const down = lazyWechatTransferPayout(configured(), {
      adapter: async (config: unknown) => {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', config });
      },
    });
    const e2 = (await down.check('WX').catch((e: unknown) => e)) as WxError;
    expect(e2).toBeInstanceOf(WxError);
    expect(e2.retryable).toBe(true);
  });
});
