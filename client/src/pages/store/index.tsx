import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useLoad, usePullDownRefresh, useReachBottom, useShareAppMessage, useShareTimeline } from '@tarojs/taro'
import { call } from '@/lib/api'
import { ensureLogin } from '@/lib/session'
import { parseRef } from '@/lib/launch'
import { useBrowse } from '@/lib/catalog'
import { storeSharePath, timelineQuery } from '@/lib/share'
import type { PublicStore } from '@/lib/types'
import ProductGrid from '@/components/ProductGrid'
import SearchBar from '@/components/SearchBar'
import { Disclosure, StateView } from '@/components/ui'

/** 门店: one store's online products, its search, and its share card (with the sharer's invite code). */
export default function StorePage() {
  const [store, setStore] = useState<PublicStore>()
  const [error, setError] = useState<string | null>(null)
  const [inviteCode, setInviteCode] = useState<string>()
  const [q, setQ] = useState('')
  const list = useBrowse()

  useLoad((options: Record<string, string | undefined>) => {
    const id = options?.id
    if (!id) return setError('门店不存在或未营业')
    ensureLogin(parseRef(options))
      .then((me) => setInviteCode(me.inviteCode))
      .catch(() => undefined)
    call('mall', 'getStore', { storeId: id })
      .then((st) => {
        setStore(st)
        void Taro.setNavigationBarTitle({ title: st.name }).catch(() => undefined)
      })
      .catch((e: Error) => setError(e.message))
    void list.load({ storeId: id })
  })
  usePullDownRefresh(() => {
    if (!store) return
    void list.load({ storeId: store.storeId, q: q || undefined }).finally(() => {
      try {
        void Promise.resolve(Taro.stopPullDownRefresh()).catch(() => undefined)
      } catch {
        /* not in a page (tests) */
      }
    })
  })
  useReachBottom(() => void list.more())
  useShareAppMessage(() => ({ title: store ? `${store.name} · 线上门店` : '门店', path: storeSharePath(store?.storeId ?? '', inviteCode) }))
  useShareTimeline(() => ({ title: store ? `${store.name} · 线上门店` : '门店', query: timelineQuery(store?.storeId ?? '', inviteCode) }))

  const search = (text: string) => {
    setQ(text)
    if (store) void list.load({ storeId: store.storeId, q: text || undefined })
  }

  return (
    <View className='page'>
      <StateView loading={!store && !error} error={error}>
        {store ? (
          <>
            <View className='card' data-testid='store-head'>
              <Text className='card__title'>{store.name}</Text>
              <Text className='card__desc'>门店线上商品 · 下单后按门店规则参与{list.rebateName}</Text>
            </View>
            <SearchBar placeholder={`在「${store.name}」中搜索`} onSearch={search} />
            <StateView loading={list.loading && list.products.length === 0} error={list.error} empty={!list.loading && list.products.length === 0} emptyText={q ? `没有找到「${q}」相关的商品` : '门店暂无线上商品'}>
              <ProductGrid products={list.products} rebateName={list.rebateName} />
              {list.nextCursor ? (
                <Text className='block muted small' style={{ textAlign: 'center', padding: '12px 0' }} onClick={() => void list.more()}>
                  {q ? '继续搜索' : '加载更多'}
                </Text>
              ) : null}
            </StateView>
            <Disclosure compact />
          </>
        ) : null}
      </StateView>
    </View>
  )
}
