import { BP_ONE, GREEN_UNITS_PER_POINT, mulBpFloor, mulDivFloor } from '../../money/units';

/**
 * 绿色积分 pool (SPEC §5). Price = pool ÷ points, kept as an exact ratio (fen per unit).
 * Every operation rounds in the pool's favour, which is what makes the price never decrease:
 *  - mint u = floor(m·U/P) ≤ m·U/P units for m ≤ inflow fen   ⇒ (P+inflow)/(U+u) ≥ P/U
 *  - burn k units for floor(k·P/U) fen or less                   ⇒ (P−paid)/(U−k) ≥ P/U
 *  - with no points outstanding the last price stands.
 * Every product is exact: pool × units can exceed 2^53, so it is computed in BigInt unless it
 * is small enough for doubles to hold it exactly (mulDivFloor, lotReachedExit).
 */

export interface GreenState {
  poolFen: number;
  totalUnits: number;
  /** price while no points are outstanding: fen per unit = num / den */
  lastPriceNum: number;
  lastPriceDen: number;
}

export function launchState(launchPriceFen: number): GreenState {
  return { poolFen: 0, totalUnits: 0, lastPriceNum: launchPriceFen, lastPriceDen: GREEN_UNITS_PER_POINT };
}

/** Current price as an exact fraction of fen per unit. */
export function price(s: GreenState): { num: bigint; den: bigint } {
  return s.totalUnits > 0 ? { num: BigInt(s.poolFen), den: BigInt(s.totalUnits) } : { num: BigInt(s.lastPriceNum), den: BigInt(s.lastPriceDen) };
}

/** Price of one point in fen, floored to 1/10000 fen: for display and charts only, never for money. */
export function pricePerPointFen(s: GreenState): number {
  const p = price(s);
  return Number((p.num * BigInt(GREEN_UNITS_PER_POINT) * 10_000n) / p.den) / 10_000;
}

/** Compare two prices exactly: -1, 0, 1. */
export function comparePrice(a: GreenState, b: GreenState): number {
  const pa = price(a);
  const pb = price(b);
  const l = pa.num * pb.den;
  const r = pb.num * pa.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Value of `units` at the current price, floored to the fen. */
export function valueOf(s: GreenState, units: number): number {
  return s.totalUnits > 0 ? mulDivFloor(units, s.poolFen, s.totalUnits) : mulDivFloor(units, s.lastPriceNum, s.lastPriceDen);
}

export interface MintResult {
  state: GreenState;
  units: number;
  inflowFen: number;
  mintedValueFen: number;
}

/** An order puts `inflowFen` into the pool; `mintBp` of it is minted for the buyer at the price before the inflow. */
export function mint(s: GreenState, inflowFen: number, mintBp: number): MintResult {
  const mintedValueFen = mulBpFloor(inflowFen, mintBp);
  const units = s.totalUnits > 0 ? mulDivFloor(mintedValueFen, s.totalUnits, s.poolFen) : mulDivFloor(mintedValueFen, s.lastPriceDen, s.lastPriceNum);
  return {
    state: { ...s, poolFen: s.poolFen + inflowFen, totalUnits: s.totalUnits + units },
    units,
    inflowFen,
    mintedValueFen,
  };
}

export interface BurnResult {
  state: GreenState;
  /** value of the burned units at the current price, floored */
  valueFen: number;
  /** what leaves the pool */
  paidFen: number;
  /** what stays in the pool */
  feeFen: number;
}

/** Burn `units` and pay their value minus `feeBp` out of the pool; the fee stays in the pool. */
export function burn(s: GreenState, units: number, feeBp: number): BurnResult {
  if (!Number.isSafeInteger(units) || units <= 0 || units > s.totalUnits) throw new Error(`invariant: cannot burn ${units} of ${s.totalUnits} units`);
  const valueFen = valueOf(s, units);
  const paidFen = mulBpFloor(valueFen, BP_ONE - feeBp);
  const feeFen = valueFen - paidFen;
  const totalUnits = s.totalUnits - units;
  // When the last points leave, remember the price they left at: it stays the price until new points are minted.
  const last = totalUnits === 0 ? { lastPriceNum: s.poolFen, lastPriceDen: s.totalUnits } : { lastPriceNum: s.lastPriceNum, lastPriceDen: s.lastPriceDen };
  return { state: { poolFen: s.poolFen - paidFen, totalUnits, ...last }, valueFen, paidFen, feeFen };
}

/** A lot exits when units × price ≥ multiple × consumption — exact in BigInt. */
export function lotReachedExit(s: GreenState, lot: { units: number; consumptionFen: number }, exitMultipleBp: number): boolean {
  // A lot with no consumption behind it (a transfer of a few units whose basis floors to 0 fen) has no multiple to reach.
  if (exitMultipleBp <= 0 || lot.units <= 0 || lot.consumptionFen <= 0) return false;
  const num = s.totalUnits > 0 ? s.poolFen : s.lastPriceNum;
  const den = s.totalUnits > 0 ? s.totalUnits : s.lastPriceDen;
  // in doubles when both sides stay below 2^53 (every partial product is then exact too)
  const l = lot.units * num * BP_ONE;
  const r = exitMultipleBp * lot.consumptionFen * den;
  if (l <= Number.MAX_SAFE_INTEGER && r <= Number.MAX_SAFE_INTEGER) return l >= r;
  return BigInt(lot.units) * BigInt(num) * BigInt(BP_ONE) >= BigInt(exitMultipleBp) * BigInt(lot.consumptionFen) * BigInt(den);
}

/** The price (fen per unit, as a double) at which a lot exits: only an index key to find candidates; the decision is `lotReachedExit`. */
export function exitPriceKey(lot: { units: number; consumptionFen: number }, exitMultipleBp: number): number {
  if (lot.units <= 0 || lot.consumptionFen <= 0) return Number.MAX_VALUE;
  return (exitMultipleBp * lot.consumptionFen) / (BP_ONE * lot.units);
}

/** Current price as a double fen-per-unit, slightly inflated so that an index range query never misses a lot at the boundary. */
export function priceKeyUpperBound(s: GreenState): number {
  const p = price(s);
  return (Number(p.num) / Number(p.den)) * (1 + 1e-9);
}

export interface LotTake {
  lotId: string;
  units: number;
  /** consumption basis moving with the units, proportional (floored; the last take of a lot takes what is left) */
  consumptionFen: number;
}

/** Take `units` from lots, oldest first; the basis moves proportionally. */
export function takeFromLots(lots: readonly { _id: string; units: number; consumptionFen: number }[], units: number): LotTake[] {
  let left = units;
  const takes: LotTake[] = [];
  for (const lot of lots) {
    if (left === 0) break;
    const t = Math.min(left, lot.units);
    const basis = t === lot.units ? lot.consumptionFen : Number((BigInt(lot.consumptionFen) * BigInt(t)) / BigInt(lot.units));
    takes.push({ lotId: lot._id, units: t, consumptionFen: basis });
    left -= t;
  }
  if (left > 0) throw new Error('invariant: lots hold fewer units than the balance says');
  return takes;
}

/** A lot after `take` left it (withdrawal, transfer or spend): fewer units and basis, a new exit key, empty at 0 units. */
export function lotAfterTake(lot: { units: number; consumptionFen: number }, take: LotTake, exitMultipleBp: number): { units: number; consumptionFen: number; exitKey: number; status: 'active' | 'empty' } {
  const left = { units: lot.units - take.units, consumptionFen: lot.consumptionFen - take.consumptionFen };
  return { ...left, exitKey: exitPriceKey(left, exitMultipleBp), status: left.units === 0 ? 'empty' : 'active' };
}
