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
export type Lane = 'callback' | 'call';

export class Admission {
  private active = 0;
  private readonly waiting: Record<Lane, (() => void)[]> = { callback: [], call: [] };

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`admission limit must be a positive integer, got ${limit}`);
  }

  /** Run `fn` once admitted; the slot is released however it ends. */
  async run<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting[lane].push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** calls in flight and waiting, for status pages and tests */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.callback.length + this.waiting.call.length };
  }

  private release(): void {
    // hand the slot straight to the next in line (callbacks first), so it is never over the limit
    const next = this.waiting.callback.shift() ?? this.waiting.call.shift();
    if (next) next();
    else this.active--;
  }
}

/** WeChat Pay's callbacks: they go ahead of the line. */
export const CALLBACK_FUNCTIONS: ReadonlySet<string> = new Set(['payNotify', 'refundNotify']);
