import { useMemo, useState } from 'react'
import { View, Text } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { ensureLogin, toast } from '@/lib/session'
import { callOnce } from '@/lib/retry'
import { askSubscriptions } from '@/lib/subscribe'
import { checkoutSummary, clearCart, readCart, setCartQty, type CartLine } from '@/lib/cart'
import { formatFen, formatGreenUnits } from '@/lib/format'
import { parseCount, parsePointsToUnits, parseYuanToFen } from '@/lib/money'
import { payOrder } from '@/lib/pay'
import { addressProblem, chooseWeChatAddress, deliveryParam, readAddress, saveAddress } from '@/lib/address'
import type { Balances, DeliveryAddress, DeliveryMethod } from '@/lib/types'
import { Button, Disclosure, Field, Row, Segmented, StateView, Toggle } from '@/components/ui'
import './index.css'

export default function CheckoutPage() {
  const [lines, setLines] = useState<CartLine[]>([])
  const [balances, setBalances] = useState<Balances>()
  const [values, setValues] = useState({ pointValueFen: 1, loveValueFen: 1, greenPricePerPointFen: 0 })
  const [greenOn, setGreenOn] = useState(false)
  const [points, setPoints] = useState('')
  const [love, setLove] = useState('')
  const [voucher, setVoucher] = useState('')
  const [green, setGreen] = useState('')
  const [agreed, setAgreed] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [method, setMethod] = useState<DeliveryMethod>('express')
  const [address, setAddress] = useState<DeliveryAddress>(() => readAddress())
  const [note, setNote] = useState('')
  const weapp = process.env.TARO_ENV === 'weapp'
  const fromStore = !!lines[0]?.storeId
  const setAddr = (k: keyof DeliveryAddress) => (v: string) => setAddress((a) => ({ ...a, [k]: v }))
  const pickAddress = async () => {
    const a = await chooseWeChatAddress()
    if (a) setAddress(a)
  }

  useLoad(() => {
    const cart = readCart()
    setLines(cart)
    ensureLogin()
      .then(async () => {
        const [b, g] = await Promise.all([call('wallet', 'balances'), call('green', 'state')])
        setBalances(b)
        setGreenOn(g.enabled)
        let pv = 1
        let lv = 1
        if (cart[0]) {
          const p = await call('mall', 'getProduct', { productId: cart[0].productId })
          pv = p.deduction.pointValueFen
          lv = p.deduction.loveValueFen
        }
        setValues({ pointValueFen: pv, loveValueFen: lv, greenPricePerPointFen: g.pricePerPointFen })
      })
      .catch((e: Error) => setError(e.message))
      .finally(() => setLoading(false))
  })

  const parsed = {
    points: points ? parseCount(points) : 0,
    love: love ? parseCount(love) : 0,
    voucherFen: voucher ? parseYuanToFen(voucher) : 0,
    greenUnits: green ? parsePointsToUnits(green) : 0,
  }
  const invalid = Object.values(parsed).some((v) => v === null)
  const summary = useMemo(
    () =>
      checkoutSummary(
        lines,
        { points: parsed.points ?? 0, love: parsed.love ?? 0, voucherFen: parsed.voucherFen ?? 0, greenUnits: parsed.greenUnits ?? 0 },
        values,
      ),
    [lines, parsed.points, parsed.love, parsed.voucherFen, parsed.greenUnits, values],
  )

  const qty = (id: string, n: number) => setLines(setCartQty(id, n))

  const submit = async () => {
    if (!lines.length) return
    if (invalid) return toast('抵扣数量请填写正确的数字')
    if (summary.overCap) return toast(`抵扣最多 ${formatFen(summary.maxDeductFen)}`)
    const how = fromStore ? method : 'express'
    if (how === 'express') {
      const problem = addressProblem(address)
      if (problem) return toast(problem)
    }
    if (note.trim().length > 100) return toast('留言最多 100 字')
    if (!agreed) return toast('请先阅读并确认返利说明')
    const deduct: Record<string, number> = {}
    if (parsed.points) deduct.points = parsed.points
    if (parsed.love) deduct.love = parsed.love
    if (parsed.voucherFen) deduct.voucherFen = parsed.voucherFen
    if (parsed.greenUnits) deduct.greenUnits = parsed.greenUnits
    // a retry of this order (same lines and deductions) after a timeout is the same request: one order
    const order = await runAction('提交订单', () =>
      callOnce('order', 'create', {
        lines: lines.map((l) => ({ productId: l.productId, qty: l.qty })),
        ...(Object.keys(deduct).length ? { deduct } : {}),
        delivery: deliveryParam(how, address),
        ...(note.trim() ? { note: note.trim() } : {}),
      }),
    )
    if (!order) return
    if (how === 'express') saveAddress(address)
    clearCart()
    setLines([])
    const paid = await runAction('支付中', () => payOrder(order.orderId))
    if (paid && paid.status !== 'created') {
      toast('支付成功', 'success')
      // a natural moment to ask (after the payment, in the tap's flow): the shipping notice and the queue's payouts (WeChat: three at most)
      await askSubscriptions(['shipped', 'payout', 'completed'])
    }
    void Taro.redirectTo({ url: '/pages/orders/index' })
  }

  return (
    <View className='page'>
      <StateView loading={loading && !lines.length} error={error} empty={!loading && !lines.length} emptyText='购物车是空的，去商城逛逛吧'>
        <View className='card'>
          {lines.map((l) => (
            <View className='co-line' key={l.productId} data-testid='cart-line'>
              <View className='co-line__main'>
                <Text className='co-line__name'>{l.name}</Text>
                <Text className='amount'>{formatFen(l.priceFen)}</Text>
              </View>
              <View className='stepper'>
                <Text className='stepper__btn' onClick={() => qty(l.productId, l.qty - 1)}>
                  −
                </Text>
                <Text className='stepper__num'>{l.qty}</Text>
                <Text className='stepper__btn' onClick={() => qty(l.productId, l.qty + 1)}>
                  ＋
                </Text>
              </View>
            </View>
          ))}
        </View>
        <View className='card' data-testid='delivery'>
          <Text className='card-head__title'>收货方式</Text>
          {fromStore ? (
            <Segmented
              label=''
              value={method}
              options={[
                { value: 'express', label: '快递配送' },
                { value: 'pickup', label: '到店自提' },
              ]}
              onChange={setMethod}
            />
          ) : (
            <Text className='card__desc'>快递配送（商城商品由平台发货）</Text>
          )}
          {fromStore && method === 'pickup' ? (
            <Text className='card__desc' data-testid='pickup-hint'>
              商家备好货后到门店自提，订单详情会显示备货进度
            </Text>
          ) : weapp ? (
            <View onClick={pickAddress} data-testid='choose-address'>
              {address.name ? (
                <Text className='card__desc'>
                  {address.name} {address.phone}
                  {'\n'}
                  {address.province}
                  {address.city}
                  {address.district} {address.detail}
                </Text>
              ) : null}
              <Text className='link'>{address.name ? '更换收货地址 ›' : '选择微信收货地址 ›'}</Text>
            </View>
          ) : (
            <View data-testid='address-form'>
              <Field label='收货人' value={address.name} onInput={setAddr('name')} placeholder='姓名' testId='addr-name' />
              <Field label='手机号' value={address.phone} onInput={setAddr('phone')} type='number' placeholder='11 位手机号' testId='addr-phone' />
              <Field label='省份' value={address.province} onInput={setAddr('province')} placeholder='如 广东省' testId='addr-province' />
              <Field label='城市' value={address.city} onInput={setAddr('city')} placeholder='如 深圳市' testId='addr-city' />
              <Field label='区县' value={address.district} onInput={setAddr('district')} placeholder='如 南山区' testId='addr-district' />
              <Field label='详细地址' value={address.detail} onInput={setAddr('detail')} placeholder='街道、门牌号' testId='addr-detail' />
            </View>
          )}
          <Field label='留言' value={note} onInput={setNote} placeholder='选填，100 字以内' testId='order-note' />
        </View>
        <View className='card'>
          <Text className='card-head__title'>抵扣</Text>
          {summary.maxDeductFen > 0 ? (
            <>
              <Text className='card__desc'>最多可抵扣 {formatFen(summary.maxDeductFen)}，抵扣部分不用现金支付</Text>
            <Field label='积分' value={points} onInput={setPoints} type='number' placeholder={`可用 ${balances?.points ?? 0} 积分，1 积分抵 ${formatFen(values.pointValueFen)}`} testId='deduct-points' />
            <Field label='爱心值' value={love} onInput={setLove} type='number' placeholder={`可用 ${balances?.love ?? 0} 爱心值，1 爱心值抵 ${formatFen(values.loveValueFen)}`} testId='deduct-love' />
            <Field label='购物券(元)' value={voucher} onInput={setVoucher} type='digit' placeholder={`可用 ${formatFen(balances?.voucherFen ?? 0)}`} testId='deduct-voucher' />
            {greenOn ? (
              <Field label='绿色积分' value={green} onInput={setGreen} type='digit' placeholder={`可用 ${formatGreenUnits(balances?.greenUnits ?? 0)} 绿色积分`} testId='deduct-green' />
            ) : null}
            </>
          ) : (
            <Text className='card__desc'>本单商品不支持积分、爱心值或购物券抵扣</Text>
          )}
        </View>
        <View className='card'>
          <Row label='商品金额'>{formatFen(summary.totalFen)}</Row>
          <Row label='抵扣'>-{formatFen(summary.deductFen)}</Row>
          <Row label='需支付'>
            <Text className='amount' data-testid='cash-to-pay'>
              {formatFen(summary.cashFen)}
            </Text>
          </Row>
          {summary.overCap ? <Text className='state__text small'>抵扣超过上限</Text> : null}
        </View>
        <Disclosure />
        <Toggle label='我已阅读返利说明，知晓不承诺到账日期或金额' value={agreed} onChange={setAgreed} testId='agree-disclosure' />
        <Button onClick={submit} disabled={!lines.length} testId='submit-order'>
          提交订单并支付 {formatFen(summary.cashFen)}
        </Button>
      </StateView>
    </View>
  )
}
