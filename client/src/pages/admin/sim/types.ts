/** admin.simulateConfig's answer (server/src/services/simulation/simulate.ts), as the settings page reads it. */

export interface SimWait {
  entries: number
  completed: number
  waiting: number
  left: number
  medianDays: { days: number; atLeast: boolean } | null
  p95Days: { days: number; atLeast: boolean } | null
  within7Bp: number | null
  within30Bp: number | null
  within90Bp: number | null
  histogram: { label: string; count: number }[]
}

export interface SimDay {
  day: string
  queueOutstandingFen: number
  unionOutstandingFen: number
  unionPoolFen: number
  greenPricePerPointFen: number
  paidOut: { queueFen: number; unionFen: number; greenFen: number }
  salesFen: number
}

export interface SimEffect {
  scheme: 'queue' | 'union'
  key: string
  name: string
  createdPerYuanBp: number
  paidPerYuanBp: number
  growthPerDayFen: number
  text: string
}

export interface SimSide {
  report: {
    days: SimDay[]
    totals: { queueStartFen: number; queueEndFen: number; queueWaitingEnd: number; salesFen: number; orders: number; paidOut: { queueFen: number; unionFen: number; greenFen: number } }
    waits: SimWait
    union: { enabled: boolean; endOutstandingFen: number; endPoolFen: number }
    green: { enabled: boolean; endPriceFen: number }
  }
  analysis: { grows: boolean; effects: SimEffect[]; summary: string[] }
}

export interface SimulationAnswer {
  period: { from: string; to: string; days: number; orders: number; events: number }
  current: SimSide
  proposed: SimSide
  bound: { maxDays: number; maxOrders: number }
  work: { ms: number; reads: number }
}
