import { useRef, useState } from 'react'
import { View, Text } from '@tarojs/components'
import { useReachBottom } from '@tarojs/taro'
import { call } from '@/lib/api'
import { ensureLogin } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDate, formatFen } from '@/lib/format'
import type { Invitees } from '@/lib/types'
import { Row, StateView, Tag } from '@/components/ui'

/**
 * 我邀请的好友: the shopper's direct referees (one level, SPEC §6), masked, newest first, with the
 * 直推佣金 each one's completed orders brought. Nothing here rewards inviting itself.
 */
export default function InviteesPage() {
  const [more, setMore] = useState<Invitees['friends']>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const first = useRemote(async () => {
    await ensureLogin()
    const r = await call('user', 'invitees', { limit: 20 })
    setMore([])
    setCursor(r.nextCursor)
    return r
  })
  // (a ref, not the state: onReachBottom and a tap can both call this before a re-render, and the
  // second would load the same page again)
  const inFlight = useRef(false)
  const next = async () => {
    if (!cursor || inFlight.current) return
    inFlight.current = true
    setLoadingMore(true)
    try {
      const r = await call('user', 'invitees', { limit: 20, cursor })
      setMore((m) => [...m, ...r.friends])
      setCursor(r.nextCursor)
    } finally {
      inFlight.current = false
      setLoadingMore(false)
    }
  }
  useReachBottom(() => void next())

  const friends = [...(first.data?.friends ?? []), ...more]
  return (
    <View className='page'>
      <View className='card'>
        <Row label='累计直推佣金'>
          <Text className='amount' data-testid='commission-earned'>
            {formatFen(first.data?.commissionEarnedFen ?? 0)}
          </Text>
        </Row>
        <Text className='muted small block'>只统计你直接邀请的好友（一级）。佣金按好友已完成订单的实付金额计算；退款不追回已发放的佣金。邀请和分享本身没有奖励。</Text>
      </View>
      <StateView loading={first.loading && !first.data} error={first.error} empty={!!first.data && friends.length === 0} emptyText='还没有好友通过你的邀请注册' onRetry={first.reload}>
        <View className='card card--list'>
          {friends.map((f, i) => (
            <View className='list-item' key={`${f.joinedAt}${i}`} data-testid='invitee'>
              <View>
                <Text className='block-text'>{f.nickname}</Text>
                <Text className='muted small'>{formatDate(f.joinedAt)} 加入</Text>
              </View>
              <View style={{ textAlign: 'right' }}>
                <Text className='block-text' data-testid='invitee-commission'>
                  {formatFen(f.commissionFen)}
                </Text>
                {f.hasOrdered ? <Tag>已下单</Tag> : <Tag type='grey'>未下单</Tag>}
              </View>
            </View>
          ))}
        </View>
        {cursor ? (
          <Text className='block muted small' style={{ textAlign: 'center' }} onClick={() => void next()}>
            {loadingMore ? '加载中…' : '加载更多'}
          </Text>
        ) : null}
      </StateView>
    </View>
  )
}
