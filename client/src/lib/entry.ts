import type { Entry, EntryStatus, ExchangeSettings } from './types'
import { formatBp } from './format'

export const ENTRY_STATUS_TEXT: Record<EntryStatus, string> = {
  pending: '排队中',
  completed: '已完成',
  exchanged: '已兑换',
  expired: '已清零',
  cancelled: '已取消',
}

export function entryStatusText(e: Pick<Entry, 'status' | 'waitingForCompletion'>): string {
  if (e.status === 'pending' && e.waitingForCompletion) return '待确认收货'
  return ENTRY_STATUS_TEXT[e.status] ?? e.status
}

export type LotteryButtonState =
  | { kind: 'hidden' }
  | { kind: 'available'; label: string }
  | { kind: 'drawn'; label: string }
  | { kind: 'closed'; label: string }

/**
 * 抽奖 button of an entry: drawable once, only before the entry's first payout; after a draw
 * it shows the drawn ratio; an entry without a lottery shows nothing.
 */
export function lotteryButtonState(e: Pick<Entry, 'lottery' | 'status' | 'receivedFen'>): LotteryButtonState {
  if (!e.lottery) return { kind: 'hidden' }
  if (e.lottery.drawnBp !== null && e.lottery.drawnBp !== undefined) {
    return { kind: 'drawn', label: `已抽中 ${formatBp(e.lottery.drawnBp)}` }
  }
  if (e.lottery.available && e.status === 'pending' && e.receivedFen === 0) return { kind: 'available', label: '抽奖' }
  return { kind: 'closed', label: e.status === 'pending' ? '已开始返利，不能抽奖' : '未抽奖' }
}

export type ExchangeTarget = 'points' | 'love' | 'voucher'

export interface ExchangeOption {
  to: ExchangeTarget
  label: string
  /** What the pending remainder becomes, e.g. `约 12.34 积分`. */
  preview: string
}

/** The targets the platform offers (null ratio = not offered), with a preview for `pendingFen`. */
export function exchangeOptions(settings: ExchangeSettings, pendingFen: number): ExchangeOption[] {
  const out: ExchangeOption[] = []
  const qty = (bp: number) => Math.floor((pendingFen * bp) / 10000)
  if (settings.pointsBp !== null) out.push({ to: 'points', label: '积分', preview: `${qty(settings.pointsBp)} 积分` })
  if (settings.loveBp !== null) {
    out.push({ to: 'love', label: settings.loveFrozen ? '爱心值(冻结)' : '爱心值', preview: `${qty(settings.loveBp)} 爱心值` })
  }
  if (settings.voucherBp !== null) {
    const v = qty(settings.voucherBp)
    out.push({ to: 'voucher', label: '购物券', preview: `购物券 ¥${Math.floor(v / 100)}.${String(v % 100).padStart(2, '0')}` })
  }
  return out
}
