import { addDays, shanghaiDay } from '../engine/time';
import { pricePerPointFen } from '../engine/green/pool';
import { col, s, type Tx } from '../repo/db';
import { loadConfig } from './config';
import { loadGreen } from './green';

/**
 * 负债看板 (SPEC §7): what is owed per queue and pool, real inflow over 7/30 days, and an
 * estimated clearance time for the tail of each queue from that inflow. Estimates are for the
 * operator only; shoppers are never shown a date.
 */

async function inflowSince(tx: Tx, target: string, fromDay: string): Promise<number> {
  let fen = 0;
  for await (const d of col(tx.db, 'inflows').find({ target, day: { $gte: fromDay } }, s(tx))) fen += d.fen;
  return fen;
}

function clearanceDays(owedFen: number, inflow30Fen: number): number | null {
  if (owedFen === 0) return 0;
  if (inflow30Fen === 0) return null; // no inflow: cannot be estimated
  return Math.ceil((owedFen * 30) / inflow30Fen);
}

export async function liabilityDashboard(tx: Tx) {
  const config = await loadConfig(tx);
  const today = shanghaiDay(tx.now);
  const d7 = addDays(today, -6);
  const d30 = addDays(today, -29);
  const queues = [];
  for (const q of await col(tx.db, 'queues').find({}, s(tx)).sort({ pendingFen: -1 }).limit(200).toArray()) {
    const inflow7Fen = await inflowSince(tx, `queue:${q._id}`, d7);
    const inflow30Fen = await inflowSince(tx, `queue:${q._id}`, d30);
    queues.push({
      queueKey: q._id,
      name: q.name,
      pendingCount: q.pendingCount,
      outstandingFen: q.pendingFen,
      paidFen: q.paidFen,
      entryCount: q.entryCount,
      inflow7Fen,
      inflow30Fen,
      estimatedClearanceDays: clearanceDays(q.pendingFen, inflow30Fen),
    });
  }
  const union = await col(tx.db, 'union_state').findOne({ _id: 'union' }, s(tx));
  const unionInflow30 = await inflowSince(tx, 'pool:union', d30);
  const green = await loadGreen(tx, config);
  const greenValueFen = green.totalUnits > 0 ? green.poolFen : 0;
  const withdrawals = await col(tx.db, 'withdrawals').find({ status: 'pending' }, s(tx)).toArray();
  return {
    asOf: tx.now,
    queues,
    queueOutstandingFen: queues.reduce((a, q) => a + q.outstandingFen, 0),
    union: {
      enabled: config.union.enabled,
      // the pool's balance, with what a running release has set aside for the entries it counted and not paid yet
      poolFen: (union?.poolFen ?? 0) + (union?.heldFen ?? 0),
      releasingFen: union?.heldFen ?? 0,
      outstandingFen: union?.pendingFen ?? 0,
      pendingCount: union?.pendingCount ?? 0,
      releasedFen: union?.releasedFen ?? 0,
      inflow7Fen: await inflowSince(tx, 'pool:union', d7),
      inflow30Fen: unionInflow30,
      // the pool already covers part of what is owed; the rest waits for inflow
      estimatedClearanceDays: clearanceDays(Math.max(0, (union?.pendingFen ?? 0) - (union?.poolFen ?? 0) - (union?.heldFen ?? 0)), unionInflow30),
    },
    green: {
      enabled: config.green.enabled,
      poolFen: green.poolFen,
      totalUnits: green.totalUnits,
      pricePerPointFen: pricePerPointFen(green),
      /** all points at today's price are backed by exactly the pool */
      pointsValueFen: greenValueFen,
      /** what exits of the cascade owe their holders until the payout steps (set aside from the pool, not in poolFen) */
      exitPayoutsFen: green.exitHeldFen ?? 0,
      inflow7Fen: await inflowSince(tx, 'pool:green', d7),
      inflow30Fen: await inflowSince(tx, 'pool:green', d30),
    },
    withdrawals: { pendingCount: withdrawals.length, pendingFen: withdrawals.reduce((a, w) => a + w.amountFen, 0) },
  };
}
