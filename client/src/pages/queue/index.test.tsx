import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { ME, mockApi, type Fixture } from '@test/mock-api'
import type { Entry, MyEntries, MyUnion } from '@/lib/types'
import QueuePage from './index'

const entry = (id: string, over: Fixture<Entry> = {}): Fixture<Entry> => ({
  entryId: id, queueKey: 'mall', queueName: '商城队列', queuePendingCount: 3, seq: 1, position: 1, aheadFen: 0, aheadExact: true, orderId: 'O1',
  baseFen: 16800, ratioBp: 13000, ratioRule: 'own', entitlementFen: 21840, receivedFen: 0, pendingFen: 21840, progressBp: 0, status: 'pending',
  waitingForCompletion: false, canExchange: true, convertedToPoints: false, exchanged: null, createdAt: '2026-03-01T00:00:00Z', closedAt: null,
  lottery: { available: true, drawnBp: null, drawnAt: null, lapsesAt: 'firstPayout', odds: { kind: 'fixed', mayLower: true, mayRaise: true, options: [{ ratioBp: 12000, chanceBp: 5000, entitlementFen: 20160 }, { ratioBp: 15000, chanceBp: 5000, entitlementFen: 25200 }] } },
  ...over,
})
const MINE = {
  name: '排队返利', exchangeName: '兑换', paused: false, exchange: { pointsBp: 10000, loveBp: null, loveFrozen: false, voucherBp: null }, deduction: { pointValueFen: 1, loveValueFen: 1 },
  pendingTotalFen: 21840, pendingCount: 1, settlingOrders: 0,
  entries: [entry('E1'), entry('E2', { status: 'exchanged', position: null, aheadFen: null, pendingFen: 0, lottery: null, exchanged: { to: 'points', amount: 5000, remainingFen: 5000 } })],
} satisfies Fixture<MyEntries>
const UNION = {
  enabled: true, poolFen: 123400, pendingFen: 999999, myPendingFen: 8000, myReceivedFen: 2000, listedLimit: 100, defaultLockDays: 15, accelerationBp: 2000,
  entries: [{ entryId: 'O1:0', orderId: 'O1', seq: 4, entitlementFen: 10000, receivedFen: 2000, pendingFen: 8000, status: 'pending', lockDays: 15, orderDay: '2026-03-01', eligibleDay: '2026-03-15', eligible: false, accelerated: true }],
} satisfies Fixture<MyUnion>

describe('排队 page', () => {
  it('shows the disclosure once for all cards, and totals of every pending entry', async () => {
    mockApi({ 'user.login': () => ME, 'queue.mine': () => ({ ...MINE, entries: [entry('E1'), entry('E3', { entryId: 'E3' })] }), 'union.mine': () => UNION })
    render(<QueuePage />)
    await waitFor(() => expect(screen.getAllByTestId('entry-card')).toHaveLength(2))
    expect(screen.getAllByTestId('disclosure')).toHaveLength(1)
    expect(screen.getByTestId('queue-pending-total').textContent).toBe('¥218.40')
  })

  it('explains the lottery before drawing, and draws only on 确定抽奖', async () => {
    const calls = mockApi({ 'user.login': () => ME, 'queue.mine': () => MINE, 'union.mine': () => UNION, 'queue.draw': () => ({ entryId: 'E1', ratioBp: 12000, previousRatioBp: 13000, entitlementFen: 20160 }) })
    render(<QueuePage />)
    fireEvent.click(await screen.findByTestId('lottery-button'))
    const sheet = await screen.findByTestId('lottery-sheet')
    expect(sheet.textContent).toContain('120%　概率 50%　权益 ¥201.60')
    expect(sheet.textContent).toContain('抽奖可能降低比例')
    expect(sheet.textContent).toContain('第一次到账时失效')
    expect(calls.some((c) => c.action === 'draw')).toBe(false)
    fireEvent.click(screen.getByText('暂不抽奖'))
    expect(screen.queryByTestId('lottery-sheet')).toBeNull()
    fireEvent.click(screen.getByTestId('lottery-button'))
    fireEvent.click(await screen.findByText('确定抽奖'))
    await waitFor(() => expect(calls.find((c) => c.action === 'draw')?.params).toEqual({ entryId: 'E1' }))
  })

  it('全部记录: an exchanged entry says what it became', async () => {
    mockApi({ 'user.login': () => ME, 'queue.mine': () => MINE, 'union.mine': () => UNION })
    render(<QueuePage />)
    await screen.findAllByTestId('entry-card')
    fireEvent.click(screen.getByText('全部记录'))
    expect((await screen.findByTestId('entry-outcome')).textContent).toBe('已兑换 5000 积分')
  })

  it('工会排队 has its own totals and explains the lock period and acceleration', async () => {
    mockApi({ 'user.login': () => ME, 'queue.mine': () => MINE, 'union.mine': () => UNION })
    render(<QueuePage />)
    await screen.findAllByTestId('entry-card')
    fireEvent.click(screen.getByText('工会排队'))
    expect((await screen.findByTestId('union-pending-total')).textContent).toBe('¥80.00')
    expect(screen.getByTestId('union-received-total').textContent).toBe('¥20.00')
    expect(screen.queryByTestId('queue-pending-total')).toBeNull()
    expect(screen.getByTestId('union-explained').textContent).toContain('实付金额的 20% 从资金池提前支付')
    expect(screen.getByText('锁定中 · 已加速')).toBeTruthy()
    expect(screen.getByTestId('union-accelerated').textContent).toContain('来自好友消费的加速')
  })
})
