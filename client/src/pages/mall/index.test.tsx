import { describe, expect, it } from 'vitest'
import { render, screen, waitFor } from '@testing-library/react'
import { firePageEvent, setRouter } from '@test/page-runtime'
import { ME, mockApi } from '@test/mock-api'
import MallPage from './index'

const PRODUCT = {
  productId: 'P1', name: '有机大米 5kg', priceFen: 16800, stock: 5, sold: 2, storeId: null, listed: true,
  maxDeductBp: 2000, rebateEnabled: true, lotteryAvailable: true, lockDays: 15,
}

describe('商城 page', () => {
  it('lists products with ¥ prices, signs in with the ref it was opened with, and shares with the invite code', async () => {
    const calls = mockApi({
      'user.login': () => ME,
      'mall.listStores': () => [],
      'mall.listProducts': () => ({ rebateName: '排队返利', products: [PRODUCT] }),
    })
    setRouter({ ref: 'FRIEND1' }, '/pages/mall/index')
    const { container } = render(<MallPage />)
    expect(container.querySelector('.page .card .card__title')?.textContent).toBe('商城')
    await screen.findByText('有机大米 5kg')
    expect(screen.getByText('¥168.00')).toBeTruthy()
    expect(screen.getByText('可抽奖')).toBeTruthy()
    expect(screen.getByTestId('disclosure').textContent).toContain('不承诺任何到账日期或金额')
    expect(calls.find((c) => c.fn === 'user' && c.action === 'login')?.params).toEqual({ ref: 'FRIEND1' })
    await waitFor(() => {
      const [share] = firePageEvent('onShareAppMessage', { from: 'menu' })
      expect(share).toMatchObject({ path: '/pages/mall/index?ref=ABC123' })
    })
  })

  it('shows an empty state and the server message on errors', async () => {
    mockApi({
      'user.login': () => ME,
      'mall.listStores': () => [],
      'mall.listProducts': () => {
        throw { code: 'INTERNAL', message: '商城维护中，请稍后再来' }
      },
    })
    render(<MallPage />)
    expect(await screen.findByText('商城维护中，请稍后再来')).toBeTruthy()
  })
})
