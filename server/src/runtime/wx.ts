import type { ImageCheck } from './images';

/**
 * Everything the product asks of WeChat's servers, behind one interface. In WeChat cloud the
 * implementation calls wx-server-sdk (app/wechat-wx.ts); in local mode nothing calls WeChat
 * (app/local-wx.ts): codes are QR images of the h5 link, payments are simulated through the real
 * notification handler, refunds are confirmed at once, messages stay recorded in the outbox, images live in a folder beside the data. Tests
 * use a fake WeChat that can time out, fail, answer twice and answer late (tests/support/fake-wx.ts).
 *
 * Every call that moves money carries an idempotency key WeChat honours — the order number
 * (out_trade_no), the refund number (out_refund_no) — so calling again after a timeout whose
 * outcome is unknown has the effect of one call. A call that fails throws a WxError that says
 * whether trying again later can help.
 */
export interface WxPort {
  readonly mode: 'local' | 'wechat';
  /** A mini-program code (wxacode.getUnlimited) opening `page` with `scene` (≤ 32 chars); returns a URL or cloud file id. */
  createMiniCode(scene: string, page: string): Promise<string>;
  /** Cloud pay unifiedOrder: returns the parameters for wx.requestPayment. */
  unifiedOrder(p: { orderId: string; amountFen: number; description: string; openid: string; notifyFunction: string }): Promise<Record<string, unknown>>;
  /** Cloud pay queryOrder by our order number: what WeChat knows of the payment. */
  queryOrder(orderId: string): Promise<WxOrderState>;
  /** Cloud pay closeOrder: no payment can be made on the prepay afterwards. `paid`: too late, it was paid (record it, do not cancel). */
  closeOrder(orderId: string): Promise<{ closed: boolean; paid: boolean }>;
  /**
   * Cloud pay refund (out_refund_no = refundNo, the same on every attempt). Resolves when WeChat
   * accepted it; the result comes later (refund callback, queryRefund) unless `status` already says.
   */
  refund(p: { orderId: string; refundNo: string; totalFen: number; refundFen: number; notifyFunction: string }): Promise<WxRefundState>;
  /** Cloud pay queryRefund by refund number. */
  queryRefund(refundNo: string): Promise<WxRefundState>;
  /** Cloud pay downloadBill (bill_type ALL) of a day YYYY-MM-DD: the bill's text, or null when there is none to have (local mode). */
  downloadBill(day: string): Promise<string | null>;
  /** subscribeMessage.send: `data` already written for the template's keys (engine/messages/template.ts). */
  sendSubscribeMessage(p: { openid: string; templateId: string; page: string; data: Record<string, { value: string }> }): Promise<void>;
  /**
   * The image behind a reference the client uploaded (runtime/images.ts): that it exists in our
   * storage, is at most MAX_IMAGE_BYTES and is a JPG/PNG/WebP/GIF by its bytes. WeChat: a cloud
   * file id of this environment (downloaded and checked); local: a file of the local image store.
   * Called before a transaction that saves a new reference, never inside one (no retried IO).
   */
  inspectImage(ref: string): Promise<ImageCheck>;
  /**
   * 发货信息管理 (wxa.sec.order.uploadShippingInfo): tell WeChat an order paid with WeChat Pay was
   * shipped (express with carrier and tracking number, or picked up at the store). Keyed by the
   * WeChat Pay transaction id; uploading the same order again with the same content is harmless.
   */
  uploadShippingInfo(p: ShippingUpload): Promise<void>;
}

/** What an order's shipping upload carries (services/fulfilment.ts builds it). */
export interface ShippingUpload {
  orderId: string;
  /** WeChat Pay's transaction id of the order (order_number_type 2) */
  transactionId: string;
  /** the payer (the buyer's openid) */
  openid: string;
  /** 1 实体物流配送 (express), 4 用户自提 (pickup) */
  logisticsType: 1 | 4;
  /** WeChat's delivery id of the carrier (express only) */
  expressCompany: string | null;
  trackingNo: string | null;
  /** 商品信息 (≤ 120 characters) */
  itemDesc: string;
  /** the receiver's phone, masked except the last 4 digits (SF requires a contact) */
  receiverContact: string | null;
  /** RFC 3339 upload time (WeChat orders updates by it) */
  uploadTime: string;
}

/** WeChat Pay's trade state of an order (cloudPay.queryOrder trade_state), or NOT_FOUND (no such order at WeChat Pay). */
export interface WxOrderState {
  state: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'NOT_FOUND';
  transactionId?: string;
  /** total_fee in fen */
  totalFen?: number;
  /** time_end */
  paidAt?: Date;
}

/** A refund's status at WeChat Pay: PROCESSING, SUCCESS, CHANGE (abnormal: handle in the merchant platform), REFUNDCLOSE, or NOT_FOUND. */
export interface WxRefundState {
  status: 'PROCESSING' | 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE' | 'NOT_FOUND';
  wxRefundId?: string;
  refundFen?: number;
  successAt?: Date;
}

/**
 * A refused or failed WeChat call. `retryable`: a timeout, a system error, a rate limit, not
 * enough balance yet — the same call may succeed later. Otherwise the request itself is wrong
 * (bad parameters, not subscribed, order too old) and repeating it cannot help.
 */
export class WxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(`${code}: ${message}`);
    this.name = 'WxError';
  }
}

/**
 * WeChat's error codes that mean the request itself is wrong, so repeating it cannot help
 * (cloud pay err_code and subscribeMessage errcode). Anything else — a timeout, a dropped
 * connection, SYSTEMERROR, a rate limit, NOTENOUGH (not enough balance yet) — may succeed later
 * and is retried with backoff, up to a limit.
 */
const PERMANENT_CODES = new Set([
  'PARAM_ERROR', 'INVALID_REQUEST', 'NOAUTH', 'SIGNERROR', 'APPID_MCHID_NOT_MATCH', 'MCHID_NOT_EXISTS', 'XML_FORMAT_ERROR',
  'USER_ACCOUNT_ABNORMAL', 'INVALID_TRANSACTIONID', 'ORDER_NOT_EXIST', 'ORDERNOTEXIST', 'REFUND_FEE_INVALID', 'TRADE_OVERDUE',
  '40003', '40037', '41030', '43101', '47003',
]);

/** An error of a call: WeChat's own code when it gave one, else the transport's (outcome unknown: retryable). */
export function asWxError(err: unknown): WxError {
  if (err instanceof WxError) return err;
  const e = err as { errCode?: unknown; errcode?: unknown; code?: unknown; errMsg?: unknown; message?: unknown };
  const code = String(e?.errCode ?? e?.errcode ?? e?.code ?? 'NETWORK');
  const message = String(e?.errMsg ?? e?.message ?? err).slice(0, 300);
  return new WxError(code, message, !PERMANENT_CODES.has(code));
}

/** Whether WeChat's code says the request can never succeed. */
export const isPermanentCode = (code: string) => PERMANENT_CODES.has(code);
