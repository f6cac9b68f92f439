/**
 * Withdrawals as the shopper, the merchant and the admin see them (server: services/payouts.ts),
 * and the shopper's confirmation of a WeChat Pay transfer (商家转账: wx.requestMerchantTransfer).
 */
import Taro from '@tarojs/taro'
import { call } from './api'
import type { Withdrawal, WithdrawalMethod } from './types'

/** The words for a withdrawal's state, from its status and its payout's state. */
export function withdrawalStatusText(w: Pick<Withdrawal, 'status'> & Partial<Pick<Withdrawal, 'method' | 'payoutState' | 'awaitingConfirmation'>>): string {
  switch (w.status) {
    case 'pending':
      return '审核中'
    case 'paying':
      if (w.awaitingConfirmation) return '待确认收款'
      return w.method === 'manual' ? '打款中（线下）' : '打款中'
    case 'paid':
      return '已到账'
    case 'rejected':
      return '已驳回'
    case 'failed':
      return '打款失败，已退回'
    default:
      return w.status
  }
}

export function withdrawalTagType(status: Withdrawal['status']): 'green' | 'orange' | 'grey' | 'red' {
  return status === 'paid' ? 'green' : status === 'pending' || status === 'paying' ? 'orange' : status === 'failed' ? 'red' : 'grey'
}

export const METHOD_TEXT: Record<WithdrawalMethod, string> = { wechat: '微信商家转账', manual: '线下打款' }

/**
 * 确认收款: open WeChat's page for a transfer waiting for the payee (mini-program only), then
 * ask the server to check the transfer now. Resolves with whether WeChat's page was opened.
 */
export async function confirmTransfer(withdrawalId: string): Promise<boolean> {
  const p = await call('wallet', 'transferParams', { withdrawalId })
  type Opener = (o: Record<string, unknown>) => void
  // Taro 4 has no wrapper for it yet: WeChat's own (base library ≥ 3.3.0)
  const wxApi = (globalThis as { wx?: { requestMerchantTransfer?: Opener } }).wx
  const fn = (Taro as unknown as { requestMerchantTransfer?: Opener }).requestMerchantTransfer ?? wxApi?.requestMerchantTransfer
  if (process.env.TARO_ENV !== 'weapp' || !fn) return false
  const opened = await new Promise<boolean>((resolve) => fn({ mchId: p.mchId, appId: p.appId, package: p.package, success: () => resolve(true), fail: () => resolve(false) }))
  await call('wallet', 'checkPayout', { withdrawalId }).catch(() => undefined)
  return opened
}
