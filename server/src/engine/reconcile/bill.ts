/**
 * WeChat Pay's daily bill (downloadBill, bill_type ALL) as rows we can compare. The bill is text:
 * a header line of column names, one line per trade with every value prefixed by a backtick, then
 * a summary header and a summary line. Amounts are yuan with two decimals ("12.34"), converted to
 * fen from the digits (never through floats). Columns are found by name, since WeChat's header
 * differs a little between merchant kinds (总金额 / 应结订单金额 / 订单金额).
 *
 * A trade line is a payment (交易状态 SUCCESS …) or a refund (交易状态 REFUND, with 商户退款单号);
 * a trade paid and refunded the same day appears twice.
 */

export interface BillPayment {
  transactionId: string;
  orderId: string;
  amountFen: number;
}

export interface BillRefund {
  refundNo: string;
  orderId: string;
  amountFen: number;
  /** SUCCESS, PROCESSING … as the bill says */
  status: string;
}

export interface ParsedBill {
  payments: BillPayment[];
  refunds: BillRefund[];
  /** trade lines the parser could not read (reported, never guessed) */
  unreadable: number;
}

/** '12.34', '12.3', '12', '-0.01' yuan → fen; null when it is not such a number. */
export function yuanToFen(text: string): number | null {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) return null;
  return m[1] ? -fen : fen;
}

const clean = (v: string | undefined) => (v ?? '').replace(/^`/, '').trim();

function column(header: string[], ...names: string[]): number {
  for (const n of names) {
    const i = header.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

export function parseWxBill(text: string): ParsedBill {
  const bill: ParsedBill = { payments: [], refunds: [], unreadable: 0 };
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const headerAt = lines.findIndex((l) => l.startsWith('交易时间'));
  if (headerAt < 0) return bill;
  const header = lines[headerAt]!.split(',').map((h) => h.trim());
  const c = {
    txn: column(header, '微信订单号'),
    order: column(header, '商户订单号'),
    status: column(header, '交易状态'),
    total: column(header, '订单金额', '总金额', '应结订单金额'),
    refundNo: column(header, '商户退款单号'),
    refund: column(header, '申请退款金额', '退款金额'),
    refundStatus: column(header, '退款状态'),
  };
  for (const line of lines.slice(headerAt + 1)) {
    if (!line.startsWith('`')) break; // the summary section
    const v = line.split(',').map(clean);
    const status = v[c.status] ?? '';
    if (status === 'REFUND') {
      const amount = yuanToFen(v[c.refund] ?? '');
      const refundNo = v[c.refundNo] ?? '';
      if (amount === null || !refundNo) {
        bill.unreadable++;
        continue;
      }
      bill.refunds.push({ refundNo, orderId: v[c.order] ?? '', amountFen: amount, status: v[c.refundStatus] || 'SUCCESS' });
      continue;
    }
    const amount = yuanToFen(v[c.total] ?? '');
    const txn = v[c.txn] ?? '';
    if (amount === null || !txn) {
      bill.unreadable++;
      continue;
    }
    bill.payments.push({ transactionId: txn, orderId: v[c.order] ?? '', amountFen: amount });
  }
  return bill;
}
