import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { lineChart, type LinePoint } from '@/lib/chart'
import './LineChart.css'

export interface LineChartProps {
  points: LinePoint[]
  /** a dashed horizontal line (e.g. the launch price), labelled */
  reference?: { value: number; label: string } | null
  formatValue: (v: number) => string
  /** design px (750 wide page) */
  width?: number
  height?: number
}

/**
 * A line chart of Views: axes with ticks, dots joined by rotated segments, an optional reference
 * line. Positions come from lib/chart.ts in design px and are converted with Taro.pxTransform
 * (inline styles are not converted by the build), so it is the same drawing in weapp and h5.
 */
export default function LineChart({ points, reference, formatValue, width = 600, height = 320 }: LineChartProps) {
  const g = lineChart(points, { width, height, reference: reference?.value ?? null })
  const px = (n: number) => Taro.pxTransform(Math.round(n * 100) / 100)
  return (
    <View className='line-chart' style={{ width: px(g.width), height: px(g.height) }} data-testid='line-chart'>
      {g.yTicks.map((t) => (
        <View key={`y${t.value}`}>
          <View className='line-chart__grid' style={{ left: px(g.plot.left), top: px(t.y), width: px(g.plot.right - g.plot.left) }} />
          <Text className='line-chart__ylabel' style={{ top: px(t.y - 14), width: px(g.plot.left - 12) }}>
            {formatValue(t.value)}
          </Text>
        </View>
      ))}
      <View className='line-chart__axis' style={{ left: px(g.plot.left), top: px(g.plot.top), height: px(g.plot.bottom - g.plot.top) }} />
      <View className='line-chart__axis line-chart__axis--x' style={{ left: px(g.plot.left), top: px(g.plot.bottom), width: px(g.plot.right - g.plot.left) }} />
      {g.reference && reference ? (
        <>
          <View className='line-chart__ref' style={{ left: px(g.plot.left), top: px(g.reference.y), width: px(g.plot.right - g.plot.left) }} data-testid='line-chart-reference' />
          <Text className='line-chart__ref-label' style={{ left: px(g.plot.left + 8), top: px(g.reference.y - 32) }}>
            {reference.label} {formatValue(reference.value)}
          </Text>
        </>
      ) : null}
      {g.segments.map((s, i) => (
        <View key={`s${i}`} className='line-chart__seg' style={{ left: px(s.x), top: px(s.y - 2), width: px(s.length), transform: `rotate(${s.angle.toFixed(3)}deg)` }} />
      ))}
      {g.dots.map((d, i) => (
        <View key={`d${i}`} className='line-chart__dot' style={{ left: px(d.x - 6), top: px(d.y - 6) }} data-testid='line-chart-dot' />
      ))}
      {g.xTicks.map((t) => (
        <Text key={`x${t.label}${t.x}`} className='line-chart__xlabel' style={{ left: px(t.x - 60), top: px(g.plot.bottom + 10) }}>
          {t.label}
        </Text>
      ))}
    </View>
  )
}
