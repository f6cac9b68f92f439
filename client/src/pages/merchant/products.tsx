import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { call } from '@/lib/api'
import { callOnce } from '@/lib/retry'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import type { ProductAdmin } from '@/lib/types'
import { StateView } from '@/components/ui'
import { ProductEditor, ProductList, type ProductInput } from '@/components/ProductEditor'

export default function StoreProductsPage() {
  const [storeId, setStoreId] = useState('')
  const [editing, setEditing] = useState<ProductAdmin | null>(null)
  useLoad((o: Record<string, string | undefined>) => setStoreId(o?.storeId ?? ''))
  const list = useRemote(async () => {
    const id = storeId || (Taro.getCurrentInstance().router?.params?.storeId ?? '')
    const [products, categories] = await Promise.all([id ? call('merchant', 'listStoreProducts', { storeId: id }) : [], call('mall', 'listCategories')])
    return { products, categories }
  })
  const save = async (p: ProductInput) => {
    const r = await runAction('保存中', () => callOnce('merchant', 'upsertStoreProduct', { storeId, ...p }))
    if (r) {
      toast(p.productId ? '已保存' : '已上架', 'success')
      setEditing(null)
      await list.reload()
    }
    return !!r
  }
  const products = list.data?.products ?? []
  const categories = list.data?.categories ?? []
  return (
    <View className='page'>
      {editing ? (
        <ProductEditor key={editing.productId} initial={editing} categories={categories} onSave={save} onCancel={() => setEditing(null)} />
      ) : (
        <ProductEditor key='new' categories={categories} onSave={save} />
      )}
      <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && products.length === 0} emptyText='还没有门店商品' onRetry={list.reload}>
        <ProductList
          products={products}
          onEdit={(p) => {
            setEditing(p)
            void Taro.pageScrollTo({ scrollTop: 0, duration: 200 }).catch(() => undefined)
          }}
          onSettings={(p) => Taro.navigateTo({ url: `/pages/merchant/settings?type=product&id=${p.productId}&storeId=${storeId}` })}
        />
      </StateView>
    </View>
  )
}
