import { expect } from 'vitest';
import { col } from '../../server/src/repo/db';
import type { EntryDoc, OrderDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import type { TestApp } from '../helpers/app';

/**
 * Shared pieces of the property tests: seeds and run counts (overridable from the environment),
 * a call wrapper that returns the error code instead of throwing, and direct reads of the
 * collections the properties look at (between steps, outside any transaction).
 */

/** PROPERTY_SEED overrides every property's seed; PROPERTY_RUNS multiplies nothing, it replaces the run count. */
export function seedFor(defaultSeed: number): number {
  return process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : defaultSeed;
}

export function runsFor(defaultRuns: number): number {
  return process.env.PROPERTY_RUNS ? Number(process.env.PROPERTY_RUNS) : defaultRuns;
}

/** Generous timeout for a whole property: PROPERTY_RUNS may be raised for longer runs. */
export function timeoutFor(runs: number, perRunMs: number): number {
  return Math.max(60_000, runs * perRunMs * 3);
}

export type Outcome<T = any> = { ok: true; data: T } | { ok: false; code: string; message: string };

/** Call an action; never throws for an { ok: false } answer. */
export async function attempt<T = any>(app: TestApp, openid: string | null, fn: string, action: string, params: Record<string, unknown> = {}, now?: Date): Promise<Outcome<T>> {
  const r = await app.raw(openid, fn, { action, ...params }, { now });
  return r.ok ? { ok: true, data: r.data as T } : { ok: false, code: r.error.code, message: r.error.message };
}

/** An error answer must be one of `allowed`; an INTERNAL error is always a failure. */
export function expectOkOr(out: Outcome, allowed: readonly string[], what: string): void {
  if (out.ok) return;
  if (!allowed.includes(out.code)) throw new Error(`${what}: unexpected error ${out.code}: ${out.message}`);
}

export function expectOk<T>(out: Outcome<T>, what: string): T {
  if (!out.ok) throw new Error(`${what}: expected success, got ${out.code}: ${out.message}`);
  return out.data;
}

export const db = (app: TestApp) => app.deps.store.db;

export async function allEntries(app: TestApp): Promise<EntryDoc[]> {
  return (await col(db(app), 'entries').find({}).toArray()) as EntryDoc[];
}

export async function allOrders(app: TestApp): Promise<OrderDoc[]> {
  return (await col(db(app), 'orders').find({}).toArray()) as OrderDoc[];
}

export async function allUnionEntries(app: TestApp): Promise<UnionEntryDoc[]> {
  return (await col(db(app), 'union_entries').find({}).toArray()) as UnionEntryDoc[];
}

/** verifyLedger must hold, and every asset must sum to zero. */
export async function expectLedgerOk(app: TestApp, where: string) {
  const report = await app.verify();
  if (!report.ok) throw new Error(`verifyLedger failed ${where}: ${JSON.stringify(report.problems.slice(0, 5))}`);
  for (const [asset, sum] of Object.entries(report.assetSums)) expect(sum, `${asset} sum ${where}`).toBe(0);
  return report;
}

/** Sum of the balances of shoppers' accounts of one kind (e.g. 'CASH' → `CASH:user:<id>` only). */
export async function userBalanceSum(app: TestApp, asset: string): Promise<number> {
  const docs = await col(db(app), 'balances').find({}).toArray();
  return docs.filter((b) => new RegExp(`^${asset}:user:[^:]+$`).test(b._id)).reduce((a, b) => a + b.balance, 0);
}

/** The clock of a run: strictly increasing instants, as `x-now`. */
export class Clock {
  private t: number;
  constructor(startIso: string) {
    this.t = Date.parse(startIso);
  }
  get now(): Date {
    return new Date(this.t);
  }
  tick(minutes = 1): Date {
    this.t += minutes * 60_000;
    return this.now;
  }
  /** Jump to the next Asia/Shanghai midnight plus `minutes`. */
  nextShanghaiDay(minutes: number): { midnight: Date; now: Date } {
    const shanghai = this.t + 8 * 3_600_000;
    const nextMidnightShanghai = Math.floor(shanghai / 86_400_000 + 1) * 86_400_000;
    const midnight = nextMidnightShanghai - 8 * 3_600_000;
    this.t = midnight + minutes * 60_000;
    return { midnight: new Date(midnight), now: this.now };
  }
  set(iso: string | Date): Date {
    const t = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
    if (t < this.t) throw new Error('clock must not go back');
    this.t = t;
    return this.now;
  }
}

/** Order a step's seed / reproduction line for the log. */
export function announce(name: string, seed: number, runs: number) {
  console.info(`[property] ${name}: seed=${seed} runs=${runs} (PROPERTY_SEED / PROPERTY_RUNS to override)`);
}
