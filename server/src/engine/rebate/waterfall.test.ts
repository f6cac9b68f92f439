import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runWaterfall } from './waterfall';

describe('extraction waterfall', () => {
  it('pays in queue order, overflowing to the next entry', () => {
    const r = runWaterfall(150, [
      { id: 'a', remainingFen: 100 },
      { id: 'b', remainingFen: 100 },
    ]);
    expect(r.payouts).toEqual([
      { id: 'a', amountFen: 100, completes: true },
      { id: 'b', amountFen: 50, completes: false },
    ]);
    expect(r.extractedFen).toBe(150);
  });
  it('extracts only what entries absorb (empty queue extracts nothing)', () => {
    expect(runWaterfall(500, []).extractedFen).toBe(0);
    expect(runWaterfall(500, [{ id: 'a', remainingFen: 30 }])).toMatchObject({ extractedFen: 30, leftFen: 470 });
  });
  it('conserves the budget and never pays an entry beyond its remainder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 30 }), (budget, rems) => {
        const entries = rems.map((r, i) => ({ id: String(i), remainingFen: r }));
        const r = runWaterfall(budget, entries);
        expect(r.extractedFen + r.leftFen).toBe(budget);
        expect(r.payouts.reduce((s, p) => s + p.amountFen, 0)).toBe(r.extractedFen);
        r.payouts.forEach((p, i) => {
          expect(p.id).toBe(String(i)); // strictly in order, no gaps
          expect(p.amountFen).toBeLessThanOrEqual(rems[i]!);
          if (i < r.payouts.length - 1) expect(p.completes).toBe(true);
        });
        expect(r.extractedFen).toBe(Math.min(budget, rems.reduce((a, b) => a + b, 0)));
      }),
    );
  });
});
