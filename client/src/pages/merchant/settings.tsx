import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { parseCount } from '@/lib/money'
import type { Cashier, ProductAdmin, RebateRules, Store } from '@/lib/types'
import RebateRulesForm from '@/components/RebateRulesForm'
import { Field, StateView } from '@/components/ui'

type Target =
  | { type: 'store'; store: Store }
  | { type: 'cashier'; cashier: Cashier }
  | { type: 'product'; product: ProductAdmin; storeId: string }

/** 排队设置 of the store, one of its cashiers or one of its products (SPEC §3.5). */
export default function MerchantSettingsPage() {
  const [target, setTarget] = useState<Target>()
  const [error, setError] = useState<string | null>(null)
  const [lockDays, setLockDays] = useState('')

  useLoad((o: Record<string, string | undefined>) => {
    const type = o?.type ?? 'store'
    const storeId = o?.storeId ?? ''
    const id = o?.id ?? ''
    const load = async (): Promise<Target> => {
      if (type === 'cashier') {
        const c = (await call('merchant', 'listCashiers', { storeId })).find((x) => x.cashierId === id)
        if (!c) throw new Error('找不到该收银台')
        return { type: 'cashier', cashier: c }
      }
      if (type === 'product') {
        const p = (await call('merchant', 'listStoreProducts', { storeId })).find((x) => x.productId === id)
        if (!p) throw new Error('找不到该商品')
        return { type: 'product', product: p, storeId }
      }
      const st = (await call('merchant', 'myStores')).find((x) => x.storeId === storeId)
      if (!st) throw new Error('找不到该门店')
      setLockDays(st.lockDays != null ? String(st.lockDays) : '')
      return { type: 'store', store: st }
    }
    load().then(setTarget).catch((e: Error) => setError(e.message))
  })

  const save = async (rebate: RebateRules) => {
    if (!target) return
    let r: unknown
    if (target.type === 'store') {
      const ld = lockDays.trim() ? parseCount(lockDays) : null
      if (lockDays.trim() && ld === null) return toast('锁定天数请填整数')
      r = await runAction('保存中', () => call('merchant', 'setStoreConfig', { storeId: target.store.storeId, rebate, lockDays: ld }))
    } else if (target.type === 'cashier') {
      r = await runAction('保存中', () => call('merchant', 'setCashierConfig', { cashierId: target.cashier.cashierId, rebate }))
    } else {
      const p = target.product
      r = await runAction('保存中', () =>
        call('merchant', 'upsertStoreProduct', {
          storeId: target.storeId,
          productId: p.productId,
          name: p.name,
          priceFen: p.priceFen,
          costFen: p.costFen,
          stock: p.stock,
          listed: p.listed,
          maxDeductBp: p.maxDeductBp,
          lockDays: p.lockDaysSetting,
          rebate,
        }),
      )
    }
    if (r) {
      toast('已保存', 'success')
      setTimeout(() => void Taro.navigateBack().catch(() => undefined), 600)
    }
  }

  const title = !target ? '' : target.type === 'store' ? `门店：${target.store.name}` : target.type === 'cashier' ? `收银台：${target.cashier.name}` : `商品：${target.product.name}`
  const rules = !target ? undefined : target.type === 'store' ? target.store.rebate : target.type === 'cashier' ? target.cashier.rebate : target.product.rebate
  return (
    <View className='page'>
      <StateView loading={!target && !error} error={error}>
        {target && rules ? (
          <View className='card'>
            <Text className='card-head__title'>{title}</Text>
            {target.type === 'store' ? <Field label='工会锁定天数' value={lockDays} onInput={setLockDays} type='number' placeholder='15、30…300，留空用平台默认' /> : null}
            <RebateRulesForm value={rules} allowRandomReturn={target.type !== 'product'} onSubmit={save} onInvalid={(m) => toast(m)} />
          </View>
        ) : null}
      </StateView>
    </View>
  )
}
