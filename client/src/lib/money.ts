/**
 * Parsing what people type into integer units, without floats: `12.3` yuan → 1230 fen,
 * `65` percent → 6500 bp, `1.5` points → 15000 units. Invalid input → null.
 */

function parseFixed(text: string, decimals: number): number | null {
  const t = String(text ?? '').trim().replace(/^¥/, '').replace(/%$/, '')
  const m = /^(\d{1,12})(?:\.(\d*))?$/.exec(t)
  if (!m) return null
  const frac = m[2] ?? ''
  if (frac.length > decimals) return null
  const n = Number(m[1]) * 10 ** decimals + Number((frac + '0'.repeat(decimals)).slice(0, decimals) || '0')
  return Number.isSafeInteger(n) ? n : null
}

/** `12.34` / `¥12.3` / `12` → fen; more than two decimals, negatives, text → null. */
export function parseYuanToFen(text: string): number | null {
  return parseFixed(text, 2)
}

/** `65` / `0.5%` → basis points (65% = 6500 bp); up to two decimals. */
export function parsePercentToBp(text: string): number | null {
  return parseFixed(text, 2)
}

/** Green points typed by the shopper (up to 4 decimals) → units (1 point = 10000 units). */
export function parsePointsToUnits(text: string): number | null {
  return parseFixed(text, 4)
}

/** A whole number ≥ 0 (counts, days, points). */
export function parseCount(text: string): number | null {
  return parseFixed(text, 0)
}

/** bp → the number a percent input shows: 6500 → `65`, 50 → `0.5`. */
export function bpToPercentText(bp: number | null | undefined): string {
  if (bp === null || bp === undefined || !Number.isFinite(bp)) return ''
  const whole = Math.floor(bp / 100)
  const frac = bp % 100
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(2, '0')}`.replace(/0+$/, '')
}

/** fen → the number a yuan input shows: 1230 → `12.30`. */
export function fenToYuanText(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return ''
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`
}

/** floor(amount × bp / 10000), as the server computes shares. */
export function mulBpFloor(amount: number, bp: number): number {
  return Math.floor((amount * bp) / 10000)
}
