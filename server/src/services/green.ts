import type { GreenStateView } from '../../../shared/views';
import { acct } from '../engine/ledger/accounts';
import type { PluginConfig } from '../engine/config/types';
import { burn, exitPriceKey, launchState, lotAfterTake, mint, price, pricePerPointFen, takeFromLots, valueOf, type GreenState } from '../engine/green/pool';
import { shanghaiDay } from '../engine/time';
import { mulBpFloor } from '../money/units';
import { AppError } from '../runtime/errors';
import { col, s, type Tx } from '../repo/db';
import type { GreenStateDoc, OrderDoc } from '../repo/documents';
import { newId } from '../repo/ids';
import { loadConfig } from './config';
import { postEvent, userBook } from './events';
import { Movements } from './movements';

/**
 * 绿色积分 on the database (SPEC §5). The pool's state document holds pool fen and total units;
 * the journal's CASH:pool:green and GREEN:issuer say the same (verifyLedger checks). Each
 * purchase makes a lot (the settler mints it: engine/settlement); points leave lots oldest
 * first; a lot whose value reaches the exit multiple is withdrawn automatically by the settler,
 * which runs the exit cascade whenever the pool's version changed.
 */

export async function loadGreen(tx: Tx, config: PluginConfig): Promise<GreenStateDoc> {
  const doc = await col(tx.db, 'green_state').findOne({ _id: 'green' }, s(tx));
  if (doc) return doc;
  const l = launchState(config.green.launchPriceFen);
  return { _id: 'green', ...l, inflowFen: 0, paidOutFen: 0, version: 0 };
}

const stateOf = (d: GreenStateDoc): GreenState => ({ poolFen: d.poolFen, totalUnits: d.totalUnits, lastPriceNum: d.lastPriceNum, lastPriceDen: d.lastPriceDen });

/** Save the new pool state and the day's price (open/close) for the history chart. */
async function saveGreen(tx: Tx, before: GreenStateDoc, next: GreenState, inflowFen: number, paidOutFen: number): Promise<void> {
  // the version tells the settler the pool changed: lots may now be due to exit (it runs the cascade)
  await col(tx.db, 'green_state').updateOne(
    { _id: 'green' },
    { $set: { ...next }, $inc: { inflowFen, paidOutFen, version: 1 } },
    { ...s(tx), upsert: true },
  );
  const p = price(next);
  const open = price(stateOf(before));
  await col(tx.db, 'green_days').updateOne(
    { _id: shanghaiDay(tx.now) },
    {
      $set: { closeNum: Number(p.num), closeDen: Number(p.den), updatedAt: tx.now },
      $setOnInsert: { openNum: Number(open.num), openDen: Number(open.den) },
    },
    { ...s(tx), upsert: true },
  );
}

/** Take units from a shopper's lots, oldest first; returns the basis that moved. */
async function takeUnits(tx: Tx, userId: string, units: number, config: PluginConfig) {
  const lots = await col(tx.db, 'green_lots').find({ userId, status: 'active' }, s(tx)).sort({ createdAt: 1, _id: 1 }).toArray();
  const held = lots.reduce((a, l) => a + l.units, 0);
  if (held < units) throw new AppError('INSUFFICIENT_BALANCE', '绿色积分不足');
  const takes = takeFromLots(lots, units);
  for (const t of takes) {
    const lot = lots.find((l) => l._id === t.lotId)!;
    await col(tx.db, 'green_lots').updateOne({ _id: lot._id }, { $set: lotAfterTake(lot, t, config.green.exitMultipleBp) }, s(tx));
  }
  return takes;
}

/**
 * The journal key of a shopper's green withdrawal or transfer: from the client's request id when
 * it sent one (a retry repeats it, and the journal's unique key refuses a second posting), else fresh.
 */
export const greenEventKey = (kind: 'withdraw' | 'transfer', userId: string, requestId: string | undefined) =>
  requestId ? `green.${kind}:${userId}:${requestId}` : `green.${kind}:${newId(kind === 'withdraw' ? 'GW' : 'GT')}`;

/** Voluntary withdrawal: burn units, pay their value minus the fee to CASH; the fee stays in the pool. */
export async function withdrawGreen(tx: Tx, userId: string, units: number, requestId?: string) {
  const config = await loadConfig(tx);
  const before = await loadGreen(tx, config);
  await takeUnits(tx, userId, units, config);
  const r = burn(stateOf(before), units, config.green.withdrawFeeBp);
  const mv = new Movements();
  mv.move(acct.userGreen(userId), acct.greenIssuer, units, '绿色积分提现');
  mv.move(acct.greenPool, acct.userCash(userId), r.paidFen, '绿色积分提现到账');
  await saveGreen(tx, before, r.state, 0, r.paidFen);
  await postEvent(tx, userBook(userId), greenEventKey('withdraw', userId, requestId), 'green.withdraw', mv, { units });
  return { units, valueFen: r.valueFen, feeFen: r.feeFen, paidFen: r.paidFen, pricePerPointFen: pricePerPointFen(r.state) };
}

/** Transfer: units and their consumption basis move to another shopper as new lots. */
export async function transferGreen(tx: Tx, fromUserId: string, toUserId: string, units: number, requestId?: string) {
  if (fromUserId === toUserId) throw new AppError('INVALID_INPUT', '不能转给自己');
  const to = await col(tx.db, 'users').findOne({ _id: toUserId }, s(tx));
  if (!to) throw new AppError('NOT_FOUND', '找不到收款用户');
  const config = await loadConfig(tx);
  const takes = await takeUnits(tx, fromUserId, units, config);
  for (const t of takes) {
    const lot = { units: t.units, consumptionFen: t.consumptionFen };
    await col(tx.db, 'green_lots').insertOne(
      { _id: newId('L'), userId: toUserId, orderId: null, ...lot, exitKey: exitPriceKey(lot, config.green.exitMultipleBp), status: 'active', createdAt: tx.now },
      s(tx),
    );
  }
  const mv = new Movements();
  mv.move(acct.userGreen(fromUserId), acct.userGreen(toUserId), units, '绿色积分转赠');
  await postEvent(tx, userBook(fromUserId), greenEventKey('transfer', fromUserId, requestId), 'green.transfer', mv, { to: toUserId, units });
  return { units, toUserId };
}

/**
 * Spending in the mall: the units are burned at the current price without fee, their value
 * (floored) moves from the pool to the order's clearing account. Paying at most the value keeps
 * the price from falling.
 */
export async function spendGreen(tx: Tx, userId: string, orderId: string, units: number, mv: Movements): Promise<{ fen: number; basisFen: number }> {
  const config = await loadConfig(tx);
  if (!config.green.enabled) throw new AppError('INVALID_INPUT', '绿色积分未开启');
  const before = await loadGreen(tx, config);
  const takes = await takeUnits(tx, userId, units, config);
  const r = burn(stateOf(before), units, 0);
  mv.move(acct.userGreen(userId), acct.greenIssuer, units, '绿色积分抵扣');
  mv.move(acct.greenPool, acct.orderClearing(orderId), r.paidFen, '绿色积分抵扣');
  await saveGreen(tx, before, r.state, 0, r.paidFen);
  return { fen: r.paidFen, basisFen: takes.reduce((a, t) => a + t.consumptionFen, 0) };
}

/** Return a green deduction (cancelled or refunded order): its fen go back into the pool and are minted at today's price. */
export async function restoreGreen(tx: Tx, order: OrderDoc, mv: Movements): Promise<void> {
  const fen = order.deduct.greenFen;
  if (fen === 0) return;
  const config = await loadConfig(tx);
  const before = await loadGreen(tx, config);
  const r = mint(stateOf(before), fen, 10_000);
  mv.move(acct.orderClearing(order._id), acct.greenPool, fen, '退回绿色积分抵扣');
  mv.move(acct.greenIssuer, acct.userGreen(order.userId), r.units, '退回绿色积分抵扣');
  if (r.units > 0) {
    // the returned points keep the basis they were spent with: a basis of 0 would make them exit at once
    const lot = { units: r.units, consumptionFen: order.deduct.greenBasisFen ?? 0 };
    await col(tx.db, 'green_lots').insertOne(
      { _id: `lot:${order._id}:returned`, userId: order.userId, orderId: order._id, ...lot, exitKey: exitPriceKey(lot, config.green.exitMultipleBp), status: 'active', createdAt: tx.now },
      s(tx),
    );
  }
  await saveGreen(tx, before, r.state, 0, 0);
}

/** A refunded order's lot: its remaining units are burned without payout (the money stays in the pool). */
export async function voidOrderLot(tx: Tx, order: OrderDoc, mv: Movements): Promise<void> {
  const lot = await col(tx.db, 'green_lots').findOne({ _id: `lot:${order._id}`, status: 'active' }, s(tx));
  if (!lot || lot.units === 0) return;
  const config = await loadConfig(tx);
  const before = await loadGreen(tx, config);
  const r = burn(stateOf(before), lot.units, 10_000); // the whole value is a "fee": nothing leaves the pool
  mv.move(acct.userGreen(order.userId), acct.greenIssuer, lot.units, '退款收回绿色积分');
  await col(tx.db, 'green_lots').updateOne({ _id: lot._id }, { $set: { units: 0, consumptionFen: 0, status: 'empty' } }, s(tx));
  await saveGreen(tx, before, r.state, 0, 0);
}

export async function greenView(tx: Tx): Promise<GreenStateView> {
  const config = await loadConfig(tx);
  const st = await loadGreen(tx, config);
  const days = await col(tx.db, 'green_days').find({}, s(tx)).sort({ _id: -1 }).limit(60).toArray();
  const perPoint = (num: number, den: number) => (den > 0 ? Math.floor(((num * 10_000) / den) * 10_000) / 10_000 : 0);
  return {
    enabled: config.green.enabled,
    poolFen: st.poolFen,
    totalUnits: st.totalUnits,
    pricePerPointFen: pricePerPointFen(stateOf(st)),
    withdrawFeeBp: config.green.withdrawFeeBp,
    exitMultipleBp: config.green.exitMultipleBp,
    /** the price with no points outstanding at launch (the chart's reference line) */
    launchPriceFen: config.green.launchPriceFen,
    history: days.reverse().map((d) => ({ day: d._id, openFen: perPoint(d.openNum, d.openDen), closeFen: perPoint(d.closeNum, d.closeDen) })),
  };
}

export async function myGreen(tx: Tx, userId: string) {
  const config = await loadConfig(tx);
  const st = stateOf(await loadGreen(tx, config));
  const lots = await col(tx.db, 'green_lots').find({ userId, status: { $in: ['active', 'exited'] } }, s(tx)).sort({ createdAt: -1 }).limit(100).toArray();
  const units = lots.filter((l) => l.status === 'active').reduce((a, l) => a + l.units, 0);
  return {
    units,
    valueFen: valueOf(st, units),
    pricePerPointFen: pricePerPointFen(st),
    lots: lots.map((l) => ({
      lotId: l._id,
      orderId: l.orderId,
      units: l.units,
      consumptionFen: l.consumptionFen,
      valueFen: l.status === 'active' ? valueOf(st, l.units) : 0,
      exitAtFen: mulBpFloor(l.consumptionFen, config.green.exitMultipleBp),
      status: l.status,
      createdAt: l.createdAt,
    })),
  };
}
