import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { ensureLogin, toast } from '@/lib/session'
import { askSubscriptions } from '@/lib/subscribe'
import { useRemote } from '@/lib/useRemote'
import { formatBp, formatDate, formatFen } from '@/lib/format'
import { DISCLOSURE_UNION } from '@/lib/disclosure'
import type { ExchangeTarget } from '@/lib/entry'
import type { Entry, MyEntries, MyUnion } from '@/lib/types'
import EntryCard from '@/components/EntryCard'
import ProgressBar from '@/components/ProgressBar'
import { Disclosure, Row, StateView, Tag } from '@/components/ui'

type Tab = 'pending' | 'all' | 'union'

export default function QueuePage() {
  const [tab, setTab] = useState<Tab>('pending')
  const data = useRemote(async () => {
    await ensureLogin()
    const [mine, union] = await Promise.all([call<MyEntries>('queue', 'mine', {}), call<MyUnion>('union', 'mine')])
    return { mine, union }
  })

  const draw = async (e: Entry) => {
    if (!(await confirm('抽奖', '每条排队只能抽一次，抽中的比例将替换当前比例。开始抽奖吗？'))) return
    const r = await runAction('抽奖中', () => call<{ ratioBp?: number; drawnBp?: number }>('queue', 'draw', { entryId: e.entryId }))
    if (r) {
      const bp = r.drawnBp ?? r.ratioBp
      toast(bp ? `抽中 ${formatBp(bp)}` : '抽奖完成', 'none')
      await data.reload()
    }
  }

  const exchange = async (e: Entry, to: ExchangeTarget) => {
    const name = data.data?.mine.exchangeName ?? '兑换'
    if (!(await confirm(name, `待返 ${formatFen(e.pendingFen)} ${name}后这条排队将结束，不再返利。确定吗？`))) return
    const r = await runAction(`${name}中`, () => call('queue', 'exchange', { entryId: e.entryId, to }))
    if (r) {
      toast(`${name}成功`, 'success')
      await data.reload()
    }
  }

  // on the queue page the shopper waits for payouts: the natural place to ask for those messages
  const subscribe = async () => {
    const r = await askSubscriptions(['payout', 'completed', 'lottery'])
    toast(r ? '已订阅到账提醒' : '暂无可订阅的提醒', 'none')
  }

  const mine = data.data?.mine
  const union = data.data?.union
  const entries = (mine?.entries ?? []).filter((e) => (tab === 'pending' ? e.status === 'pending' : true))
  const pendingTotal = (mine?.entries ?? []).reduce((a, e) => a + e.pendingFen, 0)
  const receivedTotal = (mine?.entries ?? []).reduce((a, e) => a + e.receivedFen, 0)

  return (
    <View className='page'>
      <View className='card'>
        <Text className='card__title'>{mine?.name ?? '排队'}</Text>
        <View className='grid'>
          <View className='grid__item'>
            <Text className='grid__value' data-testid='queue-received-total'>
              {formatFen(receivedTotal)}
            </Text>
            <Text className='grid__label'>累计到账</Text>
          </View>
          <View className='grid__item'>
            <Text className='grid__value amount'>{formatFen(pendingTotal)}</Text>
            <Text className='grid__label'>待返</Text>
          </View>
          <View className='grid__item'>
            <Text className='grid__value'>{(mine?.entries ?? []).filter((e) => e.status === 'pending').length}</Text>
            <Text className='grid__label'>排队中</Text>
          </View>
        </View>
        {mine?.settlingOrders ? (
          <Text className='muted small' data-testid='queue-settling'>
            有 {mine.settlingOrders} 笔订单结算中，完成后这里会出现新的排队记录（通常几秒内），请下拉刷新
          </Text>
        ) : null}
        {mine?.paused ? <Text className='state__text small'>平台已暂停返利，排队位置保留</Text> : null}
        <Text className='link small' onClick={subscribe} data-testid='queue-subscribe'>
          订阅到账提醒
        </Text>
      </View>
      <View className='seg'>
        {(
          [
            ['pending', '排队中'],
            ['all', '全部记录'],
            ['union', '工会排队'],
          ] as const
        ).map(([k, label]) => (
          <Text key={k} className={`seg__item${tab === k ? ' seg__item--on' : ''}`} onClick={() => setTab(k)}>
            {label}
          </Text>
        ))}
      </View>
      {tab !== 'union' ? (
        <StateView
          loading={data.loading && !data.data}
          error={data.error}
          empty={!!data.data && entries.length === 0}
          emptyText='暂无排队记录，在商城或门店消费后会出现在这里'
          onRetry={data.reload}
        >
          {entries.map((e) => (
            <EntryCard key={e.entryId} entry={e} exchangeName={mine!.exchangeName} exchange={mine!.exchange} onDraw={draw} onExchange={exchange} />
          ))}
        </StateView>
      ) : (
        <StateView
          loading={data.loading && !data.data}
          error={data.error}
          empty={!!union && (!union.enabled || union.entries.length === 0)}
          emptyText={union && !union.enabled ? '工会排队未开启' : '暂无工会排队记录'}
          onRetry={data.reload}
        >
          <View className='card'>
            <Row label='工会资金池'>{formatFen(union?.poolFen ?? 0)}</Row>
            <Disclosure compact text={DISCLOSURE_UNION} />
          </View>
          {(union?.entries ?? []).map((u) => (
            <View className='card' key={u.entryId} data-testid='union-card'>
              <View className='card-head'>
                <Text className='card-head__title'>工会排队 #{u.seq}</Text>
                <Tag type={u.status === 'pending' ? (u.eligible ? 'green' : 'orange') : 'grey'}>
                  {u.status === 'pending' ? (u.eligible ? '已到期，等待资金池' : '锁定中') : u.status === 'completed' ? '已完成' : '已取消'}
                </Tag>
              </View>
              <ProgressBar value={u.entitlementFen > 0 ? u.receivedFen / u.entitlementFen : 1} />
              <Row label='已到账 / 权益'>
                {formatFen(u.receivedFen)} / {formatFen(u.entitlementFen)}
              </Row>
              <Row label='下单日'>{formatDate(u.orderDay)}</Row>
              <Row label={`可领取日（锁定 ${u.lockDays} 天）`}>
                <Text data-testid='union-eligible'>{formatDate(u.eligibleDay)}</Text>
              </Row>
            </View>
          ))}
        </StateView>
      )}
    </View>
  )
}
