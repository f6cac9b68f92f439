import QRCode from 'qrcode';
import type { WxPort } from '../runtime/wx';
import type { LocalImageStore } from './local-images';

/**
 * Local mode: nothing calls WeChat. A cashier's "mini-program code" is a QR code of the h5
 * cashier link carrying the same scene; payments are simulated by order.pay through the real
 * notification handler; a refund is "confirmed" as soon as the outbox sends it (the same recording
 * path as WeChat's answer, callback and query); subscribe messages stay recorded in the outbox;
 * images are files of the
 * local image store (uploaded to the gateway's /upload/image), none when it is not given.
 * There is no WeChat Pay bill to reconcile with.
 */
export function localWx(publicUrl: string, images?: LocalImageStore): WxPort {
  return {
    mode: 'local',
    async createMiniCode(scene, page) {
      const url = `${publicUrl.replace(/\/$/, '')}/#/${page}?scene=${encodeURIComponent(scene)}`;
      return QRCode.toDataURL(url, { margin: 1, width: 240 });
    },
    async unifiedOrder() {
      throw new Error('local mode: payments are simulated by order.pay');
    },
    async queryOrder() {
      // no prepay is ever made locally, so the payment sweep has nothing to ask about
      return { state: 'NOT_FOUND' };
    },
    async closeOrder() {
      return { closed: true, paid: false };
    },
    async refund(p) {
      // no money leaves the machine: the simulated WeChat Pay confirms at once
      return { status: 'SUCCESS', wxRefundId: `SIM${p.refundNo}`, refundFen: p.refundFen, successAt: new Date() };
    },
    async queryRefund(refundNo) {
      return { status: 'SUCCESS', wxRefundId: `SIM${refundNo}` };
    },
    async downloadBill() {
      return null;
    },
    async sendSubscribeMessage() {
      // recorded by the outbox; nothing leaves the machine
    },
    async uploadShippingInfo() {
      // recorded by the outbox (the message is marked done); nothing leaves the machine
    },
    async inspectImage(ref) {
      return images ? images.inspect(ref) : { ok: false, reason: '本地图片存储未开启' };
    },
  };
}
