import { describe, expect, it } from 'vitest'
import { render, screen, waitFor } from '@testing-library/react'
import { firePageEvent, setRouter } from '@test/page-runtime'
import { ME, mockApi } from '@test/mock-api'
import StorePage from './index'

describe('门店 page', () => {
  it('lists the store’s products, signs in with the card’s ref, and shares the store with the invite code', async () => {
    const calls = mockApi({
      'user.login': () => ME,
      'mall.getStore': () => ({ storeId: 'S1', name: '绿源便利店' }),
      'mall.listProducts': () => ({ rebateName: '排队返利', products: [{ productId: 'P9', name: '鲜榨橙汁', priceFen: 1800, stock: 3, sold: 1, storeId: 'S1', listed: true, maxDeductBp: 0, rebateEnabled: true, lotteryAvailable: false, lockDays: 15 }], nextCursor: null, scanned: 1 }),
    })
    setRouter({ id: 'S1', ref: 'FRIEND2' }, '/pages/store/index')
    render(<StorePage />)
    await screen.findByText('鲜榨橙汁')
    expect(screen.getByTestId('store-head').textContent).toContain('绿源便利店')
    expect(calls.find((c) => c.action === 'listProducts')?.params).toMatchObject({ storeId: 'S1' })
    expect(calls.find((c) => c.action === 'login')?.params).toEqual({ ref: 'FRIEND2' })
    await waitFor(() => {
      const [chat] = firePageEvent('onShareAppMessage', { from: 'menu' })
      expect(chat).toMatchObject({ path: '/pages/store/index?id=S1&ref=ABC123' })
    })
    expect(firePageEvent('onShareTimeline')[0]).toMatchObject({ query: 'id=S1&ref=ABC123' })
  })
})
