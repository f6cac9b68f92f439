import type { ImageCheck } from '../../server/src/runtime/images';
import { shanghaiDay } from '../../server/src/engine/time';
import type { PayoutPort, PayoutState } from '../../server/src/runtime/payout';
import { WxError, type ShippingUpload, type WxOrderState, type WxPort, type WxRefundState } from '../../server/src/runtime/wx';

/**
 * A fake WeChat (WeChat Pay, 商家转账, subscribe messages) with its own state, for the edges tests:
 * it keeps orders, refunds and transfer bills by the keys WeChat keys them by, honours those keys
 * as WeChat does (the same refund number or bill number again answers what exists; the same key
 * with a different amount is refused), and can misbehave on demand:
 *
 *   fail       the call is refused before it has any effect (SYSTEMERROR: retryable)
 *   permanent  the call is refused for good (PARAM_ERROR)
 *   timeout    the call takes effect, but the answer never arrives (the caller sees a timeout)
 *   lost       the call never arrives (a timeout without effect)
 *   twice      the call takes effect and is answered; the caller then gets the same answer again
 *              (a duplicated delivery is modelled by the test calling the callback twice)
 *   late       the answer comes after `lateMs`
 *
 * Faults are queued per method and used up one per call (`inject`). Every call is logged with
 * its key, so a test can check that nothing was ever sent twice with different keys.
 */

export type Fault = 'fail' | 'permanent' | 'timeout' | 'lost' | 'twice' | 'late';
type Method = 'unifiedOrder' | 'queryOrder' | 'closeOrder' | 'refund' | 'queryRefund' | 'downloadBill' | 'sendSubscribeMessage' | 'transfer' | 'queryTransfer' | 'cancelTransfer' | 'uploadShippingInfo';

export interface FakeOrder {
  orderId: string;
  amountFen: number;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  transactionId: string | null;
  paidAt: Date | null;
  prepays: number;
}

export interface FakeRefund {
  refundNo: string;
  orderId: string;
  amountFen: number;
  state: 'PROCESSING' | 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE';
  wxRefundId: string;
  successAt: Date | null;
}

export interface FakeTransfer {
  billNo: string;
  openid: string;
  amountFen: number;
  state: 'WAIT_USER_CONFIRM' | 'TRANSFERING' | 'SUCCESS' | 'FAIL' | 'CANCELLED';
  packageInfo: string;
  transferBillNo: string;
}

export interface CallRecord {
  method: Method;
  key: string;
  amountFen?: number;
  outcome: 'ok' | Fault;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export class FakeWeChat implements WxPort {
  readonly mode = 'wechat' as const;
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly transfers = new Map<string, FakeTransfer>();
  readonly messages: { openid: string; templateId: string; page: string; data: Record<string, { value: string }> }[] = [];
  readonly calls: CallRecord[] = [];
  /** 发货信息管理: the uploads WeChat holds, by transaction id (a later upload replaces an earlier one, as WeChat's update does) */
  readonly shippings = new Map<string, ShippingUpload>();
  /** openids that hold no subscription (WeChat answers 43101) */
  readonly unsubscribed = new Set<string>();
  /** refunds WeChat settles at once when accepted (a balance payment) instead of later */
  refundsSucceedAtOnce = false;
  lateMs = 30;
  private faults = new Map<Method, Fault[]>();
  private seq = 0;
  /** lines to add to / drop from a day's bill (planted differences) */
  readonly billExtra = new Map<string, string[]>();
  readonly billDrop = new Set<string>();
  readonly billAmount = new Map<string, number>();
  /** the clock of effects (payments, refunds): set by tests that move time */
  now = () => new Date();

  inject(method: Method, ...faults: Fault[]): this {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...faults]);
    return this;
  }

  /** Run one call: apply the next fault for the method around its effect. */
  private async call<T>(method: Method, key: string, effect: () => T, amountFen?: number): Promise<T> {
    const fault = this.faults.get(method)?.shift();
    this.calls.push({ method, key, amountFen, outcome: fault ?? 'ok' });
    if (fault === 'fail') throw new WxError('SYSTEMERROR', `fake ${method}: system busy`, true);
    if (fault === 'permanent') throw new WxError('PARAM_ERROR', `fake ${method}: refused`, false);
    if (fault === 'lost') throw new WxError('TIMEOUT', `fake ${method}: no answer (never arrived)`, true);
    const answer = effect();
    if (fault === 'timeout') throw new WxError('TIMEOUT', `fake ${method}: no answer (took effect)`, true);
    if (fault === 'late') await sleep(this.lateMs);
    return answer;
  }

  private id(prefix: string): string {
    return `${prefix}${String(++this.seq).padStart(10, '0')}`;
  }

  // ------------------------------------------------------------------ the shopper and WeChat's side

  /** The shopper pays a prepay at WeChat: returns the notification WeChat would send (the test decides whether to deliver it). */
  pay(orderId: string, opts: { amountFen?: number } = {}): { outTradeNo: string; transactionId: string; totalFee: number; resultCode: 'SUCCESS'; returnCode: 'SUCCESS'; timeEnd: string } {
    const o = this.orders.get(orderId);
    if (!o) throw new Error(`fake: no prepay for ${orderId}`);
    if (o.state !== 'NOTPAY') throw new Error(`fake: ${orderId} is ${o.state}`);
    o.state = 'SUCCESS';
    o.transactionId = this.id('42000');
    o.paidAt = this.now();
    if (opts.amountFen !== undefined) o.amountFen = opts.amountFen;
    const t = o.paidAt;
    const timeEnd = new Date(t.getTime() + 8 * 3600_000).toISOString().replace(/[-T:]/g, '').slice(0, 14);
    return { outTradeNo: orderId, transactionId: o.transactionId, totalFee: o.amountFen, resultCode: 'SUCCESS', returnCode: 'SUCCESS', timeEnd };
  }

  /** WeChat finishes a refund (SUCCESS, or CHANGE / REFUNDCLOSE): returns the refund callback's event. */
  finishRefund(refundNo: string, state: FakeRefund['state'] = 'SUCCESS') {
    const r = this.refunds.get(refundNo);
    if (!r) throw new Error(`fake: no refund ${refundNo}`);
    r.state = state;
    if (state === 'SUCCESS') {
      r.successAt = this.now();
      const o = this.orders.get(r.orderId);
      if (o) o.state = 'REFUND';
    }
    const successTime = r.successAt ? new Date(r.successAt.getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19) : undefined;
    return { outRefundNo: refundNo, outTradeNo: r.orderId, refundId: r.wxRefundId, refundStatus: state, settlementRefundFee: r.amountFen, refundFee: r.amountFen, ...(successTime ? { successTime } : {}) };
  }

  /** The payee confirms (or the transfer fails) in WeChat. */
  settleTransfer(billNo: string, state: 'SUCCESS' | 'FAIL' = 'SUCCESS'): void {
    const t = this.transfers.get(billNo);
    if (!t) throw new Error(`fake: no transfer ${billNo}`);
    t.state = state;
  }

  // ------------------------------------------------------------------ WxPort

  async createMiniCode(scene: string): Promise<string> {
    return `cloud://fake/${scene}`;
  }

  async unifiedOrder(p: { orderId: string; amountFen: number }): Promise<Record<string, unknown>> {
    return this.call('unifiedOrder', p.orderId, () => {
      const o = this.orders.get(p.orderId) ?? { orderId: p.orderId, amountFen: p.amountFen, state: 'NOTPAY' as const, transactionId: null, paidAt: null, prepays: 0 };
      if (o.state === 'SUCCESS') throw new WxError('ORDERPAID', 'fake: already paid', false);
      if (o.amountFen !== p.amountFen) throw new WxError('INVALID_REQUEST', 'fake: same order number, different amount', false);
      o.prepays++;
      this.orders.set(p.orderId, o);
      return { timeStamp: '1', nonceStr: 'n', package: `prepay_id=${p.orderId}`, signType: 'RSA', paySign: 'fake' };
    }, p.amountFen);
  }

  async queryOrder(orderId: string): Promise<WxOrderState> {
    return this.call('queryOrder', orderId, () => {
      const o = this.orders.get(orderId);
      if (!o) return { state: 'NOT_FOUND' as const };
      return { state: o.state, transactionId: o.transactionId ?? undefined, totalFen: o.amountFen, paidAt: o.paidAt ?? undefined };
    });
  }

  async closeOrder(orderId: string): Promise<{ closed: boolean; paid: boolean }> {
    return this.call('closeOrder', orderId, () => {
      const o = this.orders.get(orderId);
      if (!o) return { closed: true, paid: false };
      if (o.state === 'SUCCESS' || o.state === 'REFUND') return { closed: false, paid: true };
      o.state = 'CLOSED';
      return { closed: true, paid: false };
    });
  }

  async refund(p: { orderId: string; refundNo: string; totalFen: number; refundFen: number }): Promise<WxRefundState> {
    return this.call('refund', p.refundNo, () => {
      const existing = this.refunds.get(p.refundNo);
      if (existing) {
        // WeChat: the same refund number again is the same refund; with another amount it is refused
        if (existing.amountFen !== p.refundFen || existing.orderId !== p.orderId) throw new WxError('INVALID_REQUEST', 'fake: refund number reused with different content', false);
        return { status: 'PROCESSING' as const, wxRefundId: existing.wxRefundId, refundFen: existing.amountFen };
      }
      const o = this.orders.get(p.orderId);
      if (!o || (o.state !== 'SUCCESS' && o.state !== 'REFUND')) throw new WxError('ORDERNOTEXIST', 'fake: order not paid', false);
      if (p.refundFen > o.amountFen) throw new WxError('INVALID_REQUEST', 'fake: refund above the payment', false);
      const r: FakeRefund = { refundNo: p.refundNo, orderId: p.orderId, amountFen: p.refundFen, state: 'PROCESSING', wxRefundId: this.id('50300'), successAt: null };
      this.refunds.set(p.refundNo, r);
      if (this.refundsSucceedAtOnce) this.finishRefund(p.refundNo);
      return { status: 'PROCESSING' as const, wxRefundId: r.wxRefundId, refundFen: r.amountFen };
    }, p.refundFen);
  }

  async queryRefund(refundNo: string): Promise<WxRefundState> {
    return this.call('queryRefund', refundNo, () => {
      const r = this.refunds.get(refundNo);
      if (!r) return { status: 'NOT_FOUND' as const };
      return { status: r.state, wxRefundId: r.wxRefundId, refundFen: r.amountFen, successAt: r.successAt ?? undefined };
    });
  }

  /** The day's bill as WeChat writes it (ALL): payments by payment day, refunds by refund day; planted differences applied. */
  async uploadShippingInfo(p: ShippingUpload): Promise<void> {
    return this.call('uploadShippingInfo', p.orderId, () => {
      const o = [...this.orders.values()].find((x) => x.transactionId === p.transactionId);
      // WeChat: 10060001 支付单不存在 (only orders paid with WeChat Pay can be uploaded)
      if (!o || o.state !== 'SUCCESS') throw new WxError('10060001', 'fake: no such payment', false);
      this.shippings.set(p.transactionId, p);
    });
  }

  /** Cloud storage is not part of this fake: every image reference counts as missing. */
  async inspectImage(_ref: string): Promise<ImageCheck> {
    return { ok: false, reason: '图片不存在' };
  }

  async downloadBill(day: string): Promise<string | null> {
    return this.call('downloadBill', day, () => {
      const header = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
      const lines: string[] = [];
      const v = (xs: string[]) => xs.map((x) => `\`${x}`).join(',');
      for (const o of this.orders.values()) {
        if (!o.paidAt || shanghaiDay(o.paidAt) !== day || !o.transactionId || this.billDrop.has(o.transactionId)) continue;
        const amount = yuan(this.billAmount.get(o.transactionId) ?? o.amountFen);
        lines.push(v(['2026-01-01 10:00:00', 'wxapp', '100', '200', '', o.transactionId, o.orderId, 'openid', 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', amount, '0.00', '0', '0', '0.00', '0.00', '', '', '商品', '', '0.00000', '0.60%', amount, '0.00', '']));
      }
      for (const r of this.refunds.values()) {
        if (!r.successAt || shanghaiDay(r.successAt) !== day || this.billDrop.has(r.refundNo)) continue;
        const o = this.orders.get(r.orderId)!;
        const amount = yuan(this.billAmount.get(r.refundNo) ?? r.amountFen);
        lines.push(v(['2026-01-01 11:00:00', 'wxapp', '100', '200', '', o.transactionId ?? '', r.orderId, 'openid', 'JSAPI', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', r.wxRefundId, r.refundNo, amount, '0.00', 'ORIGINAL', 'SUCCESS', '商品', '', '0.00000', '0.60%', yuan(o.amountFen), amount, '']));
      }
      lines.push(...(this.billExtra.get(day) ?? []));
      return [header, ...lines, '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额', v([String(lines.length), '0.00', '0.00', '0.00', '0.00000', '0.00', '0.00'])].join('\r\n');
    });
  }

  /** A trade line WeChat has and we do not (planted): a payment of `amountFen` for `orderId`. */
  plantBillPayment(day: string, transactionId: string, orderId: string, amountFen: number): void {
    const v = (xs: string[]) => xs.map((x) => `\`${x}`).join(',');
    const line = v(['2026-01-01 12:00:00', 'wxapp', '100', '200', '', transactionId, orderId, 'openid', 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', yuan(amountFen), '0.00', '0', '0', '0.00', '0.00', '', '', '商品', '', '0.00000', '0.60%', yuan(amountFen), '0.00', '']);
    this.billExtra.set(day, [...(this.billExtra.get(day) ?? []), line]);
  }

  async sendSubscribeMessage(p: { openid: string; templateId: string; page: string; data: Record<string, { value: string }> }): Promise<void> {
    return this.call('sendSubscribeMessage', p.templateId, () => {
      if (this.unsubscribed.has(p.openid)) throw new WxError('43101', 'fake: user refuse to accept the msg', false);
      this.messages.push(p);
    });
  }

  // ------------------------------------------------------------------ 商家转账 as a payout port

  payout(): PayoutPort {
    const state = (t: FakeTransfer | undefined): PayoutState => (t ? { state: t.state, packageInfo: t.state === 'WAIT_USER_CONFIRM' ? t.packageInfo : null, transferBillNo: t.transferBillNo } : { state: 'NOT_FOUND' });
    return {
      method: 'wechat',
      start: (p) =>
        this.call('transfer', p.billNo, () => {
          const t = this.transfers.get(p.billNo);
          if (t) {
            // WeChat: the same bill number answers the bill that exists; another amount is refused
            if (t.amountFen !== p.amountFen || t.openid !== p.openid) throw new WxError('INVALID_REQUEST', 'fake: bill number reused with different content', false);
            return state(t);
          }
          const created: FakeTransfer = { billNo: p.billNo, openid: p.openid, amountFen: p.amountFen, state: 'WAIT_USER_CONFIRM', packageInfo: `pkg-${p.billNo}`, transferBillNo: this.id('1330') };
          this.transfers.set(p.billNo, created);
          return state(created);
        }, p.amountFen),
      check: (billNo) => this.call('queryTransfer', billNo, () => state(this.transfers.get(billNo))),
      cancel: (billNo) =>
        this.call('cancelTransfer', billNo, () => {
          const t = this.transfers.get(billNo);
          if (t && t.state === 'WAIT_USER_CONFIRM') t.state = 'CANCELLED';
          return state(t);
        }),
      confirmParams: (packageInfo) => ({ mchId: '1900000001', appId: 'wxfake', package: packageInfo }),
    };
  }

  /** Every key a method was called with, and the amounts each key was called with (a key must never carry two amounts). */
  keysOf(method: Method): Map<string, Set<number | undefined>> {
    const m = new Map<string, Set<number | undefined>>();
    for (const c of this.calls.filter((x) => x.method === method)) m.set(c.key, (m.get(c.key) ?? new Set()).add(c.amountFen));
    return m;
  }
}
