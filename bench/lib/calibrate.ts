/**
 * A fixed CPU-and-memory workload (string keys in a Map, as the engine's lookups are), timed:
 * this machine's speed drifts (a shared host), so every part of `npm run bench` records how long
 * this took just before it. Figures of two runs compare only at similar calibration times; a
 * ratio within one part (8 vs 128 shoppers …) does not depend on it.
 */
export function calibrate(): number {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    const m = new Map<string, number>();
    let x = 0;
    for (let i = 0; i < 1_000_000; i++) {
      m.set(`k${i % 200_000}`, i);
      x += m.get(`k${(i * 7) % 200_000}`) ?? 0;
    }
    times.push(performance.now() - t + (x < 0 ? 1 : 0));
  }
  times.sort((a, b) => a - b);
  return Math.round(times[1]!);
}
