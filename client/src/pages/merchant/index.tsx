import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { callOnce } from '@/lib/retry'
import { useRemote } from '@/lib/useRemote'
import { formatBp, formatFen } from '@/lib/format'
import { STORE_STATUS_TEXT, myStore } from '@/lib/merchant'
import './merchant.css'
import { Button, Field, Row, Stat, StateView, Tag } from '@/components/ui'

/** 商家中心: apply for a store; once approved, the store's dashboard and its management pages. */
export default function MerchantPage() {
  const [name, setName] = useState('')
  const data = useRemote(async () => {
    const { me, store } = await myStore()
    const dash = store ? await call('merchant', 'dashboard', { storeId: store.storeId }) : null
    return { me, store, dash }
  })

  const apply = async () => {
    if (!name.trim()) return toast('请填写门店名称')
    const r = await runAction('提交中', () => callOnce('merchant', 'applyStore', { name: name.trim() }))
    if (r) {
      toast('已提交，等待平台审核', 'none')
      await data.reload()
    }
  }

  const store = data.data?.store
  const dash = data.data?.dash
  const go = (url: string) => () => void Taro.navigateTo({ url })
  return (
    <View className='page'>
      <StateView loading={data.loading && !data.data} error={data.error} onRetry={data.reload}>
        {data.data && !store ? (
          <View className='card'>
            <Text className='card__title'>申请开店</Text>
            <Text className='card__desc'>开通后可创建收银台小程序码、上架门店商品、设置排队返利规则。</Text>
            <Field label='门店名称' value={name} onInput={setName} placeholder='如：绿源便利店' testId='store-name' />
            <Button onClick={apply} testId='apply-store'>
              提交申请
            </Button>
          </View>
        ) : null}
        {store ? (
          <View className='card'>
            <View className='card-head'>
              <Text className='card__title'>{store.name}</Text>
              <Tag type={store.status === 'approved' ? 'green' : store.status === 'pending' ? 'orange' : 'red'}>{STORE_STATUS_TEXT[store.status]}</Tag>
            </View>
            <Row label='门店分润比例'>{formatBp(store.commissionBp)}</Row>
            {store.status === 'pending' ? <Text className='muted small'>平台审核通过后即可使用收银台和门店商品。</Text> : null}
          </View>
        ) : null}
        {dash ? (
          <View className='card' data-testid='merchant-dashboard'>
            <Text className='card-head__title'>经营概况</Text>
            {/* amounts stay on one line (a long one gets a smaller font instead of wrapping) */}
            <View className='grid'>
              <Stat value={formatFen(dash.todayFlowFen)} label='今日流水' testId='dash-today' />
              <Stat value={formatFen(dash.flowFen)} label='累计流水' testId='dash-flow' />
              <Stat value={String(dash.orderCount)} label='订单数' />
            </View>
            <Row label='门店收入（已完成）'>{formatFen(dash.revenueFen)}</Row>
            <View className='list-item' onClick={go(`/pages/merchant/revenue?storeId=${dash.store.storeId}`)} data-testid='open-revenue'>
              <Text>营业款与提现</Text>
              <Text className='list-item__arrow'>›</Text>
            </View>
            <Row label='退款订单'>{dash.refundedCount}</Row>
            {dash.queues.map((q) => (
              // the queue's name on its own line, its figures on the next, each figure whole
              <View key={q.queueKey} className='dash-queue'>
                <Text className='row__label'>{q.name}</Text>
                <Text className='nowrap dash-queue__nums'>
                  {q.pendingCount} 条排队 · 待返 {formatFen(q.pendingFen)}
                </Text>
              </View>
            ))}
          </View>
        ) : null}
        {store ? (
          <View className='card card--list'>
            <View className='list-item' onClick={go(`/pages/merchant/cashiers?storeId=${store.storeId}`)}>
              <Text>收银台与小程序码</Text>
              <Text className='list-item__arrow'>›</Text>
            </View>
            <View className='list-item' onClick={go(`/pages/merchant/products?storeId=${store.storeId}`)}>
              <Text>门店商品</Text>
              <Text className='list-item__arrow'>›</Text>
            </View>
            <View className='list-item' onClick={go(`/pages/merchant/settings?type=store&storeId=${store.storeId}`)}>
              <Text>门店排队设置</Text>
              <Text className='list-item__arrow'>›</Text>
            </View>
            <View className='list-item' onClick={go(`/pages/merchant/orders?storeId=${store.storeId}`)}>
              <Text>门店订单</Text>
              <Text className='list-item__arrow'>›</Text>
            </View>
          </View>
        ) : null}
        {data.data?.me.roles.admin ? (
          <View className='card card--list'>
            <View className='list-item' onClick={go('/pages/admin/index')}>
              <Text>平台管理</Text>
              <Text className='list-item__arrow'>›</Text>
            </View>
          </View>
        ) : null}
      </StateView>
    </View>
  )
}
