/**
 * The contract both sides share: enumerations the server stores, validates and answers with and
 * the client shows, and the few rules both need (the exchange arithmetic). Dependency-free (no
 * imports), so the server (tsx, esbuild) and the client (Taro's webpack, vitest) import it as is.
 *
 * Each enumeration is a `const` tuple (what `z.enum(...)` takes) with its union type. Label maps
 * typed `Record<Union, string>` (server or client) fail to compile when a member is added here
 * and not labelled there.
 */

/** What a pending entry's unpaid remainder can be exchanged into (兑换). */
export const EXCHANGE_TARGETS = ['points', 'love', 'voucher'] as const;
export type ExchangeTarget = (typeof EXCHANGE_TARGETS)[number];

/** What each target is called, to shoppers and in the server's answers. */
export const EXCHANGE_TARGET_TEXT: Record<ExchangeTarget, string> = { points: '积分', love: '爱心值', voucher: '购物券' };

/** The exchange settings' ratio field per target (null ratio = the target is not offered). */
export const EXCHANGE_BP_FIELD = { points: 'pointsBp', love: 'loveBp', voucher: 'voucherBp' } as const satisfies Record<ExchangeTarget, string>;

export type ExchangeRatios = { readonly [T in ExchangeTarget as (typeof EXCHANGE_BP_FIELD)[T]]: number | null };

/** The ratio (bp) the settings give a target, or null when the target is not offered. */
export function exchangeBp(settings: ExchangeRatios, target: ExchangeTarget): number | null {
  return settings[EXCHANGE_BP_FIELD[target]];
}

/**
 * What `remainingFen` becomes at `bp`: floor(remaining × bp / 10000). Exact for the integers the
 * server stores (it checks them and computes with BigInt); the client uses it for previews.
 */
export function exchangeQuantity(remainingFen: number, bp: number): number {
  return Math.floor((remainingFen * bp) / 10000);
}

/** An order's status; refunding (退款中): the refund is recorded and waits for WeChat Pay to confirm it. */
export const ORDER_STATUSES = ['created', 'paid', 'completed', 'refunding', 'refunded', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Where an order comes from: the mall, a store's products, a store's cashier (收银台). */
export const ORDER_KINDS = ['mall', 'store', 'cashier'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

/** A queue entry's status; every one but pending has left its queue. */
export const ENTRY_STATUSES = ['pending', 'completed', 'exchanged', 'expired', 'cancelled'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** 收货方式: delivered by express, or picked up at the store. */
export const DELIVERY_METHODS = ['express', 'pickup'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

/** A withdrawal's status (提现): pending → rejected | paying → paid | failed. */
export const WITHDRAWAL_STATUSES = ['pending', 'paying', 'paid', 'rejected', 'failed'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

/** How a withdrawal is paid out: WeChat Pay 商家转账, or a manual payout the admin records. */
export const WITHDRAWAL_METHODS = ['wechat', 'manual'] as const;
export type WithdrawalMethod = (typeof WITHDRAWAL_METHODS)[number];

/** The subscribe messages (订阅消息) the product sends. */
export const MESSAGE_KINDS = ['payout', 'completed', 'lottery', 'exit', 'refund', 'withdrawal', 'shipped'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** What a field holds, which decides the template key types it may fill (template.ts COMPATIBLE). */
export type FieldType = 'amount' | 'time' | 'percent' | 'text' | 'code';

export interface FieldDef {
  label: string;
  type: FieldType;
}

/** The names shown to shoppers when they are asked to subscribe, and to the operator. */
export const MESSAGE_TITLES: Record<MessageKind, string> = {
  payout: '返利到账提醒',
  completed: '排队完成提醒',
  lottery: '抽奖结果通知',
  exit: '绿色积分出局提醒',
  refund: '退款结果通知',
  withdrawal: '提现结果通知',
  shipped: '订单发货通知',
};

const timeField: FieldDef = { label: '时间', type: 'time' };
const noteField: FieldDef = { label: '说明', type: 'text' };

export const MESSAGE_FIELDS: Record<MessageKind, Record<string, FieldDef>> = {
  payout: { amount: { label: '到账金额', type: 'amount' }, source: { label: '来源', type: 'text' }, time: timeField, note: noteField },
  completed: { amount: { label: '本次到账', type: 'amount' }, source: { label: '来源', type: 'text' }, time: timeField, note: noteField },
  lottery: { ratio: { label: '抽中比例', type: 'percent' }, amount: { label: '权益金额', type: 'amount' }, time: timeField, note: noteField },
  exit: { amount: { label: '出局到账', type: 'amount' }, time: timeField, note: noteField },
  refund: { amount: { label: '退款金额', type: 'amount' }, order: { label: '订单号', type: 'code' }, status: { label: '退款状态', type: 'text' }, time: timeField, note: noteField },
  withdrawal: { amount: { label: '提现金额', type: 'amount' }, status: { label: '提现状态', type: 'text' }, time: timeField, note: noteField },
  shipped: { order: { label: '订单号', type: 'code' }, goods: { label: '商品', type: 'text' }, carrier: { label: '快递公司', type: 'text' }, tracking: { label: '快递单号', type: 'code' }, time: timeField, note: noteField },
};

/**
 * The error codes of the public interface (SPEC §8): what `{ ok: false, error: { code } }` may
 * say. The server's default messages and the client's texts are Record<ErrorCode, string>.
 */
export const ERROR_CODE_LIST = ['INVALID_INPUT', 'INVALID_AMOUNT', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'LIMIT_REACHED', 'LOTTERY_USED', 'INSUFFICIENT_BALANCE', 'CONFIG_INVALID', 'INTERNAL'] as const;
export type ErrorCode = (typeof ERROR_CODE_LIST)[number];

/** 商品图片: at most this many per product, the first is the cover. */
export const MAX_PRODUCT_IMAGES = 6;

/** An uploaded image's largest size (1 MiB), checked by the client before uploading and by the server before saving a reference. */
export const MAX_IMAGE_BYTES = 1024 * 1024;

/** 昵称: at most this many characters (an emoji is one) after trimming. */
export const NICKNAME_MAX_CHARS = 20;

/** 首页横幅: at most this many slides. */
export const MAX_BANNER_SLIDES = 5;

/** True when `value` is one of `tuple`'s members (narrows a string read from outside). */
export function isOneOf<T extends string>(tuple: readonly T[], value: string): value is T {
  return (tuple as readonly string[]).includes(value);
}

/** Integer fen → `¥12.34`; negative → `-¥0.05`; no thousands separator; not a finite number → `¥--`. */
export function formatFen(fen: number): string {
  if (!Number.isFinite(fen)) return '¥--';
  const n = Math.round(fen);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const cents = abs % 100;
  return `${sign}¥${Math.floor(abs / 100)}.${cents < 10 ? '0' : ''}${cents}`;
}
