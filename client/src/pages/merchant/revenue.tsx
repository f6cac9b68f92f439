import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { callOnce } from '@/lib/retry'
import { useRemote } from '@/lib/useRemote'
import { formatFen } from '@/lib/format'
import { parseYuanToFen } from '@/lib/money'
import { confirmTransfer } from '@/lib/payouts'
import type { Refund, Withdrawal } from '@/lib/types'
import { Button, Field, Row, StateView, Tag } from '@/components/ui'
import { WithdrawalItem } from '@/components/WithdrawalItem'
import './merchant.css'

const REFUND_TEXT: Record<Refund['status'], string> = { requested: '退款中', processing: '退款中', succeeded: '已退款', failed: '退款失败', manual: '线下已退' }

/**
 * 营业款: the store's settled revenue (its share of its orders, the platform's commission already
 * taken), what is still pending (orders not yet completed), withdrawals paid out like a shopper's
 * (商家转账 to the owner's WeChat, or a manual transfer by the platform), and the store's refunds —
 * a refund WeChat Pay refused shows here until the platform resolves it.
 */
export default function MerchantRevenuePage() {
  const { params } = useRouter()
  const storeId = params.storeId ?? ''
  const [amount, setAmount] = useState('')
  const data = useRemote(() => call('merchant', 'revenue', { storeId }))
  const fen = parseYuanToFen(amount)

  const withdraw = async () => {
    if (!fen) return toast('请输入提现金额')
    const r = await runAction('提交中', () => callOnce('merchant', 'withdraw', { storeId, amountFen: fen }))
    if (r) {
      toast('已提交，等待平台打款', 'none')
      setAmount('')
      await data.reload()
    }
  }
  const receive = async (w: Withdrawal) => {
    const opened = await runAction('打开确认页', () => confirmTransfer(w.withdrawalId))
    if (opened === false) toast('请在微信小程序中确认收款')
    await data.reload()
  }

  const d = data.data
  return (
    <View className='page'>
      <StateView loading={data.loading && !d} error={data.error} onRetry={data.reload}>
        {d ? (
          <>
            <View className='card' data-testid='store-revenue'>
              <Text className='muted'>{d.storeName} · 可提现营业款</Text>
              <Text className='big-amount' data-testid='revenue-settled'>
                {formatFen(d.settledFen)}
              </Text>
              <View className='grid'>
                <View className='grid__item'>
                  <Text className='grid__value'>{formatFen(d.pendingFen)}</Text>
                  <Text className='grid__label'>待结算（{d.pendingOrders} 单）</Text>
                </View>
                <View className='grid__item'>
                  <Text className='grid__value'>{formatFen(d.withdrawingFen)}</Text>
                  <Text className='grid__label'>提现中</Text>
                </View>
                <View className='grid__item'>
                  <Text className='grid__value'>{formatFen(d.paidOutFen)}</Text>
                  <Text className='grid__label'>已提现</Text>
                </View>
              </View>
              <Text className='muted small block'>待结算为尚未完成的订单实付金额，订单完成后扣除排队提取、奖金池等份额后计入营业款（平台分润已按门店分润比例扣除）。</Text>
              <Field label='提现金额(元)' value={amount} onInput={setAmount} type='digit' placeholder={`最多 ${formatFen(Math.max(0, d.settledFen))}`} testId='revenue-amount' />
              <Button onClick={withdraw} disabled={!fen} testId='revenue-withdraw'>
                申请提现
              </Button>
            </View>
            <View className='card'>
              <Text className='card-head__title'>提现记录</Text>
              {d.withdrawals.length === 0 ? <Text className='muted block'>暂无提现记录</Text> : null}
              {d.withdrawals.map((w) => (
                <WithdrawalItem key={w.withdrawalId} w={w} testId='store-withdrawal' onReceive={receive} />
              ))}
            </View>
            <View className='card'>
              <Text className='card-head__title'>门店退款{d.failedRefunds ? `（${d.failedRefunds} 笔待平台处理）` : ''}</Text>
              {d.refunds.length === 0 ? <Text className='muted block'>暂无退款</Text> : null}
              {d.refunds.map((r) => (
                <View key={r.refundId} data-testid='store-refund'>
                  <Row label={`订单 ${r.orderId}`}>
                    <Text>{formatFen(r.amountFen)} </Text>
                    <Tag type={r.status === 'failed' ? 'red' : r.status === 'succeeded' || r.status === 'manual' ? 'grey' : 'orange'}>{REFUND_TEXT[r.status]}</Tag>
                  </Row>
                  {r.status === 'failed' && r.error ? <Text className='muted small block'>{r.error}</Text> : null}
                </View>
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
