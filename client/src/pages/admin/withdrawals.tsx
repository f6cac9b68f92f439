import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime, formatFen } from '@/lib/format'
import { METHOD_TEXT, withdrawalStatusText, withdrawalTagType } from '@/lib/payouts'
import type { Withdrawal, WithdrawalMethod } from '@/lib/types'
import { Button, Field, Row, StateView, Tag } from '@/components/ui'

type Method = WithdrawalMethod

/**
 * 提现审核 (shoppers' cash and stores' revenue): approve with a payout method — WeChat Pay
 * 商家转账 (the payee confirms in the mini-program) when configured, or a manual payout whose
 * bank/transfer reference is recorded here once paid — or reject (back to the balance). Cash
 * counts as paid out only when the payout is confirmed.
 */
export default function AdminWithdrawalsPage() {
  const data = useRemote(async () => {
    const [list, m] = await Promise.all([call('admin', 'listWithdrawals', {}), call('admin', 'payoutMethods')])
    return { list, methods: m.methods }
  })
  const [refs, setRefs] = useState<Record<string, string>>({})

  const review = async (w: Withdrawal, approve: boolean, method?: Method) => {
    const what = approve ? `${formatFen(w.amountFen)}，通过并以「${METHOD_TEXT[method!]}」打款吗？` : `${formatFen(w.amountFen)}，确定驳回（退回余额）吗？`
    if (!(await confirm(approve ? '通过提现' : '驳回提现', what))) return
    const r = await runAction('处理中', () => call('admin', 'reviewWithdrawal', { withdrawalId: w.withdrawalId, approve, ...(approve ? { method } : {}) }))
    if (r) {
      toast(approve ? (method === 'manual' ? '已通过，请线下打款后登记' : '已发起微信转账') : '已驳回', 'success')
      await data.reload()
    }
  }
  const record = async (w: Withdrawal) => {
    const reference = (refs[w.withdrawalId] ?? '').trim()
    if (reference.length < 2) return toast('请填写打款凭证号（银行流水号等）')
    if (!(await confirm('登记打款', `${formatFen(w.amountFen)} 已线下打款，凭证号 ${reference}？`))) return
    const r = await runAction('登记中', () => call('admin', 'confirmPayout', { withdrawalId: w.withdrawalId, reference }))
    if (r) {
      toast('已登记，已到账', 'success')
      await data.reload()
    }
  }
  const fail = async (w: Withdrawal) => {
    if (!(await confirm('打款失败', '确认无法打款？金额将退回用户余额。'))) return
    const r = await runAction('处理中', () => call('admin', 'failPayout', { withdrawalId: w.withdrawalId, reason: (refs[w.withdrawalId] ?? '').trim() || '平台无法完成打款' }))
    if (r) {
      toast('已退回余额', 'success')
      await data.reload()
    }
  }

  const rows = (data.data?.list ?? []).slice().reverse()
  const methods = data.data?.methods ?? []
  return (
    <View className='page'>
      <StateView loading={data.loading && !data.data} error={data.error} empty={!data.loading && rows.length === 0} emptyText='暂无提现申请' onRetry={data.reload}>
        {rows.map((w) => (
          <View className='card' key={w.withdrawalId} data-testid='admin-withdrawal'>
            <View className='card-head'>
              <Text className='card-head__title amount'>{formatFen(w.amountFen)}</Text>
              <Tag type={withdrawalTagType(w.status)}>{withdrawalStatusText(w)}</Tag>
            </View>
            {w.storeId ? (
              <Row label='门店营业款' testId='withdrawal-payee'>
                {w.storeName ?? w.storeId}
              </Row>
            ) : null}
            <Row label={w.storeId ? '店主' : '用户'} testId={w.storeId ? undefined : 'withdrawal-payee'}>
              {w.nickname ?? w.userId}
            </Row>
            <Row label={w.storeId ? '门店编号' : '用户编号'}>
              <Text className='muted small'>{w.storeId ?? w.userId}</Text>
            </Row>
            <Row label='申请时间'>{formatDateTime(w.createdAt)}</Row>
            {w.method ? <Row label='打款方式'>{METHOD_TEXT[w.method] ?? w.method}</Row> : null}
            {w.reference ? <Row label='打款凭证'>{w.reference}</Row> : null}
            {w.error ? <Text className='muted small block'>{w.error}</Text> : null}
            {w.status === 'pending' ? (
              <View className='actions'>
                <Button size='mini' type='warn' onClick={() => review(w, false)}>
                  驳回
                </Button>
                {methods.map((m) => (
                  <Button key={m} size='mini' type={m === methods[0] ? 'primary' : 'default'} onClick={() => review(w, true, m)} testId={`approve-withdrawal-${m}`}>
                    {m === 'manual' ? '通过·线下打款' : '通过·微信转账'}
                  </Button>
                ))}
              </View>
            ) : null}
            {w.status === 'paying' && w.method === 'manual' ? (
              <>
                <Field label='打款凭证号' value={refs[w.withdrawalId] ?? ''} onInput={(v) => setRefs({ ...refs, [w.withdrawalId]: v })} placeholder='银行流水号 / 转账单号' testId='payout-reference' />
                <View className='actions'>
                  <Button size='mini' type='warn' onClick={() => fail(w)} testId='payout-fail'>
                    打款失败
                  </Button>
                  <Button size='mini' onClick={() => record(w)} testId='payout-confirm'>
                    登记已打款
                  </Button>
                </View>
              </>
            ) : null}
            {w.status === 'paying' && w.method === 'wechat' ? <Text className='muted small block'>等待收款人在小程序中确认收款（超时未确认将撤销并退回余额）</Text> : null}
          </View>
        ))}
      </StateView>
    </View>
  )
}
