/**
 * When a call that failed is tried again (the outbox, SPEC §9): exponential backoff from `baseMs`,
 * doubling per attempt up to `capMs`, for at most `maxAttempts` calls; then the message is a dead
 * letter that an admin sees and may retry. A permanent error (WeChat says the request itself is
 * wrong) is dead at once: repeating it cannot help.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

/** Subscribe messages: eight calls over about an hour (30 s, 1, 2, 4, 8, 16, 32 min). */
export const MESSAGE_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 30_000, capMs: 60 * 60_000 };

/** Money (refunds, payouts): twelve calls over about a day (30 s doubling, at most 6 h apart). */
export const MONEY_RETRY: RetryPolicy = { maxAttempts: 12, baseMs: 30_000, capMs: 6 * 60 * 60_000 };

/** The wait after the `attempts`-th failed call (attempts ≥ 1). */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  const exp = Math.min(attempts - 1, 30); // 2^30 × base is far beyond any cap
  return Math.min(policy.capMs, policy.baseMs * 2 ** exp);
}

export type AfterFailure = { status: 'pending'; nextAt: Date } | { status: 'dead' };

/** What becomes of a message whose `attempts`-th call failed at `now`. */
export function afterFailure(policy: RetryPolicy, attempts: number, retryable: boolean, now: Date): AfterFailure {
  if (!retryable || attempts >= policy.maxAttempts) return { status: 'dead' };
  return { status: 'pending', nextAt: new Date(now.getTime() + backoffMs(policy, attempts)) };
}
