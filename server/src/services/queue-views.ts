import type { PluginConfig } from '../engine/config/types';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { EntryDoc } from '../repo/documents';
import { loadConfig } from './config';

/**
 * What shoppers see of the queues. A position is never stored (storing it would mean rewriting
 * every later entry on each payout); it is counted from the index when a shopper looks.
 */

async function positionOf(tx: Tx, e: EntryDoc, config: PluginConfig): Promise<number | null> {
  if (e.status !== 'pending') return null;
  const ahead = await col(tx.db, 'entries').countDocuments(
    { queueKey: e.queueKey, status: 'pending', seq: { $lt: e.seq }, ...(config.rebate.ordering === 'completedFirst' && e.orderDone ? { orderDone: true } : {}) },
    s(tx),
  );
  return ahead + 1;
}

export async function myEntries(tx: Tx, userId: string, opts: { status?: EntryDoc['status']; limit: number }) {
  const config = await loadConfig(tx);
  const rows = (await col(tx.db, 'entries')
    .find({ userId, ...(opts.status ? { status: opts.status } : {}) }, s(tx))
    .sort({ createdAt: -1, _id: -1 })
    .limit(opts.limit)
    .toArray()) as EntryDoc[];
  const queues = new Map<string, { name: string; pendingCount: number; pendingFen: number }>();
  const out = [];
  for (const e of rows) {
    if (!queues.has(e.queueKey)) {
      const q = await col(tx.db, 'queues').findOne({ _id: e.queueKey }, s(tx));
      queues.set(e.queueKey, { name: q?.name ?? e.queueKey, pendingCount: q?.pendingCount ?? 0, pendingFen: q?.pendingFen ?? 0 });
    }
    const q = queues.get(e.queueKey)!;
    out.push({
      entryId: e._id,
      queueKey: e.queueKey,
      queueName: q.name,
      queuePendingCount: q.pendingCount,
      seq: e.seq,
      position: await positionOf(tx, e, config),
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
        ? { available: e.lottery.drawnBp === null && e.status === 'pending' && e.receivedFen === 0, drawnBp: e.lottery.drawnBp, drawnAt: e.lottery.drawnAt }
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
  const mask = (name: string) => (name.length <= 1 ? '*' : `${name[0]}**${name.length > 2 ? name[name.length - 1] : ''}`);
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
      member: d.member ? (e.userId === viewerId ? users.get(e.userId) ?? '' : mask(users.get(e.userId) ?? '')) : null,
      progressBp: d.progress ? (e.entitlementFen > 0 ? Math.floor((e.receivedFen * 10_000) / e.entitlementFen) : 0) : null,
      receivedFen: d.received ? e.receivedFen : null,
      pendingFen: d.pending ? e.entitlementFen - e.receivedFen : null,
    })),
  };
}
