import { acct } from '../engine/ledger/accounts';
import type { PluginConfig } from '../engine/config/types';
import { drawLottery, type Random } from '../engine/rebate/lottery';
import { resolveRatio, spendQueries, type RatioSource } from '../engine/rebate/ratio';
import { exchangeAmount, insideRewardWindow, pickCashSlots, type ExchangeTarget } from '../engine/rebate/rules';
import { runWaterfall, type PayableEntry } from '../engine/rebate/waterfall';
import { shanghaiDay } from '../engine/time';
import { mulBpFloor } from '../money/units';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { EntryDoc, OrderDoc, QueueDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import type { Movements } from './movements';
import { queueOutbox } from './outbox';
import { lineRebateRules, type LineScope } from './rebate-rules';

/**
 * 排队返利 on the database: extraction waterfall over the head of a queue, new entries at
 * its tail, lottery, exchange, cancellation and expiry. Every function runs inside the
 * caller's business-event transaction and adds its value movements to the event's journal.
 * Work per order is bounded and independent of the queue's length: the head is found with
 * the (queueKey, status, seq) index, a position is never stored, so no other entry is rewritten.
 */

/** Bound on entries paid by one order line: a pathological queue of tiny entries cannot make an unbounded transaction. */
export const MAX_PAYOUTS_PER_LINE = 1000;
const HEAD_BATCH = 16;

export function payableFilter(queueKey: string, config: PluginConfig, excludeOrderId: string) {
  return {
    queueKey,
    status: 'pending' as const,
    ...(config.rebate.ordering === 'completedFirst' ? { orderDone: true } : {}),
    orderId: { $ne: excludeOrderId },
  };
}

/** Lazily read the payable head of a queue in seq order. */
async function* payableHead(tx: Tx, queueKey: string, config: PluginConfig, orderId: string): AsyncGenerator<EntryDoc> {
  let afterSeq = 0;
  for (let read = 0; read < MAX_PAYOUTS_PER_LINE; ) {
    const batch = await col(tx.db, 'entries')
      .find({ ...payableFilter(queueKey, config, orderId), seq: { $gt: afterSeq } }, s(tx))
      .sort({ seq: 1 })
      .limit(HEAD_BATCH)
      .toArray();
    for (const e of batch) {
      yield e as EntryDoc;
      read++;
    }
    if (batch.length < HEAD_BATCH) return;
    afterSeq = batch[batch.length - 1]!.seq;
  }
}

export interface ExtractionResult {
  extractedFen: number;
  payouts: number;
}

/** 提取: pay the queue's eligible entries from this line's cash, up to what they absorb. */
export async function extractForLine(tx: Tx, order: OrderDoc, scope: LineScope, config: PluginConfig, mv: Movements): Promise<ExtractionResult> {
  const rules = lineRebateRules(scope, config);
  if (!rules.enabled || config.rebate.paused) return { extractedFen: 0, payouts: 0 };
  const budget = mulBpFloor(scope.line.cashFen, rules.extractionBp);
  if (budget === 0) return { extractedFen: 0, payouts: 0 };

  const head: EntryDoc[] = [];
  const payable: PayableEntry[] = [];
  let absorbable = 0;
  for await (const e of payableHead(tx, rules.queueKey, config, order._id)) {
    // a lottery entry whose fallback ratio gives ¥0 waits for its draw: nothing to pay it yet
    if (e.entitlementFen - e.receivedFen <= 0) continue;
    head.push(e);
    payable.push({ id: e._id, remainingFen: e.entitlementFen - e.receivedFen });
    absorbable += e.entitlementFen - e.receivedFen;
    if (absorbable >= budget) break;
  }
  const result = runWaterfall(budget, payable);
  let completed = 0;
  for (const [i, p] of result.payouts.entries()) {
    const e = head[i]!;
    await col(tx.db, 'entries').updateOne(
      { _id: e._id },
      {
        $inc: { receivedFen: p.amountFen },
        $set: {
          ...(e.firstPaidAt ? {} : { firstPaidAt: tx.now }),
          ...(p.completes ? { status: 'completed', closedAt: tx.now } : {}),
        },
      },
      s(tx),
    );
    mv.move(acct.orderClearing(order._id), acct.userCash(e.userId), p.amountFen, `${config.rebate.name}`);
    mv.move(acct.userQueueEntitlement(e.userId), acct.queueEntitlementIssuer, p.amountFen, `${config.rebate.name}到账`);
    if (p.completes) completed++;
    await queueOutbox(tx, e.userId, p.completes ? 'completed' : 'payout', {
      amount: String(p.amountFen),
      entryId: e._id,
      queue: rules.queueName,
    });
  }
  if (result.extractedFen > 0) {
    await col(tx.db, 'queues').updateOne(
      { _id: rules.queueKey },
      { $inc: { pendingFen: -result.extractedFen, paidFen: result.extractedFen, pendingCount: -completed } },
      s(tx),
    );
    await addInflow(tx, `queue:${rules.queueKey}`, result.extractedFen);
  }
  return { extractedFen: result.extractedFen, payouts: result.payouts.length };
}

/** Daily inflow per target (queue, union pool, green pool), for the liability dashboard's 7/30-day figures. */
export async function addInflow(tx: Tx, target: string, fen: number): Promise<void> {
  if (fen <= 0) return;
  const day = shanghaiDay(tx.now);
  await col(tx.db, 'inflows').updateOne({ _id: `${target}|${day}` }, { $inc: { fen }, $setOnInsert: { target, day } }, { ...s(tx), upsert: true });
}

/** Completed spend of a shopper within `days` before `at`: mall (self-operated + supplier) or one store (cashier + online). */
async function spendWithin(tx: Tx, order: OrderDoc, scope: LineScope, source: RatioSource, days: number, at: Date): Promise<number> {
  const userId = order.userId;
  const storeScoped = source !== 'product' && source !== 'plugin' ? true : scope.source.kind !== 'mall';
  const filter = {
    userId,
    // the order being settled may already be completed (settlement on completion): its own spend does not count
    _id: { $ne: order._id },
    status: 'completed' as const,
    completedAt: { $gte: new Date(at.getTime() - days * 86_400_000), $lte: at },
    ...(storeScoped ? { storeId: scope.store?._id ?? null } : { kind: 'mall' as const }),
  };
  let sum = 0;
  for await (const o of col(tx.db, 'orders').find(filter, { ...s(tx), projection: { cashFen: 1 } })) sum += o.cashFen;
  return sum;
}

async function takeLimitSlot(tx: Tx, userId: string, limits: { scope: string; limits: { perDay?: number | null; total?: number | null } }[], at: Date): Promise<boolean> {
  const day = shanghaiDay(at);
  const counters = col(tx.db, 'counters');
  for (const { scope, limits: l } of limits) {
    if (l.perDay != null && ((await counters.findOne({ _id: `limit|${userId}|${scope}|${day}` }, s(tx)))?.count ?? 0) >= l.perDay) return false;
    if (l.total != null && ((await counters.findOne({ _id: `limit|${userId}|${scope}|total` }, s(tx)))?.count ?? 0) >= l.total) return false;
  }
  for (const { scope } of limits) {
    for (const id of [`limit|${userId}|${scope}|${day}`, `limit|${userId}|${scope}|total`]) {
      await counters.updateOne({ _id: id }, { $inc: { count: 1 } }, { ...s(tx), upsert: true });
    }
  }
  return true;
}

export type EnqueueOutcome = { entryId: string; converted: boolean } | { skipped: 'disabled' | 'deduction' | 'window' | 'limit' | 'zero' };

/** 入队: a new entry at the tail of the line's queue (or, by random return, straight to points). */
export async function enqueueForLine(tx: Tx, order: OrderDoc, scope: LineScope, config: PluginConfig, random: Random, mv: Movements): Promise<EnqueueOutcome> {
  const rules = lineRebateRules(scope, config);
  if (!rules.enabled) return { skipped: 'disabled' };
  if (config.rebate.deductionMode === 'extractOnly' && (order.deduct.points > 0 || order.deduct.love > 0)) return { skipped: 'deduction' };
  const orderTime = order.paidAt ?? order.createdAt;
  if (!rules.windows.every((w) => insideRewardWindow(w, orderTime))) return { skipped: 'window' };

  const spend = new Map<string, number>();
  for (const q of spendQueries(rules.chain)) spend.set(`${q.source}|${q.days}`, await spendWithin(tx, order, scope, q.source, q.days, order.createdAt));
  const ratio = resolveRatio(rules.chain, { levelId: order.levelId, spendFen: (src, days) => spend.get(`${src}|${days}`) ?? 0 });
  const entitlementFen = mulBpFloor(scope.line.cashFen, ratio.ratioBp);
  if (entitlementFen === 0 && !ratio.lottery) return { skipped: 'zero' };
  if (!(await takeLimitSlot(tx, order.userId, rules.limits, orderTime))) return { skipped: 'limit' };

  const queue = (await col(tx.db, 'queues').findOneAndUpdate(
    { _id: rules.queueKey },
    {
      $inc: { nextSeq: 1, entryCount: 1 },
      $setOnInsert: { name: rules.queueName, kind: scope.source.kind, pendingCount: 0, pendingFen: 0, paidFen: 0, rr: null, createdAt: tx.now },
    },
    { ...s(tx), upsert: true, returnDocument: 'after' },
  )) as QueueDoc;
  const seq = queue.nextSeq;

  // 随机返: which slot of the current group this entry takes, and whether that slot gets cash.
  let converted = false;
  if (rules.randomReturn.enabled) {
    const size = rules.randomReturn.cashCount + rules.randomReturn.pointsCount;
    let rr = queue.rr;
    if (!rr || rr.size !== size || rr.slot >= rr.size) rr = { size, slot: 0, cashSlots: pickCashSlots(rules.randomReturn, random) };
    converted = !rr.cashSlots.includes(rr.slot);
    await col(tx.db, 'queues').updateOne({ _id: rules.queueKey }, { $set: { rr: { ...rr, slot: rr.slot + 1 } } }, s(tx));
  }

  const entry: EntryDoc = {
    _id: newId('E'),
    queueKey: rules.queueKey,
    seq,
    userId: order.userId,
    orderId: order._id,
    lineIndex: scope.index,
    source: scope.source,
    baseFen: scope.line.cashFen,
    ratioBp: ratio.ratioBp,
    ratioRule: ratio.rule,
    ratioSource: ratio.source,
    entitlementFen,
    receivedFen: 0,
    status: 'pending',
    orderDone: order.status === 'completed',
    lottery: ratio.lottery && !converted ? { rule: ratio.lottery.rule, source: ratio.lottery.source, drawnBp: null, drawnAt: null } : null,
    convertedToPoints: converted,
    exchanged: null,
    createdAt: tx.now,
    firstPaidAt: null,
    closedAt: null,
  };
  if (converted) {
    const points = exchangeAmount(entitlementFen, 'points', config) ?? 0;
    entry.status = 'completed';
    entry.closedAt = tx.now;
    entry.exchanged = { to: 'points', amount: points, remainingFen: entitlementFen };
    mv.move(acct.pointsIssuer, acct.userPoints(order.userId), points, '随机返积分');
  } else {
    mv.move(acct.queueEntitlementIssuer, acct.userQueueEntitlement(order.userId), entitlementFen, `${config.rebate.name}权益`);
    await col(tx.db, 'queues').updateOne({ _id: rules.queueKey }, { $inc: { pendingCount: 1, pendingFen: entitlementFen } }, s(tx));
  }
  await col(tx.db, 'entries').insertOne(entry, s(tx));
  return { entryId: entry._id, converted };
}

async function ownEntry(tx: Tx, entryId: string, userId: string): Promise<EntryDoc> {
  const e = await col(tx.db, 'entries').findOne({ _id: entryId }, s(tx));
  if (!e || e.userId !== userId) throw new AppError('NOT_FOUND', '找不到该排队记录');
  return e as EntryDoc;
}

/** 抽奖: once per entry, only before its first payout; the drawn ratio replaces the ratio. */
export async function drawForEntry(tx: Tx, entryId: string, userId: string, random: Random, mv: Movements) {
  const e = await ownEntry(tx, entryId, userId);
  if (!e.lottery) throw new AppError('INVALID_INPUT', '该排队记录没有抽奖资格');
  if (e.lottery.drawnBp !== null) throw new AppError('LOTTERY_USED');
  if (e.status !== 'pending' || e.receivedFen > 0) throw new AppError('CONFLICT', '已开始返还或已结束，不能再抽奖');
  const outcome = drawLottery(e.lottery.rule, random);
  const entitlementFen = mulBpFloor(e.baseFen, outcome.ratioBp);
  // The draw record's primary key is the entry id: a second draw fails on the unique key even if two race.
  await col(tx.db, 'draws').insertOne(
    {
      _id: e._id,
      userId,
      rule: e.lottery.rule,
      roll: outcome.roll,
      rollRange: outcome.rollRange,
      ratioBeforeBp: e.ratioBp,
      ratioAfterBp: outcome.ratioBp,
      entitlementBeforeFen: e.entitlementFen,
      entitlementAfterFen: entitlementFen,
      at: tx.now,
    },
    s(tx),
  );
  const delta = entitlementFen - e.entitlementFen;
  const completes = entitlementFen === 0;
  await col(tx.db, 'entries').updateOne(
    { _id: e._id },
    {
      $set: {
        ratioBp: outcome.ratioBp,
        ratioRule: 'lottery',
        ratioSource: e.lottery.source,
        entitlementFen,
        'lottery.drawnBp': outcome.ratioBp,
        'lottery.drawnAt': tx.now,
        ...(completes ? { status: 'completed', closedAt: tx.now } : {}),
      },
    },
    s(tx),
  );
  if (delta > 0) mv.move(acct.queueEntitlementIssuer, acct.userQueueEntitlement(userId), delta, '抽奖调整权益');
  if (delta < 0) mv.move(acct.userQueueEntitlement(userId), acct.queueEntitlementIssuer, -delta, '抽奖调整权益');
  await col(tx.db, 'queues').updateOne({ _id: e.queueKey }, { $inc: { pendingFen: delta, pendingCount: completes ? -1 : 0 } }, s(tx));
  await queueOutbox(tx, userId, 'lottery', { entryId: e._id, ratio: `${outcome.ratioBp / 100}%`, amount: String(entitlementFen) });
  return { entryId: e._id, ratioBp: outcome.ratioBp, entitlementFen, previousRatioBp: e.ratioBp };
}

/** 兑换: the unpaid remainder becomes points, love value or vouchers; the entry leaves the queue. */
export async function exchangeEntry(tx: Tx, entryId: string, userId: string, to: ExchangeTarget, config: PluginConfig, mv: Movements) {
  const e = await ownEntry(tx, entryId, userId);
  if (e.status !== 'pending') throw new AppError('CONFLICT', '该排队记录已结束，不能兑换');
  const remainingFen = e.entitlementFen - e.receivedFen;
  const amount = exchangeAmount(remainingFen, to, config);
  if (amount === null) throw new AppError('INVALID_INPUT', `暂未开放兑换为${to === 'points' ? '积分' : to === 'love' ? '爱心值' : '购物券'}`);
  const target =
    to === 'points' ? [acct.pointsIssuer, acct.userPoints(userId)] : to === 'love' ? [acct.loveIssuer, config.rebate.exchange.loveFrozen ? acct.userLoveFrozen(userId) : acct.userLove(userId)] : [acct.voucherIssuer, acct.userVoucher(userId)];
  mv.move(target[0]!, target[1]!, amount, `${config.rebate.exchangeName}`);
  mv.move(acct.userQueueEntitlement(userId), acct.queueEntitlementIssuer, remainingFen, `${config.rebate.exchangeName}`);
  await col(tx.db, 'entries').updateOne({ _id: e._id, status: 'pending' }, { $set: { status: 'exchanged', closedAt: tx.now, exchanged: { to, amount, remainingFen } } }, s(tx));
  await col(tx.db, 'queues').updateOne({ _id: e.queueKey }, { $inc: { pendingFen: -remainingFen, pendingCount: -1 } }, s(tx));
  return { entryId: e._id, to, amount, remainingFen, frozen: to === 'love' && config.rebate.exchange.loveFrozen };
}

/** Completion makes an order's entries payable under the completed-first ordering. */
export async function markOrderEntriesDone(tx: Tx, orderId: string): Promise<void> {
  await col(tx.db, 'entries').updateMany({ orderId }, { $set: { orderDone: true } }, s(tx));
}

/** Close one pending entry, writing off its unpaid remainder (refund → cancelled, reset → expired). */
async function closeEntry(tx: Tx, e: EntryDoc, status: 'cancelled' | 'expired', memo: string, mv: Movements): Promise<number> {
  const remainingFen = e.entitlementFen - e.receivedFen;
  await col(tx.db, 'entries').updateOne({ _id: e._id, status: 'pending' }, { $set: { status, closedAt: tx.now } }, s(tx));
  mv.move(acct.userQueueEntitlement(e.userId), acct.queueEntitlementIssuer, remainingFen, memo);
  await col(tx.db, 'queues').updateOne({ _id: e.queueKey }, { $inc: { pendingFen: -remainingFen, pendingCount: -1 } }, s(tx));
  return remainingFen;
}

/** A refund cancels the unpaid remainder of the order's entries. */
export async function cancelOrderEntries(tx: Tx, orderId: string, mv: Movements): Promise<number> {
  let written = 0;
  for (const e of await col(tx.db, 'entries').find({ orderId, status: 'pending' }, s(tx)).toArray()) {
    written += await closeEntry(tx, e as EntryDoc, 'cancelled', '退款取消权益', mv);
  }
  return written;
}

/** 队列奖励清零: expire up to `limit` entries created before the reset instant; returns how many and how much was written off. */
export async function expireChunk(tx: Tx, before: Date, limit: number, mv: Movements): Promise<{ count: number; fen: number }> {
  const batch = await col(tx.db, 'entries').find({ status: 'pending', createdAt: { $lt: before } }, s(tx)).sort({ createdAt: 1 }).limit(limit).toArray();
  let fen = 0;
  for (const e of batch) fen += await closeEntry(tx, e as EntryDoc, 'expired', '队列奖励清零', mv);
  return { count: batch.length, fen };
}
