import { useState } from 'react'
import { View, Text, Image, Swiper, SwiperItem, ScrollView } from '@tarojs/components'
import Taro, { useDidShow, useLoad, usePullDownRefresh, useReachBottom, useShareAppMessage } from '@tarojs/taro'
import { call } from '@/lib/api'
import { ensureLogin, mallSharePath } from '@/lib/session'
import { parseRef } from '@/lib/launch'
import { useRemote } from '@/lib/useRemote'
import { useBrowse } from '@/lib/catalog'
import { cartCount } from '@/lib/cart'
import { imageSrc } from '@/lib/images'
import type { BannerSlide } from '@/lib/types'
import ProductGrid from '@/components/ProductGrid'
import SearchBar from '@/components/SearchBar'
import { Disclosure, StateView } from '@/components/ui'
import './index.css'

/** Where a banner slide leads. */
function openSlide(b: BannerSlide, pickCategory: (id: string) => void) {
  const link = b.link
  if (link.kind === 'product') void Taro.navigateTo({ url: `/pages/product/index?id=${encodeURIComponent(link.id)}` })
  else if (link.kind === 'store') void Taro.navigateTo({ url: `/pages/store/index?id=${encodeURIComponent(link.id)}` })
  else if (link.kind === 'category') pickCategory(link.id)
}

export default function MallPage() {
  const [inviteCode, setInviteCode] = useState<string>()
  const [categoryId, setCategoryId] = useState<string>('')
  const [q, setQ] = useState('')
  const [cart, setCart] = useState(0)
  const home = useRemote(() => call('mall', 'home'))
  const list = useBrowse()

  useLoad((options: Record<string, string | undefined>) => {
    ensureLogin(parseRef(options))
      .then((me) => setInviteCode(me.inviteCode))
      .catch(() => undefined)
    void list.load({})
  })
  useDidShow(() => setCart(cartCount()))
  usePullDownRefresh(() => {
    void list.load({ categoryId: categoryId || undefined, q: q || undefined }).finally(() => {
      try {
        void Promise.resolve(Taro.stopPullDownRefresh()).catch(() => undefined)
      } catch {
        /* not in a page (tests) */
      }
    })
  })
  useReachBottom(() => void list.more())
  useShareAppMessage(() => ({ title: '绿色好物，一起来逛', path: mallSharePath(inviteCode) }))

  const pickCategory = (id: string) => {
    setCategoryId(id)
    void list.load({ categoryId: id || undefined, q: q || undefined })
  }
  const search = (text: string) => {
    setQ(text)
    void list.load({ categoryId: categoryId || undefined, q: text || undefined })
  }

  const h = home.data
  const products = list.products
  const emptyText = q ? `没有找到「${q}」相关的商品` : categoryId ? '这个分类还没有在售商品' : '暂无在售商品'
  return (
    <View className='page'>
      <SearchBar
        placeholder='搜索商品名称'
        onSearch={search}
        extra={
          <Text className='mall-cart' onClick={() => Taro.navigateTo({ url: '/pages/cart/index' })} data-testid='cart-link'>
            购物车{cart > 0 ? `(${cart})` : ''}
          </Text>
        }
      />
      {h && h.banners.length > 0 && !q ? (
        <Swiper className='mall-banner' indicatorDots={h.banners.length > 1} autoplay circular indicatorActiveColor='#07c160' data-testid='mall-banner'>
          {h.banners.map((b, i) => (
            <SwiperItem key={`${b.imageUrl}${i}`}>
              <View className='mall-banner__slide' onClick={() => openSlide(b, pickCategory)}>
                <Image className='mall-banner__img' src={imageSrc(b.imageUrl)} mode='aspectFill' />
                {b.title ? <Text className='mall-banner__title'>{b.title}</Text> : null}
              </View>
            </SwiperItem>
          ))}
        </Swiper>
      ) : null}
      {h && h.categories.length > 0 ? (
        <ScrollView scrollX className='mall-cats' enableFlex data-testid='mall-categories'>
          {[{ categoryId: '', name: '全部' }, ...h.categories].map((c) => (
            <Text
              key={c.categoryId || 'all'}
              className={`mall-cats__item${categoryId === c.categoryId ? ' mall-cats__item--on' : ''}`}
              onClick={() => pickCategory(c.categoryId)}
              data-testid='category-chip'
            >
              {c.name}
            </Text>
          ))}
        </ScrollView>
      ) : null}
      {h && h.stores.length > 0 && !q && !categoryId ? (
        <View className='card mall-stores' data-testid='mall-stores'>
          <Text className='mall-stores__title'>门店</Text>
          {h.stores.map((st) => (
            <Text key={st.storeId} className='mall-stores__item' onClick={() => Taro.navigateTo({ url: `/pages/store/index?id=${encodeURIComponent(st.storeId)}` })}>
              {st.name} ›
            </Text>
          ))}
        </View>
      ) : null}
      {q ? (
        <Text className='muted small block mall-result' data-testid='search-result'>
          「{q}」的搜索结果{products.length ? ` ${products.length} 件${list.nextCursor ? '（还有更多）' : ''}` : ''}
        </Text>
      ) : null}
      <StateView loading={list.loading && products.length === 0} error={list.error} empty={!list.loading && products.length === 0} emptyText={emptyText} onRetry={() => void list.load({ categoryId: categoryId || undefined, q: q || undefined })}>
        <ProductGrid products={products} rebateName={list.rebateName} />
        {list.nextCursor ? (
          <Text className='mall-more' onClick={() => void list.more()} data-testid='load-more'>
            {list.loading ? '加载中…' : q ? '继续搜索' : '加载更多'}
          </Text>
        ) : products.length > 0 ? (
          <Text className='mall-more mall-more--end'>没有更多了</Text>
        ) : null}
      </StateView>
      <Disclosure compact />
    </View>
  )
}
