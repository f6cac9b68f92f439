import Taro from '@tarojs/taro'
import { call } from './api'
import type { Order } from './types'

interface PayAnswer {
  order: Order
  payment: ({ simulated?: boolean } & Record<string, unknown>) | null
  alreadyPaid: boolean
}

/**
 * Pays an order. WeChat: order.pay answers the parameters for wx.requestPayment, and the order
 * becomes paid through the payment callback; local gateway: a simulated payment already went
 * through that callback. Resolves with the order as the server sees it afterwards.
 */
export async function payOrder(orderId: string): Promise<Order> {
  const r = await call<PayAnswer>('order', 'pay', { orderId })
  if (r.payment && !r.payment.simulated && process.env.TARO_ENV === 'weapp') {
    const p = r.payment as Record<string, unknown>
    const params = (p.payment as Record<string, unknown> | undefined) ?? p
    await Taro.requestPayment(params as unknown as Parameters<typeof Taro.requestPayment>[0])
    // the callback may take a moment; show what the server knows now
    return call<Order>('order', 'get', { orderId })
  }
  return r.order
}
