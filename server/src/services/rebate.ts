import { EXCHANGE_TARGET_TEXT } from '../../../shared/contract';
import { acct } from '../engine/ledger/accounts';
import type { PluginConfig } from '../engine/config/types';
import { drawEffect, drawLottery, drawOpen, type Random } from '../engine/rebate/lottery';
import { exchangeAmount, type ExchangeTarget } from '../engine/rebate/rules';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { EntryDoc } from '../repo/documents';
import type { Movements } from './movements';
import { queueOutbox } from './outbox/queue';

/**
 * 排队返利 on the database, outside settlement: the lottery, exchange, completion and
 * cancellation of entries. (Extraction and new entries are the settler's: engine/settlement.)
 * Every function runs inside the caller's business-event transaction and adds its value
 * movements to the event's journal. A position is never stored, so no other entry is rewritten.
 */

async function ownEntry(tx: Tx, entryId: string, userId: string): Promise<EntryDoc> {
  const e = await col(tx.db, 'entries').findOne({ _id: entryId }, s(tx));
  if (!e || e.userId !== userId) throw new AppError('NOT_FOUND', '找不到该排队记录');
  return e as EntryDoc;
}

/** 抽奖: once per entry, only before its first payout; the drawn ratio replaces the ratio. */
export async function drawForEntry(tx: Tx, entryId: string, userId: string, random: Random, mv: Movements) {
  const e = await ownEntry(tx, entryId, userId);
  const open = drawOpen(e);
  if (open === 'noLottery') throw new AppError('INVALID_INPUT', '该排队记录没有抽奖资格');
  if (open === 'used') throw new AppError('LOTTERY_USED');
  if (open === 'closed') throw new AppError('CONFLICT', '已开始返还或已结束，不能再抽奖');
  const lottery = e.lottery!;
  const outcome = drawLottery(lottery.rule, random);
  const { entitlementFen, deltaFen: delta, completes } = drawEffect(e, outcome.ratioBp);
  // The draw record's primary key is the entry id: a second draw fails on the unique key even if two race.
  await col(tx.db, 'draws').insertOne(
    {
      _id: e._id,
      userId,
      rule: lottery.rule,
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
  await col(tx.db, 'entries').updateOne(
    { _id: e._id },
    {
      $set: {
        ratioBp: outcome.ratioBp,
        ratioRule: 'lottery',
        ratioSource: lottery.source,
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
  await queueOutbox(tx, userId, 'lottery', { entryId: e._id, ratio: `${outcome.ratioBp / 100}%`, ratioBp: String(outcome.ratioBp), amount: String(entitlementFen) });
  return { entryId: e._id, ratioBp: outcome.ratioBp, entitlementFen, previousRatioBp: e.ratioBp };
}

/** 兑换: the unpaid remainder becomes points, love value or vouchers; the entry leaves the queue. */
export async function exchangeEntry(tx: Tx, entryId: string, userId: string, to: ExchangeTarget, config: PluginConfig, mv: Movements) {
  const e = await ownEntry(tx, entryId, userId);
  if (e.status !== 'pending') throw new AppError('CONFLICT', '该排队记录已结束，不能兑换');
  const remainingFen = e.entitlementFen - e.receivedFen;
  const amount = exchangeAmount(remainingFen, to, config);
  if (amount === null) throw new AppError('INVALID_INPUT', `暂未开放兑换为${EXCHANGE_TARGET_TEXT[to]}`);
  // [issuer, the shopper's account] per target: a new target fails to compile until it is credited somewhere
  const targets: Record<ExchangeTarget, () => [string, string]> = {
    points: () => [acct.pointsIssuer, acct.userPoints(userId)],
    love: () => [acct.loveIssuer, config.rebate.exchange.loveFrozen ? acct.userLoveFrozen(userId) : acct.userLove(userId)],
    voucher: () => [acct.voucherIssuer, acct.userVoucher(userId)],
  };
  const target = targets[to]();
  mv.move(target[0]!, target[1]!, amount, `${config.rebate.exchangeName}`);
  mv.move(acct.userQueueEntitlement(userId), acct.queueEntitlementIssuer, remainingFen, `${config.rebate.exchangeName}`);
  // where the credit went is recorded with it: a refund takes it back from exactly this account, whatever the settings say by then
  await col(tx.db, 'entries').updateOne({ _id: e._id, status: 'pending' }, { $set: { status: 'exchanged', closedAt: tx.now, exchanged: { to, amount, remainingFen, account: target[1]! } } }, s(tx));
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
