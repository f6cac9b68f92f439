import { useState } from 'react'
import { View, Text, Picker } from '@tarojs/components'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime, formatFen } from '@/lib/format'
import { ORDER_KIND_TEXT, orderStatusText } from '@/lib/orders'
import type { OrderFilter, ReviewParams, ShipParams } from '@/lib/params'
import type { Order } from '@/lib/types'
import { Button, Field, StateView, Tag } from './ui'
import { OrderAmounts } from './OrderAmounts'

/** The server's order filters (fulfilment-params.ts) but the buyer's 待支付 */
export type SellerFilter = Exclude<OrderFilter, 'created'>

const FILTERS: { value: SellerFilter; label: string }[] = [
  { value: 'all', label: '全部' },
  { value: 'toShip', label: '待发货' },
  { value: 'shipped', label: '已发货' },
  { value: 'afterSale', label: '退款申请' },
  { value: 'completed', label: '已完成' },
  { value: 'refund', label: '退款' },
]

/** The status a seller reads: 待发货 / 已发货 / 待取货 on top of the order's own state. */
export function sellerStatusText(o: Order): string {
  if (o.afterSale?.status === 'requested') return '退款申请待处理'
  if (o.status === 'paid' && !o.settling && o.kind !== 'cashier') {
    if (o.shippedAt) return o.shipping?.method === 'pickup' ? '待取货' : '已发货'
    return (o.delivery?.method ?? 'express') === 'pickup' ? '待备货' : '待发货'
  }
  return orderStatusText(o)
}

/** What a seller may do with an order: ship it (paid, not shipped, no request waiting), or decide a refund request. */
export function sellerActions(o: Order): ('ship' | 'review' | 'pickedUp')[] {
  if (o.settling) return []
  if (o.afterSale?.status === 'requested' && (o.status === 'paid' || o.status === 'completed')) return ['review']
  if (o.status === 'paid' && o.kind !== 'cashier' && !o.shippedAt) return ['ship']
  // 已取货: the buyer took a pickup order at the counter (order.complete, which the seller may call)
  if (o.status === 'paid' && o.shippedAt && o.shipping?.method === 'pickup') return ['pickedUp']
  return []
}

/**
 * 订单 (发货与售后) for a seller: a store owner (`merchant` scope: its store's orders) or the platform
 * (`admin` scope: mall orders). Filters by state; ships (carrier + tracking number, or 已备货 for
 * pickup) and approves or rejects refund requests. Only what the server allows is offered.
 */
export function SellerOrders({ scope, storeId }: { scope: 'merchant' | 'admin'; storeId?: string }) {
  const [filter, setFilter] = useState<SellerFilter>('all')
  const list = useRemote(async () => {
    if (scope === 'admin') return call('admin', 'orders', { filter })
    return storeId ? call('merchant', 'orders', { storeId, filter }) : []
  })
  const carriers = useRemote(() => call(scope, 'carriers'))
  const [open, setOpen] = useState<{ orderId: string; kind: 'ship' | 'review' } | null>(null)
  const [carrier, setCarrier] = useState(0)
  const [trackingNo, setTrackingNo] = useState('')
  const [note, setNote] = useState('')

  const choose = (f: SellerFilter) => {
    setFilter(f)
    setTimeout(() => void list.reload(), 0)
  }
  const start = (o: Order, kind: 'ship' | 'review') => {
    setOpen({ orderId: o.orderId, kind })
    setTrackingNo('')
    setNote('')
  }
  const done = async (text: string) => {
    toast(text, 'success')
    setOpen(null)
    await list.reload()
  }

  const ship = async (o: Order) => {
    const pickup = (o.delivery?.method ?? 'express') === 'pickup'
    const c = carriers.data?.[carrier]
    if (!pickup) {
      if (!c) return toast('请选择快递公司')
      if (!/^[A-Za-z0-9-]{4,40}$/.test(trackingNo.trim())) return toast('请填写正确的快递单号')
    }
    const r = await runAction(pickup ? '备货' : '发货', () =>
      call(scope, 'shipOrder', (pickup ? { orderId: o.orderId } : { orderId: o.orderId, carrier: c!.code, trackingNo: trackingNo.trim() }) satisfies ShipParams),
    )
    if (r) await done(pickup ? '已备货，等待买家自提' : '已发货')
  }

  const review = async (o: Order, approve: boolean) => {
    if (!approve && !note.trim()) return toast('拒绝请填写说明')
    if (approve && !(await confirm('同意退款', `将原路退回 ${formatFen(o.cashFen)}，该订单排队中未到账的部分将取消。确定同意吗？`))) return
    const r = await runAction(approve ? '退款' : '处理中', () => call(scope, 'reviewRefund', { orderId: o.orderId, approve, ...(note.trim() ? { note: note.trim() } : {}) } satisfies ReviewParams))
    if (r) await done(approve ? '已同意，退款处理中' : '已拒绝')
  }

  const pickedUp = async (o: Order) => {
    if (!(await confirm('已取货', '买家已到店取走商品？确认后订单完成并按规则结算。'))) return
    const r = await runAction('处理中', () => call('order', 'complete', { orderId: o.orderId }))
    if (r) await done('订单已完成')
  }

  const orders = list.data ?? []
  const names = (carriers.data ?? []).map((c) => c.name)
  return (
    <View className='page'>
      <View className='seg' data-testid='seller-filters'>
        {FILTERS.map((f) => (
          <Text key={f.value} className={`seg__item${f.value === filter ? ' seg__item--on' : ''}`} onClick={() => choose(f.value)}>
            {f.label}
          </Text>
        ))}
      </View>
      <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && orders.length === 0} emptyText='没有符合条件的订单' onRetry={list.reload}>
        {orders.map((o) => {
          const acts = sellerActions(o)
          const pickup = (o.delivery?.method ?? 'express') === 'pickup'
          const d = o.delivery
          return (
            <View className='card' key={o.orderId} data-testid='seller-order'>
              <View className='card-head'>
                <Text className='muted small'>
                  {ORDER_KIND_TEXT[o.kind] ?? o.kind} · {formatDateTime(o.paidAt ?? o.createdAt)}
                </Text>
                <Tag type={o.afterSale?.status === 'requested' || sellerStatusText(o).startsWith('待') ? 'orange' : o.status === 'completed' ? 'green' : 'grey'}>{sellerStatusText(o)}</Tag>
              </View>
              <Text className='muted small block'>订单号 {o.orderId}</Text>
              <OrderAmounts order={o} />
              {d?.method === 'express' ? (
                <Text className='muted small block' data-testid='seller-address'>
                  收货：{d.address.name} {d.address.phone} {d.address.province}
                  {d.address.city}
                  {d.address.district} {d.address.detail}
                </Text>
              ) : d?.method === 'pickup' ? (
                <Text className='muted small block'>到店自提</Text>
              ) : null}
              {o.note ? <Text className='muted small block'>留言：{o.note}</Text> : null}
              {o.shipping?.trackingNo ? (
                <Text className='muted small block'>
                  物流：{o.shipping.carrierName} {o.shipping.trackingNo}
                  {o.shippingUploaded ? ' · 已同步微信' : o.shippingUploadError ? ' · 同步微信失败（平台可在外发记录中重试）' : ' · 同步微信中'}
                </Text>
              ) : null}
              {o.autoConfirmed ? <Text className='muted small block'>买家未确认，已自动确认收货</Text> : null}
              {o.afterSale ? (
                <Text className='muted small block' data-testid='seller-aftersale'>
                  退款原因：{o.afterSale.reason}
                  {o.afterSale.status === 'rejected' ? ` · 已拒绝：${o.afterSale.decisionNote}` : o.afterSale.status === 'approved' ? ' · 已同意' : ''}
                </Text>
              ) : null}

              {open?.orderId === o.orderId && open.kind === 'ship' ? (
                <View data-testid='ship-form'>
                  {pickup ? (
                    <Text className='muted small block'>买家到店自提：备好货后点击“已备货”，买家取货后确认收货。</Text>
                  ) : (
                    <>
                      <Picker mode='selector' range={names} value={carrier} onChange={(e) => setCarrier(Number(e.detail.value))}>
                        <View className='field'>
                          <Text className='field__label'>快递公司</Text>
                          <Text data-testid='carrier-name'>{names[carrier] ?? '加载中'} ›</Text>
                        </View>
                      </Picker>
                      <Field label='快递单号' value={trackingNo} onInput={setTrackingNo} placeholder='4–40 位字母或数字' testId='tracking-no' />
                    </>
                  )}
                  <View className='actions'>
                    <Button size='mini' type='default' onClick={() => setOpen(null)}>
                      取消
                    </Button>
                    <Button size='mini' type='primary' onClick={() => ship(o)} testId='ship-submit'>
                      {pickup ? '已备货' : '确认发货'}
                    </Button>
                  </View>
                </View>
              ) : null}

              {open?.orderId === o.orderId && open.kind === 'review' ? (
                <View data-testid='review-form'>
                  <Field label='说明' value={note} onInput={setNote} placeholder='拒绝时必填，买家可见' testId='review-note' />
                  <View className='actions'>
                    <Button size='mini' type='warn' onClick={() => review(o, false)} testId='review-reject'>
                      拒绝
                    </Button>
                    <Button size='mini' type='primary' onClick={() => review(o, true)} testId='review-approve'>
                      同意退款
                    </Button>
                  </View>
                </View>
              ) : null}

              {open?.orderId !== o.orderId && acts.length ? (
                <View className='actions'>
                  {acts.includes('ship') ? (
                    <Button size='mini' type='primary' onClick={() => start(o, 'ship')} testId='seller-ship'>
                      {pickup ? '备货' : '发货'}
                    </Button>
                  ) : null}
                  {acts.includes('pickedUp') ? (
                    <Button size='mini' type='primary' onClick={() => pickedUp(o)} testId='seller-picked-up'>
                      已取货
                    </Button>
                  ) : null}
                  {acts.includes('review') ? (
                    <Button size='mini' type='primary' onClick={() => start(o, 'review')} testId='seller-review'>
                      处理退款申请
                    </Button>
                  ) : null}
                </View>
              ) : null}
            </View>
          )
        })}
      </StateView>
    </View>
  )
}
