import { useState } from 'react'
import { View, Text, Image } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { call } from '@/lib/api'
import { callOnce } from '@/lib/retry'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { Button, Field, StateView, Tag } from '@/components/ui'
import './merchant.css'

export default function CashiersPage() {
  const [storeId, setStoreId] = useState('')
  const [name, setName] = useState('')
  useLoad((o: Record<string, string | undefined>) => setStoreId(o?.storeId ?? ''))
  const list = useRemote(async () => {
    const id = storeId || (Taro.getCurrentInstance().router?.params?.storeId ?? '')
    return id ? call('merchant', 'listCashiers', { storeId: id }) : []
  })

  const create = async () => {
    if (!name.trim()) return toast('请填写收银台名称')
    const r = await runAction('创建中', () => callOnce('merchant', 'createCashier', { storeId, name: name.trim() }))
    if (r) {
      setName('')
      toast('已创建', 'success')
      await list.reload()
    }
  }

  const cashiers = list.data ?? []
  return (
    <View className='page'>
      <View className='card'>
        <Text className='card-head__title'>新建收银台</Text>
        <Field label='收银台名称' value={name} onInput={setName} placeholder='如：1号收银台' testId='cashier-name' />
        <Button onClick={create} testId='create-cashier'>
          创建并生成小程序码
        </Button>
      </View>
      <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && cashiers.length === 0} emptyText='还没有收银台' onRetry={list.reload}>
        {cashiers.map((c) => (
          <View className='card' key={c.cashierId} data-testid='cashier-card'>
            <View className='card-head'>
              <Text className='card-head__title'>{c.name}</Text>
              <Tag type={c.rebate.enabled ? 'green' : 'grey'}>{c.rebate.enabled ? '参与排队' : '不参与排队'}</Tag>
            </View>
            <Text className='muted small'>编号 {c.cashierId} · 顾客扫码后输入金额付款</Text>
            {c.codeUrl ? <Image className='m-qr' src={c.codeUrl} mode='aspectFit' data-testid='cashier-code' /> : <Text className='muted block'>小程序码生成中</Text>}
            <View className='actions'>
              <Button size='mini' type='default' onClick={() => Taro.navigateTo({ url: `/pages/merchant/settings?type=cashier&id=${c.cashierId}&storeId=${c.storeId}` })}>
                排队设置
              </Button>
              <Button size='mini' onClick={() => Taro.navigateTo({ url: `/pages/cashier/index?c=${encodeURIComponent(c.cashierId)}` })} testId='open-cashier'>
                打开收银台
              </Button>
            </View>
          </View>
        ))}
      </StateView>
    </View>
  )
}
