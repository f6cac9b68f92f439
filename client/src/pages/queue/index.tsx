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
import type { DrawParams, ExchangeParams, QueueMineParams } from '@/lib/params'
import type { Entry, UnionEntry } from '@/lib/types'
import EntryCard from '@/components/EntryCard'
import LotterySheet from '@/components/LotterySheet'
import ProgressBar from '@/components/ProgressBar'
import { Disclosure, Row, Stat, StateView, Tag } from '@/components/ui'

type Tab = 'pending' | 'all' | 'union'

/** The union entry's state in words: 锁定中 (with 已加速 when a friend's order already paid part of it), 待资金池, … */
function unionStatus(u: UnionEntry): { text: string; type: 'green' | 'orange' | 'grey' } {
  if (u.status === 'completed') return { text: u.accelerated ? '已完成（含加速）' : '已完成', type: 'grey' }
  if (u.status === 'cancelled') return { text: '已取消', type: 'grey' }
  if (!u.eligible) return { text: u.accelerated ? '锁定中 · 已加速' : '锁定中', type: 'orange' }
  return { text: u.accelerated ? '已到期 · 等待资金池（已加速）' : '已到期，等待资金池', type: 'green' }
}

export default function QueuePage() {
  const [tab, setTab] = useState<Tab>('pending')
  const [drawing, setDrawing] = useState<Entry | null>(null)
  const data = useRemote(async () => {
    await ensureLogin()
    const [mine, union] = await Promise.all([call('queue', 'mine', {} satisfies QueueMineParams), call('union', 'mine')])
    return { mine, union }
  })

  // the sheet explains the draw first (odds, may lower the ratio, lapses at the first payout); 确定抽奖 draws
  const draw = async () => {
    const e = drawing
    setDrawing(null)
    if (!e) return
    const r = await runAction('抽奖中', () => call('queue', 'draw', { entryId: e.entryId } satisfies DrawParams))
    if (r) {
      const change = r.ratioBp > r.previousRatioBp ? '比例提高' : r.ratioBp < r.previousRatioBp ? '比例降低' : '比例不变'
      toast(`抽中 ${formatBp(r.ratioBp)}（${change}）`, 'none')
      await data.reload()
    }
  }

  const exchange = async (e: Entry, to: ExchangeTarget) => {
    const name = data.data?.mine.exchangeName ?? '兑换'
    if (!(await confirm(name, `待返 ${formatFen(e.pendingFen)} ${name}后这条排队将结束，不再返利。确定吗？`))) return
    const r = await runAction(`${name}中`, () => call('queue', 'exchange', { entryId: e.entryId, to } satisfies ExchangeParams))
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
  const all = mine?.entries ?? []
  const entries = all.filter((e) => (tab === 'pending' ? e.status === 'pending' : true))
  const pendingTotal = mine?.pendingTotalFen ?? all.reduce((a, e) => a + e.pendingFen, 0)
  const receivedTotal = all.reduce((a, e) => a + e.receivedFen, 0)
  const pendingCount = mine?.pendingCount ?? all.filter((e) => e.status === 'pending').length
  const unionEntries = union?.entries ?? []

  return (
    <View className='page'>
      {tab !== 'union' ? (
        <View className='card' data-testid='queue-totals'>
          <Text className='card__title'>{mine?.name ?? '排队'}</Text>
          <View className='grid'>
            <Stat value={formatFen(receivedTotal)} label={all.length >= 50 ? '最近50条已到账' : '已到账'} testId='queue-received-total' />
            <Stat value={formatFen(pendingTotal)} label='待返合计' tone='amount' testId='queue-pending-total' />
            <Stat value={String(pendingCount)} label='排队中（条）' />
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
      ) : (
        <View className='card' data-testid='union-totals'>
          <Text className='card__title'>工会排队</Text>
          <View className='grid'>
            <Stat value={formatFen(union?.myReceivedFen ?? 0)} label='已到账' testId='union-received-total' />
            <Stat value={formatFen(union?.myPendingFen ?? 0)} label='我的待返' tone='amount' testId='union-pending-total' />
            <Stat value={String(unionEntries.filter((u) => u.status === 'pending' && !u.eligible).length)} label='锁定中（条）' />
          </View>
          <Row label='工会资金池余额'>{formatFen(union?.poolFen ?? 0)}</Row>
        </View>
      )}
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
        <>
          {/* once per page: where payouts come from and that nothing is promised (SPEC §6) */}
          <Disclosure compact />
          <StateView
            loading={data.loading && !data.data}
            error={data.error}
            empty={!!data.data && entries.length === 0}
            emptyText='暂无排队记录，在商城或门店消费后会出现在这里'
            onRetry={data.reload}
          >
            {entries.map((e) => (
              <EntryCard key={e.entryId} entry={e} exchangeName={mine!.exchangeName} exchange={mine!.exchange} deduction={mine!.deduction} onDraw={setDrawing} onExchange={exchange} />
            ))}
          </StateView>
        </>
      ) : (
        <StateView
          loading={data.loading && !data.data}
          error={data.error}
          empty={!!union && (!union.enabled || unionEntries.length === 0)}
          emptyText={union && !union.enabled ? '工会排队未开启' : '暂无工会排队记录'}
          onRetry={data.reload}
        >
          <View className='card' data-testid='union-explained'>
            <Text className='card-head__title'>锁定期与加速</Text>
            <Text className='card__desc'>
              每笔订单的工会权益先锁定（商品设置的天数，默认 {union?.defaultLockDays ?? 15} 天，下单当天算第 1 天），到期后由工会资金池按顺序全额支付；资金池不够付下一条时继续等待。
            </Text>
            {union?.accelerationBp ? (
              <Text className='card__desc'>
                加速：你直接邀请的好友消费时，按其实付金额的 {formatBp(union.accelerationBp)} 从资金池提前支付你最早的待返记录，所以「锁定中」的记录也可能已有到账。
              </Text>
            ) : null}
            <Disclosure compact text={DISCLOSURE_UNION} />
          </View>
          {unionEntries.map((u) => {
            const st = unionStatus(u)
            return (
              <View className='card' key={u.entryId} data-testid='union-card'>
                <View className='card-head'>
                  <Text className='card-head__title'>工会排队 #{u.seq}</Text>
                  <Tag type={st.type}>{st.text}</Tag>
                </View>
                <View className='entry__progress'>
                  <View className='entry__progress-bar'>
                    <ProgressBar value={u.entitlementFen > 0 ? u.receivedFen / u.entitlementFen : 1} />
                  </View>
                  <Text className='entry__pct'>{formatBp(u.entitlementFen > 0 ? Math.floor((u.receivedFen * 10000) / u.entitlementFen) : 10000)}</Text>
                </View>
                <Row label='已到账 / 权益'>
                  {formatFen(u.receivedFen)} / {formatFen(u.entitlementFen)}
                </Row>
                {u.accelerated && u.status === 'pending' ? (
                  <Text className='muted small block' data-testid='union-accelerated'>
                    已到账的 {formatFen(u.receivedFen)} 来自好友消费的加速，其余 {formatFen(u.pendingFen)} 到期后等待资金池
                  </Text>
                ) : null}
                <Row label='下单日'>{formatDate(u.orderDay)}</Row>
                <Row label={`可领取日（锁定 ${u.lockDays} 天）`}>
                  <Text data-testid='union-eligible'>{formatDate(u.eligibleDay)}</Text>
                </Row>
              </View>
            )
          })}
        </StateView>
      )}
      {drawing ? <LotterySheet entry={drawing} onConfirm={draw} onCancel={() => setDrawing(null)} /> : null}
    </View>
  )
}
