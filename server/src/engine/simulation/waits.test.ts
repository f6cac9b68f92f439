import { describe, expect, it } from 'vitest';
import { waitStats, type WaitObservation } from './waits';

const DAY = 86_400_000;
const done = (days: number, watchDays = 30): WaitObservation => ({ ms: days * DAY, completed: true, left: false, watchableMs: watchDays * DAY });
const waiting = (days: number): WaitObservation => ({ ms: days * DAY, completed: false, left: false, watchableMs: days * DAY });
const left = (days: number, watchDays = 30): WaitObservation => ({ ms: days * DAY, completed: false, left: true, watchableMs: watchDays * DAY });

describe('waiting time, censored at the end of the period (Kaplan–Meier)', () => {
  it('all completed in a day, watched a month: within 7 and 30 days is 100%, 90 days cannot be told', () => {
    const w = waitStats([done(1), done(1), done(0.5), done(0.5, 10)]);
    expect(w).toMatchObject({ entries: 4, completed: 4, waiting: 0, left: 0, medianDays: { days: 0.5, atLeast: false }, p95Days: { days: 1, atLeast: false }, within7Bp: 10_000, within30Bp: 10_000, within90Bp: null });
  });

  it('half still waiting after 10 days: the median is where half completed; the 95th percentile is "longer than" the longest wait seen', () => {
    const w = waitStats([done(2, 10), done(2, 10), waiting(10), waiting(10)]);
    expect(w.medianDays).toEqual({ days: 2, atLeast: false });
    expect(w.p95Days).toEqual({ days: 10, atLeast: true });
    expect(w.within7Bp).toBe(5000);
    expect(w.within30Bp).toBeNull(); // nobody could be watched 30 days
  });

  it('an entry still waiting says only "longer than": it is not counted as never completing', () => {
    // 3 entries: one waits 1 day, one is still waiting at day 2 (paid 2 days before the end), one completes at day 5
    const w = waitStats([done(1, 6), waiting(2), done(5, 6)]);
    // S(1) = 2/3; at day 5 one of the one at risk completes: S(5) = 0
    expect(w.medianDays).toEqual({ days: 5, atLeast: false });
    expect(w.within7Bp).toBeNull(); // 6 days of watching cannot tell 7 (90% of 7 = 6.3)
  });

  it('entries that left the queue (exchange, reset, refund) leave the count of those at risk, not the completions', () => {
    const w = waitStats([left(0.2), done(3), done(3), waiting(30)]);
    expect(w.left).toBe(1);
    expect(w.histogram.find((h) => h.label === '仍在等待')!.count).toBe(1);
    expect(w.histogram.find((h) => h.label === '1–3天')!.count).toBe(2);
    // of 3 at risk after the exchange, 2 complete at day 3: S = 1/3
    expect(w.within7Bp).toBe(6667);
  });

  it('no entries: nothing to say', () => {
    expect(waitStats([])).toMatchObject({ entries: 0, medianDays: null, p95Days: null, within7Bp: null });
  });
});
