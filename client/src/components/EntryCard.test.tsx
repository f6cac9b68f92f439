import { describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen } from '@testing-library/react'
import EntryCard from './EntryCard'
import LotterySheet from './LotterySheet'
import type { Entry } from '@/lib/types'

const entry = (over: Partial<Entry> = {}): Entry => ({
  entryId: 'E1', queueKey: 'mall', queueName: '商城队列', queuePendingCount: 3, seq: 7, position: 2, orderId: 'O1',
  baseFen: 10000, ratioBp: 13000, ratioRule: 'plugin.default', entitlementFen: 13000, receivedFen: 0, pendingFen: 13000,
  progressBp: 0, status: 'pending', waitingForCompletion: false, aheadFen: null, aheadExact: null, convertedToPoints: false, exchanged: null,
  lottery: { available: true, drawnBp: null, drawnAt: null, odds: null, lapsesAt: 'firstPayout' }, canExchange: true,
  createdAt: '2026-03-01T01:02:00Z', closedAt: null, ...over,
})
const EX = { pointsBp: 10000, loveBp: 10000, loveFrozen: true, voucherBp: null }

describe('EntryCard', () => {
  it('shows queue, position and the amount ahead, progress with its percentage, received / pending in ¥, the time in Shanghai — and no disclosure of its own (the page shows it once)', () => {
    const { container } = render(<EntryCard entry={entry({ receivedFen: 3250, pendingFen: 9750, progressBp: 2500, lottery: null, aheadFen: 45600, aheadExact: true })} exchangeName='兑换' exchange={EX} />)
    expect(screen.getByText('商城队列')).toBeTruthy()
    expect(screen.getByTestId('entry-position').textContent).toBe('2')
    expect(screen.getByTestId('entry-received').textContent).toBe('¥32.50')
    expect(screen.getByTestId('entry-pending').textContent).toBe('¥97.50')
    expect(container.querySelector<HTMLElement>('.progress__fill')!.style.width).toBe('25%')
    expect(screen.getByTestId('entry-progress').textContent).toBe('25%')
    expect(screen.getByTestId('entry-ahead').textContent).toBe('前面还有 ¥456.00 待返')
    expect(screen.getByText('2026-03-01 09:02')).toBeTruthy()
    expect(screen.queryByTestId('disclosure')).toBeNull()
    expect(screen.queryByTestId('lottery-button')).toBeNull()
  })

  it('the lottery button draws once; afterwards the drawn ratio is shown instead', () => {
    const onDraw = vi.fn()
    const { rerender } = render(<EntryCard entry={entry()} exchangeName='兑换' exchange={EX} onDraw={onDraw} />)
    fireEvent.click(screen.getByText('抽奖'))
    expect(onDraw).toHaveBeenCalledWith(expect.objectContaining({ entryId: 'E1' }))
    rerender(<EntryCard entry={entry({ ratioBp: 15000, lottery: { available: false, drawnBp: 15000, drawnAt: 'x', odds: null, lapsesAt: 'firstPayout' } })} exchangeName='兑换' exchange={EX} onDraw={onDraw} />)
    expect(screen.queryByText('抽奖')).toBeNull()
    expect(screen.getByTestId('lottery-drawn').textContent).toContain('已抽中 150%')
  })

  it('no lottery after the first payout', () => {
    render(<EntryCard entry={entry({ receivedFen: 1, pendingFen: 12999, lottery: { available: false, drawnBp: null, drawnAt: null, odds: null, lapsesAt: 'firstPayout' } })} exchangeName='兑换' exchange={EX} />)
    expect(screen.queryByTestId('lottery-button')).toBeNull()
    expect(screen.getByText('已开始到账，抽奖资格已失效')).toBeTruthy()
  })

  it('the exchange button carries the configured name and offers the configured targets', () => {
    const onExchange = vi.fn()
    render(<EntryCard entry={entry()} exchangeName='换积分' exchange={EX} onExchange={onExchange} />)
    fireEvent.click(screen.getByText('换积分'))
    expect(screen.getByText('爱心值(冻结)')).toBeTruthy()
    expect(screen.queryByText('购物券')).toBeNull()
    expect(screen.getByTestId('exchange-points').textContent).toContain('每 ¥1 待返 = 100 积分')
    expect(screen.getByTestId('exchange-points').textContent).toContain('13000 积分')
    fireEvent.click(screen.getByText('积分'))
    expect(onExchange).toHaveBeenCalledWith(expect.objectContaining({ entryId: 'E1' }), 'points')
  })

  it('finished entries have no buttons and no position; an exchanged one says what it became instead of 待返 ¥0.00', () => {
    render(<EntryCard entry={entry({ status: 'exchanged', position: null, pendingFen: 0, canExchange: false, lottery: null, exchanged: { to: 'points', amount: 120, remainingFen: 120 } })} exchangeName='兑换' exchange={EX} />)
    expect(screen.getByText('已兑换')).toBeTruthy()
    expect(screen.getByTestId('entry-outcome').textContent).toBe('已兑换 120 积分')
    expect(screen.queryByTestId('entry-pending')).toBeNull()
    expect(screen.queryByTestId('entry-position')).toBeNull()
    expect(screen.queryByTestId('exchange-button')).toBeNull()
  })
})

describe('LotterySheet (抽奖说明)', () => {
  it('shows the options with their odds and entitlement, that a draw may lower the ratio and when the right lapses; draws only on 确定抽奖', () => {
    const onConfirm = vi.fn()
    const onCancel = vi.fn()
    const e = entry({
      entitlementFen: 21840, baseFen: 16800,
      lottery: { available: true, drawnBp: null, drawnAt: null, lapsesAt: 'firstPayout', odds: { kind: 'fixed', mayLower: true, mayRaise: true, options: [{ ratioBp: 12000, chanceBp: 2500, entitlementFen: 20160 }, { ratioBp: 15000, chanceBp: 7500, entitlementFen: 25200 }] } },
    })
    render(<LotterySheet entry={e} onConfirm={onConfirm} onCancel={onCancel} />)
    expect(screen.getAllByTestId('lottery-outcome').map((x) => x.textContent)).toEqual(['120%　概率 25%　权益 ¥201.60', '150%　概率 75%　权益 ¥252.00'])
    expect(screen.getByText('当前比例 130%，奖励权益 ¥218.40')).toBeTruthy()
    const warn = screen.getByTestId('lottery-warnings').textContent ?? ''
    expect(warn).toContain('可能降低比例')
    expect(warn).toContain('第一次到账时失效')
    fireEvent.click(screen.getByText('暂不抽奖'))
    expect(onCancel).toHaveBeenCalled()
    expect(onConfirm).not.toHaveBeenCalled()
    fireEvent.click(screen.getByText('确定抽奖'))
    expect(onConfirm).toHaveBeenCalledTimes(1)
  })
})
