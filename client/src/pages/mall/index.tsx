import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useLoad, useShareAppMessage } from '@tarojs/taro'
import { call } from '@/lib/api'
import { ensureLogin, mallSharePath } from '@/lib/session'
import { parseRef } from '@/lib/launch'
import { useRemote } from '@/lib/useRemote'
import { formatFen } from '@/lib/format'
import type { Product } from '@/lib/types'
import { Disclosure, StateView, Tag } from '@/components/ui'
import './index.css'

interface Listing {
  rebateName: string
  products: Product[]
}

export default function MallPage() {
  const [inviteCode, setInviteCode] = useState<string>()
  const [storeId, setStoreId] = useState<string | null>(null)
  const stores = useRemote(() => call<{ storeId: string; name: string }[]>('mall', 'listStores'))
  const list = useRemote(() => call<Listing>('mall', 'listProducts', storeId ? { storeId } : {}))

  useLoad((options: Record<string, string | undefined>) => {
    ensureLogin(parseRef(options))
      .then((me) => setInviteCode(me.inviteCode))
      .catch(() => undefined)
  })

  useShareAppMessage(() => ({ title: '绿色好物，一起来逛', path: mallSharePath(inviteCode) }))

  const pick = (id: string | null) => {
    setStoreId(id)
    setTimeout(() => void list.reload(), 0)
  }

  const products = list.data?.products ?? []
  return (
    <View className='page'>
      <View className='card mall-head'>
        <Text className='card__title'>商城</Text>
        <Text className='card__desc'>精选好物 · 下单后按规则参与{list.data?.rebateName ?? '排队返利'}</Text>
      </View>
      {stores.data && stores.data.length > 0 ? (
        <View className='mall-stores'>
          <Text className={`mall-stores__item${storeId === null ? ' mall-stores__item--on' : ''}`} onClick={() => pick(null)}>
            平台商城
          </Text>
          {stores.data.map((st) => (
            <Text
              key={st.storeId}
              className={`mall-stores__item${storeId === st.storeId ? ' mall-stores__item--on' : ''}`}
              onClick={() => pick(st.storeId)}
            >
              {st.name}
            </Text>
          ))}
        </View>
      ) : null}
      <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && products.length === 0} emptyText='暂无在售商品' onRetry={list.reload}>
        <View className='product-grid'>
          {products.map((p) => (
            <View
              key={p.productId}
              className='product-card'
              data-testid='product-card'
              onClick={() => Taro.navigateTo({ url: `/pages/product/index?id=${encodeURIComponent(p.productId)}` })}
            >
              <View className='product-card__img'>
                <Text className='product-card__initial'>{p.name.slice(0, 1)}</Text>
              </View>
              <View className='product-card__body'>
                <Text className='product-card__name'>{p.name}</Text>
                <View className='product-card__tags'>
                  {p.rebateEnabled ? <Tag>{list.data?.rebateName ?? '排队返利'}</Tag> : null}
                  {p.lotteryAvailable && p.rebateEnabled ? <Tag type='orange'>可抽奖</Tag> : null}
                </View>
                <View className='product-card__foot'>
                  <Text className='amount'>{formatFen(p.priceFen)}</Text>
                  <Text className='muted small'>已售 {p.sold}</Text>
                </View>
              </View>
            </View>
          ))}
        </View>
      </StateView>
      <Disclosure compact />
    </View>
  )
}
