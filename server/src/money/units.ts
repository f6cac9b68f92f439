/**
 * Units of value. Money is an integer number of fen, ratios are integer basis points
 * (10000 bp = 100%), green points are integer units of 1/10000 point. Every computed
 * amount is rounded DOWN, so the system never pays out money it did not receive.
 */
import { formatFen } from '../../../shared/contract';

export const BP_ONE = 10_000;
export const GREEN_UNITS_PER_POINT = 10_000;

/** Largest amount we accept anywhere: ¥10,000,000,000 keeps every product of two amounts exact in BigInt and every sum exact in a double. */
export const MAX_FEN = 1_000_000_000_000;
export const MAX_BP = 1_000_000; // 10000% — a sane cap for ratios such as 130%.

export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_FEN;
}

export function isBp(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_BP;
}

/** Assert that a value is a safe, non-negative integer; bugs surface here, not as lost fen. */
export function assertFen(value: number, what: string): number {
  if (!isFen(value)) throw new Error(`invariant: ${what} must be a non-negative integer number of fen, got ${value}`);
  return value;
}

/** floor(amount × bp / 10000), exact for every amount and ratio we allow. */
export function mulBpFloor(amountFen: number, ratioBp: number): number {
  assertFen(amountFen, 'amount');
  if (!isBp(ratioBp)) throw new Error(`invariant: ratio must be integer bp, got ${ratioBp}`);
  return mulDivFloor(amountFen, ratioBp, BP_ONE);
}

const TWO_52 = 2 ** 52;

/**
 * floor(a × b / c) for non-negative safe integers, exact. In doubles while a × b stays below
 * 2^52, else in BigInt. (The settler computes this for every lot and payout of a batch; BigInt
 * allocates each time.) Why doubles are exact there: the product p is an exact integer, and the
 * rounded quotient p / c never reaches the next integer k. The gap k − p / c is at least 1 / c;
 * the rounding error is below k × 2^-53, so reaching k would need k × c > 2^53. But for k ≥ 2,
 * k × c ≤ 2 (k − 1) c ≤ 2p < 2^53; for k = 1 the error is at most 2^-54 < 1 / c.
 */
export function mulDivFloor(a: number, b: number, c: number): number {
  if (c <= 0) throw new Error('invariant: division by a non-positive number');
  const p = a * b;
  if (p >= 0 && p < TWO_52) return Math.floor(p / c);
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** Split `total` over `weights` proportionally, floor each part and give the rounding remainder to the last parts so the parts sum to `total` exactly. */
export function prorate(totalFen: number, weights: readonly number[]): number[] {
  assertFen(totalFen, 'total');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (sum === 0) return weights.map((_, i) => (i === weights.length - 1 ? totalFen : 0));
  const parts = weights.map((w) => mulDivFloor(totalFen, w, sum));
  let left = totalFen - parts.reduce((a, b) => a + b, 0);
  // Hand out what flooring left, one fen at a time from the largest weight, so the split stays fair and exact.
  const order = weights.map((w, i) => ({ w, i })).sort((x, y) => y.w - x.w || x.i - y.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length) {
    const idx = order[k]!.i;
    if (weights[idx]! > 0) {
      parts[idx]! += 1;
      left -= 1;
    }
  }
  return parts;
}

/** ¥12.34 — for messages and logs; the same formatter the client shows amounts with (shared/contract.ts). */
export const formatYuan = formatFen;
