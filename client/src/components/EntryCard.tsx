import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { formatBp, formatDateTime, formatFen } from '@/lib/format'
import { aheadText, entryStatusText, exchangeOptions, lotteryButtonState, outcomeText, type ExchangeTarget } from '@/lib/entry'
import type { Entry, ExchangeSettings } from '@/lib/types'
import ProgressBar from './ProgressBar'
import { Button, Row, Tag } from './ui'
import './EntryCard.css'

export interface EntryCardProps {
  entry: Entry
  exchangeName: string
  exchange: ExchangeSettings
  /** what one point / love is worth at checkout (for the exchange options' value per unit) */
  deduction?: { pointValueFen: number; loveValueFen: number }
  onDraw?: (e: Entry) => void
  onExchange?: (e: Entry, to: ExchangeTarget) => void
}

/**
 * One queue entry: queue, position and the amount ahead, progress with its percentage, received /
 * pending (or what the entry became), status, 抽奖 (explained by the page before drawing) and 兑换
 * with the value per unit. The page shows the disclosure once, not each card.
 */
export default function EntryCard({ entry: e, exchangeName, exchange, deduction, onDraw, onExchange }: EntryCardProps) {
  const [choosing, setChoosing] = useState(false)
  const lottery = lotteryButtonState(e)
  const options = exchangeOptions(exchange, e.pendingFen, deduction)
  const pending = e.status === 'pending'
  const outcome = outcomeText(e)
  const ahead = aheadText(e)
  return (
    <View className='card entry' data-testid='entry-card' data-entry-id={e.entryId}>
      <View className='card-head'>
        <Text className='card-head__title'>{e.queueName}</Text>
        <Tag type={pending || e.status === 'completed' ? 'green' : 'grey'}>{entryStatusText(e)}</Tag>
      </View>
      {pending && e.position !== null ? (
        <View className='entry__pos'>
          <Text className='muted'>当前排第 </Text>
          <Text className='entry__pos-num' data-testid='entry-position'>
            {e.position}
          </Text>
          <Text className='muted'> 位 · 队列共 {e.queuePendingCount} 条排队</Text>
          {ahead ? (
            <Text className='block muted small' data-testid='entry-ahead'>
              {ahead}
            </Text>
          ) : null}
        </View>
      ) : null}
      <View className='entry__progress'>
        <View className='entry__progress-bar'>
          <ProgressBar value={e.progressBp / 10000} />
        </View>
        <Text className='entry__pct' data-testid='entry-progress'>
          {formatBp(e.progressBp)}
        </Text>
      </View>
      <View className='entry__nums'>
        <View className='entry__num'>
          <Text className='entry__num-v' data-testid='entry-received'>
            {formatFen(e.receivedFen)}
          </Text>
          <Text className='entry__num-l'>已到账</Text>
        </View>
        {outcome ? (
          <View className='entry__num entry__num--wide'>
            <Text className='entry__num-v entry__num-v--outcome' data-testid='entry-outcome'>
              {outcome}
            </Text>
            <Text className='entry__num-l'>未到账部分 {formatFen(e.exchanged?.remainingFen ?? 0)}</Text>
          </View>
        ) : (
          <View className='entry__num'>
            <Text className={`entry__num-v${pending ? ' amount' : ''}`} data-testid='entry-pending'>
              {formatFen(e.pendingFen)}
            </Text>
            <Text className='entry__num-l'>{pending ? '待返' : '待返（已结束）'}</Text>
          </View>
        )}
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
      {lottery.kind === 'available' ? (
        <Text className='block muted small' data-testid='lottery-hint'>
          可抽奖一次：抽中的比例可能高于或低于当前比例；第一次到账后不能再抽
        </Text>
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
          <Text className='muted small'>
            把待返的 {formatFen(e.pendingFen)} {exchangeName}为（{exchangeName}后这条排队结束，不再返利）：
          </Text>
          {options.map((o) => (
            <View key={o.to} className='entry__exchange-opt' onClick={() => onExchange?.(e, o.to)} data-testid={`exchange-${o.to}`}>
              <View>
                <Text className='block-text'>{o.label}</Text>
                <Text className='muted small block-text'>
                  {o.rate}
                  {o.worth ? ` · ${o.worth}` : ''}
                </Text>
              </View>
              <Text className='primary entry__exchange-get'>{o.preview} ›</Text>
            </View>
          ))}
        </View>
      ) : null}
    </View>
  )
}
