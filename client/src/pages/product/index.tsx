import { useState } from 'react'
import { View, Text, Swiper, SwiperItem } from '@tarojs/components'
import Taro, { useDidShow, useLoad, useShareAppMessage, useShareTimeline } from '@tarojs/taro'
import { call } from '@/lib/api'
import { ensureLogin } from '@/lib/session'
import { parseRef } from '@/lib/launch'
import { addToCart, cartCount } from '@/lib/cart'
import { productSharePath, timelineQuery } from '@/lib/share'
import { formatBp, formatFen } from '@/lib/format'
import type { ProductDetail } from '@/lib/types'
import ProductImage from '@/components/ProductImage'
import { Button, Disclosure, Row, StateView, Tag } from '@/components/ui'
import './index.css'

export default function ProductPage() {
  const [product, setProduct] = useState<ProductDetail>()
  const [error, setError] = useState<string | null>(null)
  const [cart, setCart] = useState(0)
  const [inviteCode, setInviteCode] = useState<string>()

  useLoad((options: Record<string, string | undefined>) => {
    const id = options?.id
    if (!id) {
      setError('商品不存在或已下架')
      return
    }
    // opened from a friend's share card: the card's ref binds the referrer at this first sign-in
    const login = ensureLogin(parseRef(options))
      .then((me) => setInviteCode(me.inviteCode))
      .catch(() => undefined)
    login
      .then(() => call('mall', 'getProduct', { productId: id }))
      .then(setProduct)
      .catch((e: Error) => setError(e.message))
  })
  useDidShow(() => setCart(cartCount()))

  // the card carries the sharer's invite code; sharing itself earns nothing (SPEC §6). The cover is
  // the card's picture (a cloud file id; WeChat shows a screenshot of the page when it cannot use it)
  useShareAppMessage(() => ({
    title: product ? `${product.name} ${formatFen(product.priceFen)}` : '商品详情',
    path: productSharePath(product?.productId ?? '', inviteCode),
    ...(product?.imageUrl ? { imageUrl: product.imageUrl } : {}),
  }))
  useShareTimeline(() => ({
    title: product ? `${product.name} ${formatFen(product.priceFen)}` : '商品详情',
    query: timelineQuery(product?.productId ?? '', inviteCode),
    ...(product?.imageUrl ? { imageUrl: product.imageUrl } : {}),
  }))

  const add = (go: boolean) => {
    if (!product) return
    const lines = addToCart({
      productId: product.productId,
      name: product.name,
      priceFen: product.priceFen,
      maxDeductBp: product.maxDeductBp,
      storeId: product.storeId,
      imageUrl: product.imageUrl ?? '',
    })
    setCart(cartCount(lines))
    if (go) void Taro.navigateTo({ url: '/pages/checkout/index' })
    else void Taro.showToast({ title: '已加入购物车', icon: 'success' })
  }

  const images = product?.images?.length ? product.images : product?.imageUrl ? [product.imageUrl] : []
  return (
    <View className='page'>
      <StateView loading={!product && !error} error={error}>
        {product ? (
          <>
            <View className='card pd-media'>
              {images.length > 1 ? (
                <Swiper className='pd-swiper' indicatorDots circular indicatorActiveColor='#07c160'>
                  {images.map((src) => (
                    <SwiperItem key={src}>
                      <ProductImage src={src} name={product.name} className='pd-img' />
                    </SwiperItem>
                  ))}
                </Swiper>
              ) : (
                <ProductImage src={images[0]} name={product.name} className='pd-img' />
              )}
            </View>
            <View className='card'>
              <Text className='card__title'>{product.name}</Text>
              <Text className='big-amount pd-price' data-testid='product-price'>
                {formatFen(product.priceFen)}
              </Text>
              <View className='pd-tags'>
                {product.rebateEnabled ? <Tag>{product.rebateName}</Tag> : <Tag type='grey'>不参与排队</Tag>}
                {product.lotteryAvailable && product.rebateEnabled ? <Tag type='orange'>下单后可抽奖一次</Tag> : null}
                {product.categoryName ? <Tag type='grey'>{product.categoryName}</Tag> : null}
              </View>
              {product.description ? (
                <Text className='pd-desc' data-testid='product-description'>
                  {product.description}
                </Text>
              ) : null}
            </View>
            {product.store ? (
              <View className='card card--list'>
                <View className='list-item' onClick={() => Taro.navigateTo({ url: `/pages/store/index?id=${encodeURIComponent(product.store!.storeId)}` })} data-testid='product-store'>
                  <Text>{product.store.name}</Text>
                  <Text className='list-item__arrow'>进店逛逛 ›</Text>
                </View>
              </View>
            ) : null}
            <View className='card'>
              <Row label='库存'>{product.stock} 件</Row>
              <Row label='已售'>{product.sold} 件</Row>
              <Row label='最多抵扣'>{formatBp(product.maxDeductBp)}</Row>
              <Row label='工会锁定期'>{product.lockDays} 天</Row>
            </View>
            {product.rebateEnabled ? <Disclosure /> : null}
            {process.env.TARO_ENV === 'weapp' ? <Text className='muted small block pd-share'>右上角「···」可转发给好友或分享到朋友圈</Text> : null}
            <View className='pd-bar'>
              <Text className='pd-bar__cart' onClick={() => Taro.navigateTo({ url: '/pages/cart/index' })} data-testid='product-cart'>
                购物车{cart > 0 ? `(${cart})` : ''}
              </Text>
              <View className='pd-bar__btn'>
                <Button type='default' onClick={() => add(false)} disabled={product.stock <= 0} testId='add-to-cart'>
                  加入购物车
                </Button>
              </View>
              <View className='pd-bar__btn'>
                <Button onClick={() => add(true)} disabled={product.stock <= 0} testId='buy-now'>
                  {product.stock > 0 ? '立即购买' : '已售罄'}
                </Button>
              </View>
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
