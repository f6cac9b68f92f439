import { useState } from 'react'
import { View, Text, Textarea } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { ensureLogin, toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime } from '@/lib/format'
import { ORDER_KIND_TEXT, orderActions, orderHint, orderStatusText, orderTimeline, type OrderAction } from '@/lib/orders'
import { payOrder } from '@/lib/pay'
import { Button, CopyButton, Row, StateView } from '@/components/ui'
import { OrderAmounts } from '@/components/OrderAmounts'
import './detail.css'

const ACTION_TEXT: Record<OrderAction, string> = { pay: '去支付', cancel: '取消订单', complete: '确认收货', refund: '申请退款', requestRefund: '申请退款' }

/** 订单详情: order number, delivery, what was bought, the timeline 下单 → 支付 → 发货 → 收货 → 结算 (→ 退款), and the buyer's actions. */
export default function OrderDetailPage() {
  const { params } = useRouter()
  const orderId = params.id ?? ''
  const [asking, setAsking] = useState(params.refund === '1')
  const [reason, setReason] = useState('')
  const order = useRemote(async () => {
    const id = orderId
    if (!id) return null
    await ensureLogin()
    return call('order', 'get', { orderId: id })
  })
  const o = order.data

  const act = async (a: OrderAction) => {
    if (!o) return
    if (a === 'requestRefund') return setAsking(true)
    if (a === 'refund' && !(await confirm('申请退款', '退款后该订单的排队记录中未到账的部分将取消，确定退款吗？'))) return
    if (a === 'cancel' && !(await confirm('取消订单', '确定取消这个订单吗？'))) return
    if (a === 'complete' && !(await confirm('确认收货', '请确认已收到商品。确认后订单完成并按规则结算。'))) return
    const r = await runAction(ACTION_TEXT[a], () => (a === 'pay' ? payOrder(o.orderId) : call('order', a, { orderId: o.orderId })))
    if (r) {
      toast(a === 'pay' ? '支付成功' : a === 'complete' ? '已确认收货' : a === 'refund' ? '已申请退款' : '已取消', 'success')
      await order.reload()
    }
  }

  const submitRequest = async () => {
    if (!o) return
    const text = reason.trim()
    if (!text) return toast('请填写退款原因')
    if (text.length > 200) return toast('退款原因最多 200 字')
    const r = await runAction('提交申请', () => call('order', 'requestRefund', { orderId: o.orderId, reason: text }))
    if (r) {
      toast('已提交退款申请', 'success')
      setAsking(false)
      setReason('')
      await order.reload()
    }
  }

  const shown = asking && o ? orderActions(o).includes('requestRefund') : false
  // while the request form is open, its own buttons are the ones to press
  const actions = o ? orderActions(o).filter((a) => !(shown && a === 'requestRefund')) : []
  const hint = o ? orderHint(o) : null
  const d = o?.delivery
  return (
    <View className='page'>
      <StateView loading={order.loading && !o} error={order.error} empty={!order.loading && !o} emptyText='找不到该订单' onRetry={order.reload}>
        {o ? (
          <>
            <View className='card' data-testid='order-status'>
              <Text className='od-status'>{orderStatusText(o)}</Text>
              {hint ? <Text className='muted small'>{hint}</Text> : null}
            </View>

            <View className='card'>
              <Row label='订单编号'>
                <Text data-testid='order-id'>{o.orderId}</Text> <CopyButton text={o.orderId} testId='copy-order-id' />
              </Row>
              <Row label='类型'>{ORDER_KIND_TEXT[o.kind] ?? o.kind}</Row>
              {d ? (
                <Row label='收货方式'>{d.method === 'pickup' ? '到店自提' : '快递配送'}</Row>
              ) : null}
              {d?.method === 'express' ? (
                <View data-testid='order-address'>
                  <Text className='od-address'>
                    {d.address.name} {d.address.phone}
                  </Text>
                  <Text className='od-address muted small'>
                    {d.address.province}
                    {d.address.city}
                    {d.address.district} {d.address.detail}
                  </Text>
                </View>
              ) : null}
              {o.note ? <Row label='留言'>{o.note}</Row> : null}
              {o.shipping?.trackingNo ? (
                <Row label='物流' testId='order-tracking'>
                  {o.shipping.carrierName} {o.shipping.trackingNo} <CopyButton text={o.shipping.trackingNo} />
                </Row>
              ) : null}
            </View>

            <View className='card'>
              <OrderAmounts order={o} />
            </View>

            <View className='card' data-testid='order-timeline'>
              <Text className='card-head__title'>订单进度</Text>
              <View className='od-timeline'>
                {orderTimeline(o).map((s) => (
                  <View key={s.key} className={`od-step${s.done ? ' od-step--done' : ''}`} data-testid={`step-${s.key}`} data-done={s.done ? '1' : '0'}>
                    <View className='od-step__dot' />
                    <View className='od-step__body'>
                      <Text className='od-step__label'>{s.label}</Text>
                      <Text className='muted small'>
                        {s.at ? formatDateTime(s.at) : s.done ? '' : '未完成'}
                        {s.note ? ` · ${s.note}` : ''}
                      </Text>
                    </View>
                  </View>
                ))}
              </View>
            </View>

            {shown ? (
              <View className='card' data-testid='refund-request'>
                <Text className='card-head__title'>申请退款</Text>
                <Text className='card__desc'>{o.kind === 'mall' ? '平台' : '商家'}审核同意后原路退回；退款后该订单排队中未到账的部分将取消。</Text>
                <Textarea className='od-textarea' value={reason} maxlength={200} placeholder='请填写退款原因（最多 200 字）' onInput={(e) => setReason(e.detail.value)} data-testid='refund-reason' />
                <View className='actions'>
                  <Button size='mini' type='default' onClick={() => setAsking(false)}>
                    取消
                  </Button>
                  <Button size='mini' type='primary' onClick={submitRequest} testId='refund-submit'>
                    提交申请
                  </Button>
                </View>
              </View>
            ) : null}

            {actions.length ? (
              <View className='actions'>
                {actions.map((a) => (
                  <Button key={a} size='mini' type={a === 'pay' || a === 'complete' ? 'primary' : 'default'} onClick={() => act(a)} testId={`detail-${a}`}>
                    {ACTION_TEXT[a]}
                  </Button>
                ))}
              </View>
            ) : null}
          </>
        ) : null}
      </StateView>
    </View>
  )
}
