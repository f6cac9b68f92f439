import { describe, expect, it } from 'vitest';
import { afterFailure, backoffMs, MESSAGE_RETRY, MONEY_RETRY } from './retry';

describe('outbox retries', () => {
  it('back off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(MONEY_RETRY, n))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(backoffMs(MONEY_RETRY, 40)).toBe(MONEY_RETRY.capMs);
    expect(backoffMs(MESSAGE_RETRY, 12)).toBe(MESSAGE_RETRY.capMs);
  });

  it('end in a dead letter after the last attempt, or at once for a permanent error', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(afterFailure(MONEY_RETRY, 1, true, now)).toEqual({ status: 'pending', nextAt: new Date('2026-01-01T00:00:30Z') });
    expect(afterFailure(MONEY_RETRY, MONEY_RETRY.maxAttempts, true, now)).toEqual({ status: 'dead' });
    expect(afterFailure(MONEY_RETRY, 1, false, now)).toEqual({ status: 'dead' });
  });

  it('money is retried for about a day, messages for about an hour', () => {
    const total = (p: typeof MONEY_RETRY) => Array.from({ length: p.maxAttempts - 1 }, (_, i) => backoffMs(p, i + 1)).reduce((a, b) => a + b, 0);
    expect(total(MONEY_RETRY) / 3_600_000).toBeGreaterThan(10);
    expect(total(MONEY_RETRY) / 3_600_000).toBeLessThan(24);
    expect(total(MESSAGE_RETRY) / 60_000).toBeGreaterThan(30);
    expect(total(MESSAGE_RETRY) / 60_000).toBeLessThan(120);
  });
});
