import { EXCHANGE_TARGET_TEXT, EXCHANGE_TARGETS, exchangeBp, exchangeQuantity } from '../../../shared/contract'
import type { Entry, EntryStatus, ExchangeSettings, ExchangeTarget, LotteryOdds, MyEntries } from './types'
import { formatAsset, formatBp, formatFen } from './format'

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
  return { kind: 'closed', label: e.status === 'pending' ? '已开始到账，抽奖资格已失效' : '未抽奖' }
}

/** The words the draw sheet shows before the shopper draws (抽奖说明). */
export interface LotteryExplained {
  /** one line per possible outcome: ratio, chance, the entitlement it makes */
  outcomes: string[]
  /** 当前比例 and what it makes now */
  current: string
  /** the honest warnings: it may lower the ratio; once only; lapses at the first payout */
  warnings: string[]
}

export function explainLottery(odds: LotteryOdds | null | undefined, e: Pick<Entry, 'ratioBp' | 'entitlementFen'>): LotteryExplained {
  const outcomes = !odds
    ? ['抽中的比例由平台设置的抽奖规则决定']
    : odds.kind === 'fixed'
      ? odds.options.map((o) => `${formatBp(o.ratioBp)}　概率 ${formatBp(o.chanceBp)}　权益 ${formatFen(o.entitlementFen)}`)
      : [`${formatBp(odds.minBp)} ～ ${formatBp(odds.maxBp)} 之间随机（每个比例机会均等）`, `权益 ${formatFen(odds.minEntitlementFen)} ～ ${formatFen(odds.maxEntitlementFen)}`]
  const warnings: string[] = []
  // without the odds (an older server) nobody can say it will not lower the ratio: warn
  if (!odds || odds.mayLower) warnings.push(`抽奖可能降低比例：抽中低于当前 ${formatBp(e.ratioBp)} 的比例时，奖励权益会减少`)
  warnings.push('每条排队只能抽一次，抽中的比例替换当前比例，不能撤回')
  warnings.push('抽奖资格在这条排队第一次到账时失效；不抽奖则保持当前比例')
  return { outcomes, current: `当前比例 ${formatBp(e.ratioBp)}，奖励权益 ${formatFen(e.entitlementFen)}`, warnings }
}

export type { ExchangeTarget }

/** What each exchange target is called (shared with the server). */
export { EXCHANGE_TARGET_TEXT }

/** queue.mine's `deduction`: what one point / love is worth at checkout */
type Deduction = MyEntries['deduction']

/** What one unit of a target is worth when spent, when known. */
const EXCHANGE_WORTH: Record<ExchangeTarget, (settings: ExchangeSettings, deduction: Deduction | undefined) => string | null> = {
  points: (_s, d) => (d ? `1 积分可抵扣 ${formatFen(d.pointValueFen)}` : null),
  love: (s, d) => (d ? `1 爱心值可抵扣 ${formatFen(d.loveValueFen)}${s.loveFrozen ? '（解冻后）' : ''}` : null),
  voucher: () => '购物券按面值抵扣',
}

export interface ExchangeOption {
  to: ExchangeTarget
  label: string
  /** What the pending remainder becomes, e.g. `1999 积分`. */
  preview: string
  /** The rate per unit: `每 ¥1 待返 = 100 积分`. */
  rate: string
  /** What one unit is worth when spent, when known: `1 积分可抵扣 ¥0.01`. */
  worth: string | null
}

/** The targets the platform offers (null ratio = not offered), with what `pendingFen` becomes and the value per unit. */
export function exchangeOptions(
  settings: ExchangeSettings,
  pendingFen: number,
  deduction?: Deduction,
): ExchangeOption[] {
  const out: ExchangeOption[] = []
  for (const to of EXCHANGE_TARGETS) {
    const bp = exchangeBp(settings, to)
    if (bp === null) continue
    // as the server computes it (engine/rebate/rules.ts exchangeAmount); the server's answer is what counts
    out.push({
      to,
      label: to === 'love' && settings.loveFrozen ? `${EXCHANGE_TARGET_TEXT[to]}(冻结)` : EXCHANGE_TARGET_TEXT[to],
      preview: formatAsset(to, exchangeQuantity(pendingFen, bp)),
      rate: `每 ¥1 待返 = ${formatAsset(to, exchangeQuantity(100, bp))}`,
      worth: EXCHANGE_WORTH[to](settings, deduction),
    })
  }
  return out
}

/** What a closed entry became, in place of 待返: `已兑换 120 积分`, `随机返 120 积分`. Null while it waits. */
export function outcomeText(e: Pick<Entry, 'status' | 'exchanged' | 'convertedToPoints'>): string | null {
  if (e.exchanged && (e.status === 'exchanged' || e.convertedToPoints)) {
    return `${e.convertedToPoints ? '随机返已转为' : '已兑换'} ${formatAsset(e.exchanged.to, e.exchanged.amount)}`
  }
  return null
}

/** 前面还有 … : the unpaid amount ahead of the entry (an estimate says 约). */
export function aheadText(e: Pick<Entry, 'aheadFen' | 'aheadExact' | 'status'>): string | null {
  if (e.status !== 'pending' || e.aheadFen === null || e.aheadFen === undefined) return null
  if (e.aheadFen === 0) return '前面没有待返，下一笔提取先付给你'
  return `前面还有 ${e.aheadExact === false ? '约 ' : ''}${formatFen(e.aheadFen)} 待返`
}
