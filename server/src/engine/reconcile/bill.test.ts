import { describe, expect, it } from 'vitest';
import { parseWxBill, yuanToFen } from './bill';
import { compareDay } from './compare';

/** A bill as WeChat Pay writes it (bill_type ALL), two trades and a refund, then the summary. */
const BILL = [
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
  '`2026-03-02 13:51:31,`wxfdc955f7104ad557,`180023671,`176531292,`,`4200006120,`O1,`oZWa,`JSAPI,`SUCCESS,`OTHERS,`CNY,`100.00,`0.00,`0,`0,`0.00,`0.00,`,`,`大米,`,`0.60000,`0.60%,`100.00,`0.00,`',
  '`2026-03-02 14:00:00,`wxfdc955f7104ad557,`180023671,`176531292,`,`4200006121,`O2,`oZWa,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`大米,`,`0.00000,`0.60%,`0.01,`0.00,`',
  '`2026-03-02 15:00:00,`wxfdc955f7104ad557,`180023671,`176531292,`,`4200006120,`O1,`oZWa,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`50300001,`RO1,`100.00,`0.00,`ORIGINAL,`SUCCESS,`大米,`,`-0.60000,`0.60%,`100.00,`100.00,`',
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  '`3,`100.01,`100.00,`0.00,`0.00000,`100.01,`100.00',
].join('\r\n');

describe('WeChat Pay’s bill', () => {
  it('yuan text to fen, exactly, from the digits', () => {
    expect(yuanToFen('100.00')).toBe(10_000);
    expect(yuanToFen('0.01')).toBe(1);
    expect(yuanToFen('12.3')).toBe(1230);
    expect(yuanToFen('7')).toBe(700);
    expect(yuanToFen('-0.60')).toBe(-60);
    expect(yuanToFen('1.005')).toBeNull();
    expect(yuanToFen('abc')).toBeNull();
    expect(yuanToFen('0.29')).toBe(29); // 0.29 * 100 = 28.999… in floats
  });

  it('parses trades and refunds by column name and stops at the summary', () => {
    const bill = parseWxBill(BILL);
    expect(bill.payments).toEqual([
      { transactionId: '4200006120', orderId: 'O1', amountFen: 10_000 },
      { transactionId: '4200006121', orderId: 'O2', amountFen: 1 },
    ]);
    expect(bill.refunds).toEqual([{ refundNo: 'RO1', orderId: 'O1', amountFen: 10_000, status: 'SUCCESS' }]);
    expect(bill.unreadable).toBe(0);
    expect(parseWxBill('')).toEqual({ payments: [], refunds: [], unreadable: 0 });
  });

  it('the comparison lists each difference once: missing on either side, a different amount; a refund still processing at WeChat is not money out', () => {
    const bill = parseWxBill(BILL);
    bill.refunds.push({ refundNo: 'RO9', orderId: 'O9', amountFen: 500, status: 'PROCESSING' });
    const cmp = compareDay(
      {
        payments: [
          { transactionId: '4200006120', orderId: 'O1', amountFen: 10_000 },
          { transactionId: '4200006121', orderId: 'O2', amountFen: 2 },
          { transactionId: '4200006199', orderId: 'O3', amountFen: 300 },
        ],
        refunds: [],
      },
      bill,
    );
    expect(cmp.differences).toEqual([
      { kind: 'payment', id: '4200006121', orderId: 'O2', problem: 'amount', oursFen: 2, wechatFen: 1 },
      { kind: 'payment', id: '4200006199', orderId: 'O3', problem: 'missing_wechat', oursFen: 300, wechatFen: null },
      { kind: 'refund', id: 'RO1', orderId: 'O1', problem: 'missing_ours', oursFen: null, wechatFen: 10_000 },
    ]);
    expect(cmp.wechat).toEqual({ payments: 2, paymentFen: 10_001, refunds: 1, refundFen: 10_000 });
  });
});
