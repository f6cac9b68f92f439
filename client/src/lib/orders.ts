import type { Order, OrderStatus } from './types'

export const ORDER_STATUS_TEXT: Record<OrderStatus, string> = {
  created: '待支付',
  paid: '待收货',
  completed: '已完成',
  refunded: '已退款',
  cancelled: '已取消',
}

export const ORDER_KIND_TEXT: Record<string, string> = { mall: '商城', store: '门店商品', cashier: '收银台' }

export type OrderAction = 'pay' | 'cancel' | 'complete' | 'refund'

/** Which buttons an order shows to its buyer. */
export function orderActions(o: Pick<Order, 'status' | 'kind'>): OrderAction[] {
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
