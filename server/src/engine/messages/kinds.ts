/**
 * Subscribe messages (订阅消息, SPEC §7): the kinds the product sends and, per kind, the fields it
 * can fill into a template. Which WeChat template a kind uses and which of its keys each field
 * goes to is the operator's setting (`PluginConfig.messages`), because template ids and their
 * keys (`thing1`, `amount2`, `time3` …) come from the templates the operator picked in the
 * mini-program console; the fields below are what we can offer.
 */

import { MESSAGE_FIELDS, MESSAGE_KINDS, MESSAGE_TITLES, type FieldDef, type FieldType, type MessageKind } from '../../../../shared/contract';

// the kinds, their titles and fields are the contract's (the admin's template form shows them)
export { MESSAGE_FIELDS, MESSAGE_KINDS, MESSAGE_TITLES, type FieldDef, type FieldType, type MessageKind };

export const isMessageKind = (k: string): k is MessageKind => (MESSAGE_KINDS as readonly string[]).includes(k);

/** The page a message opens (within the mini-program). */
export const MESSAGE_PAGES: Record<MessageKind, string> = {
  payout: 'pages/queue/index',
  completed: 'pages/queue/index',
  lottery: 'pages/queue/index',
  exit: 'pages/green/index',
  refund: 'pages/orders/index',
  withdrawal: 'pages/wallet/index',
  shipped: 'pages/orders/index',
};

/** A field's value before it is written for a key type. */
export type FieldValue = { type: 'amount'; fen: number } | { type: 'time'; at: Date } | { type: 'percent'; bp: number } | { type: 'text' | 'code'; text: string };

/** Fixed notes: plain words, never a promise of a date or an amount (SPEC §6). */
const NOTES: Record<MessageKind, string> = {
  payout: '来自后续订单的提取，已到余额',
  completed: '该排队权益已全部到账',
  lottery: '抽奖结果已生效',
  exit: '绿色积分达到出局倍数，已自动提现到余额',
  refund: '退款按原路退回',
  withdrawal: '提现进度已更新',
  shipped: '商品已发出，请留意物流',
};

const int = (v: string | undefined) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : 0;
};

/**
 * The values of a message's fields, from the data its event recorded (amounts in fen as strings,
 * as the outbox stores them) and the time the event happened.
 */
export function messageValues(kind: MessageKind, data: Record<string, string>, at: Date): Record<string, FieldValue> {
  const common = { time: { type: 'time', at } as FieldValue, note: { type: 'text', text: NOTES[kind] } as FieldValue };
  const amount: FieldValue = { type: 'amount', fen: int(data.amount ?? data.amountFen) };
  switch (kind) {
    case 'payout':
    case 'completed':
      // the daily union release tells a shopper once for all their entries it paid (data.count)
      if (kind === 'completed' && int(data.count) > 1) common.note = { type: 'text', text: `${int(data.count)}笔排队权益已全部到账` };
      return { ...common, amount, source: { type: 'text', text: data.queue || '排队返利' } };
    case 'lottery':
      return { ...common, amount, ratio: { type: 'percent', bp: int(data.ratioBp) || Math.round(parseFloat(data.ratio ?? '0') * 100) } };
    case 'exit':
      // the settler's payout step tells a shopper once for all their lots that exited (data.count)
      if (int(data.count) > 1) common.note = { type: 'text', text: `${int(data.count)}笔绿色积分出局，已自动提现到余额` };
      return { ...common, amount };
    case 'refund':
      // a rejected refund request (fulfilment.ts) must not say the money is on its way
      if (data.outcome === 'rejected') common.note = { type: 'text', text: '退款申请未通过，商家说明见订单详情' };
      return { ...common, amount, order: { type: 'code', text: data.orderId ?? '' }, status: { type: 'text', text: data.status ?? '' } };
    case 'withdrawal':
      return { ...common, amount, status: { type: 'text', text: data.status ?? '' } };
    case 'shipped': {
      // 到店自提: nothing travels; the goods wait at the store
      const pickup = data.method === 'pickup';
      if (pickup) common.note = { type: 'text', text: '商品已备好，请到店自提' };
      return { ...common, order: { type: 'code', text: data.orderId ?? '' }, goods: { type: 'text', text: data.goods ?? '' }, carrier: { type: 'text', text: pickup ? '到店自提' : (data.carrier ?? '') }, tracking: { type: 'code', text: pickup ? '-' : (data.trackingNo ?? '') } };
    }
  }
}
