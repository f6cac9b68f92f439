import { describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { ME, mockApi } from '@test/mock-api'
import CheckoutPage from './index'

const BAL = { cashFen: 0, withdrawingFen: 0, points: 5000, love: 0, loveFrozen: 0, voucherFen: 0, greenUnits: 0, greenExitingFen: 0 }

describe('确认订单 page', () => {
  it('shows the disclosure before paying, previews deductions, and refuses to pay before it is acknowledged', async () => {
    Taro.setStorageSync('cart.v1', [{ productId: 'P1', name: '有机大米', priceFen: 10000, maxDeductBp: 2000, qty: 1, storeId: null }])
    const calls = mockApi({
      'user.login': () => ME,
      'wallet.balances': () => BAL,
      'green.state': () => ({ enabled: false, pricePerPointFen: 100 }),
      'mall.getProduct': () => ({ deduction: { pointValueFen: 1, loveValueFen: 1 } }),
    })
    const { container } = render(<CheckoutPage />)
    await screen.findByText('有机大米')
    expect(screen.getByTestId('disclosure').textContent).toContain('不承诺任何到账日期或金额')
    await screen.findByText('最多可抵扣 ¥20.00，抵扣部分不用现金支付')
    const points = container.querySelector('[data-testid="deduct-points"] input, input[name="deduct-points"]') as HTMLInputElement
    fireEvent.input(points, { target: { value: '1500' } })
    await waitFor(() => expect(screen.getByTestId('cash-to-pay').textContent).toBe('¥85.00'))
    fireEvent.click(screen.getByText('提交订单并支付 ¥85.00'))
    await new Promise((r) => setTimeout(r, 50))
    expect(calls.some((c) => c.fn === 'order')).toBe(false)
  })

  it('asks how to deliver: an h5 address form for express (checked before ordering), pickup for store products; sends delivery and the note', async () => {
    Taro.setStorageSync('cart.v1', [{ productId: 'SP1', name: '门店酸奶', priceFen: 1200, maxDeductBp: 0, qty: 2, storeId: 'S1' }])
    const redirect = vi.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'redirectTo:ok' } as never)
    const calls = mockApi({
      'user.login': () => ME,
      'wallet.balances': () => BAL,
      'green.state': () => ({ enabled: false, pricePerPointFen: 100 }),
      'mall.getProduct': () => ({ deduction: { pointValueFen: 1, loveValueFen: 1 } }),
      'order.create': (p) => ({ orderId: 'O1', status: 'created', cashFen: 2400, ...p }),
      'order.pay': () => ({ order: { orderId: 'O1', status: 'paid' }, payment: { simulated: true }, alreadyPaid: false }),
    })
    const { container } = render(<CheckoutPage />)
    await screen.findByText('门店酸奶')
    const input = (id: string) => container.querySelector(`input[name="${id}"]`) as HTMLInputElement
    expect(screen.getByTestId('address-form')).toBeTruthy()
    fireEvent.click(screen.getByTestId('agree-disclosure'))
    // express with an empty address: refused before anything is sent
    fireEvent.click(screen.getByTestId('submit-order'))
    await new Promise((r) => setTimeout(r, 50))
    expect(calls.some((c) => c.fn === 'order')).toBe(false)
    // fill the form
    fireEvent.input(input('addr-name'), { target: { value: '李四' } })
    fireEvent.input(input('addr-phone'), { target: { value: '13900001111' } })
    fireEvent.input(input('addr-province'), { target: { value: '浙江省' } })
    fireEvent.input(input('addr-city'), { target: { value: '杭州市' } })
    fireEvent.input(input('addr-district'), { target: { value: '西湖区' } })
    fireEvent.input(input('addr-detail'), { target: { value: '文三路 100 号' } })
    fireEvent.input(input('order-note'), { target: { value: '工作日送达' } })
    fireEvent.click(screen.getByTestId('submit-order'))
    await waitFor(() => expect(calls.find((c) => c.fn === 'order' && c.action === 'create')).toBeTruthy())
    const create = calls.find((c) => c.fn === 'order' && c.action === 'create')!
    expect(create.params).toMatchObject({
      lines: [{ productId: 'SP1', qty: 2 }],
      delivery: { method: 'express', address: { name: '李四', phone: '13900001111', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 100 号' } },
      note: '工作日送达',
    })
    await waitFor(() => expect(redirect).toHaveBeenCalledWith({ url: '/pages/orders/index' }))
    redirect.mockRestore()
  })

  it('store products can be picked up at the store: no address needed', async () => {
    Taro.setStorageSync('cart.v1', [{ productId: 'SP1', name: '门店酸奶', priceFen: 1200, maxDeductBp: 0, qty: 1, storeId: 'S1' }])
    Taro.removeStorageSync('address.v1')
    const redirect = vi.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'redirectTo:ok' } as never)
    const calls = mockApi({
      'user.login': () => ME,
      'wallet.balances': () => BAL,
      'green.state': () => ({ enabled: false, pricePerPointFen: 100 }),
      'mall.getProduct': () => ({ deduction: { pointValueFen: 1, loveValueFen: 1 } }),
      'order.create': () => ({ orderId: 'O2', status: 'created', cashFen: 1200 }),
      'order.pay': () => ({ order: { orderId: 'O2', status: 'paid' }, payment: { simulated: true }, alreadyPaid: false }),
    })
    render(<CheckoutPage />)
    await screen.findByText('门店酸奶')
    fireEvent.click(screen.getByText('到店自提'))
    await screen.findByTestId('pickup-hint')
    expect(screen.queryByTestId('address-form')).toBeNull()
    fireEvent.click(screen.getByTestId('agree-disclosure'))
    fireEvent.click(screen.getByTestId('submit-order'))
    await waitFor(() => expect(calls.find((c) => c.fn === 'order' && c.action === 'create')?.params).toMatchObject({ delivery: { method: 'pickup' } }))
    await waitFor(() => expect(redirect).toHaveBeenCalled())
    redirect.mockRestore()
  })
})
