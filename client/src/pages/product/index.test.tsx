import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { firePageEvent, setRouter } from '@test/page-runtime'
import { ME, mockApi } from '@test/mock-api'
import { readCart } from '@/lib/cart'
import ProductPage from './index'

const IMG = (c: string) => `/files/${c.repeat(32)}.png`
const DETAIL = {
  productId: 'P9', name: '鲜榨橙汁', description: '现点现榨\n冷藏保存', priceFen: 1800, stock: 3, sold: 1, storeId: 'S1', listed: true, maxDeductBp: 0,
  rebateEnabled: true, lotteryAvailable: false, lockDays: 15, imageUrl: IMG('c'), images: [IMG('c'), IMG('d')], categoryId: 'K1',
  deduction: { pointValueFen: 1, loveValueFen: 1 }, rebateName: '排队返利', store: { storeId: 'S1', name: '绿源便利店', open: true }, categoryName: '饮品',
}

describe('商品详情 page', () => {
  it('shows the pictures, description, category and store; signs in with the share card’s ref', async () => {
    const calls = mockApi({ 'user.login': () => ME, 'mall.getProduct': () => DETAIL })
    setRouter({ id: 'P9', ref: 'FRIEND9' }, '/pages/product/index')
    render(<ProductPage />)
    await screen.findByText('鲜榨橙汁')
    expect(screen.getByTestId('product-description').textContent).toBe('现点现榨\n冷藏保存')
    expect(screen.getByText('饮品')).toBeTruthy()
    expect(screen.getAllByTestId('product-image').length).toBe(2)
    expect(screen.getByTestId('product-store').textContent).toContain('绿源便利店')
    expect(calls.find((c) => c.action === 'login')?.params).toEqual({ ref: 'FRIEND9' })
  })

  it('share cards (chat and 朋友圈) open this product and carry the sharer’s invite code', async () => {
    mockApi({ 'user.login': () => ME, 'mall.getProduct': () => DETAIL })
    setRouter({ id: 'P9' }, '/pages/product/index')
    render(<ProductPage />)
    await screen.findByText('鲜榨橙汁')
    await waitFor(() => {
      const [chat] = firePageEvent('onShareAppMessage', { from: 'menu' })
      expect(chat).toMatchObject({ path: '/pages/product/index?id=P9&ref=ABC123', title: '鲜榨橙汁 ¥18.00', imageUrl: IMG('c') })
    })
    const [timeline] = firePageEvent('onShareTimeline')
    expect(timeline).toMatchObject({ query: 'id=P9&ref=ABC123' })
  })

  it('加入购物车 keeps the picture and counts the cart', async () => {
    mockApi({ 'user.login': () => ME, 'mall.getProduct': () => DETAIL })
    setRouter({ id: 'P9' }, '/pages/product/index')
    render(<ProductPage />)
    await screen.findByText('鲜榨橙汁')
    fireEvent.click(screen.getByTestId('add-to-cart'))
    fireEvent.click(screen.getByTestId('add-to-cart'))
    expect(screen.getByTestId('product-cart').textContent).toBe('购物车(2)')
    expect(readCart()).toEqual([expect.objectContaining({ productId: 'P9', qty: 2, imageUrl: IMG('c'), storeId: 'S1' })])
  })
})
