/**
 * The plugin settings form (SPEC §3.4 and the union / green / referral settings) as data:
 * each numeric field is a path into PluginConfig and a unit; the form edits text and
 * `applyTexts` turns it back into integers (bp, fen, counts), or names the field it cannot read.
 */
import { bpToPercentText, fenToYuanText, parseCount, parsePercentToBp, parseYuanToFen } from './money'
import { levelRatiosToText, lotteryToText, parseLevelRatios, parseLottery } from './rules'
import type { PluginConfig } from './types'

export type NumKind = 'bp' | 'bpOptional' | 'fen' | 'int'

export interface NumField {
  path: string
  label: string
  kind: NumKind
  hint?: string
}

export function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj)
}

export function setPath<T>(obj: T, path: string, value: unknown): T {
  const keys = path.split('.')
  const clone = (o: unknown) => (Array.isArray(o) ? [...o] : { ...(o as object) })
  const root = clone(obj) as Record<string, unknown>
  let cur = root
  for (let i = 0; i < keys.length - 1; i++) {
    cur[keys[i]!] = clone(cur[keys[i]!])
    cur = cur[keys[i]!] as Record<string, unknown>
  }
  cur[keys[keys.length - 1]!] = value
  return root as T
}

export function numToText(kind: NumKind, v: unknown): string {
  if (v === null || v === undefined) return ''
  const n = Number(v)
  if (kind === 'bp' || kind === 'bpOptional') return bpToPercentText(n)
  if (kind === 'fen') return fenToYuanText(n)
  return String(n)
}

export function textToNum(kind: NumKind, t: string): number | null | undefined {
  const s = t.trim()
  if (kind === 'bpOptional' && !s) return null
  const v = kind === 'bp' || kind === 'bpOptional' ? parsePercentToBp(s) : kind === 'fen' ? parseYuanToFen(s) : parseCount(s)
  return v === null ? undefined : v
}

export const REBATE_NUM_FIELDS: NumField[] = [
  { path: 'rebate.extractionBp', label: '提取比例', kind: 'bp' },
  { path: 'rebate.defaultRatioBp', label: '默认奖励比例', kind: 'bp' },
  { path: 'rebate.exchange.pointsBp', label: '兑换积分比例', kind: 'bpOptional', hint: '每 ¥1 待返换多少积分 ×100%，留空=不提供' },
  { path: 'rebate.exchange.loveBp', label: '兑换爱心值比例', kind: 'bpOptional', hint: '留空=不提供' },
  { path: 'rebate.exchange.voucherBp', label: '兑换购物券比例', kind: 'bpOptional', hint: '留空=不提供' },
  { path: 'rebate.randomReturn.cashCount', label: '随机返：每组返现金人数', kind: 'int' },
  { path: 'rebate.randomReturn.pointsCount', label: '随机返：每组返积分人数', kind: 'int' },
]

/** The settings page shows one topic at a time (a segmented bar at the top); saving still saves them all. */
export type TopicKey = 'rebate' | 'union' | 'green' | 'referral' | 'withdrawal' | 'orders'

export const TOPICS: { key: TopicKey; title: string }[] = [
  { key: 'rebate', title: '排队返利' },
  { key: 'union', title: '工会排队' },
  { key: 'green', title: '绿色积分' },
  { key: 'referral', title: '推荐' },
  { key: 'withdrawal', title: '抵扣与提现' },
  { key: 'orders', title: '发货与售后' },
]

export const OTHER_NUM_FIELDS: { topic: TopicKey; title: string; enabledPath?: string; fields: NumField[] }[] = [
  {
    topic: 'union',
    title: '工会排队',
    enabledPath: 'union.enabled',
    fields: [
      { path: 'union.poolShareBp', label: '利润入池比例', kind: 'bp' },
      { path: 'union.entitlementBp', label: '工会权益比例', kind: 'bp' },
      { path: 'union.defaultLockDays', label: '默认锁定天数', kind: 'int' },
      { path: 'union.accelerationBp', label: '直推加速比例', kind: 'bp' },
    ],
  },
  {
    topic: 'green',
    title: '绿色积分',
    enabledPath: 'green.enabled',
    fields: [
      { path: 'green.poolShareBp', label: '入池比例', kind: 'bp' },
      { path: 'green.mintBp', label: '铸造比例', kind: 'bp' },
      { path: 'green.withdrawFeeBp', label: '提现手续费', kind: 'bp' },
      { path: 'green.exitMultipleBp', label: '出局倍数', kind: 'bp', hint: '200% = 2 倍，0 = 关闭' },
      { path: 'green.launchPriceFen', label: '初始价格(元/积分)', kind: 'fen' },
    ],
  },
  {
    topic: 'referral',
    title: '推荐（只有一级）',
    fields: [
      { path: 'referral.commissionBp', label: '直推佣金', kind: 'bp' },
      { path: 'referral.recruiterBp', label: '招商奖励', kind: 'bp' },
    ],
  },
  {
    topic: 'withdrawal',
    title: '抵扣与提现',
    fields: [
      { path: 'deduction.pointValueFen', label: '1 积分抵(元)', kind: 'fen' },
      { path: 'deduction.loveValueFen', label: '1 爱心值抵(元)', kind: 'fen' },
      { path: 'withdrawal.minFen', label: '最低提现(元)', kind: 'fen' },
      { path: 'withdrawal.maxFen', label: '单笔最高提现(元)', kind: 'fen' },
      { path: 'withdrawal.confirmHours', label: '确认收款时限(小时)', kind: 'int', hint: '微信商家转账超时未确认则撤销并退回余额' },
      { path: 'payment.closeAfterMin', label: '未支付自动关闭(分钟)', kind: 'int', hint: '发起微信支付后超时未付，先关单再取消订单' },
    ],
  },
  {
    topic: 'orders',
    title: '发货与售后',
    fields: [
      { path: 'orders.autoConfirmDays', label: '自动确认收货(天)', kind: 'int', hint: '发货后买家未确认收货，满该天数自动完成并结算；0 为不自动确认（0–30）' },
      { path: 'orders.afterSaleDays', label: '售后期(天)', kind: 'int', hint: '订单完成后该天数内买家仍可申请退款，由商家/平台审核；0 为仅完成前可申请（0–30）' },
    ],
  },
]

export const ALL_NUM_FIELDS: NumField[] = [...REBATE_NUM_FIELDS, ...OTHER_NUM_FIELDS.flatMap((s) => s.fields)]

/** The topic a config path (a form field) is shown on. */
export function topicOf(path: string): TopicKey {
  const section = OTHER_NUM_FIELDS.find((s) => s.enabledPath === path || s.fields.some((f) => f.path === path))
  if (section) return section.topic
  const head = path.split('.')[0]
  return TOPICS.find((t) => t.key === head)?.key ?? (head === 'deduction' || head === 'payment' ? 'withdrawal' : 'rebate')
}

/** 清零 on a given day: the weekday choices (1 = Monday … 7 = Sunday) and the month days (1–28). */
export const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日']
export const MONTH_DAYS = Array.from({ length: 28 }, (_, i) => `${i + 1} 号`)

const SHANGHAI_MS = 8 * 3600_000
const pad = (n: number) => String(n).padStart(2, '0')

/** An instant as the Asia/Shanghai date (YYYY-MM-DD) and time (HH:mm) the pickers show; empty when unset or unreadable. */
export function shanghaiParts(iso: string | null | undefined): { date: string; time: string } {
  const ms = iso ? Date.parse(iso) : NaN
  if (!Number.isFinite(ms)) return { date: '', time: '' }
  const d = new Date(ms + SHANGHAI_MS)
  return { date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`, time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` }
}

/** The picked Asia/Shanghai date and time as an ISO string with its +08:00 offset (a missing time is 00:00, a missing date today). */
export function shanghaiIso(date: string, time: string, now = Date.now()): string {
  return `${date || shanghaiParts(new Date(now).toISOString()).date}T${time || '00:00'}:00+08:00`
}

export interface ConfigTexts {
  [path: string]: string
}

export function textsOf(cfg: PluginConfig): ConfigTexts {
  const t: ConfigTexts = {}
  for (const f of ALL_NUM_FIELDS) t[f.path] = numToText(f.kind, getPath(cfg, f.path))
  t['rebate.lottery'] = lotteryToText(cfg.rebate.lottery)
  t['rebate.levelRatios'] = levelRatiosToText(cfg.rebate.levelRatios)
  return t
}

/** The draft config with the typed texts applied, or the label (and path) of the first unreadable field. */
export function applyTexts(cfg: PluginConfig, texts: ConfigTexts): { config: PluginConfig } | { error: string; path: string } {
  let out = cfg
  for (const f of ALL_NUM_FIELDS) {
    const v = textToNum(f.kind, texts[f.path] ?? '')
    if (v === undefined) return { error: `「${f.label}」格式不正确`, path: f.path }
    out = setPath(out, f.path, v)
  }
  const lottery = parseLottery(texts['rebate.lottery'] ?? '')
  if (lottery === undefined) return { error: '「抽奖」格式不正确，例：120:2, 150:1 或 110-160', path: 'rebate.lottery' }
  const levels = parseLevelRatios(texts['rebate.levelRatios'] ?? '')
  if (levels === undefined) return { error: '「会员等级比例」格式不正确，例：L1:150', path: 'rebate.levelRatios' }
  out = setPath(out, 'rebate.lottery', lottery)
  out = setPath(out, 'rebate.levelRatios', levels ?? {})
  return { config: out }
}
