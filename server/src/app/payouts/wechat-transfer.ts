import { WxError } from '../../runtime/wx';
import type { PayoutPort, PayoutRequest, PayoutState } from '../../runtime/payout';

/**
 * WeChat Pay 商家转账 (the 2025 flow in which the payee confirms receipt in the mini-program):
 *   POST /v3/fund-app/mch-transfer/transfer-bills                               start (out_bill_no)
 *   GET  /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}     check
 *   POST /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}/cancel
 * A started bill is WAIT_USER_CONFIRM with a `package_info`, which the mini-program hands to
 * wx.requestMerchantTransfer; the shopper confirms, WeChat pays (TRANSFERING → SUCCESS) or not
 * (FAIL, CANCELLED). The bill number is the idempotency key: the same out_bill_no never pays twice.
 *
 * Signing, the WeChat Pay public key check of every answer and the transport are the library's
 * (wechatpay-axios-plugin, the APIv3 SDK WeChat Pay's documentation lists for Node.js); this
 * module only maps our request and WeChat's answers. It reaches the library through
 * `TransferClient`, so tests can run the real library against a fake WeChat Pay server (an axios
 * adapter that signs its answers) or replace it altogether.
 */

export interface TransferScene {
  /** transfer_scene_id, e.g. 1000 (现金营销) — the scene the merchant platform granted */
  sceneId: string;
  /** transfer_scene_report_infos the scene requires, e.g. [{ info_type: '活动名称', info_content: '…' }] */
  reportInfos: { info_type: string; info_content: string }[];
  /** user_recv_perception: what the payee sees as the reason, one of the scene's values (optional) */
  perception?: string;
}

export interface WechatTransferConfig {
  mchid: string;
  /** the mini-program's appid (the payees' openids belong to it) */
  appid: string;
  scenes: { user: TransferScene; store: TransferScene };
}

/** The part of the library's chained client this module uses. */
export interface TransferClient {
  create(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  query(outBillNo: string): Promise<Record<string, unknown>>;
  cancel(outBillNo: string): Promise<Record<string, unknown>>;
}

/** Errors WeChat Pay answers with that a later attempt can get past. */
const RETRYABLE = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'NOT_ENOUGH', 'FREQUENCY_LIMIT_EXCEED', 'RATELIMIT_EXCEEDED']);

/** An axios error of the library as a WxError: WeChat's code when it answered, else a transport failure (retryable). */
export function transferError(err: unknown): WxError {
  if (err instanceof WxError) return err;
  const e = err as { response?: { status?: number; data?: unknown }; code?: string; message?: string };
  const status = e?.response?.status;
  const raw = e?.response?.data;
  const data = (typeof raw === 'string' ? safeJson(raw) : raw) as { code?: string; message?: string } | null;
  if (status === undefined) return new WxError(e?.code ?? 'NETWORK', String(e?.message ?? err).slice(0, 300), true);
  const code = data?.code ?? `HTTP_${status}`;
  return new WxError(code, String(data?.message ?? e?.message ?? status).slice(0, 300), status >= 500 || status === 429 || RETRYABLE.has(code));
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

const stateOf = (d: Record<string, unknown>): PayoutState => ({
  state: String(d.state ?? 'PROCESSING'),
  packageInfo: (d.package_info as string | undefined) ?? null,
  transferBillNo: (d.transfer_bill_no as string | undefined) ?? null,
  failReason: (d.fail_reason as string | undefined) ?? null,
});

/** The body of a transfer bill (amounts in fen, the remark cut to WeChat's 32 characters). */
export function transferBody(cfg: WechatTransferConfig, p: PayoutRequest): Record<string, unknown> {
  const scene = cfg.scenes[p.payee];
  return {
    appid: cfg.appid,
    out_bill_no: p.billNo,
    transfer_scene_id: scene.sceneId,
    openid: p.openid,
    transfer_amount: p.amountFen,
    transfer_remark: Array.from(p.remark).slice(0, 32).join(''),
    ...(scene.perception ? { user_recv_perception: scene.perception } : {}),
    transfer_scene_report_infos: scene.reportInfos,
  };
}

export function wechatTransferPayout(cfg: WechatTransferConfig, client: TransferClient): PayoutPort {
  const guarded = async (fn: () => Promise<Record<string, unknown>>): Promise<PayoutState> => {
    try {
      return stateOf(await fn());
    } catch (err) {
      throw transferError(err);
    }
  };
  return {
    method: 'wechat',
    start: (p) => guarded(() => client.create(transferBody(cfg, p))),
    async check(billNo) {
      try {
        return stateOf(await client.query(billNo));
      } catch (err) {
        const e = transferError(err);
        if (e.code === 'NOT_FOUND') return { state: 'NOT_FOUND' };
        throw e;
      }
    },
    cancel: (billNo) => guarded(() => client.cancel(billNo)),
    confirmParams: (packageInfo) => ({ mchId: cfg.mchid, appId: cfg.appid, package: packageInfo }),
  };
}

/** A PEM from the environment: the text itself (with literal \n allowed) or a file:// path, as the library reads both. */
export function pemFromEnv(v: string): string {
  return v.startsWith('file://') ? v : v.replace(/\\n/g, '\n');
}

export interface WechatpayEnvConfig {
  transfer: WechatTransferConfig;
  /** what `new Wechatpay(…)` of wechatpay-axios-plugin takes */
  library: { mchid: string; serial: string; privateKey: string; certs: Record<string, string> };
}

const DEFAULT_SCENE: TransferScene = {
  sceneId: '1000',
  reportInfos: [
    { info_type: '活动名称', info_content: '排队返利' },
    { info_type: '奖励说明', info_content: '返利余额提现' },
  ],
  perception: '现金奖励',
};

function sceneFromEnv(env: NodeJS.ProcessEnv, prefix: string, fallback: TransferScene): TransferScene {
  const report = env[`${prefix}_REPORT`];
  return {
    sceneId: env[`${prefix}_ID`] || fallback.sceneId,
    reportInfos: report ? (JSON.parse(report) as TransferScene['reportInfos']) : fallback.reportInfos,
    perception: env[`${prefix}_PERCEPTION`] ?? fallback.perception,
  };
}

/**
 * The WeChat Pay settings from the environment, or null when 商家转账 is not configured (then
 * only manual payouts are offered). See README, "WeChat Pay 商家转账".
 */
export function wechatpayFromEnv(env: NodeJS.ProcessEnv = process.env): WechatpayEnvConfig | null {
  const { WECHATPAY_MCHID: mchid, WECHATPAY_APPID: appid, WECHATPAY_CERT_SERIAL: serial, WECHATPAY_PRIVATE_KEY: key, WECHATPAY_PUBLIC_KEY_ID: pubId, WECHATPAY_PUBLIC_KEY: pub } = env;
  if (!mchid || !appid || !serial || !key || !pubId || !pub) return null;
  const user = sceneFromEnv(env, 'WECHATPAY_TRANSFER_SCENE', DEFAULT_SCENE);
  const store = sceneFromEnv(env, 'WECHATPAY_STORE_TRANSFER_SCENE', user);
  return {
    transfer: { mchid, appid, scenes: { user, store } },
    library: { mchid, serial, privateKey: pemFromEnv(key), certs: { [pubId]: pemFromEnv(pub) } },
  };
}

/**
 * The library's client for the three transfer-bill calls. `extra` is merged into the library's
 * (axios) configuration: tests pass an `adapter` that plays WeChat Pay.
 */
export async function wechatpayTransferClient(library: WechatpayEnvConfig['library'], extra: Record<string, unknown> = {}): Promise<TransferClient> {
  // loaded when first used: only the functions that pay out carry the library (cloudfunctions/outbox)
  const { Wechatpay } = await import('wechatpay-axios-plugin');
  const wxpay = new Wechatpay({ ...library, ...extra } as ConstructorParameters<typeof Wechatpay>[0]);
  // the chain turns each segment into the path: v3/fund-app/mch-transfer/transfer-bills[/out-bill-no/{out_bill_no}[/cancel]]
  const bills = wxpay.v3!.fundApp!.mchTransfer!.transferBills!;
  const byNo = bills.outBillNo!._out_bill_no_!;
  return {
    create: async (body) => (await bills.post(body)).data as Record<string, unknown>,
    query: async (no) => (await byNo.get({ out_bill_no: no } as never)).data as Record<string, unknown>,
    cancel: async (no) => (await byNo.cancel!.post({}, { out_bill_no: no } as never)).data as Record<string, unknown>,
  };
}

/** A PayoutPort whose library client is created on first use (a cold start that never pays out never loads it). */
export function lazyWechatTransferPayout(env: WechatpayEnvConfig, extra: Record<string, unknown> = {}): PayoutPort {
  let client: Promise<TransferClient> | null = null;
  const lazy: TransferClient = {
    create: async (b) => (await (client ??= wechatpayTransferClient(env.library, extra))).create(b),
    query: async (n) => (await (client ??= wechatpayTransferClient(env.library, extra))).query(n),
    cancel: async (n) => (await (client ??= wechatpayTransferClient(env.library, extra))).cancel(n),
  };
  return wechatTransferPayout(env.transfer, lazy);
}
