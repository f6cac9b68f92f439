import { describe, expect, it, vi } from 'vitest'
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { mockApi, type Fixture } from '@test/mock-api'
import type { PluginConfig } from '@/lib/types'
import { shanghaiIso, shanghaiParts, topicOf } from '@/lib/configForm'
import AdminConfigPage from './config'
import { growthWarning, outstandingSeries } from './sim/logic'
import type { SimSide, SimulationAnswer } from './sim/types'
import { MESSAGE_KINDS } from '../../../../shared/contract'

const CONFIG = {
  version: 3,
  rebate: {
    enabled: true, name: '排队返利', exchangeName: '兑换', newProductsDefaultOn: true, deductionMode: 'join', settleOn: 'complete', ordering: 'queue',
    extractionBp: 6500, defaultRatioBp: 13000, levelRatios: {}, lottery: null,
    exchange: { pointsBp: 10000, loveBp: 10000, loveFrozen: false, voucherBp: 10000 },
    randomReturn: { enabled: false, cashCount: 1, pointsCount: 2 }, mallQueue: true, allStoresQueue: false, allCashiersQueue: false,
    reset: { enabled: false, schedule: 'daily', time: '00:00', weekday: 1, monthDay: 1, onceAt: null }, paused: false,
    display: { queueId: true, progress: true, received: true, pending: true, member: true, pendingAmount: true },
  },
  union: { enabled: false, poolShareBp: 6000, entitlementBp: 10000, defaultLockDays: 15, accelerationBp: 2000 },
  green: { enabled: false, poolShareBp: 3000, mintBp: 7000, withdrawFeeBp: 1000, exitMultipleBp: 20000, launchPriceFen: 100 },
  referral: { commissionBp: 0, recruiterBp: 0 },
  memberLevels: [{ id: 'L0', name: '普通会员', minSpendFen: 0 }],
  deduction: { pointValueFen: 1, loveValueFen: 1 },
  withdrawal: { minFen: 100, maxFen: 1_000_000_000_000, confirmHours: 24 },
  payment: { closeAfterMin: 30 },
  messages: Object.fromEntries(MESSAGE_KINDS.map((k) => [k, { templateId: '', fields: [{ key: 'amount1', field: 'amount' }, { key: 'time2', field: 'time' }] }])),
  orders: { autoConfirmDays: 10, afterSaleDays: 7 },
} satisfies Fixture<PluginConfig>

const EFFECT = '1号收银台队列：每卖出 ¥1 新增待返 ¥1.30，提取最多只能还 ¥0.65。待返总额随每笔订单增长、不会自行还清'

function side(endFen: number, grows: boolean): SimSide {
  const days = Array.from({ length: 3 }, (_, i) => ({ day: `2026-03-0${i + 1}`, queueOutstandingFen: Math.round((endFen * (i + 1)) / 3), queues: {}, unionOutstandingFen: 0, unionPoolFen: 0, greenPoolFen: 0, greenUnits: 0, greenPricePerPointFen: 100, paidOut: { queueFen: 0, unionFen: 0, greenFen: 0 }, salesFen: 0, createdFen: 0 }))
  const wait = { entries: 10, completed: 4, waiting: 6, left: 0, medianDays: { days: 3, atLeast: true }, p95Days: { days: 3, atLeast: true }, within7Bp: null, within30Bp: null, within90Bp: null, histogram: [{ label: '≤1天', count: 4 }, { label: '仍在等待', count: 6 }] }
  return {
    report: {
      days,
      queues: [],
      totals: { queueStartFen: 0, queueEndFen: endFen, queueWaitingEnd: 6, salesFen: 100_000, orders: 10, paidOut: { queueFen: 5_000, unionFen: 0, greenFen: 0 }, salesDays: 30, eventsApplied: 0, eventsSkipped: 0 },
      waits: wait,
      unionWaits: { ...wait, entries: 0, completed: 0, waiting: 0, histogram: [] },
      union: { enabled: false, startOutstandingFen: 0, endOutstandingFen: 0, startPoolFen: 0, endPoolFen: 0, inflowFen: 0, releasedFen: 0, acceleratedFen: 0, salesFen: 0, entitlementCreatedFen: 0, waitingEnd: 0 },
      green: { enabled: false, startPriceFen: 100, endPriceFen: 100, startPoolFen: 0, endPoolFen: 0, startUnits: 0, endUnits: 0, inflowFen: 0, mintedUnits: 0, exits: 0, exitPaidFen: 0, withdrawPaidFen: 0 },
    },
    analysis: grows ? { grows, effects: [{ scheme: 'queue', key: 'cashiers', name: '1号收银台队列', createdPerYuanBp: 13000, paidPerYuanBp: 6500, growthPerDayFen: 2000, text: EFFECT }], summary: ['按此设置重放近 30 天的 10 笔订单（实付 ¥1000.00）。', EFFECT] } : { grows, effects: [], summary: ['按近期销售，各项待返都不会无限增长。'] },
  }
}

const answer = (proposedEndFen: number, grows: boolean): SimulationAnswer => ({
  period: { from: '2026-02-28T16:00:00.000Z', to: '2026-03-03T10:00:00.000Z', days: 30, orders: 10, events: 0 },
  current: side(60_000, true),
  proposed: side(proposedEndFen, grows),
  bound: { maxDays: 90, maxOrders: 60000, pageDocs: 500 },
  work: { ms: 12, reads: 40, replays: 2 },
})

describe('插件设置 · 模拟', () => {
  it('模拟 replays the form’s settings: side by side, charts, plain words', async () => {
    const calls = mockApi({ 'admin.getConfig': () => CONFIG, 'admin.simulateConfig': (p) => answer((p.config as typeof CONFIG).rebate.defaultRatioBp === 13000 ? 60_000 : 6_500, (p.config as typeof CONFIG).rebate.defaultRatioBp > 6500) })
    render(<AdminConfigPage />)
    await screen.findByTestId('config-simulate')
    fireEvent.click(screen.getByTestId('config-simulate'))
    await screen.findByTestId('sim-panel')
    const sim = calls.find((c) => c.action === 'simulateConfig')!
    expect(sim.params).toMatchObject({ days: 30, config: { version: 3, rebate: { extractionBp: 6500, defaultRatioBp: 13000 } } })
    expect(screen.getByTestId('sim-summary').textContent).toContain('新增待返 ¥1.30')
    const heights = () => [...document.querySelectorAll<HTMLElement>('[data-testid="sim-chart-outstanding-b"]')].map((b) => parseFloat(b.style.height))
    expect(heights()).toEqual([33.33, 66.67, 100])

    // a lower ratio: the proposed bars drop, the summary no longer warns
    const host = document.querySelector('[data-testid="cfg-rebate.defaultRatioBp"]')!
    const ratio = (host.tagName === 'INPUT' ? host : host.querySelector('input')) as HTMLInputElement
    fireEvent.input(ratio, { target: { value: '65' } })
    fireEvent.click(screen.getByTestId('config-simulate'))
    await waitFor(() => expect(screen.getByTestId('sim-summary').textContent).toContain('不会无限增长'))
    expect(heights()).toEqual([3.61, 7.22, 10.83])
    expect(calls.filter((c) => c.action === 'simulateConfig').at(-1)!.params).toMatchObject({ config: { rebate: { defaultRatioBp: 6500 } } })
  })

  it('saving a setting whose outstanding grows without bound asks first, naming the effect', async () => {
    const calls = mockApi({ 'admin.getConfig': () => CONFIG, 'admin.simulateConfig': () => answer(60_000, true), 'admin.setConfig': (p) => ({ ...(p.config as object), version: 4 }) })
    const modal = vi.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'showModal:ok' } as never)
    render(<AdminConfigPage />)
    await screen.findByTestId('config-save')
    fireEvent.click(screen.getByTestId('config-save'))
    await waitFor(() => expect(modal).toHaveBeenCalledTimes(1))
    expect(modal.mock.calls[0]![0]).toMatchObject({ title: '待返会无限增长' })
    expect(String((modal.mock.calls[0]![0] as { content: string }).content)).toContain('每卖出 ¥1 新增待返 ¥1.30')
    expect(calls.some((c) => c.action === 'setConfig')).toBe(false) // 再想想: nothing saved

    modal.mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'showModal:ok' } as never)
    fireEvent.click(screen.getByTestId('config-save'))
    await waitFor(() => expect(calls.some((c) => c.action === 'setConfig')).toBe(true))
    // the same settings were simulated once: the answer is reused for the second save
    expect(calls.filter((c) => c.action === 'simulateConfig')).toHaveLength(1)
    modal.mockRestore()
  })

  it('a setting that does not grow saves without asking', async () => {
    const calls = mockApi({ 'admin.getConfig': () => CONFIG, 'admin.simulateConfig': () => answer(6_500, false), 'admin.setConfig': (p) => ({ ...(p.config as object), version: 4 }) })
    const modal = vi.spyOn(Taro, 'showModal')
    render(<AdminConfigPage />)
    await screen.findByTestId('config-save')
    fireEvent.click(screen.getByTestId('config-save'))
    await waitFor(() => expect(calls.some((c) => c.action === 'setConfig')).toBe(true))
    expect(modal).not.toHaveBeenCalled()
    modal.mockRestore()
  })

  it('the warning names each growing part; the series pairs current and proposed day by day', () => {
    expect(growthWarning(answer(6_500, false))).toBeNull()
    expect(growthWarning(answer(60_000, true))!.content).toBe(`${EFFECT}\n确定仍要保存？`)
    expect(outstandingSeries(answer(30_000, true)).map((d) => [d.label, d.a, d.b])).toEqual([
      ['03-01', 20_000, 10_000],
      ['03-02', 40_000, 20_000],
      ['03-03', 60_000, 30_000],
    ])
  })
})

/** The input inside a Field (Taro's h5 Input is a custom element holding the <input>). */
const inputOf = (testId: string) => {
  const host = screen.getByTestId(testId)
  return (host.tagName === 'INPUT' ? host : host.querySelector('input')) as HTMLInputElement | null
}
/** Type into a Field once its <input> is there (Taro's Input renders it after mounting). */
const typeInto = async (testId: string, value: string) => {
  const input = await waitFor(() => {
    const i = inputOf(testId)
    if (!i) throw new Error(`no input in ${testId}`)
    return i
  })
  fireEvent.input(input, { target: { value } })
}
/** What a Taro Picker reports when the user confirms a choice. */
const pick = (testId: string, value: string | number) =>
  act(() => {
    screen.getByTestId(testId).dispatchEvent(new CustomEvent('change', { detail: { value }, bubbles: true }))
  })

describe('插件设置 · 按主题分页', () => {
  it('shows one topic at a time; the topic bar switches; saving still saves every topic', async () => {
    const calls = mockApi({ 'admin.getConfig': () => CONFIG, 'admin.simulateConfig': () => answer(6_500, false), 'admin.setConfig': (p) => ({ ...(p.config as object), version: 4 }) })
    render(<AdminConfigPage />)
    await screen.findByTestId('cfg-topic-rebate')
    for (const k of ['rebate', 'union', 'green', 'referral', 'withdrawal', 'orders']) expect(screen.getByTestId(`cfg-topic-${k}`)).toBeTruthy()
    expect(screen.getByTestId('cfg-topic-rebate').getAttribute('data-on')).toBe('1')
    expect(screen.queryByTestId('cfg-rebate.extractionBp')).not.toBeNull()
    expect(screen.queryByTestId('cfg-green.poolShareBp')).toBeNull()

    await typeInto('cfg-rebate.extractionBp', '60')
    fireEvent.click(screen.getByTestId('cfg-topic-green'))
    expect(screen.getByTestId('cfg-topic-green').getAttribute('data-on')).toBe('1')
    expect(screen.queryByTestId('cfg-rebate.extractionBp')).toBeNull()
    fireEvent.click(screen.getByTestId('cfg-green.enabled'))
    await typeInto('cfg-green.poolShareBp', '10')

    // back on 排队返利 the typed text is still there
    fireEvent.click(screen.getByTestId('cfg-topic-rebate'))
    await waitFor(() => expect(inputOf('cfg-rebate.extractionBp')?.value).toBe('60'))

    fireEvent.click(screen.getByTestId('config-save'))
    await waitFor(() => expect(calls.some((c) => c.action === 'setConfig')).toBe(true))
    expect(calls.find((c) => c.action === 'setConfig')!.params).toMatchObject({ config: { rebate: { extractionBp: 6000 }, green: { enabled: true, poolShareBp: 1000 }, union: { poolShareBp: 6000 } } })
  })

  it('清零时间 is a time picker writing HH:mm; 每周 / 每月 are pickers; 指定时间 composes a +08:00 instant', async () => {
    const calls = mockApi({ 'admin.getConfig': () => CONFIG, 'admin.simulateConfig': () => answer(6_500, false), 'admin.setConfig': (p) => ({ ...(p.config as object), version: 4 }) })
    render(<AdminConfigPage />)
    await screen.findByTestId('cfg-rebate.reset.time')
    expect(screen.getByTestId('cfg-rebate.reset.time').textContent).toContain('00:00')
    await pick('cfg-rebate.reset.time-picker', '08:30')
    expect(screen.getByTestId('cfg-rebate.reset.time').textContent).toContain('08:30')

    fireEvent.click(screen.getByText('每周'))
    await pick('cfg-rebate.reset.weekday-picker', 2) // index 2 = 周三
    expect(screen.getByTestId('cfg-rebate.reset.weekday').textContent).toContain('周三')
    fireEvent.click(screen.getByText('每月'))
    await pick('cfg-rebate.reset.monthDay-picker', 27)
    expect(screen.getByTestId('cfg-rebate.reset.monthDay').textContent).toContain('28 号')

    fireEvent.click(screen.getByText('指定时间'))
    await pick('cfg-rebate.reset.onceAt-date-picker', '2026-12-31')
    await pick('cfg-rebate.reset.onceAt-time-picker', '23:45')
    expect(screen.getByTestId('cfg-rebate.reset.onceAt').textContent).toContain('2026-12-31 23:45')

    fireEvent.click(screen.getByTestId('config-save'))
    await waitFor(() => expect(calls.some((c) => c.action === 'setConfig')).toBe(true))
    expect(calls.find((c) => c.action === 'setConfig')!.params).toMatchObject({
      config: { rebate: { reset: { schedule: 'once', time: '08:30', weekday: 3, monthDay: 28, onceAt: '2026-12-31T23:45:00+08:00' } } },
    })
  })

  it('an unreadable field on a hidden topic switches to that topic and names the field', async () => {
    const calls = mockApi({ 'admin.getConfig': () => CONFIG, 'admin.simulateConfig': () => answer(6_500, false) })
    render(<AdminConfigPage />)
    await screen.findByTestId('cfg-topic-orders')
    fireEvent.click(screen.getByTestId('cfg-topic-orders'))
    await typeInto('cfg-orders.autoConfirmDays', '7')
    fireEvent.click(screen.getByTestId('cfg-topic-union'))
    await typeInto('cfg-union.poolShareBp', '') // cleared: a required ratio
    fireEvent.click(screen.getByTestId('cfg-topic-rebate'))
    expect(screen.queryByTestId('cfg-union.poolShareBp')).toBeNull()

    fireEvent.click(screen.getByTestId('config-save'))
    await screen.findByTestId('config-guard')
    expect(screen.getByTestId('cfg-topic-union').getAttribute('data-on')).toBe('1')
    expect(screen.getByTestId('cfg-union.poolShareBp')).toBeTruthy()
    expect(screen.getByTestId('config-guard').textContent).toBe('工会排队：「利润入池比例」格式不正确')
    expect(calls.some((c) => c.action === 'simulateConfig' || c.action === 'setConfig')).toBe(false)

    // 模拟 too: a bad lottery on 排队返利 while 发货与售后 is shown
    await typeInto('cfg-union.poolShareBp', '60')
    fireEvent.click(screen.getByTestId('cfg-topic-rebate'))
    await typeInto('cfg-rebate.lottery', 'abc')
    fireEvent.click(screen.getByTestId('cfg-topic-orders'))
    fireEvent.click(screen.getByTestId('config-simulate'))
    await waitFor(() => expect(screen.getByTestId('cfg-topic-rebate').getAttribute('data-on')).toBe('1'))
    expect(screen.getByTestId('config-guard').textContent).toContain('「抽奖」格式不正确')
  })
})

describe('插件设置 · topics and Asia/Shanghai times', () => {
  it('each field has its topic; the pickers read and write +08:00 instants', () => {
    expect(['rebate.reset.time', 'rebate.lottery', 'union.enabled', 'green.poolShareBp', 'referral.commissionBp', 'deduction.pointValueFen', 'payment.closeAfterMin', 'orders.afterSaleDays'].map(topicOf)).toEqual([
      'rebate', 'rebate', 'union', 'green', 'referral', 'withdrawal', 'withdrawal', 'orders',
    ])
    expect(shanghaiParts('2026-12-31T16:30:00.000Z')).toEqual({ date: '2027-01-01', time: '00:30' })
    expect(shanghaiParts('2026-12-31T23:45:00+08:00')).toEqual({ date: '2026-12-31', time: '23:45' })
    expect(shanghaiParts(null)).toEqual({ date: '', time: '' })
    expect(shanghaiIso('2026-12-31', '23:45')).toBe('2026-12-31T23:45:00+08:00')
    expect(shanghaiIso('2026-12-31', '')).toBe('2026-12-31T00:00:00+08:00')
    expect(shanghaiIso('', '09:00', Date.parse('2026-03-01T20:00:00Z'))).toBe('2026-03-02T09:00:00+08:00')
  })
})
