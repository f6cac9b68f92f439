import type { Order } from '@/lib/types'

export const ADDRESS = { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园一路 1 号' }

/** A paid mall order of ¥168.00 to an address, not shipped: what order views answer; tests override what they need. */
export function orderFixture(over: Partial<Order> = {}): Order {
  return {
    orderId: 'OMX1',
    kind: 'mall',
    storeId: null,
    cashierId: null,
    lines: [{ productId: 'P1', name: '有机大米', qty: 1, priceFen: 16800, totalFen: 16800, cashFen: 16800 }],
    totalFen: 16800,
    deduct: { points: 0, love: 0, voucherFen: 0, greenUnits: 0, pointsFen: 0, loveFen: 0, greenFen: 0 },
    cashFen: 16800,
    status: 'paid',
    createdAt: '2026-03-01T02:00:00.000Z',
    paidAt: '2026-03-01T02:01:00.000Z',
    completedAt: null,
    refundedAt: null,
    refundId: null,
    settled: false,
    settledAt: null,
    settling: false,
    settlement: null,
    delivery: { method: 'express', address: ADDRESS },
    note: '',
    shippedAt: null,
    shipping: null,
    afterSale: null,
    shippingUploaded: false,
    shippingUploadError: null,
    autoConfirmed: false,
    ...over,
  }
}
