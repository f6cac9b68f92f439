import { exchangeBp, type ExchangeTarget } from '../../../../shared/contract';
import { mulBpFloor } from '../../money/units';
import type { PluginConfig, RandomReturn, RewardWindow } from '../config/types';
import { parseHhmm, shanghaiMinuteOfDay, shanghaiMonthDay, shanghaiWeekday, shanghaiDay, startOfShanghaiDay } from '../time';
import type { Random } from './lottery';

/** Which queue an order line joins (SPEC §3.2). Cashier and store-online sales never share a queue. */
export type QueueSource =
  | { kind: 'mall'; productId: string }
  | { kind: 'store'; storeId: string }
  | { kind: 'cashier'; cashierId: string };

export function queueKeyFor(source: QueueSource, config: PluginConfig): string {
  switch (source.kind) {
    case 'mall':
      return config.rebate.mallQueue ? 'mall' : `product:${source.productId}`;
    case 'store':
      return config.rebate.allStoresQueue ? 'stores' : `store:${source.storeId}`;
    case 'cashier':
      return config.rebate.allCashiersQueue ? 'cashiers' : `cashier:${source.cashierId}`;
  }
}

/** 奖励时间段: is `at` inside the window? Absent window = always. */
export function insideRewardWindow(window: RewardWindow | null | undefined, at: Date): boolean {
  if (!window) return true;
  if (window.startAt && at.getTime() < Date.parse(window.startAt)) return false;
  if (window.endAt && at.getTime() >= Date.parse(window.endAt)) return false;
  if (window.dailyStart && window.dailyEnd) {
    const m = shanghaiMinuteOfDay(at);
    const start = parseHhmm(window.dailyStart);
    const end = parseHhmm(window.dailyEnd);
    const inside = start <= end ? m >= start && m < end : m >= start || m < end; // a window may wrap midnight
    if (!inside) return false;
  }
  return true;
}

/**
 * 随机返: within each group of `cashCount + pointsCount` consecutive new entries of a queue,
 * `cashCount` positions chosen at random get a cash entry, the others are converted to points.
 * Returns the cash positions for a new group (0-based, sorted).
 */
export function pickCashSlots(rr: RandomReturn, random: Random): number[] {
  const size = rr.cashCount + rr.pointsCount;
  const slots = Array.from({ length: size }, (_, i) => i);
  // Fisher–Yates with the injected random source; the first cashCount slots win.
  for (let i = size - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  return slots.slice(0, rr.cashCount).sort((a, b) => a - b);
}

export type { ExchangeTarget };

/** What an unpaid remainder is exchanged into; null when the target is not offered. */
export function exchangeAmount(remainingFen: number, target: ExchangeTarget, config: PluginConfig): number | null {
  const bp = exchangeBp(config.rebate.exchange, target);
  return bp === null ? null : mulBpFloor(remainingFen, bp);
}

/**
 * 队列奖励清零: the instant of the most recent scheduled reset at or before `now`, or null.
 * The daily job runs the reset once per scheduled instant (idempotent by that instant).
 */
export function lastResetInstant(reset: PluginConfig['rebate']['reset'], now: Date): Date | null {
  if (!reset.enabled) return null;
  if (reset.schedule === 'once') {
    if (!reset.onceAt) return null;
    const at = new Date(reset.onceAt);
    return at.getTime() <= now.getTime() ? at : null;
  }
  const time = parseHhmm(reset.time);
  // Walk back day by day (at most 31) to the latest day matching the schedule whose reset time has passed.
  for (let back = 0; back <= 31; back++) {
    const day = shanghaiDay(new Date(now.getTime() - back * 86_400_000));
    const instant = new Date(startOfShanghaiDay(day).getTime() + time * 60_000);
    if (instant.getTime() > now.getTime()) continue;
    if (reset.schedule === 'daily') return instant;
    if (reset.schedule === 'weekly' && shanghaiWeekday(instant) === reset.weekday) return instant;
    if (reset.schedule === 'monthly' && shanghaiMonthDay(instant) === reset.monthDay) return instant;
  }
  return null;
}
