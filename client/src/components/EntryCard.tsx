import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { formatBp, formatDateTime, formatFen } from '@/lib/format'
import { entryStatusText, exchangeOptions, lotteryButtonState, type ExchangeTarget } from '@/lib/entry'
import type { Entry, ExchangeSettings } from '@/lib/types'
import ProgressBar from './ProgressBar'
import { Button, Disclosure, Row, Tag } from './ui'
import './EntryCard.css'

export interface EntryCardProps {
  entry: Entry
  exchangeName: string
  exchange: ExchangeSettings
  onDraw?: (e: Entry) => void
  onExchange?: (e: Entry, to: ExchangeTarget) => void
}

/** One queue entry: queue, position, progress, received / pending, status, 抽奖 and 兑换. */
export default function EntryCard({ entry: e, exchangeName, exchange, onDraw, onExchange }: EntryCardProps) {
  const [choosing, setChoosing] = useState(false)
  const lottery = lotteryButtonState(e)
  const options = exchangeOptions(exchange, e.pendingFen)
  const pending = e.status === 'pending'
  return (
    <View className='card entry' data-testid='entry-card' data-entry-id={e.entryId}>
      <View className='card-head'>
        <Text className='card-head__title'>{e.queueName}</Text>
        <Tag type={pending ? 'green' : e.status === 'completed' ? 'green' : 'grey'}>{entryStatusText(e)}</Tag>
      </View>
      {pending && e.position !== null ? (
        <View className='entry__pos'>
          <Text className='muted'>当前排第 </Text>
          <Text className='entry__pos-num' data-testid='entry-position'>
            {e.position}
          </Text>
          <Text className='muted'> 位 · 队列共 {e.queuePendingCount} 人</Text>
        </View>
      ) : null}
      <ProgressBar value={e.progressBp / 10000} />
      <View className='entry__nums'>
        <View className='entry__num'>
          <Text className='entry__num-v' data-testid='entry-received'>
            {formatFen(e.receivedFen)}
          </Text>
          <Text className='entry__num-l'>已到账</Text>
        </View>
        <View className='entry__num'>
          <Text className='entry__num-v amount' data-testid='entry-pending'>
            {formatFen(e.pendingFen)}
          </Text>
          <Text className='entry__num-l'>待返</Text>
        </View>
        <View className='entry__num'>
          <Text className='entry__num-v'>{formatFen(e.entitlementFen)}</Text>
          <Text className='entry__num-l'>奖励权益</Text>
        </View>
      </View>
      <Row label='比例'>
        {formatFen(e.baseFen)} × {formatBp(e.ratioBp)}
      </Row>
      <Row label='入队时间'>{formatDateTime(e.createdAt)}</Row>
      {e.waitingForCompletion ? <Text className='muted small'>订单确认收货后才开始返利</Text> : null}
      {lottery.kind === 'drawn' ? (
        <View className='entry__drawn' data-testid='lottery-drawn'>
          <Text>{lottery.label}，奖励权益已按新比例计算</Text>
        </View>
      ) : null}
      <View className='actions'>
        {lottery.kind === 'available' ? (
          <Button size='mini' onClick={() => onDraw?.(e)} testId='lottery-button'>
            {lottery.label}
          </Button>
        ) : null}
        {lottery.kind === 'closed' && pending ? <Text className='muted small entry__hint'>{lottery.label}</Text> : null}
        {pending && e.canExchange && options.length > 0 ? (
          <Button size='mini' type='default' onClick={() => setChoosing(!choosing)} testId='exchange-button'>
            {exchangeName}
          </Button>
        ) : null}
      </View>
      {choosing && pending ? (
        <View className='entry__exchange' data-testid='exchange-options'>
          <Text className='muted small'>把待返的 {formatFen(e.pendingFen)} {exchangeName}为（兑换后退出排队）：</Text>
          {options.map((o) => (
            <View key={o.to} className='entry__exchange-opt' onClick={() => onExchange?.(e, o.to)} data-testid={`exchange-${o.to}`}>
              <Text>{o.label}</Text>
              <Text className='primary'>{o.preview} ›</Text>
            </View>
          ))}
        </View>
      ) : null}
      {pending ? <Disclosure compact /> : null}
    </View>
  )
}
