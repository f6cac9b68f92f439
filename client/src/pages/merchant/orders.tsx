import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime, formatFen } from '@/lib/format'
import { ORDER_KIND_TEXT, orderStatusText } from '@/lib/orders'
import type { Order } from '@/lib/types'
import { Button, Row, StateView, Tag } from '@/components/ui'

export default function MerchantOrdersPage() {
  const [storeId, setStoreId] = useState('')
  useLoad((o: Record<string, string | undefined>) => setStoreId(o?.storeId ?? ''))
  const list = useRemote(async () => {
    const id = storeId || (Taro.getCurrentInstance().router?.params?.storeId ?? '')
    return id ? call<Order[]>('merchant', 'orders', { storeId: id }) : []
  })
  const complete = async (o: Order) => {
    const r = await runAction('处理中', () => call('order', 'complete', { orderId: o.orderId }))
    if (r) {
      toast('已完成', 'success')
      await list.reload()
    }
  }
  const orders = list.data ?? []
  return (
    <View className='page'>
      <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && orders.length === 0} emptyText='还没有订单' onRetry={list.reload}>
        {orders.map((o) => (
          <View className='card' key={o.orderId} data-testid='merchant-order'>
            <View className='card-head'>
              <Text className='muted small'>
                {ORDER_KIND_TEXT[o.kind] ?? o.kind} · {formatDateTime(o.paidAt ?? o.createdAt)}
              </Text>
              <Tag type={o.settling ? 'orange' : o.status === 'completed' ? 'green' : 'grey'}>{orderStatusText(o)}</Tag>
            </View>
            {o.lines.map((l, i) => (
              <Row key={i} label={`${l.name} ×${l.qty}`}>
                {formatFen(l.totalFen)}
              </Row>
            ))}
            <Row label='实付'>
              <Text className='amount'>{formatFen(o.cashFen)}</Text>
            </Row>
            {o.status === 'paid' && o.kind === 'store' ? (
              <View className='actions'>
                <Button size='mini' onClick={() => complete(o)}>
                  确认完成
                </Button>
              </View>
            ) : null}
          </View>
        ))}
      </StateView>
    </View>
  )
}
