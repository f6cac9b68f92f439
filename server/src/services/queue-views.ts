import type { EntryView, LotteryOdds, MyEntriesView } from '../../../shared/views';
import { acct } from '../engine/ledger/accounts';
import type { LotteryRule, PluginConfig } from '../engine/config/types';
import { mulBpFloor } from '../money/units';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { EntryDoc, QueueDoc } from '../repo/documents';
import { balanceOf } from '../repo/ledger';
import { loadConfig } from './config';
import { maskName } from './users';

/**
 * What shoppers see of the queues. A position is never stored (storing it would mean rewriting
 * every later entry on each payout); it is counted from the index when a shopper looks.
 */

/** The pending entries paid before `e`: earlier in its queue (and, under completed-first, of completed orders when e's is). */
function aheadFilter(e: EntryDoc, config: PluginConfig) {
  return { queueKey: e.queueKey, status: 'pending' as const, seq: { $lt: e.seq }, ...(config.rebate.ordering === 'completedFirst' && e.orderDone ? { orderDone: true } : {}) };
}

async function positionOf(tx: Tx, e: EntryDoc, config: PluginConfig): Promise<number | null> {
  if (e.status !== 'pending') return null;
  return (await col(tx.db, 'entries').countDocuments(aheadFilter(e, config), s(tx))) + 1;
}

/** Entries read on each side of an entry to sum what is ahead of it (AHEAD_READ_MAX in docs/API.md). */
export const AHEAD_READ_MAX = 50;

export interface Ahead {
  /** unpaid entitlement of the entries paid before this one */
  fen: number;
  /** false: an estimate (more than AHEAD_READ_MAX entries on both sides) */
  exact: boolean;
}

/**
 * 前面还有多少: the unpaid remainder of the entries ahead, from at most 2 × AHEAD_READ_MAX
 * entries, never a scan of the queue. The queue document holds the pending total (pendingFen,
 * pendingCount), so: few entries ahead → sum them; few behind → total − mine − behind (exact, in
 * queue order, where ahead = every earlier pending entry); otherwise the nearest ones are summed
 * and the rest of the total between the two reads is split between the sides in proportion to
 * their unread count times the average entry read on that side (an estimate, said so). Under completed-first, entries of uncompleted orders are
 * not ahead, so only the first way is exact and the estimate uses the average of those read.
 */
export async function aheadOf(tx: Tx, e: EntryDoc, q: Pick<QueueDoc, 'pendingFen' | 'pendingCount'>, position: number, config: PluginConfig): Promise<Ahead> {
  const remaining = (x: EntryDoc) => x.entitlementFen - x.receivedFen;
  const sum = (xs: EntryDoc[]) => xs.reduce((a, x) => a + remaining(x), 0);
  const entries = col(tx.db, 'entries');
  const ahead = (await entries.find(aheadFilter(e, config), s(tx)).sort({ seq: -1 }).limit(AHEAD_READ_MAX + 1).toArray()) as EntryDoc[];
  if (ahead.length <= AHEAD_READ_MAX) return { fen: sum(ahead), exact: true };
  const near = ahead.slice(0, AHEAD_READ_MAX);
  const aheadCount = position - 1;
  if (config.rebate.ordering === 'completedFirst') {
    return { fen: sum(near) + Math.floor((sum(near) / near.length) * (aheadCount - near.length)), exact: false };
  }
  const behind = (await entries.find({ queueKey: e.queueKey, status: 'pending', seq: { $gt: e.seq } }, s(tx)).sort({ seq: 1 }).limit(AHEAD_READ_MAX + 1).toArray()) as EntryDoc[];
  const mine = remaining(e);
  if (behind.length <= AHEAD_READ_MAX) return { fen: Math.max(0, q.pendingFen - mine - sum(behind)), exact: true };
  const nearBehind = behind.slice(0, AHEAD_READ_MAX);
  const behindCount = Math.max(0, q.pendingCount - position);
  const between = Math.max(0, q.pendingFen - mine - sum(near) - sum(nearBehind));
  // split what lies unread between the two reads by count × the average entry read on that side
  // (entries grow or shrink along a queue, e.g. as prices or ratios change)
  const weightAhead = Math.max(0, aheadCount - AHEAD_READ_MAX) * (sum(near) / near.length);
  const weightBehind = Math.max(0, behindCount - AHEAD_READ_MAX) * (sum(nearBehind) / nearBehind.length);
  const share = weightAhead + weightBehind > 0 ? Math.floor((between * weightAhead) / (weightAhead + weightBehind)) : 0;
  return { fen: sum(near) + share, exact: false };
}

/**
 * What a draw can give, shown before the shopper draws (抽奖说明): each ratio with its chance (bp)
 * and the entitlement it would make, or the range; whether it can come out below the ratio the
 * entry has now. The right to draw lapses at the entry's first payout.
 */
export function lotteryOdds(rule: LotteryRule, baseFen: number, currentRatioBp: number): LotteryOdds {
  if (rule.kind === 'fixed') {
    const total = rule.options.reduce((a, o) => a + o.weight, 0);
    const options = rule.options.map((o) => ({ ratioBp: o.ratioBp, chanceBp: total > 0 ? Math.floor((o.weight * 10_000) / total) : 0, entitlementFen: mulBpFloor(baseFen, o.ratioBp) }));
    return { kind: 'fixed' as const, options, mayLower: options.some((o) => o.ratioBp < currentRatioBp), mayRaise: options.some((o) => o.ratioBp > currentRatioBp) };
  }
  return {
    kind: 'range' as const,
    minBp: rule.minBp,
    maxBp: rule.maxBp,
    minEntitlementFen: mulBpFloor(baseFen, rule.minBp),
    maxEntitlementFen: mulBpFloor(baseFen, rule.maxBp),
    mayLower: rule.minBp < currentRatioBp,
    mayRaise: rule.maxBp > currentRatioBp,
  };
}

export async function myEntries(tx: Tx, userId: string, opts: { status?: EntryDoc['status']; limit: number }): Promise<MyEntriesView<Date>> {
  const config = await loadConfig(tx);
  const rows = (await col(tx.db, 'entries')
    .find({ userId, ...(opts.status ? { status: opts.status } : {}) }, s(tx))
    .sort({ createdAt: -1, _id: -1 })
    .limit(opts.limit)
    .toArray()) as EntryDoc[];
  const queues = new Map<string, { name: string; pendingCount: number; pendingFen: number }>();
  const out: EntryView<Date>[] = [];
  for (const e of rows) {
    if (!queues.has(e.queueKey)) {
      const q = await col(tx.db, 'queues').findOne({ _id: e.queueKey }, s(tx));
      queues.set(e.queueKey, { name: q?.name ?? e.queueKey, pendingCount: q?.pendingCount ?? 0, pendingFen: q?.pendingFen ?? 0 });
    }
    const q = queues.get(e.queueKey)!;
    const position = await positionOf(tx, e, config);
    const ahead = position !== null ? await aheadOf(tx, e, q, position, config) : null;
    out.push({
      entryId: e._id,
      queueKey: e.queueKey,
      queueName: q.name,
      queuePendingCount: q.pendingCount,
      seq: e.seq,
      position,
      aheadFen: ahead?.fen ?? null,
      aheadExact: ahead?.exact ?? null,
      orderId: e.orderId,
      baseFen: e.baseFen,
      ratioBp: e.ratioBp,
      ratioRule: e.ratioRule,
      entitlementFen: e.entitlementFen,
      receivedFen: e.receivedFen,
      pendingFen: e.status === 'pending' ? e.entitlementFen - e.receivedFen : 0,
      progressBp: e.entitlementFen > 0 ? Math.floor((e.receivedFen * 10_000) / e.entitlementFen) : 10_000,
      status: e.status,
      waitingForCompletion: config.rebate.ordering === 'completedFirst' && !e.orderDone && e.status === 'pending',
      lottery: e.lottery
        ? {
            available: e.lottery.drawnBp === null && e.status === 'pending' && e.receivedFen === 0,
            drawnBp: e.lottery.drawnBp,
            drawnAt: e.lottery.drawnAt,
            // the ratio the entry had before its draw is in the draw record; before a draw it is the current one
            odds: e.lottery.drawnBp === null ? lotteryOdds(e.lottery.rule, e.baseFen, e.ratioBp) : null,
            lapsesAt: 'firstPayout' as const,
          }
        : null,
      canExchange: e.status === 'pending',
      convertedToPoints: e.convertedToPoints,
      exchanged: e.exchanged,
      createdAt: e.createdAt,
      closedAt: e.closedAt,
    });
  }
  return {
    name: config.rebate.name,
    exchangeName: config.rebate.exchangeName,
    paused: config.rebate.paused,
    exchange: config.rebate.exchange,
    // what one exchanged point / love is worth when spent at checkout (兑换的每单位价值)
    deduction: config.deduction,
    // every pending entry of the shopper, not only those listed: the QENT balance is their unpaid total
    pendingTotalFen: await balanceOf(tx, acct.userQueueEntitlement(userId)),
    pendingCount: await col(tx.db, 'entries').countDocuments({ userId, status: 'pending' }, s(tx)),
    entries: out,
    // 结算中: paid, not yet settled by the settler (their entries are not there yet)
    settlingOrders: await col(tx.db, 'orders').countDocuments({ userId, settleDue: true }, s(tx)),
  };
}

/** 队列看板: the head of a queue as the display toggles allow; other shoppers are masked. */
export async function queueBoard(tx: Tx, queueKey: string, viewerId: string, limit: number) {
  const config = await loadConfig(tx);
  const q = await col(tx.db, 'queues').findOne({ _id: queueKey }, s(tx));
  if (!q) throw new AppError('NOT_FOUND', '找不到该队列');
  const d = config.rebate.display;
  const head = (await col(tx.db, 'entries')
    .find({ queueKey, status: 'pending' }, s(tx))
    .sort({ seq: 1 })
    .limit(limit)
    .toArray()) as EntryDoc[];
  const users = new Map<string, string>();
  if (d.member) {
    for (const u of await col(tx.db, 'users').find({ _id: { $in: [...new Set(head.map((e) => e.userId))] } }, s(tx)).toArray()) users.set(u._id, u.nickname);
  }
  return {
    queueKey,
    name: q.name,
    pendingCount: q.pendingCount,
    pendingFen: d.pendingAmount ? q.pendingFen : null,
    paidFen: q.paidFen,
    paused: config.rebate.paused,
    display: d,
    head: head.map((e, i) => ({
      position: i + 1,
      mine: e.userId === viewerId,
      seq: d.queueId ? e.seq : null,
      member: d.member ? (e.userId === viewerId ? users.get(e.userId) ?? '' : maskName(users.get(e.userId) ?? '')) : null,
      progressBp: d.progress ? (e.entitlementFen > 0 ? Math.floor((e.receivedFen * 10_000) / e.entitlementFen) : 0) : null,
      receivedFen: d.received ? e.receivedFen : null,
      pendingFen: d.pending ? e.entitlementFen - e.receivedFen : null,
    })),
  };
}
