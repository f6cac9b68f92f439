import { View, Text } from '@tarojs/components'
import { formatDateTime, formatFen } from '@/lib/format'
import { withdrawalStatusText, withdrawalTagType } from '@/lib/payouts'
import type { Withdrawal } from '@/lib/types'
import { Button, Tag } from './ui'

/**
 * One withdrawal in a payee's list (the shopper's wallet, a store's revenue): when, how much, its
 * state, the bank reference of a manual payout, why a payout failed, and 确认收款 while a WeChat
 * transfer waits for the payee.
 */
export function WithdrawalItem({ w, testId, onReceive }: { w: Withdrawal; testId: string; onReceive: (w: Withdrawal) => void }) {
  return (
    <View data-testid={testId}>
      <View className='row'>
        <Text className='row__label'>{formatDateTime(w.createdAt)}</Text>
        <View className='row__value'>
          <Text>{formatFen(w.amountFen)} </Text>
          <Tag type={withdrawalTagType(w.status)}>{withdrawalStatusText(w)}</Tag>
        </View>
      </View>
      {w.reference ? <Text className='muted small block'>打款凭证 {w.reference}</Text> : null}
      {w.awaitingConfirmation ? (
        <View className='actions'>
          <Text className='muted small'>平台已通过微信转账打款，请确认收款{w.expiresAt ? `（${formatDateTime(w.expiresAt)} 前）` : ''}</Text>
          <Button size='mini' onClick={() => onReceive(w)} testId='withdrawal-confirm'>
            确认收款
          </Button>
        </View>
      ) : null}
      {w.status === 'failed' && w.error ? <Text className='muted small block'>{w.error}</Text> : null}
    </View>
  )
}
