import { describe, expect, it } from 'vitest'
import { formatAsset, formatBp, formatDate, formatDateTime, formatFen, formatGreenUnits } from './format'

describe('formatFen', () => {
  it.each([
    [1234, '¥12.34'],
    [0, '¥0.00'],
    [5, '¥0.05'],
    [50, '¥0.50'],
    [100, '¥1.00'],
    [-5, '-¥0.05'],
    [-1234, '-¥12.34'],
    [123456789, '¥1234567.89'],
    [-0, '¥0.00'],
  ])('%d fen → %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text)
  })

  it('does not go through floating point division (no 0.1+0.2 style drift)', () => {
    expect(formatFen(1999)).toBe('¥19.99')
    expect(formatFen(29)).toBe('¥0.29')
    expect(formatFen(900719925474099)).toBe('¥9007199254740.99')
  })

  it('shows a placeholder for non-numbers', () => {
    expect(formatFen(Number.NaN)).toBe('¥--')
    expect(formatFen(Number.POSITIVE_INFINITY)).toBe('¥--')
  })
})

describe('formatBp', () => {
  it.each([
    [13000, '130%'],
    [10000, '100%'],
    [50, '0.5%'],
    [1, '0.01%'],
    [12345, '123.45%'],
    [0, '0%'],
    [-250, '-2.5%'],
  ])('%d bp → %s', (bp, text) => {
    expect(formatBp(bp)).toBe(text)
  })
})

describe('formatGreenUnits', () => {
  it.each([
    [12345, '1.2345'],
    [10000, '1.00'],
    [15000, '1.50'],
    [12300, '1.23'],
    [12340, '1.234'],
    [1, '0.0001'],
    [0, '0.00'],
    [-1, '-0.0001'],
    [1234567890, '123456.789'],
  ])('%d units → %s points', (units, text) => {
    expect(formatGreenUnits(units)).toBe(text)
  })
})

describe('formatDateTime (Asia/Shanghai)', () => {
  it('shows a UTC instant at +08:00', () => {
    expect(formatDateTime('2026-01-31T16:30:00.000Z')).toBe('2026-02-01 00:30')
    expect(formatDateTime('2026-06-01T03:04:05Z', 'YYYY-MM-DD HH:mm:ss')).toBe('2026-06-01 11:04:05')
  })

  it('respects an explicit offset in the input', () => {
    expect(formatDateTime('2026-03-08T09:00:00+08:00')).toBe('2026-03-08 09:00')
    expect(formatDateTime('2026-03-08T09:00:00-05:00')).toBe('2026-03-08 22:00')
  })

  it('accepts epoch ms and Date', () => {
    const ms = Date.UTC(2025, 11, 31, 20, 0, 0)
    expect(formatDateTime(ms)).toBe('2026-01-01 04:00')
    expect(formatDateTime(new Date(ms))).toBe('2026-01-01 04:00')
    expect(formatDate(ms)).toBe('2026-01-01')
  })

  it('does not depend on the machine time zone', () => {
    // process.env.TZ is whatever the machine has; the answer must not change with it.
    expect(formatDateTime('2026-07-01T00:00:00Z')).toBe('2026-07-01 08:00')
  })

  it('shows -- for missing or invalid input', () => {
    expect(formatDateTime(null)).toBe('--')
    expect(formatDateTime(undefined)).toBe('--')
    expect(formatDateTime('')).toBe('--')
    expect(formatDateTime('not a date')).toBe('--')
  })
})

describe('formatAsset: one unit word per asset', () => {
  it.each([
    ['cash', 120, '¥1.20'],
    ['points', 120, '120 积分'],
    ['love', 35, '35 爱心值'],
    ['voucher', 500, '¥5.00 购物券'],
    ['green', 15000, '1.50 绿色积分'],
  ] as const)('%s %d → %s', (kind, amount, text) => {
    expect(formatAsset(kind, amount)).toBe(text)
  })
})
