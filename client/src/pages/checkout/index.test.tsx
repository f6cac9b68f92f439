import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { ME, mockApi } from '@test/mock-api'
import CheckoutPage from './index'

const BAL = { cashFen: 0, withdrawingFen: 0, points: 5000, love: 0, loveFrozen: 0, voucherFen: 0, greenUnits: 0 }

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
})
