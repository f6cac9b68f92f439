import { BP_ONE } from '../../money/units';
import type { WaitStats } from './types';

/**
 * How long entries wait from payment to completion. Entries still waiting at the end of the
 * period have not completed *yet*: counting them as never completing would be as wrong as
 * leaving them out (the slowest would vanish from the figures). So the figures are a
 * Kaplan–Meier estimate: an entry still waiting, or one that left the queue (exchanged,
 * expired, refunded), says only "longer than this", and a share is given only for a span the
 * period can show.
 */

export interface WaitObservation {
  /** ms from payment to completion, or to the end of the period / leaving */
  ms: number;
  completed: boolean;
  left: boolean;
  /** ms from payment to the end of the period: how long the period could watch this entry */
  watchableMs: number;
}

const DAY_MS = 86_400_000;

const BUCKETS: { label: string; maxDays: number }[] = [
  { label: '≤1天', maxDays: 1 },
  { label: '1–3天', maxDays: 3 },
  { label: '3–7天', maxDays: 7 },
  { label: '7–14天', maxDays: 14 },
  { label: '14–30天', maxDays: 30 },
  { label: '30–90天', maxDays: 90 },
  { label: '>90天', maxDays: Infinity },
];

export function waitStats(obs: WaitObservation[]): WaitStats {
  const completed = obs.filter((o) => o.completed);
  const left = obs.filter((o) => o.left).length;
  const histogram = BUCKETS.map((b, i) => ({
    label: b.label,
    count: completed.filter((o) => o.ms / DAY_MS <= b.maxDays && (i === 0 || o.ms / DAY_MS > BUCKETS[i - 1]!.maxDays)).length,
  }));
  histogram.push({ label: '仍在等待', count: obs.filter((o) => !o.completed && !o.left).length });

  // survival S(t) = P(still waiting after t), product over completion times of (1 − completed/at risk)
  const sorted = [...obs].sort((a, b) => a.ms - b.ms || Number(b.completed) - Number(a.completed));
  const curve: { ms: number; s: number }[] = [];
  let atRisk = sorted.length;
  let s = 1;
  for (let i = 0; i < sorted.length; ) {
    const t = sorted[i]!.ms;
    let done = 0;
    let gone = 0;
    for (; i < sorted.length && sorted[i]!.ms === t; i++) {
      if (sorted[i]!.completed) done++;
      else gone++;
    }
    if (done > 0) {
      s *= 1 - done / atRisk;
      curve.push({ ms: t, s });
    }
    atRisk -= done + gone;
  }
  // how far the period can see: entries paid early in it could be watched this long (whether they
  // completed early or not); survival is flat between completions, so it holds up to there
  const followUpMs = Math.max(0, ...obs.map((o) => o.watchableMs));
  const survivalAt = (ms: number) => {
    let v = 1;
    for (const p of curve) if (p.ms <= ms) v = p.s;
    return v;
  };
  const quantile = (q: number) => {
    if (!obs.length) return null;
    const hit = curve.find((p) => p.s <= 1 - q + 1e-12);
    const days = (ms: number) => Math.round((ms / DAY_MS) * 10) / 10;
    // not reached: longer than the longest anyone still waiting (or gone) was watched
    const longest = Math.max(0, ...obs.filter((o) => !o.completed).map((o) => o.ms));
    return hit ? { days: days(hit.ms), atLeast: false } : { days: days(longest), atLeast: true };
  };
  // a share needs the period to show that span: a 30-day period shows 30 days for its first entries
  // only to within a day or so, which is read as 30 days (90% of the span at least)
  const within = (days: number) => (obs.length && followUpMs >= days * DAY_MS * 0.9 ? Math.round((1 - survivalAt(days * DAY_MS)) * BP_ONE) : null);
  return {
    entries: obs.length,
    completed: completed.length,
    waiting: obs.length - completed.length - left,
    left,
    medianDays: quantile(0.5),
    p95Days: quantile(0.95),
    within7Bp: within(7),
    within30Bp: within(30),
    within90Bp: within(90),
    histogram,
  };
}
