import Taro from '@tarojs/taro'
import { call } from './api'
import type { Order } from './types'

/**
 * Pays an order. WeChat: order.pay answers the parameters for wx.requestPayment, and the order
 * becomes paid through the payment callback; local gateway: a simulated payment already went
 * through that callback. Resolves with the order as the server sees it afterwards.
 */
export async function payOrder(orderId: string): Promise<Order> {
  const r = await call('order', 'pay', { orderId })
  if (r.payment && !r.payment.simulated && process.env.TARO_ENV === 'weapp') {
    const p = r.payment as Record<string, unknown>
    const params = (p.payment as Record<string, unknown> | undefined) ?? p
    await Taro.requestPayment(params as unknown as Parameters<typeof Taro.requestPayment>[0])
    return settledOrder(orderId)
  }
  return r.order
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/**
 * After WeChat Pay: the payment callback records the payment, then the settler settles it (结算中).
 * Look a few times (about 5 s) and show what the server knows then — paid and settled, or still
 * 结算中 (the order page says so and a refresh shows the rest).
 */
export async function settledOrder(orderId: string, tries = 10): Promise<Order> {
  let o = await call('order', 'get', { orderId })
  for (let i = 0; i < tries && (o.status === 'created' || o.settling); i++) {
    await wait(500)
    o = await call('order', 'get', { orderId })
  }
  return o
}
