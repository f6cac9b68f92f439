import { describe, expect, it } from 'vitest'
import { bpToPercentText, fenToYuanText, parsePercentToBp, parsePointsToUnits, parseYuanToFen } from './money'
import { aheadText, entryStatusText, exchangeOptions, explainLottery, lotteryButtonState, outcomeText } from './entry'
import { checkoutSummary } from './cart'
import { lotteryToText, parseLevelRatios, parseLottery, parseTiers, tiersToText } from './rules'
import { applyTexts, textsOf } from './configForm'
import { orderActions } from './orders'
import { mallSharePath } from './session'
import { parseRef } from './launch'
import { DISCLOSURE_TEXT, DISCLOSURE_GREEN, DISCLOSURE_UNION } from './disclosure'
import type { PluginConfig } from './types'

/** Slogans that must appear nowhere (split so the CI slogan grep does not match this file). */
const BANNED = ['只涨' + '不跌', '消费等于' + '赚钱', '购物' + '返本', '永远' + '不跌']

describe('parsing typed amounts without floats', () => {
  it('yuan → fen', () => {
    expect(parseYuanToFen('12.34')).toBe(1234)
    expect(parseYuanToFen('¥0.1')).toBe(10)
    expect(parseYuanToFen('50')).toBe(5000)
    expect(parseYuanToFen('0.07')).toBe(7) // 0.07 * 100 = 7.000000000000001 in floats
    expect(parseYuanToFen('1.005')).toBeNull()
    expect(parseYuanToFen('-1')).toBeNull()
    expect(parseYuanToFen('abc')).toBeNull()
    expect(parseYuanToFen('')).toBeNull()
  })
  it('percent → bp and back; points → units', () => {
    expect(parsePercentToBp('65')).toBe(6500)
    expect(parsePercentToBp('0.5%')).toBe(50)
    expect(bpToPercentText(6500)).toBe('65')
    expect(bpToPercentText(50)).toBe('0.5')
    expect(bpToPercentText(12345)).toBe('123.45')
    expect(fenToYuanText(1230)).toBe('12.30')
    expect(parsePointsToUnits('1.5')).toBe(15000)
    expect(parsePointsToUnits('0.00001')).toBeNull()
  })
})

describe('lottery button state', () => {
  const base = { status: 'pending' as const, receivedFen: 0 }
  it('hidden without a lottery', () => {
    expect(lotteryButtonState({ ...base, lottery: null })).toEqual({ kind: 'hidden' })
  })
  it('available once, before the first payout', () => {
    expect(lotteryButtonState({ ...base, lottery: { available: true, drawnBp: null, drawnAt: null, odds: null, lapsesAt: 'firstPayout' } })).toEqual({ kind: 'available', label: '抽奖' })
  })
  it('shows the drawn ratio after the draw', () => {
    expect(lotteryButtonState({ ...base, lottery: { available: false, drawnBp: 15000, drawnAt: '2026-01-01T00:00:00Z', odds: null, lapsesAt: 'firstPayout' } })).toEqual({ kind: 'drawn', label: '已抽中 150%' })
  })
  it('closed once a payout arrived', () => {
    const s = lotteryButtonState({ status: 'pending', receivedFen: 100, lottery: { available: false, drawnBp: null, drawnAt: null, odds: null, lapsesAt: 'firstPayout' } })
    expect(s.kind).toBe('closed')
    // even if the server still said available, a received payout closes it
    expect(lotteryButtonState({ status: 'pending', receivedFen: 1, lottery: { available: true, drawnBp: null, drawnAt: null, odds: null, lapsesAt: 'firstPayout' } }).kind).toBe('closed')
  })
  it('status words', () => {
    expect(entryStatusText({ status: 'pending', waitingForCompletion: false })).toBe('排队中')
    expect(entryStatusText({ status: 'pending', waitingForCompletion: true })).toBe('待确认收货')
    expect(entryStatusText({ status: 'exchanged', waitingForCompletion: false })).toBe('已兑换')
  })
})

describe('exchange options', () => {
  it('offers only the configured targets, with a floored preview', () => {
    const opts = exchangeOptions({ pointsBp: 10000, loveBp: null, loveFrozen: false, voucherBp: 5000 }, 1999)
    expect(opts.map((o) => o.to)).toEqual(['points', 'voucher'])
    expect(opts[0]!.preview).toBe('1999 积分')
    expect(opts[1]!.preview).toBe('¥9.99 购物券')
  })
  it('says the value per unit: the rate, and what a unit is worth when spent', () => {
    const [points, love, voucher] = exchangeOptions({ pointsBp: 10000, loveBp: 5000, loveFrozen: true, voucherBp: 8000 }, 1000, { pointValueFen: 1, loveValueFen: 2 })
    expect(points).toMatchObject({ rate: '每 ¥1 待返 = 100 积分', worth: '1 积分可抵扣 ¥0.01' })
    expect(love).toMatchObject({ label: '爱心值(冻结)', preview: '500 爱心值', rate: '每 ¥1 待返 = 50 爱心值', worth: '1 爱心值可抵扣 ¥0.02（解冻后）' })
    expect(voucher).toMatchObject({ preview: '¥8.00 购物券', rate: '每 ¥1 待返 = ¥0.80 购物券' })
  })
})

describe('what an entry became, and what is ahead of it', () => {
  it('an exchanged entry says what it became, not 待返 ¥0.00', () => {
    expect(outcomeText({ status: 'exchanged', convertedToPoints: false, exchanged: { to: 'points', amount: 120, remainingFen: 120 } })).toBe('已兑换 120 积分')
    expect(outcomeText({ status: 'completed', convertedToPoints: true, exchanged: { to: 'points', amount: 80, remainingFen: 80 } })).toBe('随机返已转为 80 积分')
    expect(outcomeText({ status: 'exchanged', convertedToPoints: false, exchanged: { to: 'voucher', amount: 1234, remainingFen: 1234 } })).toBe('已兑换 ¥12.34 购物券')
    expect(outcomeText({ status: 'pending', convertedToPoints: false, exchanged: null })).toBeNull()
  })
  it('the amount ahead, with 约 for an estimate', () => {
    expect(aheadText({ status: 'pending', aheadFen: 123456, aheadExact: true })).toBe('前面还有 ¥1234.56 待返')
    expect(aheadText({ status: 'pending', aheadFen: 99, aheadExact: false })).toBe('前面还有 约 ¥0.99 待返')
    expect(aheadText({ status: 'pending', aheadFen: 0, aheadExact: true })).toBe('前面没有待返，下一笔提取先付给你')
    expect(aheadText({ status: 'completed', aheadFen: null, aheadExact: null })).toBeNull()
  })
})

describe('the lottery explained before drawing', () => {
  it('lists each outcome with its chance and entitlement, and warns that it may lower the ratio and when it lapses', () => {
    const x = explainLottery(
      { kind: 'fixed', mayLower: true, mayRaise: true, options: [{ ratioBp: 12000, chanceBp: 2500, entitlementFen: 20160 }, { ratioBp: 15000, chanceBp: 7500, entitlementFen: 25200 }] },
      { ratioBp: 13000, entitlementFen: 21840 },
    )
    expect(x.outcomes).toEqual(['120%　概率 25%　权益 ¥201.60', '150%　概率 75%　权益 ¥252.00'])
    expect(x.current).toBe('当前比例 130%，奖励权益 ¥218.40')
    expect(x.warnings[0]).toContain('可能降低比例')
    expect(x.warnings.join()).toContain('第一次到账时失效')
  })
  it('a range says so; no lowering warning when every outcome is at least the current ratio', () => {
    const x = explainLottery({ kind: 'range', minBp: 13000, maxBp: 20000, minEntitlementFen: 1300, maxEntitlementFen: 2000, mayLower: false, mayRaise: true }, { ratioBp: 13000, entitlementFen: 1300 })
    expect(x.outcomes[0]).toContain('130% ～ 200%')
    expect(x.warnings.join()).not.toContain('降低')
  })
})

describe('checkout summary (disclosure shows the cash actually paid)', () => {
  const lines = [
    { priceFen: 10000, qty: 2, maxDeductBp: 2000 },
    { priceFen: 999, qty: 1, maxDeductBp: 1000 },
  ]
  const values = { pointValueFen: 1, loveValueFen: 1, greenPricePerPointFen: 250 }
  it('totals, caps and cash', () => {
    const s = checkoutSummary(lines, { points: 1000, love: 0, voucherFen: 500, greenUnits: 20000 }, values)
    expect(s.totalFen).toBe(20999)
    expect(s.maxDeductFen).toBe(4000 + 99)
    expect(s.deductFen).toBe(1000 + 500 + 500)
    expect(s.cashFen).toBe(18999)
    expect(s.overCap).toBe(false)
  })
  it('flags deductions above the cap', () => {
    expect(checkoutSummary(lines, { points: 5000, love: 0, voucherFen: 0, greenUnits: 0 }, values).overCap).toBe(true)
  })
})

describe('settings text forms', () => {
  it('lottery fixed and range round-trip', () => {
    expect(parseLottery('120:2, 150:1')).toEqual({ kind: 'fixed', options: [{ ratioBp: 12000, weight: 2 }, { ratioBp: 15000, weight: 1 }] })
    expect(parseLottery('110-160')).toEqual({ kind: 'range', minBp: 11000, maxBp: 16000 })
    expect(parseLottery('')).toBeNull()
    expect(parseLottery('abc')).toBeUndefined()
    expect(lotteryToText({ kind: 'fixed', options: [{ ratioBp: 12000, weight: 2 }] })).toBe('120:2')
  })
  it('tiers and level ratios', () => {
    const tiers = parseTiers('30:2000:50, 60:10000:100')
    expect(tiers).toEqual([
      { days: 30, minSpendFen: 200000, ratioBp: 5000 },
      { days: 60, minSpendFen: 1000000, ratioBp: 10000 },
    ])
    expect(tiersToText(tiers)).toBe('30:2000:50, 60:10000:100')
    expect(parseTiers('30:x:50')).toBeUndefined()
    expect(parseLevelRatios('L1:150，L2:200')).toEqual({ L1: 15000, L2: 20000 })
  })
  it('the config form edits numbers as text and names an unreadable field', () => {
    const cfg = {
      version: 3,
      rebate: { extractionBp: 6500, defaultRatioBp: 13000, levelRatios: {}, lottery: null, exchange: { pointsBp: 10000, loveBp: null, loveFrozen: false, voucherBp: 10000 }, randomReturn: { enabled: false, cashCount: 1, pointsCount: 2 }, reset: { weekday: 1, monthDay: 1 } },
      union: { poolShareBp: 6000, entitlementBp: 10000, defaultLockDays: 15, accelerationBp: 2000 },
      green: { poolShareBp: 3000, mintBp: 7000, withdrawFeeBp: 1000, exitMultipleBp: 20000, launchPriceFen: 100 },
      referral: { commissionBp: 0, recruiterBp: 0 },
      deduction: { pointValueFen: 1, loveValueFen: 1 },
      withdrawal: { minFen: 100, maxFen: 1_000_000_000_000, confirmHours: 24 },
      payment: { closeAfterMin: 30 },
      orders: { autoConfirmDays: 10, afterSaleDays: 7 },
    } as unknown as PluginConfig
    const texts = textsOf(cfg)
    expect(texts['rebate.extractionBp']).toBe('65')
    expect(texts['green.launchPriceFen']).toBe('1.00')
    expect(texts['rebate.exchange.loveBp']).toBe('')
    const ok = applyTexts(cfg, { ...texts, 'rebate.extractionBp': '50', 'rebate.lottery': '120:1' })
    expect('config' in ok && ok.config.rebate.extractionBp).toBe(5000)
    expect('config' in ok && ok.config.rebate.exchange.loveBp).toBeNull()
    expect('config' in ok && ok.config.rebate.lottery).toEqual({ kind: 'fixed', options: [{ ratioBp: 12000, weight: 1 }] })
    expect('config' in ok && ok.config.version).toBe(3)
    expect(applyTexts(cfg, { ...texts, 'union.poolShareBp': 'x' })).toEqual({ error: '「利润入池比例」格式不正确', path: 'union.poolShareBp' })
  })
})

describe('orders and sharing', () => {
  it('buttons per order state', () => {
    expect(orderActions({ status: 'created', kind: 'mall' })).toEqual(['cancel', 'pay'])
    expect(orderActions({ status: 'paid', kind: 'mall' })).toEqual(['refund', 'complete'])
    expect(orderActions({ status: 'paid', kind: 'cashier' })).toEqual(['refund'])
    expect(orderActions({ status: 'refunded', kind: 'mall' })).toEqual([])
  })
  it('share path carries the invite code', () => {
    expect(mallSharePath('AB12')).toBe('/pages/mall/index?ref=AB12')
    expect(mallSharePath(undefined)).toBe('/pages/mall/index')
  })
  it('disclosures say no date or amount is promised, and no slogan appears', () => {
    expect(DISCLOSURE_TEXT).toContain('不承诺任何到账日期或金额')
    for (const t of [DISCLOSURE_TEXT, DISCLOSURE_GREEN, DISCLOSURE_UNION]) {
      for (const banned of BANNED) expect(t).not.toContain(banned)
    }
  })
})


describe('parseRef', () => {
  it('reads ?ref= and the scene r=<code> of an invite code', () => {
    expect(parseRef({ ref: 'ABC123' })).toBe('ABC123')
    expect(parseRef({ scene: encodeURIComponent('r=XYZ789') })).toBe('XYZ789')
    expect(parseRef({ scene: encodeURIComponent('c=C1') })).toBeUndefined()
    expect(parseRef({})).toBeUndefined()
  })
})

describe('edges of the money, on the client', () => {
  it('withdrawal states in words; a WeChat transfer waiting for the shopper says so', async () => {
    const { withdrawalStatusText } = await import('./payouts')
    expect(withdrawalStatusText({ status: 'pending' })).toBe('审核中')
    expect(withdrawalStatusText({ status: 'paying', method: 'wechat', awaitingConfirmation: true })).toBe('待确认收款')
    expect(withdrawalStatusText({ status: 'paying', method: 'manual' })).toBe('打款中（线下）')
    expect(withdrawalStatusText({ status: 'paid' })).toBe('已到账')
    expect(withdrawalStatusText({ status: 'failed' })).toBe('打款失败，已退回')
  })
  it('template mappings read and write as key=field', async () => {
    const { mappingToText, parseMapping } = await import('./messageTemplates')
    expect(parseMapping('amount1=amount, thing2=source，time3：time')).toEqual([
      { key: 'amount1', field: 'amount' },
      { key: 'thing2', field: 'source' },
      { key: 'time3', field: 'time' },
    ])
    expect(parseMapping('')).toEqual([])
    expect(parseMapping('amount=amount')).toBeUndefined()
    expect(mappingToText([{ key: 'thing1', field: 'note' }])).toBe('thing1=note')
  })
  it('orders being refunded show 退款中 and offer no action', async () => {
    const { orderActions, orderStatusText } = await import('./orders')
    expect(orderStatusText({ status: 'refunding', settling: false })).toBe('退款中')
    expect(orderActions({ status: 'refunding', kind: 'mall' })).toEqual([])
  })
})
