import { useRef, useState } from 'react'
import { View, Text } from '@tarojs/components'
import { useReachBottom } from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { ensureLogin, toast } from '@/lib/session'
import { callOnce } from '@/lib/retry'
import { askSubscriptions } from '@/lib/subscribe'
import { confirmTransfer } from '@/lib/payouts'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime, formatFen, formatGreenUnits } from '@/lib/format'
import { parseYuanToFen } from '@/lib/money'
import type { LedgerRow, Withdrawal } from '@/lib/types'
import { Button, Field, StateView } from '@/components/ui'
import { WithdrawalItem } from '@/components/WithdrawalItem'

/** A ledger amount in its own unit: fen assets as ¥, green as points, points/love as counts. */
function ledgerAmount(r: Pick<LedgerRow, 'asset' | 'amount'>): string {
  const sign = r.amount > 0 ? '+' : ''
  if (r.asset === 'CASH' || r.asset === 'VOUCHER') return `${sign}${formatFen(r.amount)}`
  if (r.asset === 'GREEN') return `${sign}${formatGreenUnits(r.amount)}`
  return `${sign}${r.amount}`
}

/** Rows of 收支明细 per page: the next page continues after the last row shown (its id). */
const LEDGER_PAGE = 20

export default function WalletPage() {
  const [amount, setAmount] = useState('')
  const [older, setOlder] = useState<LedgerRow[]>([])
  const [hasMore, setHasMore] = useState(false)
  const [loadingMore, setLoadingMore] = useState(false)
  const data = useRemote(async () => {
    await ensureLogin()
    const [b, ledger, ws] = await Promise.all([
      call('wallet', 'balances'),
      call('wallet', 'ledger', { limit: LEDGER_PAGE }),
      call('wallet', 'withdrawals'),
    ])
    setOlder([])
    setHasMore(ledger.length === LEDGER_PAGE)
    return { b, ledger, ws }
  })
  const ledger = [...(data.data?.ledger ?? []), ...older]
  // (a ref, not the state: a tap on 加载更多 that scrolls to the bottom also fires onReachBottom, and
  // both calls run before a re-render shows either the new state; the second would load the same page again)
  const inFlight = useRef(false)
  const more = async () => {
    const last = ledger[ledger.length - 1]
    if (!hasMore || inFlight.current || !last) return
    inFlight.current = true
    setLoadingMore(true)
    try {
      const rows = await call('wallet', 'ledger', { limit: LEDGER_PAGE, beforeId: last.id })
      setOlder((o) => [...o, ...rows])
      setHasMore(rows.length === LEDGER_PAGE)
    } catch {
      toast('加载失败，请稍后再试')
    } finally {
      inFlight.current = false
      setLoadingMore(false)
    }
  }
  useReachBottom(() => void more())
  const fen = parseYuanToFen(amount)

  const withdraw = async () => {
    if (!fen) return toast('请输入提现金额')
    // before withdrawing: the moment to ask for the withdrawal-result message (in the tap's flow)
    await askSubscriptions(['withdrawal'])
    // a retry of the same amount after a timeout is the same request: one withdrawal
    const r = await runAction('提交中', () => callOnce('wallet', 'withdraw', { amountFen: fen }))
    if (r) {
      toast('已提交，等待平台审核', 'none')
      setAmount('')
      await data.reload()
    }
  }

  // 确认收款: WeChat's own page for a 商家转账 waiting for the shopper (mini-program only)
  const receive = async (w: Withdrawal) => {
    const opened = await runAction('打开确认页', () => confirmTransfer(w.withdrawalId))
    if (opened === false) toast('请在微信小程序中确认收款')
    await data.reload()
  }

  const b = data.data?.b
  return (
    <View className='page'>
      <StateView loading={data.loading && !data.data} error={data.error} onRetry={data.reload}>
        {b ? (
          <>
            <View className='card'>
              <Text className='muted'>可提现余额</Text>
              <Text className='big-amount' data-testid='wallet-cash'>
                {formatFen(b.cashFen)}
              </Text>
              {b.withdrawingFen > 0 ? <Text className='muted small' data-testid='wallet-withdrawing'>提现中 {formatFen(b.withdrawingFen)}</Text> : null}
              {b.greenExitingFen > 0 ? <Text className='muted small' data-testid='wallet-green-exiting'>绿色积分出局到账中 {formatFen(b.greenExitingFen)}</Text> : null}
              <View className='grid'>
                <View className='grid__item'>
                  <Text className='grid__value'>{b.points}</Text>
                  <Text className='grid__label'>积分</Text>
                </View>
                <View className='grid__item'>
                  <Text className='grid__value'>{b.love}</Text>
                  <Text className='grid__label'>爱心值{b.loveFrozen ? `（冻结 ${b.loveFrozen}）` : ''}</Text>
                </View>
                <View className='grid__item'>
                  <Text className='grid__value'>{formatFen(b.voucherFen)}</Text>
                  <Text className='grid__label'>购物券</Text>
                </View>
              </View>
              <Field label='提现金额(元)' value={amount} onInput={setAmount} type='digit' placeholder={`最多 ${formatFen(b.cashFen)}`} testId='wallet-amount' />
              <Button onClick={withdraw} disabled={!fen} testId='wallet-withdraw'>
                申请提现
              </Button>
              <Text className='muted small block'>提现由平台审核后打款：微信商家转账需在小程序内确认收款后到账零钱；打款确认前金额显示为“提现中”，打款失败或超时未确认会退回余额</Text>
            </View>
            <View className='card'>
              <Text className='card-head__title'>提现记录</Text>
              {data.data!.ws.length === 0 ? <Text className='muted block'>暂无提现记录</Text> : null}
              {data.data!.ws.map((w) => (
                <WithdrawalItem key={w.withdrawalId} w={w} testId='withdrawal-row' onReceive={receive} />
              ))}
            </View>
            <View className='card'>
              <Text className='card-head__title'>收支明细</Text>
              {ledger.length === 0 ? <Text className='muted block'>暂无明细</Text> : null}
              {ledger.map((r) => (
                <View className='row' key={r.id} data-testid='ledger-row'>
                  <View className='row__label'>
                    <Text className='block-text'>{r.memo || r.type}</Text>
                    <Text className='muted small'>
                      {r.assetName.replace(/\s*[（(][^)）]*[)）]\s*$/, '')}
                      {r.account === 'frozen' ? '（冻结）' : r.account === 'withdrawing' ? '（提现中）' : ''} · {formatDateTime(r.at)}
                    </Text>
                  </View>
                  <Text className={r.amount > 0 ? 'primary' : ''}>{ledgerAmount(r)}</Text>
                </View>
              ))}
              {hasMore ? (
                <Text className='block muted small' style={{ textAlign: 'center' }} onClick={() => void more()} data-testid='ledger-more'>
                  {loadingMore ? '加载中…' : '加载更多'}
                </Text>
              ) : null}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
