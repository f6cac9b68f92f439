import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { call } from '@/lib/api'
import { checkCart, readCart, setCartQty, type CheckedLine } from '@/lib/cart'
import { formatFen } from '@/lib/format'
import ProductImage from '@/components/ProductImage'
import { Button, StateView } from '@/components/ui'
import '../checkout/index.css'
import './index.css'

/**
 * 购物车: what lib/cart.ts keeps on the device, checked against the current products each time the
 * page shows (price, stock, delisted), with quantities to change and 去结算 to the checkout.
 */
export default function CartPage() {
  const [lines, setLines] = useState<CheckedLine[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)

  const refresh = async () => {
    const cart = readCart()
    setError(null)
    if (!cart.length) {
      setLines([])
      setLoading(false)
      return
    }
    try {
      const current = await call('mall', 'getProducts', { productIds: cart.map((l) => l.productId) })
      setLines(checkCart(cart, current))
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setLoading(false)
    }
  }
  useDidShow(() => void refresh())

  const qty = (id: string, n: number) => {
    setCartQty(id, n)
    setLines((ls) => ls.map((l) => (l.productId === id ? { ...l, qty: Math.max(0, Math.min(99, n)) } : l)).filter((l) => l.qty > 0))
  }
  const buyable = lines.filter((l) => !l.problem)
  const totalFen = buyable.reduce((a, l) => a + l.priceFen * l.qty, 0)
  const count = buyable.reduce((a, l) => a + l.qty, 0)
  const checkout = () => {
    if (lines.some((l) => l.problem)) {
      void Taro.showToast({ title: '请先移除已下架或库存不足的商品', icon: 'none' })
      return
    }
    void Taro.navigateTo({ url: '/pages/checkout/index' })
  }

  return (
    <View className='page'>
      <StateView loading={loading} error={error} empty={!loading && !lines.length} emptyText='购物车是空的' onRetry={() => void refresh()}>
        <View className='card'>
          {lines.map((l) => (
            <View className='cart-line' key={l.productId} data-testid='cart-line'>
              <View onClick={() => Taro.navigateTo({ url: `/pages/product/index?id=${encodeURIComponent(l.productId)}` })}>
                <ProductImage src={l.imageUrl} name={l.name} className='cart-line__img' />
              </View>
              <View className='cart-line__main'>
                <Text className='co-line__name'>{l.name}</Text>
                <Text className='amount'>{formatFen(l.priceFen)}</Text>
                {l.priceChanged ? <Text className='muted small block'>价格已更新</Text> : null}
                {l.problem ? (
                  <Text className='state__text small block' data-testid='cart-problem'>
                    {l.problem}
                  </Text>
                ) : null}
              </View>
              <View className='stepper'>
                <Text className='stepper__btn' onClick={() => qty(l.productId, l.qty - 1)} data-testid='cart-minus'>
                  −
                </Text>
                <Text className='stepper__num' data-testid='cart-qty'>
                  {l.qty}
                </Text>
                <Text className='stepper__btn' onClick={() => qty(l.productId, l.qty + 1)} data-testid='cart-plus'>
                  ＋
                </Text>
              </View>
            </View>
          ))}
          <Text className='muted small block'>商品数量减到 0 即从购物车移除；门店商品与商城商品需分开结算</Text>
        </View>
        <View className='card cart-total'>
          <Text>
            共 {count} 件，合计 <Text className='amount' data-testid='cart-total'>{formatFen(totalFen)}</Text>
          </Text>
          <Text className='muted small block'>抵扣和实付金额在结算页确认</Text>
          <Button onClick={checkout} disabled={!buyable.length} testId='cart-checkout'>
            去结算
          </Button>
        </View>
      </StateView>
      {!loading && !lines.length ? (
        <Button type='default' onClick={() => Taro.switchTab({ url: '/pages/mall/index' })}>
          去商城逛逛
        </Button>
      ) : null}
    </View>
  )
}
