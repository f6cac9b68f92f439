import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Random } from '../../engine/rebate/lottery';
import { col, type Store } from '../../repo/db';
import { acquireLease, LeaseLostError, releaseLease } from './lease';
import { DurableStepNeeded, settlerStep, type StepResult } from './steps';
import { idleWait } from '../../runtime/idle-wait';

/**
 * The settler of one instance (SPEC §9). Correctness rests only on the database: the lease (one
 * settler at a time, fenced), the due flags on orders, the job documents. What lives here is a
 * convenience of this process — whether a pass is already running, who waits for which order —
 * and losing it loses nothing: a payment that finds no pass running starts one, a pass that
 * ends looks again for work after letting the lease go, and the timer sweeps what is left.
 */

export interface SettlerOptions {
  /** lease lifetime: how long a dead settler blocks the others (renewed by every step) */
  leaseMs?: number;
  /** a pass stops after this long (a cloud function has at most 60 s) and asks to be continued; default 40 s in WeChat, none locally */
  passBudgetMs?: number;
  /** how often a waiter looks at its order when another instance settles */
  pollMs?: number;
  /** after each committed step (local mode dispatches the outbox from here) */
  onStep?: (r: StepResult) => void;
  /**
   * How a recorded payment gets a settler going. Absent: a pass in this process (local mode).
   * WeChat: start the `settle` cloud function, which runs the pass in its own instance (resolves
   * once the call is on its way, not when it ends).
   */
  trigger?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

export class Settler {
  /** this instance, as the lease's holder */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private running: Promise<void> | null = null;
  private again = false;
  private latestNow = new Date(0);
  private readonly leaseMs: number;
  private readonly passBudgetMs: number;
  private readonly pollMs: number;
  /** resolved after every step this instance commits: waiters look again */
  private stepped: { promise: Promise<void>; resolve: () => void };
  /** the last step that failed for a reason other than a lost lease (a bug, or the database gone) */
  lastError: unknown = null;
  /** counters for the benches */
  readonly stats = { passes: 0, steps: 0, batches: 0, settled: 0, lostLeases: 0, errors: 0, lazySteps: 0 };

  constructor(
    private readonly store: Store,
    private readonly random: Random,
    private readonly opts: SettlerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 15_000;
    // a cloud function lives at most 60 s: a pass there hands over after 40 s; a local process has no such limit
    this.passBudgetMs = opts.passBudgetMs ?? (opts.trigger ? 40_000 : Infinity);
    this.pollMs = opts.pollMs ?? 25;
    this.stepped = this.newSignal();
  }

  private newSignal() {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  /**
   * Make sure a pass runs in this instance (local mode, or inline in a cloud function that waits
   * for it). A pass already running looks again before it stops. Resolves when the pass ends.
   */
  kick(now: Date): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (now.getTime() > this.latestNow.getTime()) this.latestNow = now;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private stopped = false;

  /** Before the database closes (a process or a test app ending): no new pass, wait for the one running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.running?.catch(() => undefined);
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** Get a settler going without waiting for it: here (local mode) or in the `settle` function (WeChat). */
  async nudge(now: Date): Promise<void> {
    if (!this.opts.trigger) {
      void this.kick(now).catch((err) => console.error('settler pass failed', err));
      return;
    }
    await this.opts.trigger().catch((err) => console.error('settle trigger failed (the timer sweep will settle)', err));
  }

  /** One pass: take the lease, step until nothing is due (or the time budget is spent), let go, look again. */
  private async pass(): Promise<void> {
    this.stats.passes++;
    const started = Date.now();
    do {
      this.again = false;
      const lease = await acquireLease(this.store.db, this.id, this.leaseMs);
      if (!lease) {
        // another settler works; it looks for new work after it lets go. If it died holding the
        // lease (a killed process), nobody would until the timer's sweep: in local mode, look
        // again once its lease has run out.
        if (!this.opts.trigger) this.retryAfterLease();
        return;
      }
      try {
        // A job step that continues lets the next one commit lazily (without waiting for the
        // journal: it is written while the next computes). The pass ends with the lease's release,
        // a majority write that makes every lazy step before it durable (when the lease was lost
        // instead, the next holder's first durable commit does).
        let lazy = false;
        for (;;) {
          if (Date.now() - started > this.passBudgetMs || this.stopped) return;
          const ctx = { store: this.store, lease, random: this.random, now: this.latestNow };
          let ranLazy = lazy;
          const r: StepResult | null = await settlerStep(ctx, lazy).catch((err: unknown) => {
            if (!(err instanceof DurableStepNeeded)) throw err;
            ranLazy = false;
            return settlerStep(ctx, false);
          });
          if (!r) break;
          if (ranLazy) this.stats.lazySteps++;
          lazy = r.continues === true;
          this.stats.steps++;
          if (r.kind === 'batch') {
            this.stats.batches++;
            this.stats.settled += r.settled.length;
          }
          this.opts.onStep?.(r);
          this.signal();
          // A lazy step leaves its journal write to the I/O threads, but their completions (and so
          // the next write) run only when this thread reaches the event loop. Steps that never
          // leave the microtask queue would hold every write back until the pass ends: a job's
          // whole journal then written after its last step instead of during it.
          if (lazy) await yieldToIo();
        }
      } catch (err) {
        if (err instanceof LeaseLostError) this.stats.lostLeases++;
        else {
          this.stats.errors++;
          this.lastError = err;
          console.error('settler step failed', err);
        }
        this.signal();
        return;
      } finally {
        await releaseLease(this.store.db, lease).catch(() => undefined);
      }
      // Work committed after our last look, while we still held the lease, found us busy: look again.
    } while (!this.stopped && (this.again || (await hasDueWork(this.store))));
  }

  private retryTimer: NodeJS.Timeout | null = null;

  /** Local mode: one pass more when the lease another holder has runs out, if work is still due then. */
  private retryAfterLease(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void hasDueWork(this.store)
        .then((due) => (due ? this.kick(this.latestNow) : undefined))
        .catch(() => undefined); // the store closed meanwhile: nothing to do
    }, this.leaseMs + 50);
    this.retryTimer.unref();
  }

  private signal(): void {
    const s = this.stepped;
    this.stepped = this.newSignal();
    s.resolve();
  }

  /**
   * Wait until the order is no longer due (settled), at most `timeoutMs`. Starts a pass here if
   * none runs; when another instance holds the lease, looks at the order every `pollMs` (and
   * tries the lease again, in case its holder died). Returns whether it was settled in time.
   */
  waitSettled(orderId: string, now: Date, timeoutMs: number): Promise<boolean> {
    return idleWait(() => this.waitSettledNow(orderId, now, timeoutMs));
  }

  private async waitSettledNow(orderId: string, now: Date, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    await this.nudge(now);
    for (;;) {
      const o = await col(this.store.db, 'orders').findOne({ _id: orderId }, { projection: { settleDue: 1 } });
      if (!o?.settleDue) return true;
      if (Date.now() >= deadline) return false;
      // the holder may have died: local mode tries the lease again (a no-op while a pass runs here)
      if (!this.opts.trigger && !this.running) void this.kick(now);
      await Promise.race([this.stepped.promise, sleep(this.pollMs)]);
    }
  }

  /** Wait until nothing is due, at most `timeoutMs` (local mode: an action that may make lots exit shows their exit). */
  waitIdle(now: Date, timeoutMs: number): Promise<boolean> {
    return idleWait(() => this.waitIdleNow(now, timeoutMs));
  }

  private async waitIdleNow(now: Date, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.opts.trigger) await this.nudge(now);
      else await this.kick(now);
      if (!(await hasDueWork(this.store))) return true;
      if (Date.now() >= deadline) return false;
      await Promise.race([this.stepped.promise, sleep(this.pollMs)]);
    }
  }

  /**
   * Run passes until nothing is due (tests, the daily job, the timer's sweep). Without `now`,
   * the business clock stays where the last caller left it (tests: a drain never moves time).
   */
  async drain(now?: Date, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.lastError = null;
    for (;;) {
      await this.kick(now ?? this.latestNow);
      // a step that fails the same way each time would only fail again: say why instead of waiting
      if (this.lastError) throw this.lastError;
      if (!(await hasDueWork(this.store))) return;
      if (Date.now() >= deadline) throw new Error('settler: work still due after the drain timeout');
      await sleep(this.pollMs);
    }
  }
}

/** Anything for a settler to do: due orders, a running job, a green pool not checked for exits, exits not yet paid. */
export async function hasDueWork(store: Store): Promise<boolean> {
  const db = store.db;
  if (await col(db, 'orders').findOne({ settleDue: true }, { projection: { _id: 1 } })) return true;
  if (await col(db, 'jobs').findOne({ kind: 'union-release', status: 'running' }, { projection: { _id: 1 } })) return true;
  const [green, settler] = await Promise.all([col(db, 'green_state').findOne({ _id: 'green' }), col(db, 'settler').findOne({ _id: 'settler' })]);
  return (green?.version ?? 0) !== (settler?.greenVersion ?? 0) || (green?.exitPendingCount ?? 0) > 0;
}

/** Percentile of sorted numbers (nearest rank). */
function pct(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * 结算状态 for the operator: what is due and how old the oldest is, who holds the lease, and the
 * settlement lag (payment recorded → settled, wall clock) over the most recent settled orders.
 */
export async function settlerStatus(store: Store, now: Date, recent = 1000) {
  const db = store.db;
  const [doc, dueCount, oldest, last] = await Promise.all([
    col(db, 'settler').findOne({ _id: 'settler' }),
    col(db, 'orders').countDocuments({ settleDue: true }),
    col(db, 'orders').find({ settleDue: true }, { projection: { settleDueAt: 1 } }).sort({ settleDueAt: 1, _id: 1 }).limit(1).toArray(),
    col(db, 'orders')
      .find({ settleSeq: { $gt: 0 } }, { projection: { paidAt: 1, settleDueAt: 1, settledWallAt: 1 } })
      .sort({ settleSeq: -1 })
      .limit(recent)
      .toArray(),
  ]);
  const lags = last
    .filter((o) => o.settledWallAt && (o.settleDueAt ?? o.paidAt))
    .map((o) => o.settledWallAt!.getTime() - (o.settleDueAt ?? o.paidAt)!.getTime())
    .sort((a, b) => a - b);
  return {
    due: dueCount,
    oldestDueAt: oldest[0]?.settleDueAt ?? null,
    lease: doc ? { holder: doc.holder, token: doc.token, expiresAt: doc.expiresAt, live: !!doc.holder && doc.expiresAt.getTime() > Date.now() } : null,
    settledSeq: doc?.seq ?? 0,
    transactions: doc?.transactions ?? 0,
    cutOrderId: doc?.cut ?? null,
    lagMs: { orders: lags.length, p50: pct(lags, 50), p99: pct(lags, 99), max: lags.at(-1) ?? null },
    asOf: now,
  };
}
