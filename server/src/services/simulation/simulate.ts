import { validatePluginConfig } from '../../engine/config/compliance';
import type { PluginConfig } from '../../engine/config/types';
import { priceKeyUpperBound } from '../../engine/green/pool';
import { replay } from '../../engine/simulation/replay';
import { steadyState, type SteadyState } from '../../engine/simulation/steady-state';
import type { ReplayInput, ReplayReport, ReplayResult } from '../../engine/simulation/types';
import { addDays, shanghaiDay, startOfShanghaiDay } from '../../engine/time';
import { AppError } from '../../runtime/errors';
import { col, MAX_TX_DOCS, runTransaction, s, type Store, type Tx } from '../../repo/db';
import { loadConfig, maxOtherExtractionBp } from '../config';
import { OWN_DOCS } from '../settler/steps';
import { loadPeriod, MAX_DAYS, MAX_ORDERS, PAGE } from './period';
import { loadStart } from './start';

/**
 * admin.simulateConfig (issue 14): what a proposed configuration would have done to the last
 * `days` days, next to what the configuration in force does with the same days. One read-only
 * snapshot of the database (bounded pages, by index), two pure replays through the settlement
 * planner (engine/simulation), the steady-state analysis in plain words. Writes nothing.
 */

export const DEFAULT_DAYS = 30;
/**
 * The replays are bounded by MAX_ORDERS (measured: docs/BENCHMARKS.md §7); the reads depend on the
 * database. If reading alone took this long, the call would not finish within the admin function's
 * 60 s: it stops and says so instead of being killed half way.
 */
export const LOAD_BUDGET_MS = 30_000;
/** Replays again with more green lots when the price went past the lots loaded, at most this often. */
const LOT_RELOADS = 4;

export interface SimulationSide {
  report: ReplayReport;
  analysis: SteadyState;
}

export interface SimulationAnswer {
  period: { from: Date; to: Date; days: number; orders: number; events: number };
  current: SimulationSide;
  proposed: SimulationSide;
  /** the stated bound and the work done, for the operator and the benchmark */
  bound: { maxDays: number; maxOrders: number; pageDocs: number };
  work: { reads: number; ms: number; replays: number };
}

/** The period: `days` whole Shanghai days ending with today (today up to now). */
export function periodOf(now: Date, days: number): { from: Date; to: Date } {
  return { from: startOfShanghaiDay(addDays(shanghaiDay(now), -(days - 1))), to: now };
}

export async function simulateConfig(store: Store, now: Date, raw: unknown, days = DEFAULT_DAYS): Promise<SimulationAnswer> {
  const started = Date.now();
  return runTransaction(store, now, async (tx) => {
    const current = await loadConfig(tx);
    // the same compliance guard as setConfig: a setting that could not be saved is not simulated either
    const proposed = validatePluginConfig(raw, await maxOtherExtractionBp(tx));
    const { from, to } = periodOf(now, days);
    const { input, reads, replays, results } = await replayBoth(tx, from, to, [current, proposed]);
    const side = (r: ReplayResult): SimulationSide => ({ report: r.report, analysis: steadyState(r.report, r.config, days) });
    return {
      period: { from, to, days, orders: input.orders.length, events: input.events.length },
      current: side(results[0]!),
      proposed: side(results[1]!),
      bound: { maxDays: MAX_DAYS, maxOrders: MAX_ORDERS, pageDocs: PAGE },
      work: { reads, ms: Date.now() - started, replays },
    };
  });
}

/**
 * Load the period and its start, replay it under each configuration. Green lots are loaded up to
 * a little above today's price (the price never falls, so under the configuration in force that
 * is the highest it reached); a configuration that drives it higher asks for more and is replayed
 * again with them.
 */
export async function replayBoth(tx: Tx, from: Date, to: Date, configs: PluginConfig[]): Promise<{ input: ReplayInput; results: ReplayResult[]; reads: number; replays: number }> {
  const started = Date.now();
  const facts = await loadPeriod(tx, from, to, configs);
  let reads = facts.reads;
  const green = await col(tx.db, 'green_state').findOne({ _id: 'green' }, s(tx));
  let lotKey = green && green.totalUnits > 0 ? priceKeyUpperBound(green) * 1.25 : Infinity;
  let replays = 0;
  for (let attempt = 0; ; attempt++) {
    const { start, reads: r } = await loadStart(tx, facts, { from, configs, lotKey });
    reads += r;
    if (Date.now() - started > LOAD_BUDGET_MS) throw new AppError('LIMIT_REACHED', '读取该时段的数据太慢，无法在时限内完成模拟，请缩短模拟天数');
    const input: ReplayInput = {
      from,
      to,
      start,
      orders: facts.orders,
      referrers: facts.referrers,
      completions: facts.completions,
      events: facts.events,
      batchDocs: MAX_TX_DOCS - OWN_DOCS,
      seed: 20260101,
    };
    const results = configs.map((c) => replay(input, c));
    replays += results.length;
    const need = Math.max(0, ...results.map((x) => x.needLotsBelowKey ?? 0));
    if (!need || attempt >= LOT_RELOADS) return { input, results, reads, replays };
    lotKey = need * 1.25;
  }
}
