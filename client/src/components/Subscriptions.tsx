import { useEffect, useState } from 'react'
import { View, Text } from '@tarojs/components'
import { askSubscriptions, loadSubscriptions, SUBSCRIPTION_ANSWER_TEXT, type MessageKind, type Subscriptions } from '@/lib/subscribe'
import { toast } from '@/lib/session'
import { Button, Row } from './ui'

/**
 * 消息提醒 on 我的: the messages the platform sends, what the shopper agreed to (WeChat's
 * subscriptions are one-time: each agreement allows one message) and a button to subscribe
 * again. Shows nothing while the platform has configured no template.
 */
export default function SubscriptionsCard() {
  const [subs, setSubs] = useState<Subscriptions | null>(null)
  useEffect(() => {
    loadSubscriptions(true)
      .then(setSubs)
      .catch(() => setSubs(null))
  }, [])
  if (!subs || subs.kinds.length === 0) return null
  const subscribe = async (kinds: MessageKind[]) => {
    const r = await askSubscriptions(kinds)
    if (r) {
      setSubs(r)
      toast('已更新消息提醒', 'success')
    }
  }
  return (
    <View className='card' data-testid='subscriptions'>
      <Text className='card-head__title'>消息提醒</Text>
      {subs.kinds.map((k) => (
        <Row key={k.kind} label={k.title} testId={`subscription-${k.kind}`}>
          <Text className={k.remaining > 0 ? 'primary' : 'muted'}>{k.remaining > 0 ? `已订阅（可接收 ${k.remaining} 次）` : k.last ? SUBSCRIPTION_ANSWER_TEXT[k.last] ?? k.last : '未订阅'}</Text>
        </Row>
      ))}
      <Text className='muted small block'>微信的订阅消息每次同意只能收到一条，收到后可再次订阅。</Text>
      <View className='actions'>
        <Button size='mini' type='default' onClick={() => subscribe(subs.kinds.map((k) => k.kind))} testId='subscribe-all'>
          订阅提醒
        </Button>
      </View>
    </View>
  )
}
