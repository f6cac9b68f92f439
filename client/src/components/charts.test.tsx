import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import BarChart from './BarChart'
import LineChart from './LineChart'
import { lineChart, niceStep } from '@/lib/chart'
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

describe('LineChart (green price over days)', () => {
  it('geometry: y from 0 to a round top above every value and the reference, x evenly spread, segments join the dots', () => {
    const g = lineChart([{ label: '03-01', value: 100 }, { label: '03-02', value: 150 }, { label: '03-03', value: 200 }], { width: 600, height: 320, reference: 100 })
    expect(g.yTicks[0]).toMatchObject({ value: 0, y: g.plot.bottom })
    expect(g.yTicks[g.yTicks.length - 1]!.value).toBeGreaterThanOrEqual(200)
    expect(g.dots.map((d) => d.x)).toEqual([g.plot.left, (g.plot.left + g.plot.right) / 2, g.plot.right])
    expect(g.dots[2]!.y).toBeLessThan(g.dots[0]!.y) // higher price, higher on screen
    const s0 = g.segments[0]!
    const end = { x: s0.x + s0.length * Math.cos((s0.angle * Math.PI) / 180), y: s0.y + s0.length * Math.sin((s0.angle * Math.PI) / 180) }
    expect(end.x).toBeCloseTo(g.dots[1]!.x)
    expect(end.y).toBeCloseTo(g.dots[1]!.y)
    expect(g.reference!.y).toBeCloseTo(g.dots[0]!.y)
    expect(g.xTicks.map((t) => t.label)).toEqual(['03-01', '03-02', '03-03'])
    expect(niceStep(220, 4)).toBe(50)
    expect(niceStep(9, 4)).toBe(2.5)
    expect(g.yTicks.map((t) => t.value)).toEqual([0, 50, 100, 150, 200, 250])
  })

  it('one day of history is one dot (no segment); the launch price is a labelled line', () => {
    render(<LineChart points={[{ label: '03-01', value: 200 }]} reference={{ value: 100, label: '发行价' }} formatValue={(v) => formatFen(Math.floor(v))} />)
    expect(screen.getAllByTestId('line-chart-dot')).toHaveLength(1)
    expect(screen.getByTestId('line-chart-reference')).toBeTruthy()
    expect(screen.getByText('发行价 ¥1.00')).toBeTruthy()
    expect(screen.getByText('¥0.00')).toBeTruthy() // the axis starts at zero
  })
})
