import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { mockApi } from '@test/mock-api'
import { readCart } from '@/lib/cart'
import CartPage from './index'

const line = (productId: string, qty: number, priceFen = 1000) => ({ productId, name: `商品${productId}`, priceFen, maxDeductBp: 0, qty, storeId: null })
const product = (productId: string, over: object = {}) => ({ productId, name: `商品${productId}`, priceFen: 1000, maxDeductBp: 0, stock: 10, listed: true, storeId: null, sold: 0, rebateEnabled: true, lotteryAvailable: false, lockDays: 15, ...over })

describe('购物车 page', () => {
  it('checks the cart against the current products: new price, sold out, delisted; totals only what can be bought', async () => {
    Taro.setStorageSync('cart.v1', [line('A', 2, 900), line('B', 1), line('C', 1), line('D', 5)])
    mockApi({ 'mall.getProducts': () => [product('A', { priceFen: 1000 }), product('B', { stock: 0 }), product('C', { listed: false }), product('D', { stock: 3 })] })
    render(<CartPage />)
    await screen.findByText('商品A')
    expect(screen.getByText('价格已更新')).toBeTruthy()
    expect(screen.getAllByTestId('cart-problem').map((x) => x.textContent)).toEqual(['已售罄', '已下架', '库存仅剩 3 件'])
    expect(screen.getByTestId('cart-total').textContent).toBe('¥20.00')
    // the saved cart now holds the current price
    expect(readCart().find((l) => l.productId === 'A')?.priceFen).toBe(1000)
  })

  it('changes quantities, removes at zero, and goes to the checkout', async () => {
    Taro.setStorageSync('cart.v1', [line('A', 1), line('B', 1)])
    mockApi({ 'mall.getProducts': () => [product('A'), product('B')] })
    render(<CartPage />)
    await screen.findByText('商品A')
    fireEvent.click(screen.getAllByTestId('cart-plus')[0]!)
    await waitFor(() => expect(screen.getByTestId('cart-total').textContent).toBe('¥30.00'))
    fireEvent.click(screen.getAllByTestId('cart-minus')[1]!)
    await waitFor(() => expect(screen.queryByText('商品B')).toBeNull())
    expect(readCart()).toEqual([expect.objectContaining({ productId: 'A', qty: 2 })])
  })

  it('an empty cart says so', async () => {
    mockApi({})
    render(<CartPage />)
    expect(await screen.findByText('购物车是空的')).toBeTruthy()
    expect(screen.getByText('去商城逛逛')).toBeTruthy()
  })
})
