import type { ImageCheck } from './images';

/**
 * Everything the product asks of WeChat's servers, behind one interface. In WeChat cloud
 * the implementation calls wx-server-sdk; in local mode nothing calls WeChat: codes are
 * QR images of the h5 link, payments are simulated through the real notification handler,
 * subscribe messages are recorded in the outbox, and images live in a folder beside the data.
 */
export interface WxPort {
  readonly mode: 'local' | 'wechat';
  /** A mini-program code (wxacode.getUnlimited) opening `page` with `scene` (≤ 32 chars); returns a URL or cloud file id. */
  createMiniCode(scene: string, page: string): Promise<string>;
  /** Cloud pay unifiedOrder: returns the parameters for wx.requestPayment. */
  unifiedOrder(p: { orderId: string; amountFen: number; description: string; openid: string; notifyFunction: string }): Promise<Record<string, unknown>>;
  /** Cloud pay refund of an order's cash (out_refund_no = refundId); throws on failure (the outbox records it). */
  refundPayment(p: { orderId: string; refundId: string; totalFen: number; refundFen: number }): Promise<void>;
  /** Subscribe message to a shopper; throws on failure (the outbox records it). */
  sendSubscribeMessage(openid: string, kind: string, data: Record<string, string>): Promise<void>;
  /**
   * The image behind a reference the client uploaded (runtime/images.ts): that it exists in our
   * storage, is at most MAX_IMAGE_BYTES and is a JPG/PNG/WebP/GIF by its bytes. WeChat: a cloud
   * file id of this environment (downloaded and checked); local: a file of the local image store.
   * Called before a transaction that saves a new reference, never inside one (no retried IO).
   */
  inspectImage(ref: string): Promise<ImageCheck>;
}
