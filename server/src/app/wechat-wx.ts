import { randomBytes } from 'node:crypto';
import { parseWxTime } from '../engine/time';
import { WxError, asWxError, isPermanentCode, type WxOrderState, type WxPort, type WxRefundState } from '../runtime/wx';
import { CLOUD_IMAGE_ID, MAX_IMAGE_BYTES, checkImageBytes, IMAGE_TOO_BIG } from '../runtime/images';

/**
 * WeChat cloud: the open APIs and cloud pay (云支付) through wx-server-sdk — no access token,
 * certificate or signature handling inside cloud functions. Env: CLOUD_PAY_SUB_MCH_ID (the cloud
 * pay merchant), CLOUD_ENV (the environment whose functions receive the pay and refund callbacks).
 * Subscribe-message templates are settings (PluginConfig.messages), not environment.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cloud = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;

const nonce = () => randomBytes(16).toString('hex');

/** Cloud pay answers returnCode/resultCode (+ errCode) instead of throwing: a FAIL becomes a WxError. */
function checkPay(res: Answer, what: string): Answer {
  if (res?.returnCode !== 'SUCCESS') {
    // communication failed or was refused: no business code means "try again"
    throw new WxError(String(res?.errCode || 'SYSTEMERROR'), `${what}: ${res?.returnMsg ?? 'returnCode FAIL'}`, true);
  }
  if (res.resultCode && res.resultCode !== 'SUCCESS') {
    const code = String(res.errCode ?? res.err_code ?? 'FAIL');
    throw new WxError(code, `${what}: ${res.errCodeDes ?? res.err_code_des ?? code}`, !isPermanentCode(code));
  }
  return res;
}

/** The first element of a cloud pay list field (queryRefund answers lists per refund) or the scalar. */
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

export function wechatWx(cloud: Cloud, env: NodeJS.ProcessEnv = process.env): WxPort {
  const subMchId = env.CLOUD_PAY_SUB_MCH_ID;
  const envId = env.CLOUD_ENV;
  const call = async (fn: () => Promise<Answer>): Promise<Answer> => {
    try {
      return await fn();
    } catch (err) {
      throw asWxError(err);
    }
  };
  return {
    mode: 'wechat',
    async createMiniCode(scene, page) {
      const res = await cloud.openapi.wxacode.getUnlimited({ scene, page, checkPath: false });
      const upload = await cloud.uploadFile({ cloudPath: `cashier-codes/${scene.replace(/[^A-Za-z0-9]/g, '_')}.jpg`, fileContent: res.buffer });
      return upload.fileID as string;
    },
    async unifiedOrder(p) {
      const res = await call(() =>
        cloud.cloudPay.unifiedOrder({
          body: p.description,
          outTradeNo: p.orderId,
          spbillCreateIp: '127.0.0.1',
          subMchId,
          totalFee: p.amountFen,
          envId,
          functionName: p.notifyFunction,
          nonceStr: nonce(),
          tradeType: 'JSAPI',
        }),
      );
      checkPay(res, 'unifiedOrder');
      return res.payment as Record<string, unknown>;
    },
    async queryOrder(orderId): Promise<WxOrderState> {
      const res = await call(() => cloud.cloudPay.queryOrder({ sub_mch_id: subMchId, out_trade_no: orderId, nonce_str: nonce() }));
      if (res.returnCode === 'SUCCESS' && res.resultCode !== 'SUCCESS' && String(res.errCode) === 'ORDERNOTEXIST') return { state: 'NOT_FOUND' };
      checkPay(res, 'queryOrder');
      return {
        state: String(res.tradeState ?? res.trade_state) as WxOrderState['state'],
        transactionId: res.transactionId ?? res.transaction_id,
        totalFen: Number(res.totalFee ?? res.total_fee),
        paidAt: parseWxTime(res.timeEnd ?? res.time_end),
      };
    },
    async closeOrder(orderId) {
      const res = await call(() => cloud.cloudPay.closeOrder({ sub_mch_id: subMchId, out_trade_no: orderId, nonce_str: nonce() }));
      if (res.returnCode === 'SUCCESS' && res.resultCode !== 'SUCCESS') {
        const code = String(res.errCode ?? '');
        if (code === 'ORDERPAID') return { closed: false, paid: true };
        if (code === 'ORDERCLOSED') return { closed: true, paid: false };
      }
      checkPay(res, 'closeOrder');
      return { closed: true, paid: false };
    },
    async refund(p): Promise<WxRefundState> {
      const res = await call(() =>
        cloud.cloudPay.refund({
          sub_mch_id: subMchId,
          nonce_str: nonce(),
          out_trade_no: p.orderId,
          out_refund_no: p.refundNo,
          total_fee: p.totalFen,
          refund_fee: p.refundFen,
          envId,
          functionName: p.notifyFunction,
        }),
      );
      checkPay(res, 'refund');
      // accepted; the result arrives by the refund callback or queryRefund
      return { status: 'PROCESSING', wxRefundId: res.refundId ?? res.refund_id, refundFen: Number(res.refundFee ?? res.refund_fee ?? p.refundFen) };
    },
    async queryRefund(refundNo): Promise<WxRefundState> {
      const res = await call(() => cloud.cloudPay.queryRefund({ sub_mch_id: subMchId, out_refund_no: refundNo, nonce_str: nonce() }));
      if (res.returnCode === 'SUCCESS' && res.resultCode !== 'SUCCESS' && String(res.errCode) === 'REFUNDNOTEXIST') return { status: 'NOT_FOUND' };
      checkPay(res, 'queryRefund');
      return {
        status: String(first(res.refundStatusList) ?? res.refundStatus ?? res.refund_status_0 ?? 'PROCESSING') as WxRefundState['status'],
        wxRefundId: first(res.refundIdList) ?? res.refund_id_0,
        refundFen: Number(first(res.settlementRefundFeeList) ?? first(res.refundFeeList) ?? res.refund_fee_0) || undefined,
        successAt: parseWxTime(first(res.refundSuccessTimeList) ?? res.refund_success_time_0),
      };
    },
    async downloadBill(day) {
      const res = await call(() => cloud.cloudPay.downloadBill({ sub_mch_id: subMchId, nonce_str: nonce(), bill_date: day.replace(/-/g, ''), bill_type: 'ALL' }));
      // no trade that day: WeChat answers FAIL with "No Bill Exist" (20002)
      if (res.returnCode === 'FAIL' && /No Bill Exist/i.test(String(res.returnMsg ?? ''))) return '';
      if (typeof res.data === 'string') return res.data;
      if (typeof res.respdata === 'string') return res.respdata;
      if (res.fileContent) return Buffer.from(res.fileContent).toString('utf8');
      checkPay(res, 'downloadBill');
      return String(res.data ?? '');
    },
    async sendSubscribeMessage(p) {
      await call(() => cloud.openapi.subscribeMessage.send({ touser: p.openid, templateId: p.templateId, page: p.page, data: p.data, miniprogramState: env.MINIPROGRAM_STATE || 'formal' }));
    },
    async uploadShippingInfo(p) {
      // 发货信息录入 (cloud call wxa.sec.order.uploadShippingInfo; the permission is listed for the outbox function)
      const api = (cloud.openapi as any).wxa?.sec?.order?.uploadShippingInfo ?? (cloud.openapi as any).wxa?.uploadShippingInfo;
      if (typeof api !== 'function') throw new WxError('NO_API', 'wx-server-sdk has no wxa.sec.order.uploadShippingInfo', false);
      const res = await call(() =>
        api({
          orderKey: { orderNumberType: 2, transactionId: p.transactionId },
          logisticsType: p.logisticsType,
          deliveryMode: 1,
          shippingList: [
            {
              ...(p.trackingNo ? { trackingNo: p.trackingNo, expressCompany: p.expressCompany } : {}),
              itemDesc: p.itemDesc,
              ...(p.receiverContact ? { contact: { receiverContact: p.receiverContact } } : {}),
            },
          ],
          uploadTime: p.uploadTime,
          payer: { openid: p.openid },
        }),
      );
      const code = (res as { errCode?: number; errcode?: number } | undefined)?.errCode ?? (res as { errcode?: number } | undefined)?.errcode ?? 0;
      // 10060001 支付单不存在 / 10060003 已完成的单 等: the request itself is wrong; anything else may pass later
      if (code !== 0) throw new WxError(String(code), `uploadShippingInfo: ${(res as { errMsg?: string })?.errMsg ?? code}`, String(code).startsWith('1006') ? false : !isPermanentCode(String(code)));
    },
    async inspectImage(ref) {
      // the mini-program uploaded it to cloud storage itself (wx.cloud.uploadFile): check it is ours and what it holds
      if (!CLOUD_IMAGE_ID.test(ref)) return { ok: false, reason: '图片须先上传到云存储' };
      if (env.CLOUD_ENV && !ref.startsWith(`cloud://${env.CLOUD_ENV}.`)) return { ok: false, reason: '图片不属于本小程序的云环境' };
      let content: Buffer;
      try {
        const res = await cloud.downloadFile({ fileID: ref });
        content = res.fileContent as Buffer;
      } catch {
        return { ok: false, reason: '找不到该图片，请重新上传' };
      }
      // checkImageBytes also refuses what is too big; say so before sniffing a large buffer
      if (content.length > MAX_IMAGE_BYTES) return { ok: false, reason: IMAGE_TOO_BIG };
      return checkImageBytes(content);
    },
  };
}
