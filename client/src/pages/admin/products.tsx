import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { callOnce } from '@/lib/retry'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import type { ProductAdmin, RebateRules } from '@/lib/types'
import { ProductEditor, ProductList, type ProductInput } from '@/components/ProductEditor'
import RebateRulesForm from '@/components/RebateRulesForm'
import { Button, StateView } from '@/components/ui'

export default function AdminProductsPage() {
  const [editing, setEditing] = useState<ProductAdmin | null>(null)
  const [details, setDetails] = useState<ProductAdmin | null>(null)
  const list = useRemote(async () => {
    const [products, categories] = await Promise.all([call('admin', 'listProducts'), call('mall', 'listCategories')])
    return { products, categories }
  })

  // a new product, or the name / pictures / description / category / price of an existing one
  const save = async (p: ProductInput) => {
    const r = await runAction('保存中', () => (p.productId ? call('admin', 'upsertProduct', p) : callOnce('admin', 'upsertProduct', { ...p, source: 'self' })))
    if (r) {
      toast(p.productId ? '已保存' : '已上架', 'success')
      setDetails(null)
      await list.reload()
    }
    return !!r
  }

  const saveRules = async (p: ProductAdmin, rebate: RebateRules, listed = p.listed) => {
    const r = await runAction('保存中', () =>
      call('admin', 'upsertProduct', {
        productId: p.productId,
        name: p.name,
        priceFen: p.priceFen,
        costFen: p.costFen,
        stock: p.stock,
        listed,
        maxDeductBp: p.maxDeductBp,
        lockDays: p.lockDaysSetting,
        rebate,
      }),
    )
    if (r) {
      toast('已保存', 'success')
      setEditing(null)
      await list.reload()
    }
  }

  const products = list.data?.products ?? []
  const categories = list.data?.categories ?? []
  return (
    <View className='page'>
      {editing ? (
        <View className='card'>
          <Text className='card-head__title'>排队设置：{editing.name}</Text>
          <RebateRulesForm value={editing.rebate} onSubmit={(r) => saveRules(editing, r)} onInvalid={(m) => toast(m)} />
          <Button type='default' onClick={() => saveRules(editing, editing.rebate, !editing.listed)}>
            {editing.listed ? '下架商品' : '重新上架'}
          </Button>
          <Button type='default' onClick={() => setEditing(null)}>
            返回列表
          </Button>
        </View>
      ) : (
        <>
          {details ? (
            <ProductEditor key={details.productId} initial={details} categories={categories} onSave={save} onCancel={() => setDetails(null)} />
          ) : (
            <ProductEditor key='new' categories={categories} onSave={save} />
          )}
          <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && products.length === 0} emptyText='还没有商品' onRetry={list.reload}>
            <ProductList
              products={products}
              onSettings={setEditing}
              onEdit={(p) => {
                setDetails(p)
                void Taro.pageScrollTo({ scrollTop: 0, duration: 200 }).catch(() => undefined)
              }}
            />
          </StateView>
        </>
      )}
    </View>
  )
}
