import type { Order, OrderStatus } from './types'

export const ORDER_STATUS_TEXT: Record<OrderStatus, string> = {
  created: '待支付',
  paid: '待收货',
  completed: '已完成',
  refunding: '退款中',
  refunded: '已退款',
  cancelled: '已取消',
}

export const ORDER_KIND_TEXT: Record<string, string> = { mall: '商城', store: '门店商品', cashier: '收银台' }

export type OrderAction = 'pay' | 'cancel' | 'complete' | 'refund'

/** The status shown: 结算中 while the settler has the order (a short moment after paying or receiving). */
export function orderStatusText(o: Pick<Order, 'status' | 'settling'>): string {
  if (o.settling && (o.status === 'paid' || o.status === 'completed')) return '结算中'
  return ORDER_STATUS_TEXT[o.status] ?? o.status
}

/** Which buttons an order shows to its buyer (none while it is being settled: it takes a moment). */
export function orderActions(o: Pick<Order, 'status' | 'kind'> & { settling?: boolean }): OrderAction[] {
  if (o.settling) return []
  switch (o.status) {
    case 'created':
      return ['cancel', 'pay']
    case 'paid':
      return o.kind === 'cashier' ? ['refund'] : ['refund', 'complete']
    case 'completed':
      return ['refund']
    default:
      return []
  }
}
