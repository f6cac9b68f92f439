import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { ensureLogin, toast } from '@/lib/session'
import { callOnce } from '@/lib/retry'
import { useRemote } from '@/lib/useRemote'
import { formatBp, formatDate, formatFen, formatGreenUnits } from '@/lib/format'
import { parsePointsToUnits } from '@/lib/money'
import { DISCLOSURE_GREEN } from '@/lib/disclosure'
import LineChart from '@/components/LineChart'
import { Button, Disclosure, Field, Row, StateView, Tag } from '@/components/ui'

/** Price per point in fen may carry decimals (pool ÷ points): shown floored to the fen. */
function formatPrice(fenPerPoint: number): string {
  return formatFen(Math.floor(fenPerPoint))
}

export default function GreenPage() {
  const [mode, setMode] = useState<'none' | 'withdraw' | 'transfer'>('none')
  const [points, setPoints] = useState('')
  const [toUser, setToUser] = useState('')
  const data = useRemote(async () => {
    await ensureLogin()
    const [state, mine] = await Promise.all([call('green', 'state'), call('green', 'mine')])
    return { state, mine }
  })
  const st = data.data?.state
  const mine = data.data?.mine
  const units = parsePointsToUnits(points)

  const submit = async () => {
    if (!units) return toast('请输入积分数量')
    if (mode === 'withdraw') {
      const gross = Math.floor((units * (st?.pricePerPointFen ?? 0)) / 10000)
      const fee = Math.floor((gross * (st?.withdrawFeeBp ?? 0)) / 10000)
      if (!(await confirm('提现', `提现 ${formatGreenUnits(units)} 绿色积分，按当前价格约 ${formatFen(gross)}，手续费约 ${formatFen(fee)}，到账余额。确定吗？`))) return
      const r = await runAction('提现中', () => callOnce('green', 'withdraw', { units }))
      if (r) toast('已提现到余额', 'success')
      else return
    } else {
      const to = toUser.trim()
      if (!to) return toast('请输入对方的用户编号')
      if (!(await confirm('转赠', `把 ${formatGreenUnits(units)} 绿色积分转赠给 ${to}？转赠后不能撤回。`))) return
      const r = await runAction('转赠中', () => callOnce('green', 'transfer', { toUserId: to, units }))
      if (r) toast('转赠成功', 'success')
      else return
    }
    setPoints('')
    setMode('none')
    await data.reload()
  }

  const history = (st?.history ?? []).slice(-30)
  return (
    <View className='page'>
      <StateView loading={data.loading && !data.data} error={data.error} onRetry={data.reload}>
        {st && !st.enabled ? (
          <View className='card state'>
            <Text className='muted'>绿色积分暂未开启</Text>
          </View>
        ) : null}
        {st && mine ? (
          <>
            <View className='card'>
              <Text className='muted'>我的绿色积分</Text>
              <View>
                <Text className='big-amount big-amount--inline' data-testid='green-balance'>
                  {formatGreenUnits(mine.units)}
                </Text>
                <Text className='muted'> 绿色积分</Text>
              </View>
              <Row label='当前价格'>
                <Text data-testid='green-price'>{formatPrice(st.pricePerPointFen)} / 绿色积分</Text>
              </Row>
              <Row label='按当前价格估值'>{formatFen(mine.valueFen)}</Row>
              <Row label='提现手续费'>{formatBp(st.withdrawFeeBp)}</Row>
              {st.exitMultipleBp > 0 ? <Row label='自动出局'>价值达到消费额的 {formatBp(st.exitMultipleBp)} 时</Row> : null}
              {st.enabled ? (
                <View className='actions'>
                  <Button size='mini' type='default' onClick={() => setMode(mode === 'transfer' ? 'none' : 'transfer')} testId='green-transfer'>
                    转赠
                  </Button>
                  <Button size='mini' onClick={() => setMode(mode === 'withdraw' ? 'none' : 'withdraw')} testId='green-withdraw'>
                    提现
                  </Button>
                </View>
              ) : null}
              {mode !== 'none' ? (
                <View className='green-form'>
                  {mode === 'transfer' ? <Field label='对方用户编号' value={toUser} onInput={setToUser} placeholder='对方在「我的」页看到的编号' testId='green-to-user' /> : null}
                  <Field label={mode === 'withdraw' ? '提现积分' : '转赠积分'} value={points} onInput={setPoints} type='digit' placeholder={`最多 ${formatGreenUnits(mine.units)}`} testId='green-points' />
                  {units ? (
                    <Text className='muted small'>
                      按当前价格约 {formatFen(Math.floor((units * st.pricePerPointFen) / 10000))}
                    </Text>
                  ) : null}
                  <Button onClick={submit} testId='green-submit'>
                    {mode === 'withdraw' ? '确认提现' : '确认转赠'}
                  </Button>
                </View>
              ) : null}
            </View>
            <View className='card'>
              <View className='card-head'>
                <Text className='card-head__title'>价格走势（每日收盘价）</Text>
                <Text className='muted small'>元 / 绿色积分</Text>
              </View>
              {history.length ? (
                <LineChart
                  points={history.map((h) => ({ label: h.day.slice(5), value: h.closeFen }))}
                  reference={st.launchPriceFen ? { value: st.launchPriceFen, label: '发行价' } : null}
                  formatValue={formatPrice}
                />
              ) : (
                <Text className='muted block'>暂无价格记录</Text>
              )}
              {history.length ? (
                <Text className='muted small block'>
                  共 {history.length} 天 · {history[0]!.day} 至 {history[history.length - 1]!.day} · 纵轴从 ¥0 起
                </Text>
              ) : null}
              <Row label='资金池'>{formatFen(st.poolFen)}</Row>
              <Row label='积分总量'>{formatGreenUnits(st.totalUnits)} 绿色积分</Row>
              <Disclosure compact text={DISCLOSURE_GREEN} />
            </View>
            <View className='card'>
              <Text className='card-head__title'>积分批次</Text>
              {mine.lots.length === 0 ? <Text className='muted block'>消费后获得的绿色积分会出现在这里</Text> : null}
              {mine.lots.map((l) => (
                <View key={l.lotId} className='green-lot' data-testid='green-lot'>
                  <View className='card-head'>
                    <Text>{formatGreenUnits(l.units)} 绿色积分</Text>
                    <Tag type={l.status === 'active' ? 'green' : 'grey'}>{l.status === 'active' ? '持有中' : '已出局'}</Tag>
                  </View>
                  <Text className='muted small'>
                    {formatDate(l.createdAt)} · 消费 {formatFen(l.consumptionFen)} · 当前价值 {formatFen(l.valueFen)}
                  </Text>
                </View>
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  )
}
