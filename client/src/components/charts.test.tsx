import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import BarChart from './BarChart'
import ProgressBar from './ProgressBar'
import { formatFen } from '@/lib/format'

describe('ProgressBar', () => {
  it('sets the fill width from value and clamps it', () => {
    const { container, rerender } = render(<ProgressBar value={0.25} />)
    const width = () => container.querySelector<HTMLElement>('.progress__fill')!.style.width
    expect(width()).toBe('25%')
    rerender(<ProgressBar value={3} />)
    expect(width()).toBe('100%')
    rerender(<ProgressBar value={Number.NaN} />)
    expect(width()).toBe('0%')
  })
})

describe('BarChart', () => {
  it('draws bars relative to the largest value, with labels and formatted values', () => {
    const { container } = render(
      <BarChart
        data={[
          { label: '周一', value: 500 },
          { label: '周二', value: 1000 },
          { label: '周三', value: -20 },
        ]}
        formatValue={formatFen}
      />,
    )
    const bars = [...container.querySelectorAll<HTMLElement>('.bar-chart__bar')].map((b) => b.style.height)
    expect(bars).toEqual(['50%', '100%', '0%'])
    expect(screen.getByText('周二')).toBeTruthy()
    expect(screen.getByText('¥10.00')).toBeTruthy()
  })
})
