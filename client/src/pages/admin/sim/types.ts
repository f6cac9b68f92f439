/** admin.simulateConfig's answer (server/src/services/simulation/simulate.ts), as the server types it (client/src/lib/types.ts). */
import type { SimulationAnswer } from '@/lib/types'

export type { SimulationAnswer }
export type SimSide = SimulationAnswer['current']
export type SimWait = SimSide['report']['waits']
export type SimDay = SimSide['report']['days'][number]
export type SimEffect = SimSide['analysis']['effects'][number]
