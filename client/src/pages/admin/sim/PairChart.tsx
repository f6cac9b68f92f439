import { View, Text } from '@tarojs/components'
import type { PairDatum } from './logic'
import './sim.css'

/**
 * Two series side by side per label (current grey, proposed green), as bars made of Views with
 * percentage heights: no canvas or SVG, so it draws the same in weapp and h5, costs no library,
 * and its bars can be read in tests (data-testid, style height).
 */
export default function PairChart({ data, height = 140, format, every = 1, testId }: { data: PairDatum[]; height?: number; format: (v: number) => string; every?: number; testId?: string }) {
  const max = Math.max(0, ...data.flatMap((d) => [d.a, d.b]))
  const pct = (v: number) => `${(max > 0 ? (Math.max(0, v) / max) * 100 : 0).toFixed(2)}%`
  return (
    <View className='pair-chart' data-testid={testId}>
      <View className='pair-chart__legend'>
        <Text className='pair-chart__key pair-chart__key--a'>当前设置</Text>
        <Text className='pair-chart__key pair-chart__key--b'>拟改设置</Text>
        <Text className='pair-chart__max'>最高 {format(max)}</Text>
      </View>
      <View className='pair-chart__bars' style={{ height: `${height}px` }}>
        {data.map((d, i) => (
          <View className='pair-chart__group' key={`${d.label}-${i}`}>
            <View className='pair-chart__bar pair-chart__bar--a' style={{ height: pct(d.a) }} data-testid={`${testId}-a`} data-value={d.a} />
            <View className='pair-chart__bar pair-chart__bar--b' style={{ height: pct(d.b) }} data-testid={`${testId}-b`} data-value={d.b} />
          </View>
        ))}
      </View>
      <View className='pair-chart__labels'>
        {data.map((d, i) => (
          <Text className='pair-chart__label' key={`${d.label}-${i}`}>
            {i % every === 0 || i === data.length - 1 ? d.label : ''}
          </Text>
        ))}
      </View>
    </View>
  )
}
