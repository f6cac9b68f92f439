import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { firePageEvent, setRouter } from '@test/page-runtime'
import { renderedInput } from '@test/inputs'
import { ME, mockApi, type Fixture } from '@test/mock-api'
import type { MallHome } from '@/lib/types'
import { addToCart } from '@/lib/cart'
import MallPage from './index'

const PRODUCT = {
  productId: 'P1', name: '有机大米 5kg', priceFen: 16800, stock: 5, sold: 2, storeId: null, listed: true,
  maxDeductBp: 2000, rebateEnabled: true, lotteryAvailable: true, lockDays: 15, imageUrl: '/files/' + 'a'.repeat(32) + '.png', images: ['/files/' + 'a'.repeat(32) + '.png'],
}
const TEA = { ...PRODUCT, productId: 'P2', name: '高山绿茶', priceFen: 8800, imageUrl: '', images: [] }
const HOME = {
  banners: [{ imageUrl: '/files/' + 'b'.repeat(32) + '.png', title: '新米上市', link: { kind: 'product', id: 'P1' } }],
  categories: [{ categoryId: 'K1', name: '茶饮', sort: 0, listed: true }],
  stores: [{ storeId: 'S1', name: '绿源便利店' }],
} satisfies Fixture<MallHome>

describe('商城 page', () => {
  it('lists products with pictures and ¥ prices, signs in with the ref it was opened with, and shares with the invite code', async () => {
    const calls = mockApi({
      'user.login': () => ME,
      'mall.home': () => HOME,
      'mall.listProducts': () => ({ rebateName: '排队返利', products: [PRODUCT, TEA], nextCursor: null, scanned: 2 }),
    })
    setRouter({ ref: 'FRIEND1' }, '/pages/mall/index')
    render(<MallPage />)
    await screen.findByText('有机大米 5kg')
    expect(screen.getByText('¥168.00')).toBeTruthy()
    expect(screen.getAllByText('可抽奖').length).toBe(2)
    // a picture where there is one, the initial where there is none
    expect(screen.getAllByTestId('product-image')[0]!.getAttribute('src') ?? screen.getAllByTestId('product-image')[0]!.innerHTML).toContain('/files/aaaa')
    expect(screen.getByText('高')).toBeTruthy()
    expect(screen.getByTestId('disclosure').textContent).toContain('不承诺任何到账日期或金额')
    expect(calls.find((c) => c.fn === 'user' && c.action === 'login')?.params).toEqual({ ref: 'FRIEND1' })
    await screen.findByText('新米上市')
    expect(screen.getByText('绿源便利店 ›')).toBeTruthy()
    await waitFor(() => {
      const [share] = firePageEvent('onShareAppMessage', { from: 'menu' })
      expect(share).toMatchObject({ path: '/pages/mall/index?ref=ABC123' })
    })
  })

  it('searches by name and browses by category; the listing continues with the cursor', async () => {
    const calls = mockApi({
      'user.login': () => ME,
      'mall.home': () => HOME,
      'mall.listProducts': (p) =>
        p.q === '茶'
          ? { rebateName: '排队返利', products: [TEA], nextCursor: null, scanned: 2 }
          : p.categoryId === 'K1'
            ? { rebateName: '排队返利', products: [TEA], nextCursor: null, scanned: 1 }
            : p.cursor
              ? { rebateName: '排队返利', products: [TEA], nextCursor: null, scanned: 1 }
              : { rebateName: '排队返利', products: [PRODUCT], nextCursor: '1_P1', scanned: 1 },
    })
    render(<MallPage />)
    await screen.findByText('有机大米 5kg')
    // more when the page reaches the bottom
    firePageEvent('onReachBottom')
    await screen.findByText('高山绿茶')
    expect(calls.filter((c) => c.action === 'listProducts').at(-1)?.params).toMatchObject({ cursor: '1_P1' })
    expect(screen.getByText('有机大米 5kg')).toBeTruthy() // appended, not replaced

    const input = await renderedInput('search-input')
    fireEvent.input(input, { target: { value: '茶' } })
    fireEvent.click(screen.getByTestId('search-submit'))
    await screen.findByText(/「茶」的搜索结果/)
    expect(calls.filter((c) => c.action === 'listProducts').at(-1)?.params).toMatchObject({ q: '茶' })
    await waitFor(() => expect(screen.queryByText('有机大米 5kg')).toBeNull())

    fireEvent.click(screen.getByText('×'))
    await screen.findByText('茶饮')
    fireEvent.click(screen.getByText('茶饮'))
    await waitFor(() => expect(calls.filter((c) => c.action === 'listProducts').at(-1)?.params).toMatchObject({ categoryId: 'K1' }))
    expect(screen.getByText('茶饮').className).toContain('mall-cats__item--on')
  })

  it('says when a search found nothing, and shows the cart count', async () => {
    addToCart({ productId: 'P1', name: '有机大米 5kg', priceFen: 16800, maxDeductBp: 0, storeId: null }, 2)
    mockApi({
      'user.login': () => ME,
      'mall.home': () => ({ banners: [], categories: [], stores: [] }),
      'mall.listProducts': (p) => ({ rebateName: '排队返利', products: p.q ? [] : [PRODUCT], nextCursor: null, scanned: 1 }),
    })
    render(<MallPage />)
    await screen.findByText('有机大米 5kg')
    expect(screen.getByTestId('cart-link').textContent).toBe('购物车(2)')
    const input = await renderedInput('search-input')
    fireEvent.input(input, { target: { value: '咖啡' } })
    fireEvent.click(screen.getByTestId('search-submit'))
    expect(await screen.findByText('没有找到「咖啡」相关的商品')).toBeTruthy()
  })

  it('shows an empty state and the server message on errors', async () => {
    mockApi({
      'user.login': () => ME,
      'mall.home': () => ({ banners: [], categories: [], stores: [] }),
      'mall.listProducts': () => {
        throw { code: 'INTERNAL', message: '商城维护中，请稍后再来' }
      },
    })
    render(<MallPage />)
    expect(await screen.findByText('商城维护中，请稍后再来')).toBeTruthy()
  })
})
