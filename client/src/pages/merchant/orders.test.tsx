import { describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { setRouter } from '@test/page-runtime'
import { mockApi } from '@test/mock-api'
import type { Order } from '@/lib/types'
import { orderFixture } from '@test/orders'
import MerchantOrdersPage from './orders'
import AdminOrdersPage from '../admin/orders'

/** a store's paid order of two yoghurts (¥24.00) to an address */
const order = (over: Partial<Order>): Order =>
  orderFixture({ orderId: 'O1', kind: 'store', storeId: 'S1', lines: [{ productId: 'P1', name: '门店酸奶', qty: 2, priceFen: 1200, totalFen: 2400, cashFen: 2400 }], totalFen: 2400, cashFen: 2400, ...over })
const CARRIERS = [
  { code: 'SF', name: '顺丰速运' },
  { code: 'ZTO', name: '中通快递' },
]


describe('门店订单 (seller orders)', () => {
  it('filters, ships an express order with carrier and tracking number, and shows only what can be done', async () => {
    setRouter({ storeId: 'S1' }, '/pages/merchant/orders')
    let orders = [
      order({ orderId: 'O1' }),
      order({ orderId: 'O2', status: 'completed', completedAt: '2026-03-05T02:00:00.000Z', shippedAt: '2026-03-02T02:00:00.000Z', shipping: { method: 'express', carrier: 'SF', carrierName: '顺丰速运', trackingNo: 'SF1' } }),
      order({ orderId: 'O3', kind: 'cashier', delivery: null, status: 'completed' }),
    ]
    const calls = mockApi({
      'merchant.orders': (p) => (p.filter === 'toShip' ? orders.filter((o) => o.orderId === 'O1') : orders),
      'merchant.carriers': () => CARRIERS,
      'merchant.shipOrder': (p) => {
        orders = orders.map((o) => (o.orderId === p.orderId ? { ...o, shippedAt: '2026-03-02T03:00:00.000Z', shipping: { method: 'express', carrier: String(p.carrier), carrierName: '顺丰速运', trackingNo: String(p.trackingNo) } } : o))
        return orders[0]!
      },
    })
    render(<MerchantOrdersPage />)
    await waitFor(() => expect(screen.getAllByTestId('seller-order')).toHaveLength(3))
    // only the paid, unshipped order can be shipped; completed and cashier orders have no buttons
    expect(screen.getAllByTestId('seller-ship')).toHaveLength(1)
    expect(screen.getByText('待发货', { selector: '.tag' })).toBeTruthy()
    expect(screen.getAllByTestId('seller-address')[0]!.textContent).toContain('张三 13812345678')

    fireEvent.click(screen.getByText('待发货', { selector: '.seg__item' }))
    await waitFor(() => expect(calls.some((c) => c.action === 'orders' && c.params.filter === 'toShip')).toBe(true))
    await waitFor(() => expect(screen.getAllByTestId('seller-order')).toHaveLength(1))

    fireEvent.click(screen.getByTestId('seller-ship'))
    await screen.findByTestId('ship-form')
    await waitFor(() => expect(screen.getByTestId('carrier-name').textContent).toContain('顺丰速运'))
    // a tracking number that is not one: nothing sent
    await waitFor(() => expect(document.querySelector('input[name="tracking-no"]')).not.toBeNull())
    const input = document.querySelector('input[name="tracking-no"]') as HTMLInputElement
    fireEvent.input(input, { target: { value: '1 2' } })
    fireEvent.click(screen.getByTestId('ship-submit'))
    await new Promise((r) => setTimeout(r, 30))
    expect(calls.some((c) => c.action === 'shipOrder')).toBe(false)
    fireEvent.input(input, { target: { value: 'SF1234567890' } })
    fireEvent.click(screen.getByTestId('ship-submit'))
    await waitFor(() => expect(calls.find((c) => c.action === 'shipOrder')?.params).toEqual({ orderId: 'O1', carrier: 'SF', trackingNo: 'SF1234567890' }))
    expect(calls.find((c) => c.action === 'shipOrder')!.fn).toBe('merchant')
  })

  it('a refund request: approve after a confirmation; reject needs a note', async () => {
    setRouter({ storeId: 'S1' }, '/pages/merchant/orders')
    const requested = { status: 'requested' as const, reason: '拍错了', requestedAt: '2026-03-02T02:00:00.000Z', stage: 'paid' as const, decidedAt: null, decisionNote: '' }
    const orders = [order({ orderId: 'O1', afterSale: requested }), order({ orderId: 'O2', afterSale: requested })]
    const calls = mockApi({
      'merchant.orders': () => orders,
      'merchant.carriers': () => CARRIERS,
      'merchant.reviewRefund': (p) => ({ ...orders[0], status: p.approve ? 'refunding' : 'paid' }),
    })
    const modal = vi.spyOn(Taro, 'showModal').mockResolvedValue({ confirm: true, cancel: false, errMsg: 'showModal:ok' } as never)
    render(<MerchantOrdersPage />)
    await waitFor(() => expect(screen.getAllByTestId('seller-review')).toHaveLength(2))
    // no ship button while a request waits
    expect(screen.queryByTestId('seller-ship')).toBeNull()
    expect(screen.getAllByTestId('seller-aftersale')[0]!.textContent).toContain('拍错了')
    fireEvent.click(screen.getAllByTestId('seller-review')[0]!)
    await screen.findByTestId('review-form')
    fireEvent.click(screen.getByTestId('review-reject'))
    await new Promise((r) => setTimeout(r, 30))
    expect(calls.some((c) => c.action === 'reviewRefund')).toBe(false)
    fireEvent.click(screen.getByTestId('review-approve'))
    await waitFor(() => expect(calls.find((c) => c.action === 'reviewRefund')?.params).toEqual({ orderId: 'O1', approve: true }))
    expect(modal).toHaveBeenCalled()
    modal.mockRestore()
    await waitFor(() => expect(screen.queryByTestId('review-form')).toBeNull())
    // the second: rejected with a note
    fireEvent.click(screen.getAllByTestId('seller-review')[1]!)
    await screen.findByTestId('review-form')
    await waitFor(() => expect(document.querySelector('input[name="review-note"]')).not.toBeNull())
    fireEvent.input(document.querySelector('input[name="review-note"]') as HTMLInputElement, { target: { value: '商品已发出' } })
    fireEvent.click(screen.getByTestId('review-reject'))
    await waitFor(() => expect(calls.filter((c) => c.action === 'reviewRefund')[1]?.params).toEqual({ orderId: 'O2', approve: false, note: '商品已发出' }))
  })

  it('the admin page lists mall orders through admin.orders and ships through admin.shipOrder; pickup is 已备货 without a form', async () => {
    const orders = [order({ orderId: 'OM', kind: 'mall', storeId: null, delivery: { method: 'pickup' } })]
    const calls = mockApi({
      'admin.orders': () => orders,
      'admin.carriers': () => CARRIERS,
      'admin.shipOrder': () => ({ ...orders[0], shippedAt: '2026-03-02T03:00:00.000Z', shipping: { method: 'pickup', carrier: null, carrierName: null, trackingNo: null } }),
    })
    render(<AdminOrdersPage />)
    await screen.findByText('待备货')
    fireEvent.click(screen.getByTestId('seller-ship'))
    await screen.findByTestId('ship-form')
    await new Promise((r) => setTimeout(r, 30))
    expect(document.querySelector('input[name="tracking-no"]')).toBeNull()
    fireEvent.click(screen.getByTestId('ship-submit'))
    await waitFor(() => expect(calls.find((c) => c.action === 'shipOrder')).toMatchObject({ fn: 'admin', params: { orderId: 'OM' } }))
  })
})
