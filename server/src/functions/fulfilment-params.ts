import { z } from 'zod';
import { id } from '../runtime/params';

/** One line of text without control characters (names, addresses, reasons). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), '不能包含控制字符');

/** 收货地址 (Taro.chooseAddress in WeChat, a form in h5). */
export const addressParam = z.strictObject({
  name: text(20),
  phone: z.string().trim().regex(/^[0-9+\- ]{6,20}$/, '手机号格式不正确'),
  province: text(20),
  city: text(20),
  district: text(20),
  detail: text(100),
});

/** 收货方式: express with an address, or pickup at the store. */
export const deliveryParam = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('express'), address: addressParam }),
  z.strictObject({ method: z.literal('pickup') }),
]);

/** 买家留言 (≤ 100 characters; empty allowed). */
export const noteParam = z
  .string()
  .trim()
  .max(100)
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), '不能包含控制字符');

/** 退款原因 (1–200 characters). */
export const reasonParam = text(200);

/** 发货: carrier code (services/fulfilment.ts CARRIERS) and tracking number; neither for pickup orders. */
export const shipParams = z.strictObject({
  orderId: id,
  carrier: z.string().regex(/^[A-Z]{2,8}$/).optional(),
  trackingNo: z.string().trim().regex(/^[A-Za-z0-9-]{4,40}$/, '快递单号为 4–40 位字母或数字').optional(),
});

/** 处理退款申请: approve or reject; a rejection needs a note. */
export const reviewParams = z.strictObject({ orderId: id, approve: z.boolean(), note: z.string().trim().max(200).optional() });

/** Order list filters of the merchant and admin order pages. */
export const orderFilter = z.enum(['all', 'toShip', 'shipped', 'afterSale', 'completed', 'refund', 'created']);
export type OrderFilter = z.infer<typeof orderFilter>;

/** The query of a filter (on top of the scope: a store's orders, or the mall's: storeId null). */
export function filterQuery(f: OrderFilter | undefined): Record<string, unknown> {
  switch (f ?? 'all') {
    case 'toShip':
      return { status: 'paid', shippedAt: null, kind: { $ne: 'cashier' } };
    case 'shipped':
      return { status: 'paid', shippedAt: { $ne: null } };
    case 'afterSale':
      return { 'afterSale.status': 'requested', status: { $in: ['paid', 'completed'] } };
    case 'completed':
      return { status: 'completed' };
    case 'refund':
      return { status: { $in: ['refunding', 'refunded'] } };
    case 'created':
      return { status: 'created' };
    default:
      return { status: { $ne: 'created' } };
  }
}
