import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { call } from '@/lib/api'
import { ensureLogin } from '@/lib/session'
import { addToCart, readCart } from '@/lib/cart'
import { formatBp, formatFen } from '@/lib/format'
import type { ProductDetail } from '@/lib/types'
import { Button, Disclosure, Row, StateView, Tag } from '@/components/ui'

export default function ProductPage() {
  const [product, setProduct] = useState<ProductDetail>()
  const [error, setError] = useState<string | null>(null)
  const [cartCount, setCartCount] = useState(0)

  useLoad((options: Record<string, string | undefined>) => {
    const id = options?.id
    setCartCount(readCart().reduce((a, l) => a + l.qty, 0))
    if (!id) {
      setError('商品不存在或已下架')
      return
    }
    ensureLogin()
      .catch(() => undefined)
      .then(() => call<ProductDetail>('mall', 'getProduct', { productId: id }))
      .then(setProduct)
      .catch((e: Error) => setError(e.message))
  })

  const add = (go: boolean) => {
    if (!product) return
    const lines = addToCart({
      productId: product.productId,
      name: product.name,
      priceFen: product.priceFen,
      maxDeductBp: product.maxDeductBp,
      storeId: product.storeId,
    })
    setCartCount(lines.reduce((a, l) => a + l.qty, 0))
    if (go) void Taro.navigateTo({ url: '/pages/checkout/index' })
    else void Taro.showToast({ title: '已加入购物车', icon: 'success' })
  }

  return (
    <View className='page'>
      <StateView loading={!product && !error} error={error}>
        {product ? (
          <>
            <View className='card'>
              <Text className='card__title'>{product.name}</Text>
              {product.description ? <Text className='card__desc'>{product.description}</Text> : null}
              <Text className='big-amount amount' data-testid='product-price'>
                {formatFen(product.priceFen)}
              </Text>
              <View>
                {product.rebateEnabled ? <Tag>{product.rebateName}</Tag> : <Tag type='grey'>不参与排队</Tag>}
                {product.lotteryAvailable && product.rebateEnabled ? <Tag type='orange'>下单后可抽奖一次</Tag> : null}
              </View>
            </View>
            <View className='card'>
              <Row label='库存'>{product.stock}</Row>
              <Row label='已售'>{product.sold}</Row>
              <Row label='最多抵扣'>{formatBp(product.maxDeductBp)}</Row>
              <Row label='工会锁定期'>{product.lockDays} 天</Row>
            </View>
            {product.rebateEnabled ? <Disclosure /> : null}
            <Button type='default' onClick={() => add(false)} testId='add-to-cart'>
              加入购物车{cartCount > 0 ? `（${cartCount}）` : ''}
            </Button>
            <Button onClick={() => add(true)} disabled={product.stock <= 0} testId='buy-now'>
              {product.stock > 0 ? '立即购买' : '已售罄'}
            </Button>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
