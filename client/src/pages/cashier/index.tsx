import { useState } from 'react'
import { View, Text, Input } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { parseCashierId } from '@/lib/launch'
import { parseYuanToFen } from '@/lib/money'
import { formatFen } from '@/lib/format'
import { payOrder } from '@/lib/pay'
import { ensureLogin, toast } from '@/lib/session'
import { callOnce } from '@/lib/retry'
import { askSubscriptions } from '@/lib/subscribe'
import type { CashierInfo, Order } from '@/lib/types'
import { Button, Disclosure, Row, StateView } from '@/components/ui'
import './index.css'

/**
 * 收银台, opened from a store's mini-program code. weapp: options.scene = encodeURIComponent('c=<id>');
 * h5: #/pages/cashier/index?c=<id> (or ?scene=c%3D<id>). The shopper types the amount and pays.
 */
export default function CashierPage() {
  const [cashierId, setCashierId] = useState<string | null>(null)
  const [info, setInfo] = useState<CashierInfo>()
  const [error, setError] = useState<string | null>(null)
  const [amount, setAmount] = useState('')
  const [paid, setPaid] = useState<Order>()

  useLoad((options: Record<string, string | undefined>) => {
    const id = parseCashierId(options)
    setCashierId(id)
    if (!id) return
    ensureLogin()
      .catch(() => undefined)
      .then(() => call('mall', 'getCashier', { cashierId: id }))
      .then(setInfo)
      .catch((e: Error) => setError(e.message))
  })

  const fen = parseYuanToFen(amount)
  const pay = async () => {
    if (!info) return
    if (!fen || fen <= 0) return toast('请输入正确的金额')
    const order = await runAction('下单中', () => callOnce('order', 'cashier', { cashierId: info.cashierId, amountFen: fen }))
    if (!order) return
    const done = await runAction('支付中', () => payOrder(order.orderId))
    if (done) {
      setPaid(done)
      setAmount('')
      toast('支付成功', 'success')
      await askSubscriptions(['payout', 'completed'])
    }
  }

  if (!cashierId) {
    return (
      <View className='page'>
        <View className='card state'>
          <Text className='muted'>未识别到收银台，请扫描门店的小程序码</Text>
        </View>
      </View>
    )
  }

  return (
    <View className='page'>
      <StateView loading={!info && !error} error={error}>
        {info ? (
          <>
            <View className='card'>
              <Text className='card__title'>{info.storeName}</Text>
              <Text className='card__desc'>
                {info.name} · 收银台编号 {info.cashierId}
              </Text>
            </View>
            {paid ? (
              <View className='card' data-testid='cashier-paid'>
                <Text className='card-head__title primary'>付款成功</Text>
                <Row label='金额'>
                  <Text className='amount'>{formatFen(paid.cashFen)}</Text>
                </Row>
                <Row label='订单状态'>{paid.status === 'completed' ? '已完成' : '已支付'}</Row>
                <Button type='default' onClick={() => Taro.switchTab({ url: '/pages/queue/index' })}>
                  查看我的排队
                </Button>
              </View>
            ) : null}
            <View className='card'>
              <Text className='muted'>付款金额（元）</Text>
              <View className='cashier-amount'>
                <Text className='cashier-amount__yen'>¥</Text>
                <Input className='cashier-amount__input' type='digit' value={amount} placeholder='0.00' onInput={(e) => setAmount(e.detail.value)} data-testid='cashier-amount' name='cashier-amount' />
              </View>
              {amount && fen === null ? <Text className='state__text small'>金额最多两位小数</Text> : null}
              {info.rebateEnabled ? <Disclosure /> : <Text className='muted small'>该收银台暂不参与{info.rebateName}</Text>}
              <Button onClick={pay} disabled={!fen} testId='cashier-pay'>
                确认付款{fen ? ` ${formatFen(fen)}` : ''}
              </Button>
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
