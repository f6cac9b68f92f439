import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'

dayjs.extend(utc)

/**
 * Asia/Shanghai is UTC+08:00 all year (no DST since 1991), so we shift with a fixed
 * offset instead of dayjs' timezone plugin: that plugin relies on
 * Intl.DateTimeFormat({ timeZone }), which the WeChat JS engines do not guarantee.
 * The result is the same for every date this product will ever show.
 */
export const SHANGHAI_OFFSET_MINUTES = 8 * 60

/** Integer fen → `¥12.34`; negative → `-¥0.05`; no thousands separator. */
export function formatFen(fen: number): string {
  if (!Number.isFinite(fen)) return '¥--'
  const n = Math.round(fen)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  const yuan = Math.floor(abs / 100)
  const cents = abs % 100
  return `${sign}¥${yuan}.${cents < 10 ? '0' : ''}${cents}`
}

/** Trim trailing zeros of a fixed-point decimal string: `1.5000` → `1.5`, `2.0000` → `2`. */
function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

/** Basis points → percent: 13000 → `130%`, 50 → `0.5%`, 1 → `0.01%`. */
export function formatBp(bp: number): string {
  if (!Number.isFinite(bp)) return '--%'
  const n = Math.round(bp)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  const whole = Math.floor(abs / 100)
  const frac = abs % 100
  return `${sign}${trimZeros(`${whole}.${String(frac).padStart(2, '0')}`)}%`
}

/** Green points are stored as integer units: 1 point = 10000 units. */
export const GREEN_UNITS_PER_POINT = 10_000

/** Integer units → points with up to 4 decimals: 12345 → `1.2345`, 15000 → `1.5`, 10000 → `1`. */
export function formatGreenUnits(units: number): string {
  if (!Number.isFinite(units)) return '--'
  const n = Math.round(units)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  const whole = Math.floor(abs / GREEN_UNITS_PER_POINT)
  const frac = abs % GREEN_UNITS_PER_POINT
  return `${sign}${trimZeros(`${whole}.${String(frac).padStart(4, '0')}`)}`
}

/**
 * An instant (ISO string, epoch ms or Date) shown in Asia/Shanghai time,
 * default `YYYY-MM-DD HH:mm`. Unparseable input → `--`.
 */
export function formatDateTime(
  value: string | number | Date | null | undefined,
  pattern = 'YYYY-MM-DD HH:mm',
): string {
  if (value === null || value === undefined || value === '') return '--'
  const d = dayjs.utc(value)
  if (!d.isValid()) return '--'
  return d.utcOffset(SHANGHAI_OFFSET_MINUTES).format(pattern)
}

/** Shanghai calendar day of an instant, `YYYY-MM-DD`. */
export function formatDate(value: string | number | Date | null | undefined): string {
  return formatDateTime(value, 'YYYY-MM-DD')
}
