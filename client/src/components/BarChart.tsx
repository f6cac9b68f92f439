import { View, Text } from '@tarojs/components'
import './BarChart.css'

export interface BarDatum {
  label: string
  value: number
}

export interface BarChartProps {
  data: BarDatum[]
  /** Chart height in CSS px. */
  height?: number
  color?: string
  /** Formats the value shown above a bar (e.g. formatFen); omit to hide values. */
  formatValue?: (v: number) => string
}

/**
 * Vertical bar chart made of Views (flex + percentage heights): no canvas or SVG, so it
 * works unchanged in weapp and h5 and in tests. Negative values are drawn as 0.
 */
export default function BarChart({ data, height = 120, color = '#07c160', formatValue }: BarChartProps) {
  const max = Math.max(0, ...data.map((d) => d.value))
  return (
    <View className='bar-chart'>
      <View className='bar-chart__bars' style={{ height: `${height}px` }}>
        {data.map((d, i) => {
          const pct = max > 0 ? (Math.max(0, d.value) / max) * 100 : 0
          return (
            <View className='bar-chart__col' key={`${d.label}-${i}`}>
              {formatValue ? <Text className='bar-chart__value'>{formatValue(d.value)}</Text> : null}
              <View className='bar-chart__bar' style={{ height: `${pct.toFixed(2)}%`, backgroundColor: color }} />
            </View>
          )
        })}
      </View>
      <View className='bar-chart__labels'>
        {data.map((d, i) => (
          <Text className='bar-chart__label' key={`${d.label}-${i}`}>
            {d.label}
          </Text>
        ))}
      </View>
    </View>
  )
}
