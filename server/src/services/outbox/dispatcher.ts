import type { Store } from '../../repo/db';
import type { OutboxPort } from '../../runtime/context';
import type { Payouts } from '../../runtime/payout';
import type { WxPort } from '../../runtime/wx';
import { addReport, dispatchPass, DISPATCH_BATCH, DISPATCH_CONCURRENCY, emptyReport, type PassReport } from './dispatch';

/**
 * This instance's side of the outbox (like the settler's: correctness lives in the database —
 * claims, leases, backoff — and this only decides when a pass runs here).
 *
 * Dispatch never delays an answer (SPEC §9):
 *  - WeChat cloud: a container is frozen once it answers, so nothing may run after the answer.
 *    A call that queued something starts the `outbox` cloud function asynchronously (the request
 *    only has to be on its way, as the settler's start); that function's timer sweeps every minute
 *    for anything a lost start left behind.
 *  - local gateway ('background'): a pass in this process right after the answer went out.
 *  - tests ('await'): the harness waits for that pass after the call returned its answer, so a test
 *    sees its messages sent; tests of the outbox itself use 'off' and run passes by hand.
 */
export interface DispatcherOptions {
  trigger?: () => Promise<void>;
  afterAnswer?: 'background' | 'await' | 'off';
  /** passes one kick runs at most (each bounded by its batch) */
  maxPasses?: number;
}

export class Dispatcher implements OutboxPort {
  private running: Promise<PassReport> | null = null;
  private again = false;
  private latestNow = new Date(0);
  private lastSweep = 0;
  readonly stats = { passes: 0, done: 0, dead: 0, retried: 0 };

  constructor(
    private readonly store: Store,
    private readonly wx: WxPort,
    private readonly payouts: Payouts,
    private readonly opts: DispatcherOptions = {},
  ) {}

  get mode(): 'wechat' | 'background' | 'await' | 'off' {
    return this.opts.trigger ? 'wechat' : (this.opts.afterAnswer ?? 'await');
  }

  /**
   * One pass here. `concurrency`: sends in flight at once — several when the pass has the process
   * to itself (the outbox function, a drain), one for the passes kicked after a call's answer,
   * which share the process with the calls (overlapping sends there cost the local gateway's
   * payments 7–17% of their throughput at 128 shoppers).
   */
  async run(now: Date, concurrency = DISPATCH_CONCURRENCY): Promise<PassReport> {
    const r = await dispatchPass({ store: this.store, wx: this.wx, payouts: this.payouts, now }, DISPATCH_BATCH, concurrency);
    this.stats.passes++;
    this.stats.done += r.done;
    this.stats.dead += r.dead;
    this.stats.retried += r.retried;
    return r;
  }

  /** Passes here until nothing more is due now (bounded); a kick while one runs makes it look again. */
  private stopped = false;

  /** Before the database closes: no new pass, wait for the one running. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  kick(now: Date): Promise<PassReport> {
    if (this.stopped) return Promise.resolve({ claimed: 0, done: 0, skipped: 0, retried: 0, dead: 0, lost: 0, split: 0, more: false });
    if (now.getTime() > this.latestNow.getTime()) this.latestNow = now;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total = emptyReport();
      for (let i = 0; i < (this.opts.maxPasses ?? 20) && !this.stopped; i++) {
        this.again = false;
        const r = await this.run(this.latestNow, 1);
        addReport(total, r);
        total.more = r.more;
        if (!r.more && !this.again) break;
      }
      return total;
    })().finally(() => (this.running = null));
    return this.running;
  }

  async nudge(now: Date): Promise<void> {
    if (this.opts.trigger) {
      await this.opts.trigger().catch((err) => console.error('outbox trigger failed (the timer will send)', err));
      return;
    }
    void this.kick(now).catch((err) => console.error('outbox dispatch failed', err));
  }

  /** Something outside a call (a settler step) may have queued messages: the next answer sweeps. */
  markDue(): void {
    this.lastSweep = 0;
  }

  async afterAnswer(now: Date, queued: boolean): Promise<void> {
    switch (this.mode) {
      case 'wechat':
        if (queued) await this.nudge(now);
        return;
      case 'background':
        void this.kick(now).catch((err) => console.error('outbox dispatch failed', err));
        return;
      case 'await':
        // what this call queued is sent before the caller hears back; messages left for a retry
        // (backoff) are swept at most once a second, in the background: a dispatch pass per call
        // under load was a quarter of the gateway's CPU, spent fighting over the same messages
        if (queued) await this.kick(now).catch((err) => console.error('outbox dispatch failed', err));
        else if (Date.now() - this.lastSweep >= 1000) {
          this.lastSweep = Date.now();
          void this.kick(now).catch((err) => console.error('outbox dispatch failed', err));
        }
        return;
      case 'off':
        return;
    }
  }

  /** Passes until nothing is due at `now` (tests, the daily job): what they did together. */
  async drain(now: Date, maxPasses = 100): Promise<PassReport> {
    const total = emptyReport();
    for (let i = 0; i < maxPasses; i++) {
      const r = await this.run(now);
      addReport(total, r);
      if (!r.more && r.claimed === 0 && r.split === 0) return total;
    }
    total.more = true;
    return total;
  }
}
