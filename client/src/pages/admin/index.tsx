import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime, formatFen, formatGreenUnits } from '@/lib/format'
import type { VerifyStep } from '@/lib/types'
import { Button, Row, StateView, Tag } from '@/components/ui'

const days = (d: number | null) => (d === null ? '无法估算（近30天无流入）' : d === 0 ? '无待返' : `约 ${d} 天`)

/** 平台管理: the liability dashboard (SPEC §7), ledger verification, the daily job, and the settings pages. */
export default function AdminPage() {
  const [verify, setVerify] = useState<{ ok: boolean; text: string }>()
  const dash = useRemote(() => call('admin', 'dashboard'))

  // admin.verifyLedger checks one bounded step per call (one snapshot each): follow the cursor to the end
  const runVerify = async () => {
    const r = await runAction('校验中', async () => {
      const problems: unknown[] = []
      let step: VerifyStep | undefined
      do {
        step = await call('admin', 'verifyLedger', step?.cursor ? { cursor: step.cursor } : {})
        problems.push(...step.problems)
      } while (!step.done)
      return { problems, entries: step.progress.entries }
    })
    if (r) {
      const ok = r.problems.length === 0
      setVerify({ ok, text: ok ? `账本校验通过（${r.entries} 条记录）` : `发现问题：${JSON.stringify(r.problems).slice(0, 200)}` })
    }
  }
  const runDaily = async () => {
    const r = await runAction('执行中', () => call('admin', 'runDaily'))
    if (r) {
      toast('每日任务已执行', 'success')
      await dash.reload()
    }
  }
  const go = (url: string) => () => void Taro.navigateTo({ url })
  const d = dash.data
  return (
    <View className='page'>
      <View className='card card--list'>
        {(
          [
            ['/pages/admin/config', '插件设置'],
            ['/pages/admin/orders', '商城订单（发货与售后）'],
            ['/pages/admin/products', '平台商品'],
            ['/pages/admin/catalog', '分类与首页横幅'],
            ['/pages/admin/stores', '门店审核'],
            ['/pages/admin/levels', '会员等级'],
            ['/pages/admin/withdrawals', '提现审核与打款'],
            ['/pages/admin/money', '退款、外发与对账'],
            ['/pages/admin/messages', '订阅消息模板'],
          ] as const
        ).map(([url, label]) => (
          <View className='list-item' key={url} onClick={go(url)}>
            <Text>{label}</Text>
            <Text className='list-item__arrow'>›</Text>
          </View>
        ))}
      </View>
      <StateView loading={dash.loading && !d} error={dash.error} onRetry={dash.reload}>
        {d ? (
          <>
            <View className='card' data-testid='liability-dashboard'>
              <Text className='card-head__title'>负债看板</Text>
              <Text className='muted small block'>统计时间 {formatDateTime(d.asOf)} · 预计清偿时间仅供平台参考，不向顾客展示</Text>
              <Row label='排队待返合计'>
                <Text className='amount' data-testid='queue-outstanding'>
                  {formatFen(d.queueOutstandingFen)}
                </Text>
              </Row>
              <Row label='待审核提现'>
                {d.withdrawals.pendingCount} 笔 · {formatFen(d.withdrawals.pendingFen)}
              </Row>
            </View>
            {d.queues.map((q) => (
              <View className='card' key={q.queueKey} data-testid='liability-queue'>
                <View className='card-head'>
                  <Text className='card-head__title'>{q.name}</Text>
                  <Tag type='grey'>{q.pendingCount} 人排队</Tag>
                </View>
                <Row label='待返'>{formatFen(q.outstandingFen)}</Row>
                <Row label='已返'>{formatFen(q.paidFen)}</Row>
                <Row label='近7天 / 30天提取'>
                  {formatFen(q.inflow7Fen)} / {formatFen(q.inflow30Fen)}
                </Row>
                <Row label='队尾预计清偿'>{days(q.estimatedClearanceDays)}</Row>
              </View>
            ))}
            <View className='card'>
              <View className='card-head'>
                <Text className='card-head__title'>工会资金池</Text>
                <Tag type={d.union.enabled ? 'green' : 'grey'}>{d.union.enabled ? '已开启' : '未开启'}</Tag>
              </View>
              <Row label='资金池余额'>{formatFen(d.union.poolFen)}</Row>
              {d.union.releasingFen > 0 && <Row label='其中释放中（已预留）'>{formatFen(d.union.releasingFen)}</Row>}
              <Row label='待返'>
                {formatFen(d.union.outstandingFen)}（{d.union.pendingCount} 条）
              </Row>
              <Row label='已释放'>{formatFen(d.union.releasedFen)}</Row>
              <Row label='近7天 / 30天流入'>
                {formatFen(d.union.inflow7Fen)} / {formatFen(d.union.inflow30Fen)}
              </Row>
              <Row label='预计清偿'>{days(d.union.estimatedClearanceDays)}</Row>
            </View>
            <View className='card'>
              <View className='card-head'>
                <Text className='card-head__title'>绿色积分资金池</Text>
                <Tag type={d.green.enabled ? 'green' : 'grey'}>{d.green.enabled ? '已开启' : '未开启'}</Tag>
              </View>
              <Row label='资金池余额'>{formatFen(d.green.poolFen)}</Row>
              <Row label='积分总量'>{formatGreenUnits(d.green.totalUnits)}</Row>
              <Row label='当前价格'>{formatFen(Math.floor(d.green.pricePerPointFen))} / 积分</Row>
              {d.green.exitPayoutsFen > 0 && <Row label='出局待到账（已从资金池预留）'>{formatFen(d.green.exitPayoutsFen)}</Row>}
              <Row label='近7天 / 30天流入'>
                {formatFen(d.green.inflow7Fen)} / {formatFen(d.green.inflow30Fen)}
              </Row>
            </View>
          </>
        ) : null}
      </StateView>
      <View className='card'>
        <Text className='card-head__title'>运维</Text>
        <Button type='default' onClick={runVerify} testId='verify-ledger'>
          校验账本
        </Button>
        {verify ? (
          <Text className={`block ${verify.ok ? 'primary' : 'state__text'}`} data-testid='verify-result'>
            {verify.text}
          </Text>
        ) : null}
        <Button type='default' onClick={runDaily}>
          手动执行每日任务（清零、工会释放）
        </Button>
      </View>
    </View>
  )
}
