import type { WithdrawalMethod } from '../../../shared/contract';

/**
 * How a withdrawal's money leaves (SPEC §7): a payout method behind one interface, with two
 * implementations —
 *  - `wechat`: WeChat Pay 商家转账 (app/payouts/wechat-transfer.ts, through wechatpay-axios-plugin):
 *    a transfer bill the shopper confirms in the mini-program (wx.requestMerchantTransfer);
 *  - `manual`: the platform pays by bank or other transfer and an admin records the reference
 *    (app/payouts/manual.ts): nothing is called, the payout waits for that record.
 *
 * Every call carries the withdrawal's bill number (out_bill_no), the idempotency key WeChat
 * honours: starting a transfer twice makes one transfer, and asking again after a timeout returns
 * the bill that exists. Cash counts as paid out only when `state` is SUCCESS.
 */
export interface PayoutPort {
  readonly method: WithdrawalMethod;
  /** Start paying `amountFen` to the owner of `openid` (the bill number is the idempotency key). */
  start(p: PayoutRequest): Promise<PayoutState>;
  /** What the payout's state is now. */
  check(billNo: string): Promise<PayoutState>;
  /** Cancel a payout not yet confirmed (an expired WeChat transfer); answers the state after it. */
  cancel(billNo: string): Promise<PayoutState>;
  /** What the mini-program passes to wx.requestMerchantTransfer for a bill waiting for the shopper (wechat only). */
  confirmParams?(packageInfo: string): { mchId: string; appId: string; package: string };
}

export interface PayoutRequest {
  billNo: string;
  openid: string;
  amountFen: number;
  /** shown to the payee (≤ 32 characters) */
  remark: string;
  /** a shopper's cash or a store's revenue: the transfer scene may differ */
  payee: 'user' | 'store';
}

/**
 * WeChat's transfer bill states (ACCEPTED, PROCESSING, WAIT_USER_CONFIRM, TRANSFERING, SUCCESS,
 * FAIL, CANCELING, CANCELLED), NOT_FOUND (no such bill), and MANUAL (a manual payout waiting for
 * the admin's reference).
 */
export interface PayoutState {
  state: string;
  packageInfo?: string | null;
  transferBillNo?: string | null;
  failReason?: string | null;
}

/** Final states: the money left (SUCCESS), or it did not and never will for this bill (FAIL, CANCELLED). */
export const PAYOUT_SUCCESS = 'SUCCESS';
export const PAYOUT_FAILED: ReadonlySet<string> = new Set(['FAIL', 'CANCELLED']);
/** States in which the shopper can still confirm, so an expired one is cancelled first. */
export const PAYOUT_CANCELLABLE: ReadonlySet<string> = new Set(['ACCEPTED', 'WAIT_USER_CONFIRM']);

/** The payout methods of a deployment: manual always; WeChat 商家转账 when its keys are configured. */
export interface Payouts {
  manual: PayoutPort;
  wechat: PayoutPort | null;
}
