import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { burn, comparePrice, exitPriceKey, launchState, lotReachedExit, mint, price, pricePerPointFen, takeFromLots, valueOf, type GreenState } from './pool';
import { mulBpFloor } from '../../money/units';

describe('green pool', () => {
  it('seed example: launch, ¥10,000 at 40% share and 50% mint → 2,000 points, price ¥2.00', () => {
    const s0 = launchState(100);
    const inflow = 1_000_000 * 4000 / 10000;
    const r = mint(s0, inflow, 5000);
    expect(r.units).toBe(2000 * 10_000);
    expect(r.state.poolFen).toBe(400_000);
    expect(pricePerPointFen(r.state)).toBe(200);
  });

  it('withdraw fee stays in the pool and raises the price', () => {
    const s = mint(launchState(100), 400_000, 5000).state;
    const b = burn(s, 1000 * 10_000, 1000); // 1000 points at ¥2 = ¥2000, fee 10%
    expect(b.valueFen).toBe(200_000);
    expect(b.paidFen).toBe(180_000);
    expect(b.feeFen).toBe(20_000);
    expect(comparePrice(b.state, s)).toBe(1);
  });

  it('when the last points leave, the last price stands', () => {
    const s = mint(launchState(100), 400_000, 5000).state;
    const b = burn(s, s.totalUnits, 2000);
    expect(b.state.totalUnits).toBe(0);
    expect(comparePrice(b.state, s)).toBe(0);
    const again = mint(b.state, 100, 10000);
    expect(comparePrice(again.state, b.state)).toBeGreaterThanOrEqual(0);
  });

  it('forced exit at 2× consumption, exactly', () => {
    const s: GreenState = { poolFen: 200, totalUnits: 100, lastPriceNum: 1, lastPriceDen: 1 }; // 2 fen per unit
    expect(lotReachedExit(s, { units: 10, consumptionFen: 10 }, 20000)).toBe(true); // value 20 = 2 × 10
    expect(lotReachedExit(s, { units: 10, consumptionFen: 11 }, 20000)).toBe(false);
  });

  it('basis moves proportionally, oldest lots first', () => {
    const takes = takeFromLots(
      [
        { _id: 'a', units: 100, consumptionFen: 1000 },
        { _id: 'b', units: 100, consumptionFen: 500 },
      ],
      150,
    );
    expect(takes).toEqual([
      { lotId: 'a', units: 100, consumptionFen: 1000 },
      { lotId: 'b', units: 50, consumptionFen: 250 },
    ]);
  });

  it('property: the price never decreases over random mints and burns; value is conserved', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('mint' as const), inflow: fc.integer({ min: 0, max: 10_000_000 }), mintBp: fc.integer({ min: 0, max: 10000 }) }),
      fc.record({ kind: fc.constant('burn' as const), share: fc.double({ min: 0, max: 1, noNaN: true }), feeBp: fc.integer({ min: 0, max: 10000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.array(op, { maxLength: 60 }), (launch, ops) => {
        let s = launchState(launch);
        let paidOut = 0;
        let inflows = 0;
        for (const o of ops) {
          const before = s;
          if (o.kind === 'mint') {
            s = mint(s, o.inflow, o.mintBp).state;
            inflows += o.inflow;
          } else {
            const units = Math.floor(s.totalUnits * o.share);
            if (units <= 0) continue;
            const b = burn(s, units, o.feeBp);
            expect(b.paidFen).toBeLessThanOrEqual(valueOf(before, units));
            s = b.state;
            paidOut += b.paidFen;
          }
          expect(comparePrice(s, before)).toBeGreaterThanOrEqual(0);
          expect(s.poolFen).toBeGreaterThanOrEqual(0);
        }
        expect(s.poolFen).toBe(inflows - paidOut);
      }),
      { numRuns: 300 },
    );
  });
});

describe('exact arithmetic on both sides of the double fast path', () => {
  it('valueOf, mint and lotReachedExit agree with their BigInt definitions', () => {
    const bigValue = (s: GreenState, units: number) => {
      const p = price(s);
      return Number((BigInt(units) * p.num) / p.den);
    };
    const bigReached = (s: GreenState, lot: { units: number; consumptionFen: number }, m: number) => {
      if (m <= 0 || lot.units <= 0 || lot.consumptionFen <= 0) return false;
      const p = price(s);
      return BigInt(lot.units) * p.num * 10_000n >= BigInt(m) * BigInt(lot.consumptionFen) * p.den;
    };
    const n = (max: number) => fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max }));
    const state = fc.record({ poolFen: n(1e12), totalUnits: fc.oneof(fc.constant(0), n(2 ** 50)), lastPriceNum: n(1e6), lastPriceDen: n(1e6) });
    fc.assert(
      fc.property(state, n(2 ** 40), n(1e9), fc.integer({ min: 0, max: 100_000 }), (s, units, consumptionFen, m) => {
        expect(valueOf(s, units)).toBe(bigValue(s, units));
        expect(lotReachedExit(s, { units, consumptionFen }, m)).toBe(bigReached(s, { units, consumptionFen }, m));
        const p = price(s);
        const minted = mulBpFloor(consumptionFen, 5000);
        expect(mint(s, consumptionFen, 5000).units).toBe(Number((BigInt(minted) * p.den) / p.num));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('lots without consumption', () => {
  it('a lot whose basis floored to 0 fen (tiny transfer) never force-exits', () => {
    const s = { poolFen: 1_000_000, totalUnits: 10_000, lastPriceNum: 100, lastPriceDen: 10_000 };
    expect(lotReachedExit(s, { units: 3, consumptionFen: 0 }, 20000)).toBe(false);
    expect(exitPriceKey({ units: 3, consumptionFen: 0 }, 20000)).toBe(Number.MAX_VALUE);
  });
});
