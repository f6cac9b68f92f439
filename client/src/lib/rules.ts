/**
 * Text forms of the list-valued settings, for the admin/merchant forms:
 *   lottery fixed:  `120:2, 150:2, 200:1`   (ratio % : weight)
 *   lottery range:  `110-160`               (min % - max %)
 *   tiers:          `30:2000:50, 60:10000:100` (days : spend ¥ : ratio %)
 *   level ratios:   `L1:150, L2:200`        (level id : ratio %)
 * Parsers answer null for text they cannot read; empty text means "not set".
 */
import { bpToPercentText, fenToYuanText, parseCount, parsePercentToBp, parseYuanToFen } from './money'
import type { CumulativeTier, LotteryRule } from './types'

const items = (text: string) =>
  text
    .split(/[,，;；\n]/)
    .map((s) => s.trim())
    .filter(Boolean)

export function lotteryToText(l: LotteryRule | null | undefined): string {
  if (!l) return ''
  if (l.kind === 'range') return `${bpToPercentText(l.minBp)}-${bpToPercentText(l.maxBp)}`
  return l.options.map((o) => `${bpToPercentText(o.ratioBp)}:${o.weight}`).join(', ')
}

export function parseLottery(text: string): LotteryRule | null | undefined {
  const t = text.trim()
  if (!t) return null
  const range = /^([\d.]+)\s*[-~～]\s*([\d.]+)$/.exec(t)
  if (range) {
    const minBp = parsePercentToBp(range[1]!)
    const maxBp = parsePercentToBp(range[2]!)
    return minBp !== null && maxBp !== null ? { kind: 'range', minBp, maxBp } : undefined
  }
  const options: { ratioBp: number; weight: number }[] = []
  for (const it of items(t)) {
    const [r, w] = it.split(/[:：]/).map((s) => s.trim())
    const ratioBp = parsePercentToBp(r ?? '')
    const weight = w === undefined ? 1 : parseCount(w)
    if (ratioBp === null || weight === null) return undefined
    options.push({ ratioBp, weight })
  }
  return { kind: 'fixed', options }
}

export function tiersToText(tiers: CumulativeTier[] | null | undefined): string {
  return (tiers ?? []).map((t) => `${t.days}:${fenToYuanText(t.minSpendFen).replace(/\.00$/, '')}:${bpToPercentText(t.ratioBp)}`).join(', ')
}

export function parseTiers(text: string): CumulativeTier[] | null | undefined {
  if (!text.trim()) return null
  const out: CumulativeTier[] = []
  for (const it of items(text)) {
    const [d, m, r] = it.split(/[:：]/).map((s) => s.trim())
    const days = parseCount(d ?? '')
    const minSpendFen = parseYuanToFen(m ?? '')
    const ratioBp = parsePercentToBp(r ?? '')
    if (days === null || minSpendFen === null || ratioBp === null) return undefined
    out.push({ days, minSpendFen, ratioBp })
  }
  return out
}

export function levelRatiosToText(r: Record<string, number> | null | undefined): string {
  return Object.entries(r ?? {})
    .map(([k, v]) => `${k}:${bpToPercentText(v)}`)
    .join(', ')
}

export function parseLevelRatios(text: string): Record<string, number> | null | undefined {
  if (!text.trim()) return null
  const out: Record<string, number> = {}
  for (const it of items(text)) {
    const [k, v] = it.split(/[:：]/).map((s) => s.trim())
    const bp = parsePercentToBp(v ?? '')
    if (!k || bp === null) return undefined
    out[k] = bp
  }
  return out
}
