import { View } from '@tarojs/components'
import './ProgressBar.css'

export interface ProgressBarProps {
  /** 0..1; clamped. */
  value: number
  color?: string
  /** Track height in CSS px. */
  height?: number
}

/**
 * A plain View-based progress bar (no canvas, no SVG): renders the same in weapp and h5.
 * Inline styles are NOT pxtransformed by Taro: values here are CSS px (use
 * Taro.pxTransform(n) if you want design-px that scale like the stylesheet).
 */
export default function ProgressBar({ value, color = '#07c160', height = 6 }: ProgressBarProps) {
  const pct = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0)) * 100
  return (
    <View className='progress' style={{ height: `${height}px`, borderRadius: `${height}px` }}>
      <View
        className='progress__fill'
        style={{ width: `${pct.toFixed(2)}%`, backgroundColor: color, borderRadius: `${height}px` }}
      />
    </View>
  )
}
