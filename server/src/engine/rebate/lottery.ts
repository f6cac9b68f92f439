import { randomInt } from 'node:crypto';
import { mulBpFloor } from '../../money/units';
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

/**
 * A recorded draw replayed under a (possibly different) lottery rule: the same uniform roll,
 * rescaled to the new rule's range, so that under the same rule it gives the recorded ratio.
 */
export function redrawLottery(rule: LotteryRule, recorded: { roll: number; rollRange: number }): LotteryOutcome {
  return drawLottery(rule, { below: (n) => Math.min(n - 1, Math.floor((recorded.roll * n) / recorded.rollRange)) });
}

/** What a draw does to an entry: the drawn ratio replaces the ratio; an entitlement of 0 completes it. */
export function drawEffect(entry: { baseFen: number; entitlementFen: number }, ratioBp: number): { entitlementFen: number; deltaFen: number; completes: boolean } {
  const entitlementFen = mulBpFloor(entry.baseFen, ratioBp);
  return { entitlementFen, deltaFen: entitlementFen - entry.entitlementFen, completes: entitlementFen === 0 };
}

/** The shopper's one draw is open: a lottery entry, not drawn yet, pending and not paid anything (SPEC §3.3). */
export function drawOpen(entry: { status: string; receivedFen: number; lottery: { drawnBp: number | null } | null }): 'open' | 'noLottery' | 'used' | 'closed' {
  if (!entry.lottery) return 'noLottery';
  if (entry.lottery.drawnBp !== null) return 'used';
  if (entry.status !== 'pending' || entry.receivedFen > 0) return 'closed';
  return 'open';
}
