import { mulBpFloor } from '../../money/units';
import type { EntryDoc, OrderDoc, SettlementSummary, SettleProgress } from '../../repo/documents';
import type { LotteryRule, PluginConfig } from '../config/types';
import { pricePerPointFen } from '../green/pool';
import type { Random } from '../rebate/lottery';
import { lastResetInstant } from '../rebate/rules';
import { planBatch } from '../settlement/plan';
import type { BatchWrites } from '../settlement/types';
import { workFor } from '../settlement/work';
import { addDays, shanghaiDay, startOfShanghaiDay, parseHhmm } from '../time';
import {
  applyCompletion,
  applyDraw,
  applyExchange,
  applyGreenRestore,
  applyGreenSpend,
  applyGreenTransfer,
  applyGreenWithdraw,
  applyRefund,
  applyRelease,
  applyReset,
  noteExitPayouts,
  runExitCascade,
} from './events';
import { waitStats, type WaitObservation } from './waits';
import type { DayPoint, OrderFact, QueueSummary, RecordedEvent, ReplayInput, ReplayReport, ReplayResult } from './types';
import { World } from './world';
import { UNION_MEMO } from '../union/memos';

/**
 * The what-if replay (issue 14): the period's orders settled again, in payment order, by the
 * settlement planner itself (planBatch), one settler transaction at a time with the settler's
 * own document bound, over an in-memory World that starts as the database was when the period
 * began; the period's other recorded events (draws, exchanges, refunds, green withdrawals,
 * transfers and spends, the daily union releases) are applied at their times, and resets at the
 * times the configuration being tried schedules them. Production and replay share the planner,
 * so under the configuration that was in force the replay reproduces what happened to the fen
 * (tests/simulation/differential.test.ts); under another, it shows what would have happened.
 *
 * Pure and deterministic: no IO, no clock; randomness (random-return groups) from a seed.
 */
export function replay(input: ReplayInput, config: PluginConfig): ReplayResult {
  return new Replay(input, config).run();
}

/** Order of steps that fall on the same instant: what must come first for the others to be possible. */
const RANK = {
  reset: 0, // a scheduled reset applies before any extraction at or after its time (settler/load.ts dueOrders)
  // the replay applies a release at once, at its time, and settles the orders due then after it.
  // Live, batches of orders settled while it ran come between its steps: an order's inflow may count
  // for entries it had not reached, an acceleration may pay part of an entry it counted (docs/API.md)
  release: 1,
  greenSpend: 2, // points are spent when the order is created, before it is paid
  complete: 3,
  work: 4,
  draw: 5,
  exchange: 6,
  refund: 7,
  cancel: 7,
  greenWithdraw: 8,
  greenTransfer: 8,
} as const;

type Step =
  | { t: number; rank: number; tie: string; kind: 'reset'; instant: Date }
  | { t: number; rank: number; tie: string; kind: 'complete'; fact: OrderFact }
  | { t: number; rank: number; tie: string; kind: 'work'; fact: OrderFact; at: Date }
  | { t: number; rank: number; tie: string; kind: 'event'; event: RecordedEvent };

/** The replay's own record of an order (the stored document keeps what really happened). */
interface OrderSim {
  settledAt: Date | null;
  settlement: SettlementSummary | null;
  clearingFen: number;
  progress: SettleProgress | null;
  distributedAt: Date | null;
  refunded: boolean;
  /** what the replay's green spend of this order took (fen, basis), to give back on a cancel or refund */
  greenSpent: { fen: number; basisFen: number } | null;
}

/** Expected ratio of a lottery rule (bp): the weighted mean of a list, the middle of a range. */
export function lotteryExpectedBp(rule: LotteryRule): number {
  if (rule.kind === 'range') return Math.floor((rule.minBp + rule.maxBp) / 2);
  const total = rule.options.reduce((a, o) => a + o.weight, 0);
  return Math.floor(rule.options.reduce((a, o) => a + o.ratioBp * o.weight, 0) / total);
}

/** xorshift32: a seeded source for the replay's own random choices (random-return groups). */
function seededRandom(seed: number): Random {
  let x = seed >>> 0 || 1;
  return {
    below(n: number) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x % n;
    },
  };
}

/** How many of the largest queues get a daily series (the rest are in the totals). */
const SERIES_QUEUES = 8;

class Replay {
  private readonly world: World;
  private readonly orders = new Map<string, OrderSim>();
  private readonly facts = new Map<string, OrderFact>();
  private readonly random: Random;
  private ids = 0;
  private readonly days: DayPoint[] = [];
  private day: { paidOut: DayPoint['paidOut']; salesFen: number; createdFen: number };
  private readonly queueStats = new Map<string, Omit<QueueSummary, 'startFen' | 'endFen' | 'waitingEnd' | 'name'> & { name: string }>();
  private readonly paidToUser = new Map<string, number>();
  private readonly union = { inflowFen: 0, releasedFen: 0, acceleratedFen: 0, salesFen: 0, entitlementCreatedFen: 0 };
  private readonly green = { exits: 0, exitPaidFen: 0, withdrawPaidFen: 0, mintedUnits: 0, inflowFen: 0 };
  private eventsApplied = 0;
  private eventsSkipped = 0;
  private salesTotal = 0;
  private settledOrders = 0;
  private firstSaleAt: number | null = null;

  constructor(
    private readonly input: ReplayInput,
    private readonly config: PluginConfig,
  ) {
    this.world = new World(input.start);
    this.random = seededRandom(input.seed);
    this.day = this.blankDay();
    for (const f of input.orders) {
      this.facts.set(f.order._id, f);
      this.orders.set(f.order._id, this.startOf(f));
    }
  }

  private blankDay() {
    return { paidOut: { queueFen: 0, unionFen: 0, greenFen: 0 }, salesFen: 0, createdFen: 0 };
  }

  private newId = (prefix: string) => `${prefix}~${++this.ids}`;

  /** An order's settlement as the period found it: done before the period (from its document), or still to do. */
  private startOf(f: OrderFact): OrderSim {
    const o = f.order;
    const value = o.cashFen + o.deduct.greenFen;
    if (f.settledBefore && o.settlement) {
      const s = o.settlement;
      return { settledAt: o.settledAt, settlement: s, clearingFen: value - s.extractedFen - s.unionInflowFen - s.greenInflowFen, progress: null, distributedAt: null, refunded: false, greenSpent: null };
    }
    return { settledAt: null, settlement: null, clearingFen: value, progress: null, distributedAt: null, refunded: false, greenSpent: o.deduct.greenUnits > 0 ? { fen: o.deduct.greenFen, basisFen: o.deduct.greenBasisFen ?? 0 } : null };
  }

  // ------------------------------------------------------------------ timeline

  private steps(): Step[] {
    const c = this.config;
    const from = this.input.from.getTime();
    const steps: Step[] = [];
    const clamp = (t: number) => Math.max(t, from);
    for (const f of this.input.orders) {
      const o = f.order;
      if (!o.paidAt) continue;
      const refundedAt = o.refundedAt?.getTime() ?? Infinity;
      const completedAt = o.kind === 'cashier' ? null : (o.completedAt?.getTime() ?? null);
      const paidAt = o.paidAt.getTime();
      const tie = o._id;
      const work = (t: number) => steps.push({ t: clamp(t), rank: RANK.work, tie, kind: 'work', fact: f, at: new Date(clamp(t)) });
      if (o.kind === 'cashier') {
        // face to face: completed when settled, at payment
        if (!f.settledBefore && paidAt < refundedAt) work(paidAt);
        continue;
      }
      if (completedAt !== null && completedAt >= from) steps.push({ t: completedAt, rank: RANK.complete, tie, kind: 'complete', fact: f });
      if (f.settledBefore) {
        if (completedAt !== null && completedAt >= from) work(completedAt);
      } else if (c.rebate.settleOn === 'pay') {
        if (paidAt < refundedAt) work(paidAt);
        if (completedAt !== null && completedAt >= from) work(completedAt);
      } else if (completedAt !== null && completedAt < refundedAt) {
        work(completedAt);
      }
    }
    for (const e of this.input.events) {
      const rank = e.kind === 'release' ? RANK.release : RANK[e.kind];
      steps.push({ t: e.at.getTime(), rank, tie: String(e.seq).padStart(12, '0'), kind: 'event', event: e });
    }
    for (const instant of this.resetInstants()) steps.push({ t: Math.max(instant.getTime(), from), rank: RANK.reset, tie: instant.toISOString(), kind: 'reset', instant });
    steps.sort((a, b) => a.t - b.t || a.rank - b.rank || (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0));
    return steps;
  }

  /**
   * The reset instants the configuration schedules in the period, and the last one before it
   * (applied at the start: the settler applies a reset lazily, before the next extraction).
   */
  private resetInstants(): Date[] {
    const reset = this.config.rebate.reset;
    if (!reset.enabled) return [];
    const out = new Map<number, Date>();
    const before = lastResetInstant(reset, this.input.from);
    if (before) out.set(before.getTime(), before);
    if (reset.schedule === 'once') {
      const at = reset.onceAt ? new Date(reset.onceAt) : null;
      if (at && at.getTime() >= this.input.from.getTime() && at.getTime() < this.input.to.getTime()) out.set(at.getTime(), at);
    } else {
      const last = shanghaiDay(this.input.to);
      for (let d = shanghaiDay(this.input.from); d <= last; d = addDays(d, 1)) {
        const instant = new Date(startOfShanghaiDay(d).getTime() + parseHhmm(reset.time) * 60_000);
        if (instant.getTime() < this.input.from.getTime() || instant.getTime() >= this.input.to.getTime()) continue;
        if (lastResetInstant(reset, instant)?.getTime() === instant.getTime()) out.set(instant.getTime(), instant);
      }
    }
    return [...out.values()];
  }

  // ------------------------------------------------------------------ run

  run(): ReplayResult {
    const startFen = this.world.queueOutstandingFen();
    const startQueues = new Map([...this.world.queues].map(([k, q]) => [k, q.doc.pendingFen]));
    const startUnion = { outstanding: this.world.union.pendingFen, pool: this.world.union.poolFen };
    const g0 = this.world.greenState(this.config);
    const startGreen = { price: pricePerPointFen(this.world.greenPool(this.config)), pool: g0.poolFen, units: g0.totalUnits };

    let dayEnd = startOfShanghaiDay(addDays(shanghaiDay(this.input.from), 1)).getTime();
    const snapshots: { day: string; queues: Map<string, number>; point: Omit<DayPoint, 'queues'> }[] = [];
    const closeDay = () => {
      const day = shanghaiDay(new Date(dayEnd - 1));
      const gp = this.world.greenPool(this.config);
      snapshots.push({
        day,
        queues: new Map([...this.world.queues].map(([k, q]) => [k, q.doc.pendingFen])),
        point: {
          day,
          queueOutstandingFen: this.world.queueOutstandingFen(),
          unionOutstandingFen: this.world.union.pendingFen,
          unionPoolFen: this.world.union.poolFen,
          greenPoolFen: gp.poolFen,
          greenUnits: gp.totalUnits,
          greenPricePerPointFen: pricePerPointFen(gp),
          ...this.day,
        },
      });
      this.day = this.blankDay();
      dayEnd = startOfShanghaiDay(addDays(day, 2)).getTime();
    };

    for (const step of this.steps()) {
      if (step.t >= this.input.to.getTime()) break;
      while (step.t >= dayEnd) closeDay();
      this.runStep(step);
    }
    const lastDay = shanghaiDay(new Date(this.input.to.getTime() - 1));
    while (!snapshots.length || snapshots[snapshots.length - 1]!.day < lastDay) closeDay();

    // the daily series keeps the largest queues by name; the totals hold them all
    const ranked = [...this.world.queues.values()].sort((a, b) => b.doc.pendingFen - a.doc.pendingFen).slice(0, SERIES_QUEUES).map((q) => q.doc._id);
    for (const s of snapshots) this.days.push({ ...s.point, queues: Object.fromEntries(ranked.map((k) => [k, s.queues.get(k) ?? 0])) });

    return { config: this.config, report: this.report(startFen, startQueues, startUnion, startGreen), final: this.final(), needLotsBelowKey: this.world.maxBoundAsked > this.world.loadedBelowKey ? this.world.maxBoundAsked : null };
  }

  private runStep(step: Step): void {
    switch (step.kind) {
      case 'reset':
        applyReset(this.world, step.instant, new Date(step.t));
        return;
      case 'complete':
        applyCompletion(this.world, step.fact.order);
        return;
      case 'work':
        this.settle(step.fact, step.at);
        return;
      case 'event':
        if (this.event(step.event)) this.eventsApplied++;
        else this.eventsSkipped++;
        return;
    }
  }

  private paid = (kind: keyof DayPoint['paidOut']) => (userId: string, fen: number) => {
    if (fen <= 0) return;
    this.day.paidOut[kind] += fen;
    this.paidToUser.set(userId, (this.paidToUser.get(userId) ?? 0) + fen);
  };

  private exits(at: Date): void {
    const r = runExitCascade(this.world, this.config, at, this.input.batchDocs, this.paid('greenFen'));
    this.green.exits += r.exited;
    this.green.exitPaidFen += r.paidFen;
  }

  private event(e: RecordedEvent): boolean {
    const c = this.config;
    switch (e.kind) {
      case 'draw': {
        const before = this.world.entriesByLine.get(`${e.orderId}|${e.lineIndex}`);
        const fenBefore = before?.entitlementFen ?? 0;
        const ok = applyDraw(this.world, e.orderId, e.lineIndex, e, e.at);
        if (ok && before && this.world.created.has(before._id)) {
          // the drawn ratio replaces the fallback the entry was created with
          this.stat(before.queueKey).createdFen += before.entitlementFen - fenBefore;
          this.day.createdFen += before.entitlementFen - fenBefore;
        }
        return ok;
      }
      case 'exchange':
        return applyExchange(this.world, c, e.orderId, e.lineIndex, e.to, e.at);
      case 'refund': {
        const f = this.facts.get(e.orderId);
        const sim = this.orders.get(e.orderId);
        if (!f || !sim || sim.refunded) return false;
        sim.refunded = true;
        applyRefund(this.world, c, f.order, e.at);
        if (sim.greenSpent) applyGreenRestore(this.world, c, f.order, sim.greenSpent, e.at);
        this.exits(e.at);
        return true;
      }
      case 'cancel': {
        const f = this.facts.get(e.orderId);
        const sim = this.orders.get(e.orderId);
        if (!f || !sim?.greenSpent) return false;
        applyGreenRestore(this.world, c, f.order, sim.greenSpent, e.at);
        sim.greenSpent = null;
        this.exits(e.at);
        return true;
      }
      case 'greenSpend': {
        const sim = this.orders.get(e.orderId);
        const spent = applyGreenSpend(this.world, c, e.userId, e.units);
        if (sim) sim.greenSpent = spent;
        if (!spent) return false;
        this.exits(e.at);
        return true;
      }
      case 'greenWithdraw': {
        const paid = applyGreenWithdraw(this.world, c, e.userId, e.units);
        if (paid === null) return false;
        this.paid('greenFen')(e.userId, paid);
        this.green.withdrawPaidFen += paid;
        this.exits(e.at);
        return true;
      }
      case 'greenTransfer': {
        const ok = applyGreenTransfer(this.world, c, e.userId, e.toUserId, e.units, e.at, () => this.newId('L'));
        if (ok) this.exits(e.at);
        return ok;
      }
      case 'release': {
        const fen = applyRelease(this.world, e.day, e.at, this.paid('unionFen'));
        this.union.releasedFen += fen;
        return true;
      }
    }
  }

  private stat(key: string) {
    let s = this.queueStats.get(key);
    if (!s) this.queueStats.set(key, (s = { key, name: this.world.queues.get(key)?.doc.name ?? key, salesFen: 0, extractableFen: 0, expectedCreatedFen: 0, createdFen: 0, paidFen: 0 }));
    return s;
  }

  /** The order as the settler would read it at `at` (its stored facts, the replay's own settlement). */
  private snapshot(f: OrderFact, at: Date): OrderDoc {
    const o = f.order;
    const sim = this.orders.get(o._id)!;
    const completed = o.kind !== 'cashier' && o.completedAt !== null && o.completedAt.getTime() <= at.getTime();
    return {
      ...o,
      status: completed ? 'completed' : 'paid',
      completedAt: completed ? o.completedAt : null,
      refundedAt: null,
      settledAt: sim.settledAt,
      settlement: sim.settlement,
      clearingFen: sim.clearingFen,
      settleDue: true,
      settleDueAt: at,
      settleProgress: sim.progress,
      distributedAt: sim.distributedAt,
    };
  }

  /** One due order, settled (and/or distributed) by the planner, transaction after transaction until it is done. */
  private settle(f: OrderFact, at: Date): void {
    const c = this.config;
    const sim = this.orders.get(f.order._id)!;
    if (sim.refunded) return;
    let work = workFor(this.snapshot(f, at), f.scopes);
    if (!work.settle && !work.distribute) return;
    if (work.settle) {
      this.noteSales(work.scopes, f.order.cashFen);
      this.firstSaleAt ??= at.getTime();
    }
    const referrerId = this.input.referrers.get(f.order.userId) ?? null;
    for (let part = 0; ; part++) {
      if (part > 100_000) throw new Error(`invariant: order ${f.order._id} never finishes settling`);
      const plan = planBatch({
        config: c,
        works: [work],
        queues: this.world.queueLoads(work, c),
        union: this.world.unionLoad(work, referrerId, c),
        green: this.world.greenLoad([work], c),
        buyers: this.world.buyerLoad(work, referrerId, this.input.completions.get(f.order.userId), c),
        counters: this.world.counterLoad(work, c),
        random: this.random,
        newId: this.newId,
        maxDocs: this.input.batchDocs,
      });
      this.account(plan.writes);
      this.world.apply(plan.writes);
      const set = plan.writes.orders.get(f.order._id) ?? {};
      if ('settledAt' in set) sim.settledAt = set.settledAt as Date;
      if ('settlement' in set) sim.settlement = set.settlement as SettlementSummary;
      if ('clearingFen' in set) sim.clearingFen = set.clearingFen as number;
      if ('settleProgress' in set) sim.progress = set.settleProgress as SettleProgress | null;
      if ('distributedAt' in set) sim.distributedAt = set.distributedAt as Date;
      if (plan.greenExitsPending) this.exits(work.at);
      if (!plan.cut) {
        if (!plan.done.some((d) => d.orderId === f.order._id)) throw new Error(`invariant: the planner neither finished nor cut order ${f.order._id}`);
        if (work.settle) this.settledOrders++;
        return;
      }
      // a payout larger than one transaction: the settler continues this order first, in a new transaction
      work = workFor(this.snapshot(f, at), f.scopes);
    }
  }

  /** Sales of the lines into each queue, and the most extraction could pay from them. */
  private noteSales(scopes: OrderFact['scopes'], cashFen: number): void {
    const c = this.config;
    this.salesTotal += cashFen;
    this.day.salesFen += cashFen;
    if (c.union.enabled) this.union.salesFen += cashFen;
    for (const scope of scopes) {
      const rules = this.world.rules(scope, c);
      if (!rules.enabled) continue;
      const s = this.stat(rules.queueKey);
      s.salesFen += scope.line.cashFen;
      if (!c.rebate.paused) s.extractableFen += mulBpFloor(scope.line.cashFen, rules.extractionBp);
    }
  }

  /** What a batch paid and created, for the day's figures and the per-queue analysis. */
  private account(w: BatchWrites): void {
    for (const [key, q] of w.queues) {
      const paid = q.inc.paidFen ?? 0;
      if (paid) {
        this.stat(key).paidFen += paid;
        this.day.paidOut.queueFen += paid;
      }
    }
    for (const e of w.entryInserts) {
      if (e.convertedToPoints) continue;
      const s = this.stat(e.queueKey);
      s.createdFen += e.entitlementFen;
      this.day.createdFen += e.entitlementFen;
      s.expectedCreatedFen += e.lottery ? mulBpFloor(e.baseFen, Math.max(lotteryExpectedBp(e.lottery.rule), 0)) : e.entitlementFen;
    }
    for (const e of w.unionEntryInserts) this.union.entitlementCreatedFen += e.entitlementFen;
    this.union.inflowFen += w.unionInc.inflowFen ?? 0;
    this.union.acceleratedFen += w.unionInc.releasedFen ?? 0;
    this.green.inflowFen += w.greenInc.inflowFen ?? 0;
    this.green.exitPaidFen += w.greenInc.paidOutFen ?? 0;
    for (const l of w.lotInserts) this.green.mintedUnits += l.units;
    for (const j of w.journal) {
      if (j.draft.type === 'green.exit') this.green.exits += Number(j.draft.refs?.exited ?? 0);
      for (const p of j.draft.postings) {
        const m = /^CASH:user:([^:]+)$/.exec(p.account);
        if (!m || p.amount <= 0) continue;
        if (p.memo === this.config.rebate.name) this.paidToUser.set(m[1]!, (this.paidToUser.get(m[1]!) ?? 0) + p.amount);
        if (p.memo === UNION_MEMO.accelerated) this.paid('unionFen')(m[1]!, p.amount);
      }
    }
    noteExitPayouts(w.journal, this.paid('greenFen'));
  }

  // ------------------------------------------------------------------ results

  private report(startFen: number, startQueues: Map<string, number>, startUnion: { outstanding: number; pool: number }, startGreen: { price: number; pool: number; units: number }): ReplayReport {
    const c = this.config;
    const to = this.input.to.getTime();
    const obs: WaitObservation[] = [];
    const unionObs: WaitObservation[] = [];
    const paidAtOf = (orderId: string, fallback: Date) => (this.facts.get(orderId)?.order.paidAt ?? fallback).getTime();
    for (const id of this.world.created) {
      const e = this.world.entriesById.get(id);
      if (e) {
        if (e.convertedToPoints) continue;
        const start = paidAtOf(e.orderId, e.createdAt);
        obs.push(observation(start, e.status, e.closedAt, to));
        continue;
      }
      const u = this.world.unionById.get(id);
      if (u) unionObs.push(observation(paidAtOf(u.orderId, u.createdAt), u.status, u.closedAt, to));
    }
    const queues: QueueSummary[] = [...this.world.queues.values()]
      .map((q) => {
        const s = this.queueStats.get(q.doc._id);
        return {
          key: q.doc._id,
          name: q.doc.name,
          startFen: startQueues.get(q.doc._id) ?? 0,
          endFen: q.doc.pendingFen,
          waitingEnd: q.doc.pendingCount,
          salesFen: s?.salesFen ?? 0,
          extractableFen: s?.extractableFen ?? 0,
          expectedCreatedFen: s?.expectedCreatedFen ?? 0,
          createdFen: s?.createdFen ?? 0,
          paidFen: s?.paidFen ?? 0,
        };
      })
      .sort((a, b) => b.endFen - a.endFen || b.salesFen - a.salesFen);
    const gp = this.world.greenPool(c);
    const paidOut = this.days.reduce((a, d) => ({ queueFen: a.queueFen + d.paidOut.queueFen, unionFen: a.unionFen + d.paidOut.unionFen, greenFen: a.greenFen + d.paidOut.greenFen }), { queueFen: 0, unionFen: 0, greenFen: 0 });
    return {
      days: this.days,
      queues,
      totals: {
        queueStartFen: startFen,
        queueEndFen: this.world.queueOutstandingFen(),
        queueWaitingEnd: [...this.world.queues.values()].reduce((a, q) => a + q.doc.pendingCount, 0),
        salesFen: this.salesTotal,
        paidOut,
        orders: this.settledOrders,
        salesDays: this.firstSaleAt === null ? 0 : Math.max(1, Math.min(this.days.length, Math.ceil((to - this.firstSaleAt) / 86_400_000))),
        eventsApplied: this.eventsApplied,
        eventsSkipped: this.eventsSkipped,
      },
      waits: waitStats(obs),
      unionWaits: waitStats(unionObs),
      union: {
        enabled: c.union.enabled,
        startOutstandingFen: startUnion.outstanding,
        endOutstandingFen: this.world.union.pendingFen,
        startPoolFen: startUnion.pool,
        endPoolFen: this.world.union.poolFen,
        inflowFen: this.union.inflowFen,
        releasedFen: this.union.releasedFen,
        acceleratedFen: this.union.acceleratedFen,
        salesFen: this.union.salesFen,
        entitlementCreatedFen: this.union.entitlementCreatedFen,
        waitingEnd: this.world.union.pendingCount,
      },
      green: {
        enabled: c.green.enabled,
        startPriceFen: startGreen.price,
        endPriceFen: pricePerPointFen(gp),
        startPoolFen: startGreen.pool,
        endPoolFen: gp.poolFen,
        startUnits: startGreen.units,
        endUnits: gp.totalUnits,
        inflowFen: this.green.inflowFen,
        mintedUnits: this.green.mintedUnits,
        exits: this.green.exits,
        exitPaidFen: this.green.exitPaidFen,
        withdrawPaidFen: this.green.withdrawPaidFen,
      },
    };
  }

  private final() {
    const entries: EntryDoc[] = [];
    for (const q of this.world.queues.values()) entries.push(...q.entries);
    return {
      entries,
      queues: [...this.world.queues.values()].map((q) => q.doc),
      unionEntries: this.world.unionEntries,
      union: this.world.union,
      green: this.world.greenState(this.config),
      lots: [...this.world.lots.values()],
      paidToUser: this.paidToUser,
      settlements: new Map([...this.orders].map(([id, s]) => [id, s.settlement])),
    };
  }
}

function observation(startMs: number, status: string, closedAt: Date | null, endMs: number): WaitObservation {
  const watchableMs = Math.max(0, endMs - startMs);
  if (status === 'completed' && closedAt) return { ms: Math.max(0, closedAt.getTime() - startMs), completed: true, left: false, watchableMs };
  if (status === 'pending' || !closedAt) return { ms: watchableMs, completed: false, left: false, watchableMs };
  return { ms: Math.max(0, closedAt.getTime() - startMs), completed: false, left: true, watchableMs };
}
