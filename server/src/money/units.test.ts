import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatYuan, mulBpFloor, mulDivFloor, prorate, MAX_FEN } from './units';

describe('money units', () => {
  it('floors basis-point products exactly (¥168 × 130% = ¥218.40; × 65% = ¥109.20)', () => {
    expect(mulBpFloor(16800, 13000)).toBe(21840);
    expect(mulBpFloor(16800, 6500)).toBe(10920);
    expect(mulBpFloor(1, 5000)).toBe(0);
    expect(mulBpFloor(MAX_FEN, 10000)).toBe(MAX_FEN);
  });
  it('rejects fractional and negative amounts', () => {
    expect(() => mulBpFloor(1.5, 100)).toThrow();
    expect(() => mulBpFloor(-1, 100)).toThrow();
    expect(() => mulBpFloor(100, 0.5)).toThrow();
  });
  it('prorate parts always sum to the total and never exceed a proportional share by more than 1 fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 8 }), (total, weights) => {
        const parts = prorate(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        const sum = weights.reduce((a, b) => a + b, 0);
        parts.forEach((p, i) => {
          expect(p).toBeGreaterThanOrEqual(0);
          if (sum > 0) expect(p).toBeLessThanOrEqual(mulDivFloor(total, weights[i]!, sum) + 1);
        });
      }),
    );
  });
  it('mulDivFloor is exact: the same as BigInt floor division, on both sides of its 2^52 switch', () => {
    const big = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b)) / BigInt(c));
    const n = fc.oneof(
      fc.integer({ min: 0, max: 1_000 }),
      fc.integer({ min: 0, max: 2 ** 26 + 5 }),
      fc.integer({ min: 2 ** 26 - 5, max: 2 ** 27 }),
      fc.maxSafeNat(),
      fc.constantFrom(0, 1, 2 ** 52 - 1, 2 ** 52, 2 ** 53 - 1, 9_999, 10_000, 10_001),
    );
    fc.assert(
      fc.property(n, n, n.filter((c) => c > 0), (a, b, c) => {
        expect(mulDivFloor(a, b, c)).toBe(big(a, b, c));
      }),
      { numRuns: 20_000 },
    );
    // quotients just below an integer, where a rounded division would land on it
    for (const c of [3, 7, 10_000, 2 ** 26 + 1, 2 ** 51 - 1]) {
      for (const k of [1, 12_345, 2 ** 20 + 3]) {
        const p = c * k - 1;
        if (p < 2 ** 53) expect(mulDivFloor(p, 1, c)).toBe(big(p, 1, c));
      }
    }
  });
  it('formats yuan', () => {
    expect(formatYuan(21840)).toBe('¥218.40');
    expect(formatYuan(-5)).toBe('-¥0.05');
  });
});
