import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc'
import { formatFen, type ExchangeTarget } from '../../../shared/contract'

dayjs.extend(utc)

/**
 * Asia/Shanghai is UTC+08:00 all year (no DST since 1991), so we shift with a fixed
 * offset instead of dayjs' timezone plugin: that plugin relies on
 * Intl.DateTimeFormat({ timeZone }), which the WeChat JS engines do not guarantee.
 * The result is the same for every date this product will ever show.
 */
export const SHANGHAI_OFFSET_MINUTES = 8 * 60

/** Integer fen → `¥12.34`; negative → `-¥0.05`; no thousands separator (the server's formatter too). */
export { formatFen }

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

/**
 * Integer units → green points, exact, with two to four decimals (one format everywhere: balances,
 * lots, history rows): 12345 → `1.2345`, 15000 → `1.50`, 10000 → `1.00`, 1 → `0.0001`.
 */
export function formatGreenUnits(units: number): string {
  if (!Number.isFinite(units)) return '--'
  const n = Math.round(units)
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  const whole = Math.floor(abs / GREEN_UNITS_PER_POINT)
  return `${sign}${whole}.${trimTo2(String(abs % GREEN_UNITS_PER_POINT).padStart(4, '0'))}`
}

/** Trailing zeros off, but keep two decimals: `5000` → `50`, `1230` → `123`, `1234` → `1234`. */
function trimTo2(frac4: string): string {
  let f = frac4
  while (f.length > 2 && f.endsWith('0')) f = f.slice(0, -1)
  return f.padEnd(2, '0')
}

/** Mall points (积分) and love (爱心值) are whole numbers. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n)) : '--'
}

/** Every exchange target is an asset (a new target fails to compile in formatAsset until it has a unit). */
export type AssetKind = 'cash' | ExchangeTarget | 'green'

/** An amount with its unit, the same words on every screen: `¥1.20`, `120 积分`, `35 爱心值`, `¥5.00 购物券`, `1.50 绿色积分`. */
export function formatAsset(kind: AssetKind, amount: number): string {
  switch (kind) {
    case 'cash':
      return formatFen(amount)
    case 'points':
      return `${formatCount(amount)} 积分`
    case 'love':
      return `${formatCount(amount)} 爱心值`
    case 'voucher':
      return `${formatFen(amount)} 购物券`
    case 'green':
      return `${formatGreenUnits(amount)} 绿色积分`
  }
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
