/**
 * Admission for the local gateway: at most `limit` API calls run at once; the others wait in
 * line, WeChat Pay's callbacks (payNotify, refundNotify) ahead of shoppers' calls, and callbacks
 * may also take a few slots of their own beyond the limit (`callbackReserve`).
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

  /**
   * @param limit calls at once
   * @param callbackReserve slots beyond the limit that only callbacks take, so that a callback does
   *   not wait for a shopper's call to end. With 128 shoppers looping at the limit of 8, a payment
   *   callback waited 5 ms for a slot at the median and 16 ms at p99 (of 40 ms in the gateway);
   *   and while callbacks held call slots the gateway sat idle a fifth of the time. Callbacks are
   *   short (they record the payment and answer), so running them beside the calls costs little:
   *   bench part load128 went from 371–443 to 531–553 pairs/s in alternating runs.
   */
  constructor(
    readonly limit: number,
    readonly callbackReserve = 0,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`admission limit must be a positive integer, got ${limit}`);
    if (!Number.isInteger(callbackReserve) || callbackReserve < 0) throw new Error(`admission callback reserve must be a non-negative integer, got ${callbackReserve}`);
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
    if (this.active >= this.limit + (lane === 'callback' ? this.callbackReserve : 0)) await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    else this.active++;
  }

  /** calls in flight and waiting, for status pages and tests */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: LANES.reduce((n, l) => n + this.waiting[l].length, 0) };
  }

  private release(): void {
    // hand the slot straight to the next in line (callbacks first); a shopper's call only when
    // the slot is within the limit (callbacks may be running in the reserve)
    let next = this.waiting.callback.shift();
    if (next === undefined && this.active <= this.limit) next = this.waiting.resume.shift() ?? this.waiting.call.shift();
    if (next) next();
    else this.active--;
  }
}

/** WeChat Pay's callbacks: they go ahead of the line. */
export const CALLBACK_FUNCTIONS: ReadonlySet<string> = new Set(['payNotify', 'refundNotify']);
