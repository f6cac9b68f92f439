import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime, formatFen } from '@/lib/format'
import type { OutboxMessage, PaymentAnomaly, ReconcileDifference, Refund } from '@/lib/types'
import { Button, Field, Row, StateView, Tag } from '@/components/ui'

const KIND_TEXT: Record<string, string> = {
  'wxpay.refund': '微信退款',
  'payout.start': '提现打款',
  'wxa.shipping': '发货信息上传',
  payout: '返利到账提醒',
  completed: '排队完成提醒',
  lottery: '抽奖结果通知',
  exit: '出局提醒',
  refund: '退款结果通知',
  withdrawal: '提现结果通知',
}
const PROBLEM_TEXT: Record<ReconcileDifference['problem'], string> = { missing_ours: '微信有、本系统无', missing_wechat: '本系统有、微信无', amount: '金额不一致' }

/**
 * The edges of the money (SPEC §7, §9) for the platform: refunds WeChat Pay refused (retry with the
 * same refund number, or record a refund made outside WeChat Pay), the outbox's dead letters (what
 * could not be sent to WeChat, with the error; retry), payment notifications whose amount differed,
 * and the daily comparison with WeChat Pay's bill.
 */
export default function AdminMoneyPage() {
  const data = useRemote(async () => {
    const [refunds, outbox, anomalies, recon] = await Promise.all([
      call('admin', 'refunds', { status: 'failed' }),
      call('admin', 'outbox', { status: 'dead', limit: 50 }),
      call('admin', 'anomalies', { status: 'open' }),
      call('admin', 'reconciliations', { limit: 7 }),
    ])
    return { refunds, outbox, anomalies, recon }
  })
  const [refs, setRefs] = useState<Record<string, string>>({})
  const [day, setDay] = useState('')

  const act = async (title: string, fn: () => Promise<unknown>, done: string) => {
    const r = await runAction(title, fn)
    if (r !== undefined) {
      toast(done, 'success')
      await data.reload()
    }
  }
  const retryRefund = (r: Refund) => act('处理中', () => call('admin', 'resolveRefund', { refundId: r.refundId, decision: 'retry' }), '已重新提交退款')
  const manualRefund = async (r: Refund) => {
    const reference = (refs[r.refundId] ?? '').trim()
    if (reference.length < 2) return toast('请填写线下退款凭证号')
    if (!(await confirm('登记线下退款', `${formatFen(r.amountFen)} 已通过微信支付以外的方式退给顾客？`))) return
    await act('登记中', () => call('admin', 'resolveRefund', { refundId: r.refundId, decision: 'manual', reference }), '已登记')
  }
  const retryMessage = (m: OutboxMessage) => act('处理中', () => call('admin', 'retryOutbox', { messageId: m.messageId }), '已重新排队发送')
  const resolveAnomaly = async (a: PaymentAnomaly) => {
    const note = (refs[a._id] ?? '').trim()
    if (!note) return toast('请填写处理说明（如：已在商户平台退款）')
    await act('处理中', () => call('admin', 'resolveAnomaly', { transactionId: a._id, note }), '已处理')
  }
  const reconcile = () => act('对账中', () => call('admin', 'reconcile', day.trim() ? { day: day.trim() } : {}), '对账完成')
  const sweep = () => act('检查中', () => call('admin', 'sweep'), '已向微信查询未决的支付、退款和转账')

  const d = data.data
  return (
    <View className='page'>
      <StateView loading={data.loading && !d} error={data.error} onRetry={data.reload}>
        {d ? (
          <>
            <View className='card' data-testid='failed-refunds'>
              <Text className='card-head__title'>退款失败（{d.refunds.length}）</Text>
              {d.refunds.length === 0 ? <Text className='muted block'>没有需要处理的退款</Text> : null}
              {d.refunds.map((r) => (
                <View key={r.refundId} className='sub-card'>
                  <Row label={`订单 ${r.orderId}`}>
                    <Text className='amount'>{formatFen(r.amountFen)}</Text>
                  </Row>
                  <Text className='state__text small block'>{r.error}</Text>
                  <Field label='线下退款凭证' value={refs[r.refundId] ?? ''} onInput={(v) => setRefs({ ...refs, [r.refundId]: v })} placeholder='如银行流水号' />
                  <View className='actions'>
                    <Button size='mini' type='default' onClick={() => manualRefund(r)}>
                      登记线下退款
                    </Button>
                    <Button size='mini' onClick={() => retryRefund(r)}>
                      重新提交微信退款
                    </Button>
                  </View>
                </View>
              ))}
            </View>
            <View className='card' data-testid='dead-letters'>
              <Text className='card-head__title'>外发失败（{d.outbox.dead}）</Text>
              <Text className='muted small block'>发往微信的退款、打款和订阅消息多次重试仍失败的记录；重试使用相同的幂等单号，不会重复退款或打款。</Text>
              {d.outbox.messages.length === 0 ? <Text className='muted block'>没有失败的外发</Text> : null}
              {d.outbox.messages.map((m) => (
                <View key={m.messageId} className='sub-card' data-testid='dead-letter'>
                  <Row label={KIND_TEXT[m.kind] ?? m.kind}>
                    <Tag type='red'>失败 {m.attempts} 次</Tag>
                  </Row>
                  {m.key ? <Text className='muted small block'>单号 {m.key}</Text> : null}
                  <Text className='state__text small block'>{m.error}</Text>
                  <Text className='muted small block'>创建于 {formatDateTime(m.createdAt)}</Text>
                  <View className='actions'>
                    <Button size='mini' onClick={() => retryMessage(m)}>
                      重试
                    </Button>
                  </View>
                </View>
              ))}
            </View>
            <View className='card'>
              <Text className='card-head__title'>异常支付（{d.anomalies.length}）</Text>
              <Text className='muted small block'>支付通知金额与订单不符：已记录、不结算，请在微信支付商户平台处理后登记。</Text>
              {d.anomalies.map((a) => (
                <View key={a._id} className='sub-card'>
                  <Row label={`订单 ${a.orderId}`}>
                    实付 {formatFen(a.amountFen)} / 应付 {formatFen(a.expectedFen)}
                  </Row>
                  <Text className='muted small block'>微信支付单号 {a._id} · {formatDateTime(a.at)}</Text>
                  <Field label='处理说明' value={refs[a._id] ?? ''} onInput={(v) => setRefs({ ...refs, [a._id]: v })} placeholder='如：已在商户平台全额退款' />
                  <View className='actions'>
                    <Button size='mini' onClick={() => resolveAnomaly(a)}>
                      登记已处理
                    </Button>
                  </View>
                </View>
              ))}
            </View>
            <View className='card' data-testid='reconciliations'>
              <Text className='card-head__title'>每日对账</Text>
              <Text className='muted small block'>每天 10:00 自动核对前一天微信支付账单；列出两边不一致的支付和退款。</Text>
              <Field label='对账日期' value={day} onInput={setDay} placeholder='YYYY-MM-DD，默认昨天' testId='reconcile-day' />
              <View className='actions'>
                <Button size='mini' type='default' onClick={sweep}>
                  立即查询未决交易
                </Button>
                <Button size='mini' onClick={reconcile} testId='reconcile-run'>
                  对账
                </Button>
              </View>
              {d.recon.map((r) => (
                <View key={r._id} className='sub-card' data-testid='reconciliation'>
                  <Row label={r._id}>
                    {r.status === 'unavailable' ? <Tag type='grey'>无账单</Tag> : r.differenceCount ? <Tag type='red'>{r.differenceCount} 处不一致</Tag> : <Tag type='green'>一致</Tag>}
                  </Row>
                  {r.status === 'done' ? (
                    <Text className='muted small block'>
                      微信：支付 {r.wechat.payments} 笔 {formatFen(r.wechat.paymentFen)}，退款 {r.wechat.refunds} 笔 {formatFen(r.wechat.refundFen)}；本系统：支付 {r.ours.payments} 笔 {formatFen(r.ours.paymentFen)}，退款 {r.ours.refunds} 笔 {formatFen(r.ours.refundFen)}
                    </Text>
                  ) : (
                    <Text className='muted small block'>{r.note}</Text>
                  )}
                  {r.differences.map((x) => (
                    <Text key={`${x.kind}:${x.id}`} className='state__text small block'>
                      {x.kind === 'payment' ? '支付' : '退款'} {x.id}（订单 {x.orderId ?? '-'}）：{PROBLEM_TEXT[x.problem]} 本系统 {x.oursFen === null ? '-' : formatFen(x.oursFen)} / 微信 {x.wechatFen === null ? '-' : formatFen(x.wechatFen)}
                    </Text>
                  ))}
                </View>
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
