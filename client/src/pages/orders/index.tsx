import { useEffect, useRef, useState } from 'react'
import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { ensureLogin, toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime } from '@/lib/format'
import Taro from '@tarojs/taro'
import { ORDER_KIND_TEXT, orderActions, orderHint, orderStatusText, type OrderAction } from '@/lib/orders'
import { payOrder } from '@/lib/pay'
import type { Order, OrderStatus } from '@/lib/types'
import { Button, StateView, Tag } from '@/components/ui'
import { OrderAmounts } from '@/components/OrderAmounts'

const FILTERS: { value: OrderStatus | 'all'; label: string }[] = [
  { value: 'all', label: '全部' },
  { value: 'created', label: '待支付' },
  { value: 'paid', label: '待收货' },
  { value: 'completed', label: '已完成' },
  { value: 'refunding', label: '退款中' },
  { value: 'refunded', label: '已退款' },
]

const ACTION_TEXT: Record<OrderAction, string> = { pay: '去支付', cancel: '取消订单', complete: '确认收货', refund: '申请退款', requestRefund: '申请退款' }

const openDetail = (o: Order, refund = false) => void Taro.navigateTo({ url: `/pages/orders/detail?id=${o.orderId}${refund ? '&refund=1' : ''}` })

export default function OrdersPage() {
  const [filter, setFilter] = useState<OrderStatus | 'all'>('all')
  const orders = useRemote(async () => {
    await ensureLogin()
    return call('order', 'list', filter === 'all' ? {} : { status: filter })
  })

  // 退款中 / 结算中 change by themselves (WeChat Pay confirms, the settler settles): look again a few times
  const polls = useRef(0)
  const moving = (orders.data ?? []).some((o) => o.status === 'refunding' || o.settling)
  useEffect(() => {
    if (!moving) {
      polls.current = 0
      return
    }
    if (polls.current >= 10) return
    const t = setTimeout(() => {
      polls.current++
      void orders.reload()
    }, 1500)
    return () => clearTimeout(t)
  }, [moving, orders.data])

  const act = async (o: Order, a: OrderAction) => {
    // a refund after shipping / completion is a request with a reason: written on the detail page
    if (a === 'requestRefund') return openDetail(o, true)
    if (a === 'refund' && !(await confirm('申请退款', '退款后该订单的排队记录中未到账的部分将取消，确定退款吗？'))) return
    if (a === 'cancel' && !(await confirm('取消订单', '确定取消这个订单吗？'))) return
    const r = await runAction(ACTION_TEXT[a], () =>
      a === 'pay' ? payOrder(o.orderId) : call('order', a, { orderId: o.orderId }),
    )
    if (r) {
      toast(a === 'pay' ? '支付成功' : a === 'complete' ? '已确认收货' : a === 'refund' ? '已申请退款' : '已取消', 'success')
      await orders.reload()
    }
  }

  const list = orders.data ?? []
  return (
    <View className='page'>
      <View className='seg'>
        {FILTERS.map((f) => (
          <Text
            key={f.value}
            className={`seg__item${f.value === filter ? ' seg__item--on' : ''}`}
            onClick={() => {
              setFilter(f.value)
              setTimeout(() => void orders.reload(), 0)
            }}
          >
            {f.label}
          </Text>
        ))}
      </View>
      <StateView loading={orders.loading && !orders.data} error={orders.error} empty={!orders.loading && list.length === 0} emptyText='还没有订单' onRetry={orders.reload}>
        {list.map((o) => (
          <View className='card' key={o.orderId} data-testid='order-card'>
            <View className='card-head'>
              <Text className='muted small'>
                {ORDER_KIND_TEXT[o.kind] ?? o.kind} · {formatDateTime(o.createdAt)}
              </Text>
              <Tag type={o.settling || o.status === 'refunding' ? 'orange' : o.status === 'completed' ? 'green' : o.status === 'created' ? 'orange' : 'grey'}>{orderStatusText(o)}</Tag>
            </View>
            <OrderAmounts order={o} />
            {o.settlement && o.settlement.entries.length > 0 ? <Text className='muted small'>已加入排队 {o.settlement.entries.length} 条</Text> : null}
            {o.settling ? <Text className='muted small'>款项已收到，正在结算（排队、奖金池按支付顺序处理），稍后刷新即可看到结果</Text> : null}
            {o.status === 'refunding' ? (
              <Text className='muted small' data-testid='order-refunding'>
                退款已提交，微信支付确认后原路退回（零钱通常几分钟内，银行卡可能需要数个工作日）
              </Text>
            ) : null}
            {orderHint(o) ? (
              <Text className='muted small' data-testid='order-hint'>
                {orderHint(o)}
              </Text>
            ) : null}
            <View className='actions'>
              <Button size='mini' type='default' onClick={() => openDetail(o)} testId='order-detail'>
                订单详情
              </Button>
              {orderActions(o).map((a) => (
                <Button key={a} size='mini' type={a === 'pay' || a === 'complete' ? 'primary' : 'default'} onClick={() => act(o, a)} testId={`order-${a}`}>
                  {ACTION_TEXT[a]}
                </Button>
              ))}
            </View>
          </View>
        ))}
      </StateView>
    </View>
  )
}
