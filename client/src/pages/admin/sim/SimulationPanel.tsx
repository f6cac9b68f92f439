import { View, Text } from '@tarojs/components'
import { formatDate, formatFen } from '@/lib/format'
import { Segmented } from '@/components/ui'
import PairChart from './PairChart'
import { compareRows, outstandingSeries, waitSeries } from './logic'
import type { SimulationAnswer } from './types'
import './sim.css'

export const SIM_DAYS = [7, 30, 90] as const

/**
 * 模拟 (issue 14): the last days' real orders replayed under the settings in force and under the
 * form's settings, side by side — the table, the charts (outstanding over time, waiting time)
 * and what the proposed setting does, in plain words. For the operator only.
 */
export default function SimulationPanel({ sim, days, onDays }: { sim: SimulationAnswer; days: number; onDays: (d: number) => void }) {
  const rows = compareRows(sim)
  const outstanding = outstandingSeries(sim)
  const waits = waitSeries(sim)
  const p = sim.proposed.analysis
  return (
    <View className='card' data-testid='sim-panel'>
      <Text className='card-head__title'>模拟：按近期真实订单重放</Text>
      <Text className='muted small block'>
        {formatDate(sim.period.from)} 至 {formatDate(sim.period.to)} · {sim.period.orders} 笔订单 · {sim.period.events} 项其他记录（抽奖、兑换、退款、提现、工会释放）· 只读，不改变任何数据
      </Text>
      <Segmented label='重放天数' value={String(days)} options={SIM_DAYS.map((d) => ({ value: String(d), label: `近 ${d} 天` }))} onChange={(v) => onDays(Number(v))} />

      <View className='sim-table' data-testid='sim-compare'>
        <View className='sim-table__row sim-table__row--head'>
          <Text className='sim-table__label'>期末</Text>
          <Text className='sim-table__cell'>当前设置</Text>
          <Text className='sim-table__cell'>拟改设置</Text>
        </View>
        {rows.map((r) => (
          <View className='sim-table__row' key={r.label}>
            <Text className='sim-table__label'>{r.label}</Text>
            <Text className='sim-table__cell'>{r.current}</Text>
            <Text className={`sim-table__cell${r.worse ? ' sim-table__cell--worse' : ''}`} data-testid={`sim-proposed-${r.label}`}>
              {r.proposed}
            </Text>
          </View>
        ))}
      </View>

      <Text className='sim-subtitle'>待返走势（排队 + 工会，每日收盘）</Text>
      <PairChart data={outstanding} format={formatFen} every={Math.max(1, Math.ceil(outstanding.length / 6))} testId='sim-chart-outstanding' />
      <Text className='sim-subtitle'>等待时间分布（期间新排队：付款 → 返完）</Text>
      <PairChart data={waits} format={(v) => `${v} 笔`} height={110} testId='sim-chart-waits' />

      <Text className='sim-subtitle'>拟改设置会怎样</Text>
      <View className='sim-summary' data-testid='sim-summary'>
        {p.summary.map((line, i) => (
          <Text key={i} className={`sim-summary__line${p.effects.some((e) => e.text === line) ? ' sim-summary__line--warn' : ''}`}>
            {line}
          </Text>
        ))}
      </View>
      <Text className='sim-subtitle'>当前设置</Text>
      <View className='sim-summary'>
        {sim.current.analysis.summary.map((line, i) => (
          <Text key={i} className='sim-summary__line muted'>
            {line}
          </Text>
        ))}
      </View>
      <Text className='muted small block'>估算只供平台参考，不向顾客展示，不承诺任何日期或金额。</Text>
    </View>
  )
}
