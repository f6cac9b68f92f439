import type { BillPayment, BillRefund } from './bill';

/**
 * One day's comparison (pure): every payment and refund that is on one side only, or on both with
 * different amounts. Ours are the payments recorded for that Asia/Shanghai day (by WeChat's payment
 * time) and the refunds confirmed that day; WeChat's are the bill's trade lines.
 */

export interface OurPayment {
  transactionId: string;
  orderId: string;
  amountFen: number;
}

export interface OurRefund {
  refundNo: string;
  orderId: string;
  amountFen: number;
}

export interface Difference {
  kind: 'payment' | 'refund';
  /** transaction id (payments) or refund number (refunds) */
  id: string;
  orderId: string | null;
  problem: 'missing_ours' | 'missing_wechat' | 'amount';
  oursFen: number | null;
  wechatFen: number | null;
}

export interface Comparison {
  differences: Difference[];
  wechat: { payments: number; paymentFen: number; refunds: number; refundFen: number };
  ours: { payments: number; paymentFen: number; refunds: number; refundFen: number };
}

const sum = (xs: { amountFen: number }[]) => xs.reduce((a, x) => a + x.amountFen, 0);

function diff<T extends { amountFen: number; orderId: string }>(kind: Difference['kind'], ours: Map<string, T>, theirs: Map<string, { amountFen: number; orderId: string }>): Difference[] {
  const out: Difference[] = [];
  for (const [id, o] of ours) {
    const w = theirs.get(id);
    if (!w) out.push({ kind, id, orderId: o.orderId, problem: 'missing_wechat', oursFen: o.amountFen, wechatFen: null });
    else if (w.amountFen !== o.amountFen) out.push({ kind, id, orderId: o.orderId, problem: 'amount', oursFen: o.amountFen, wechatFen: w.amountFen });
  }
  for (const [id, w] of theirs) if (!ours.has(id)) out.push({ kind, id, orderId: w.orderId || null, problem: 'missing_ours', oursFen: null, wechatFen: w.amountFen });
  return out;
}

export function compareDay(ours: { payments: OurPayment[]; refunds: OurRefund[] }, bill: { payments: BillPayment[]; refunds: BillRefund[] }): Comparison {
  // a refund line still PROCESSING at WeChat is not money out yet, as on our side
  const wxRefunds = bill.refunds.filter((r) => r.status === 'SUCCESS');
  const differences = [
    ...diff('payment', new Map(ours.payments.map((p) => [p.transactionId, p])), new Map(bill.payments.map((p) => [p.transactionId, p]))),
    ...diff('refund', new Map(ours.refunds.map((r) => [r.refundNo, r])), new Map(wxRefunds.map((r) => [r.refundNo, r]))),
  ];
  return {
    differences,
    wechat: { payments: bill.payments.length, paymentFen: sum(bill.payments), refunds: wxRefunds.length, refundFen: sum(wxRefunds) },
    ours: { payments: ours.payments.length, paymentFen: sum(ours.payments), refunds: ours.refunds.length, refundFen: sum(ours.refunds) },
  };
}
