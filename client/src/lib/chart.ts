/**
 * Geometry of a small line chart, computed in the 750px design's px so the page can draw it with
 * plain Views (weapp has no SVG; a canvas needs a different node dance in weapp and h5). Both axes
 * scale by the same factor (rpx / rem), so the angles computed here hold on every screen.
 */

export interface LinePoint {
  label: string
  value: number
}

export interface LineChartGeometry {
  width: number
  height: number
  plot: { left: number; top: number; right: number; bottom: number }
  /** y axis: from 0 (an honest scale: no cut axis that makes a small change look steep) to a round top */
  yTicks: { y: number; value: number }[]
  xTicks: { x: number; label: string }[]
  dots: { x: number; y: number; value: number; label: string }[]
  /** segment i joins dots i and i+1: start, length and angle in degrees */
  segments: { x: number; y: number; length: number; angle: number }[]
  reference: { y: number; value: number } | null
}

/** The round step (1, 2, 2.5 or 5 times a power of ten) nearest to `span / parts`. */
export function niceStep(span: number, parts: number): number {
  if (!(span > 0)) return 1
  const raw = span / parts
  const mag = 10 ** Math.floor(Math.log10(raw))
  let best = mag
  for (const m of [1, 2, 2.5, 5, 10]) if (Math.abs(Math.log(m * mag) - Math.log(raw)) < Math.abs(Math.log(best) - Math.log(raw))) best = m * mag
  return best
}

export function lineChart(points: LinePoint[], opts: { width?: number; height?: number; reference?: number | null; ticks?: number } = {}): LineChartGeometry {
  const width = opts.width ?? 600
  const height = opts.height ?? 320
  const plot = { left: 104, top: 20, right: width - 24, bottom: height - 52 }
  const values = points.map((p) => p.value).filter(Number.isFinite)
  const ref = opts.reference ?? null
  const max = Math.max(0, ...values, ...(ref !== null ? [ref] : []))
  const step = niceStep(max * 1.1, opts.ticks ?? 4)
  // enough round steps to clear the highest value by a little
  const ticks = Math.max(1, Math.ceil((max * 1.05) / step))
  const top = step * ticks
  const y = (v: number) => plot.bottom - ((plot.bottom - plot.top) * Math.max(0, v)) / top
  const n = points.length
  const x = (i: number) => (n <= 1 ? (plot.left + plot.right) / 2 : plot.left + ((plot.right - plot.left) * i) / (n - 1))
  const dots = points.map((p, i) => ({ x: x(i), y: y(p.value), value: p.value, label: p.label }))
  const segments = dots.slice(1).map((d, i) => {
    const a = dots[i]!
    const dx = d.x - a.x
    const dy = d.y - a.y
    return { x: a.x, y: a.y, length: Math.hypot(dx, dy), angle: (Math.atan2(dy, dx) * 180) / Math.PI }
  })
  const tickIdx = n <= 3 ? [...Array(n).keys()] : [0, Math.floor((n - 1) / 2), n - 1]
  return {
    width,
    height,
    plot,
    yTicks: Array.from({ length: ticks + 1 }, (_, i) => ({ y: y(step * i), value: step * i })),
    xTicks: tickIdx.map((i) => ({ x: x(i), label: points[i]!.label })),
    dots,
    segments,
    reference: ref !== null ? { y: y(ref), value: ref } : null,
  }
}
