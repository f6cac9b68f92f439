import { randomInt } from 'node:crypto';
import type { LotteryRule } from '../config/types';

/** Source of randomness: crypto in production; tests pass a seeded one. `below(n)` returns an integer in [0, n). */
export interface Random {
  below(n: number): number;
}

export const cryptoRandom: Random = { below: (n) => randomInt(0, n) };

export interface LotteryOutcome {
  ratioBp: number;
  /** the random integer drawn and the range it was drawn from, recorded for audit */
  roll: number;
  rollRange: number;
}

/** Draw a ratio from a lottery rule: weighted pick from a fixed list, or a uniform integer bp in [min, max]. */
export function drawLottery(rule: LotteryRule, random: Random): LotteryOutcome {
  if (rule.kind === 'fixed') {
    const total = rule.options.reduce((s, o) => s + o.weight, 0);
    const roll = random.below(total);
    let acc = 0;
    for (const o of rule.options) {
      acc += o.weight;
      if (roll < acc) return { ratioBp: o.ratioBp, roll, rollRange: total };
    }
    throw new Error('invariant: weighted draw fell off the list');
  }
  const range = rule.maxBp - rule.minBp + 1;
  const roll = random.below(range);
  return { ratioBp: rule.minBp + roll, roll, rollRange: range };
}
