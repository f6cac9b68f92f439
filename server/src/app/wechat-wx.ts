import type { WxPort } from '../runtime/wx';
import { CLOUD_IMAGE_ID, MAX_IMAGE_BYTES, checkImageBytes, IMAGE_TOO_BIG } from '../runtime/images';

/**
 * WeChat cloud: the open APIs through wx-server-sdk (no access token handling needed inside
 * cloud functions). Env: CLOUD_PAY_SUB_MCH_ID (cloud pay merchant), CLOUD_ENV, and the
 * subscribe-message template ids TEMPLATE_PAYOUT, TEMPLATE_COMPLETED, TEMPLATE_LOTTERY, TEMPLATE_EXIT.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Cloud = any;

const TEMPLATE_ENV: Record<string, string> = { payout: 'TEMPLATE_PAYOUT', completed: 'TEMPLATE_COMPLETED', lottery: 'TEMPLATE_LOTTERY', exit: 'TEMPLATE_EXIT' };

export function wechatWx(cloud: Cloud, env: NodeJS.ProcessEnv = process.env): WxPort {
  return {
    mode: 'wechat',
    async createMiniCode(scene, page) {
      const res = await cloud.openapi.wxacode.getUnlimited({ scene, page, checkPath: false });
      const upload = await cloud.uploadFile({ cloudPath: `cashier-codes/${scene.replace(/[^A-Za-z0-9]/g, '_')}.jpg`, fileContent: res.buffer });
      return upload.fileID as string;
    },
    async unifiedOrder(p) {
      const res = await cloud.cloudPay.unifiedOrder({
        body: p.description,
        outTradeNo: p.orderId,
        spbillCreateIp: '127.0.0.1',
        subMchId: env.CLOUD_PAY_SUB_MCH_ID,
        totalFee: p.amountFen,
        envId: env.CLOUD_ENV,
        functionName: p.notifyFunction,
      });
      if (res.returnCode !== 'SUCCESS' || res.resultCode !== 'SUCCESS') throw new Error(`unifiedOrder failed: ${res.returnMsg ?? res.errCodeDes ?? 'unknown'}`);
      return res.payment as Record<string, unknown>;
    },
    async refundPayment(p) {
      const res = await cloud.cloudPay.refund({
        sub_mch_id: env.CLOUD_PAY_SUB_MCH_ID,
        nonce_str: p.refundId.slice(-32),
        out_trade_no: p.orderId,
        out_refund_no: p.refundId,
        total_fee: p.totalFen,
        refund_fee: p.refundFen,
        envId: env.CLOUD_ENV,
        functionName: 'payNotify',
      });
      if (res.returnCode !== 'SUCCESS' || res.resultCode !== 'SUCCESS') throw new Error(`refund failed: ${res.returnMsg ?? res.errCodeDes ?? 'unknown'}`);
    },
    async sendSubscribeMessage(openid, kind, data) {
      const templateId = env[TEMPLATE_ENV[kind] ?? ''];
      if (!templateId) throw new Error(`no template id configured for ${kind}`);
      const fields = Object.fromEntries(Object.entries(data).slice(0, 5).map(([k, v], i) => [`thing${i + 1}`, { value: `${k}:${v}`.slice(0, 20) }]));
      await cloud.openapi.subscribeMessage.send({ touser: openid, templateId, page: 'pages/queue/index', data: fields });
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
