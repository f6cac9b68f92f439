/**
 * Admission for the local gateway: at most `limit` API calls run at once; the others wait in
 * line, WeChat Pay's callbacks (payNotify, refundNotify) ahead of shoppers' calls.
 *
 * Why: the gateway is one Node process. Every call in flight adds its awaits to each turn of the
 * event loop, so with 128 calls in flight one transaction takes as many turns as there are calls,
 * and the in-process settler, which shares the loop, waits behind all of them. A short line of
 * calls in flight keeps each turn short: a payment callback (which must answer fast or WeChat
 * retries) and the settler get their turns, and the throughput is the same, because the CPU is
 * busy either way. This is scheduling only: correctness never depends on it (every call is a
 * transaction of its own, and in WeChat cloud each call may run in its own instance anyway).
 */
import { withIdleWaitHook } from '../runtime/idle-wait';

/** callback: WeChat Pay's callbacks; resume: a call back from waiting (idle-wait.ts); call: the rest */
export type Lane = 'callback' | 'resume' | 'call';
const LANES: Lane[] = ['callback', 'resume', 'call'];

export class Admission {
  private active = 0;
  private readonly waiting: Record<Lane, (() => void)[]> = { callback: [], resume: [], call: [] };

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`admission limit must be a positive integer, got ${limit}`);
  }

  /**
   * Run `fn` once admitted; the slot is released however it ends. While `fn` waits for the
   * settler (idleWait) its slot is given back, and it comes back ahead of new calls.
   */
  async run<T>(lane: Exclude<Lane, 'resume'>, fn: () => Promise<T>): Promise<T> {
    await this.acquire(lane);
    let idle = false;
    let ended = false;
    const hook = async <W>(wait: () => Promise<W>): Promise<W> => {
      // already idle (a wait inside a wait): the slot is given back once; after the call has
      // answered (work it left running still carries the hook) it holds no slot to give back
      if (idle || ended) return wait();
      idle = true;
      this.release();
      try {
        return await wait();
      } finally {
        await this.acquire('resume');
        idle = false;
      }
    };
    try {
      return await withIdleWaitHook(hook, fn);
    } finally {
      ended = true;
      this.release();
    }
  }

  private async acquire(lane: Lane): Promise<void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    else this.active++;
  }

  /** calls in flight and waiting, for status pages and tests */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: LANES.reduce((n, l) => n + this.waiting[l].length, 0) };
  }

  private release(): void {
    // hand the slot straight to the next in line (callbacks first), so it is never over the limit
    let next: (() => void) | undefined;
    for (const lane of LANES) if ((next = this.waiting[lane].shift())) break;
    if (next) next();
    else this.active--;
  }
}

/** WeChat Pay's callbacks: they go ahead of the line. */
export const CALLBACK_FUNCTIONS: ReadonlySet<string> = new Set(['payNotify', 'refundNotify']);
