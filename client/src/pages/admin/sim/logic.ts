/**
 * The 模拟 panel's words and chart data, from admin.simulateConfig's answer: pure, so the
 * component tests and the page agree on what is shown.
 */
import { formatBp, formatFen } from '@/lib/format'
import type { SimSide, SimWait, SimulationAnswer } from './types'

export interface PairDatum {
  label: string
  /** current setting */
  a: number
  /** proposed setting */
  b: number
}

const days = (d: { days: number; atLeast: boolean } | null) => (d ? `${d.atLeast ? '超过 ' : ''}${d.days} 天` : '—')
const share = (bp: number | null) => (bp === null ? '期间不足' : formatBp(bp))

/** The side-by-side table: a label and the current / proposed values. */
export function compareRows(sim: SimulationAnswer): { label: string; current: string; proposed: string; worse?: boolean }[] {
  const c = sim.current
  const p = sim.proposed
  const row = (label: string, f: (s: SimSide) => string, worse?: (s: SimSide) => number) => ({
    label,
    current: f(c),
    proposed: f(p),
    ...(worse ? { worse: worse(p) > worse(c) } : {}),
  })
  const wait = (f: (w: SimWait) => string) => (s: SimSide) => f(s.report.waits)
  const rows = [
    row('期末排队待返', (s) => formatFen(s.report.totals.queueEndFen), (s) => s.report.totals.queueEndFen),
    row('期间变化', (s) => signed(s.report.totals.queueEndFen - s.report.totals.queueStartFen)),
    row('期间返出', (s) => formatFen(s.report.totals.paidOut.queueFen + s.report.totals.paidOut.unionFen + s.report.totals.paidOut.greenFen)),
    row('期末等待笔数', (s) => String(s.report.totals.queueWaitingEnd), (s) => s.report.totals.queueWaitingEnd),
    row('中位等待', wait((w) => days(w.medianDays))),
    row('95% 等待', wait((w) => days(w.p95Days))),
    row('7 天内返完', wait((w) => share(w.within7Bp))),
    row('30 天内返完', wait((w) => share(w.within30Bp))),
    row('90 天内返完', wait((w) => share(w.within90Bp))),
  ]
  if (c.report.union.enabled || p.report.union.enabled) {
    rows.push(row('工会待返', (s) => (s.report.union.enabled ? formatFen(s.report.union.endOutstandingFen) : '未开启')))
    rows.push(row('工会奖池', (s) => (s.report.union.enabled ? formatFen(s.report.union.endPoolFen) : '未开启')))
  }
  if (c.report.green.enabled || p.report.green.enabled) rows.push(row('绿色积分价格', (s) => (s.report.green.enabled ? `${(s.report.green.endPriceFen / 100).toFixed(4)} 元/分` : '未开启')))
  rows.push(row('会无限增长', (s) => (s.analysis.grows ? '会' : '不会')))
  return rows
}

function signed(fen: number): string {
  return fen >= 0 ? `+${formatFen(fen)}` : formatFen(fen)
}

/** Outstanding (queue + union pool entries) at the end of each day, current vs proposed. */
export function outstandingSeries(sim: SimulationAnswer): PairDatum[] {
  const total = (d: SimSide['report']['days'][number]) => d.queueOutstandingFen + d.unionOutstandingFen
  return sim.proposed.report.days.map((d, i) => ({ label: d.day.slice(5), a: total(sim.current.report.days[i] ?? d), b: total(d) }))
}

/** Waiting time from payment to completion of the period's new entries (and those still waiting), current vs proposed. */
export function waitSeries(sim: SimulationAnswer): PairDatum[] {
  const a = sim.current.report.waits.histogram
  return sim.proposed.report.waits.histogram.map((h, i) => ({ label: h.label, a: a[i]?.count ?? 0, b: h.count }))
}

/** What the confirmation before saving says: the effect, by name (issue 14). */
export function growthWarning(sim: SimulationAnswer): { title: string; content: string } | null {
  const effects = sim.proposed.analysis.effects
  if (!effects.length) return null
  const more = effects.length > 1 ? `（另有 ${effects.length - 1} 项同样会增长）` : ''
  return { title: '待返会无限增长', content: `${effects[0]!.text}${more}\n确定仍要保存？` }
}
