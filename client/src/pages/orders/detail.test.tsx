import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { setRouter } from '@test/page-runtime'
import { ME, mockApi } from '@test/mock-api'
import type { Order } from '@/lib/types'
import { orderFixture } from '@test/orders'
import { orderActions, orderTimeline } from '@/lib/orders'
import OrderDetailPage from './detail'

/** shipped by SF, with a note, before any refund window */
const order = (over: Partial<Order> = {}): Order =>
  orderFixture({
    note: '请放门卫处',
    shippedAt: '2026-03-02T02:00:00.000Z',
    shipping: { method: 'express', carrier: 'SF', carrierName: '顺丰速运', trackingNo: 'SF1234567890' },
    refundRequestUntil: null,
    ...over,
  })



describe('订单详情 page', () => {
  it('shows the order number, address, tracking and the timeline; a shipped order offers 确认收货 and a refund request with a reason', async () => {
    setRouter({ id: 'OMX1' }, '/pages/orders/detail')
    let current = order()
    const calls = mockApi({
      'user.login': () => ME,
      'order.get': () => current,
      'order.requestRefund': (p) => {
        current = order({ afterSale: { status: 'requested', reason: String(p.reason), requestedAt: '2026-03-03T02:00:00.000Z', stage: 'paid', decidedAt: null, decisionNote: '' } })
        return current
      },
    })
    render(<OrderDetailPage />)
    expect((await screen.findByTestId('order-id')).textContent).toBe('OMX1')
    expect(screen.getByTestId('order-status').textContent).toContain('已发货')
    expect(screen.getByTestId('order-address').textContent).toContain('张三 13812345678')
    expect(screen.getByTestId('order-tracking').textContent).toContain('顺丰速运 SF1234567890')
    // 下单 支付 发货 done; 收货 结算 not yet; no 退款 step
    const done = (k: string) => screen.getByTestId(`step-${k}`).getAttribute('data-done')
    expect(['create', 'pay', 'ship', 'receive', 'settle'].map(done)).toEqual(['1', '1', '1', '0', '0'])
    expect(screen.queryByTestId('step-refund')).toBeNull()
    // shipped: the direct refund is gone; the request needs a reason
    expect(screen.queryByTestId('detail-refund')).toBeNull()
    expect(screen.getByTestId('detail-complete')).toBeTruthy()
    fireEvent.click(screen.getByTestId('detail-requestRefund'))
    await screen.findByTestId('refund-request')
    fireEvent.click(screen.getByTestId('refund-submit'))
    await new Promise((r) => setTimeout(r, 30))
    expect(calls.some((c) => c.action === 'requestRefund')).toBe(false)
    const textarea = document.querySelector('[data-testid="refund-reason"] textarea, textarea') as HTMLTextAreaElement
    fireEvent.input(textarea, { target: { value: '包装破损' } })
    fireEvent.click(screen.getByTestId('refund-submit'))
    await waitFor(() => expect(calls.find((c) => c.action === 'requestRefund')?.params).toEqual({ orderId: 'OMX1', reason: '包装破损' }))
    // waiting for the platform: no buttons, the timeline says so
    await waitFor(() => expect(screen.getByTestId('step-refund').textContent).toContain('已申请：包装破损'))
    expect(screen.getByTestId('order-status').textContent).toContain('退款申请已提交，等待平台处理')
    expect(screen.queryByTestId('detail-complete')).toBeNull()
  })

  it('a completed order: 申请退款 only inside the after-sales period, otherwise it says who to ask', async () => {
    setRouter({ id: 'OMX1' }, '/pages/orders/detail')
    const completed = order({ status: 'completed', completedAt: '2026-03-05T02:00:00.000Z', settled: true, settledAt: '2026-03-05T02:00:01.000Z', autoConfirmed: true, refundRequestUntil: '2026-03-12T02:00:00.000Z' })
    mockApi({ 'user.login': () => ME, 'order.get': () => ({ ...completed, refundRequestUntil: null }) })
    render(<OrderDetailPage />)
    await screen.findByTestId('order-id')
    expect(screen.getByTestId('step-receive').textContent).toContain('自动确认收货')
    expect(screen.getByTestId('step-settle').getAttribute('data-done')).toBe('1')
    expect(screen.queryByTestId('detail-requestRefund')).toBeNull()
    expect(screen.getByTestId('order-status').textContent).toContain('已过售后期，如需退款请联系平台')
    // the rules: inside the period the request is offered
    expect(orderActions(completed, Date.parse('2026-03-10T00:00:00Z'))).toEqual(['requestRefund'])
    expect(orderActions(completed, Date.parse('2026-03-13T00:00:00Z'))).toEqual([])
    // before shipping an express order is refunded at once and not yet received; a pickup one is 备货
    expect(orderActions(order({ shippedAt: null, shipping: null }))).toEqual(['refund'])
    expect(orderTimeline(order({ shippedAt: null, shipping: null, delivery: { method: 'pickup' } })).map((s) => s.label)).toEqual(['下单', '支付', '备货', '收货', '结算'])
    expect(orderTimeline(order({ kind: 'cashier', delivery: null })).map((s) => s.label)).toEqual(['下单', '支付', '收货', '结算'])
  })
})
