import { Text } from '@tarojs/components'
import { formatFen } from '@/lib/format'
import type { Order } from '@/lib/types'
import { Row } from './ui'

/** An order's lines, what deductions took off and what was paid: the same rows for the buyer and the seller. */
export function OrderAmounts({ order: o }: { order: Pick<Order, 'lines' | 'totalFen' | 'cashFen'> }) {
  return (
    <>
      {o.lines.map((l, i) => (
        <Row key={i} label={`${l.name} ×${l.qty}`}>
          {formatFen(l.totalFen)}
        </Row>
      ))}
      {o.totalFen !== o.cashFen ? <Row label='抵扣'>-{formatFen(o.totalFen - o.cashFen)}</Row> : null}
      <Row label='实付'>
        <Text className='amount'>{formatFen(o.cashFen)}</Text>
      </Row>
    </>
  )
}
