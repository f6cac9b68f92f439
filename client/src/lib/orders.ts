import type { Order, OrderKind, OrderStatus } from './types'

export const ORDER_STATUS_TEXT: Record<OrderStatus, string> = {
  created: '待支付',
  paid: '待收货',
  completed: '已完成',
  refunding: '退款中',
  refunded: '已退款',
  cancelled: '已取消',
}

export const ORDER_KIND_TEXT: Record<OrderKind, string> = { mall: '商城', store: '门店商品', cashier: '收银台' }

export type OrderAction = 'pay' | 'cancel' | 'complete' | 'refund' | 'requestRefund'

/** The status shown: 结算中 while the settler has the order (a short moment after paying or receiving). */
export function orderStatusText(o: Pick<Order, 'status' | 'settling'> & Partial<Pick<Order, 'kind' | 'delivery' | 'shippedAt' | 'shipping'>>): string {
  if (o.settling && (o.status === 'paid' || o.status === 'completed')) return '结算中'
  // a paid order that ships: 待发货 / 待备货 until the seller ships it, then 已发货 / 待取货 until received
  if (o.status === 'paid' && o.kind !== 'cashier' && (o.delivery || o.shippedAt)) {
    const pickup = (o.shipping?.method ?? o.delivery?.method) === 'pickup'
    if (o.shippedAt) return pickup ? '待取货' : '已发货'
    return pickup ? '待备货' : '待发货'
  }
  return ORDER_STATUS_TEXT[o.status] ?? o.status
}

type BuyerOrder = Pick<Order, 'status' | 'kind'> &
  Partial<Pick<Order, 'settling' | 'delivery' | 'shippedAt' | 'shipping' | 'afterSale' | 'refundRequestUntil'>>

/**
 * Which buttons an order shows to its buyer (none while it is being settled: it takes a moment).
 * Before shipping the buyer refunds at once (退款); once shipped, or after completion within the
 * after-sales period, a refund is a request (申请退款 with a reason) the seller decides. Nothing is
 * shown that the server would refuse: `orderHint` says why instead.
 */
export function orderActions(o: BuyerOrder, now = Date.now()): OrderAction[] {
  if (o.settling) return []
  if (o.afterSale?.status === 'requested') return []
  switch (o.status) {
    case 'created':
      return ['cancel', 'pay']
    case 'paid':
      if (o.kind === 'cashier') return ['refund']
      if (o.shippedAt) return ['requestRefund', 'complete']
      // express orders are received once shipped; orders from before delivery choices may be confirmed any time
      return o.delivery ? ['refund'] : ['refund', 'complete']
    case 'completed':
      return o.refundRequestUntil && Date.parse(o.refundRequestUntil) > now ? ['requestRefund'] : []
    default:
      return []
  }
}

/** A line under the order that says what happens next, or why a button is missing. */
export function orderHint(o: BuyerOrder & Pick<Order, 'settling'>, now = Date.now()): string | null {
  if (o.settling) return null
  const a = o.afterSale
  const seller = o.kind === 'mall' ? '平台' : '商家'
  if (a?.status === 'requested') return `退款申请已提交，等待${seller}处理`
  if (a?.status === 'rejected' && (o.status === 'paid' || o.status === 'completed')) return `退款申请未通过：${a.decisionNote || '请联系' + seller}`
  if (o.status === 'paid' && o.kind !== 'cashier') {
    if (o.shippedAt) return o.shipping?.method === 'pickup' ? '商品已备好，请到店自提后确认收货' : '商品已发货，收到后请确认收货；逾期将自动确认收货'
    if (o.delivery) return o.delivery.method === 'pickup' ? `等待${seller}备货，备好后到店自提` : `等待${seller}发货`
    return '收到商品后请确认收货，订单完成后按规则结算'
  }
  if (o.status === 'completed' && !orderActions(o, now).includes('requestRefund')) return `已过售后期，如需退款请联系${seller}`
  return null
}

export interface TimelineStep {
  key: 'create' | 'pay' | 'ship' | 'receive' | 'settle' | 'refund'
  label: string
  at: string | null
  done: boolean
  note?: string
}

/** 订单进度: 下单, 支付, 发货, 收货, 结算, 退款 — from the order's timestamps (发货 only for orders that ship, 退款 only when asked). */
export function orderTimeline(o: Order): TimelineStep[] {
  const steps: TimelineStep[] = [
    { key: 'create', label: '下单', at: o.createdAt, done: true },
    { key: 'pay', label: '支付', at: o.paidAt, done: !!o.paidAt },
  ]
  if (o.kind !== 'cashier') {
    const pickup = (o.shipping?.method ?? o.delivery?.method) === 'pickup'
    const ship = o.shipping
    steps.push({ key: 'ship', label: pickup ? '备货' : '发货', at: o.shippedAt ?? null, done: !!o.shippedAt, note: ship?.trackingNo ? `${ship.carrierName ?? ship.carrier} ${ship.trackingNo}` : undefined })
  }
  steps.push({ key: 'receive', label: '收货', at: o.completedAt, done: !!o.completedAt, note: o.autoConfirmed ? '自动确认收货' : undefined })
  steps.push({ key: 'settle', label: '结算', at: o.settledAt ?? null, done: o.settled, note: o.settling ? '结算中' : undefined })
  if (o.afterSale || o.status === 'refunding' || o.status === 'refunded') {
    const a = o.afterSale
    const note =
      o.status === 'refunded' ? '已退款' : o.status === 'refunding' ? '退款中，待微信支付确认' : a?.status === 'requested' ? `已申请：${a.reason}` : a?.status === 'rejected' ? `未通过：${a.decisionNote}` : undefined
    steps.push({ key: 'refund', label: '退款', at: o.refundedAt ?? a?.decidedAt ?? a?.requestedAt ?? null, done: o.status === 'refunded', note })
  }
  return steps
}
