import { acct } from '../engine/ledger/accounts';
import type { PluginConfig } from '../engine/config/types';
import { mulBpFloor } from '../money/units';
import type { Random } from '../engine/rebate/lottery';
import { col, s, type Store, type Tx } from '../repo/db';
import type { OrderDoc, SettlementSummary } from '../repo/documents';
import { greenOnSettle, runExitCascade } from './green';
import type { Movements } from './movements';
import { enqueueForLine, extractForLine } from './rebate';
import type { LineScope } from './rebate-rules';
import { accelerateReferrer, unionOnSettle } from './union';

/**
 * Settlement of a paid order (on payment or on completion, per settings): the three schemes
 * each take their share from the order's clearing account, in a fixed order:
 *   1. queue-rebate extraction for every line (pays earlier entries; never this order's own),
 *   2. union pool inflow + union entries, acceleration to the direct referrer (from the pool),
 *   3. green pool inflow + minted lot,
 *   4. new queue entries for the buyer.
 * What is left in clearing goes to revenue at completion, after commission and recruiter reward.
 */

export async function lineScopes(tx: Tx, order: OrderDoc): Promise<LineScope[]> {
  const store = order.storeId ? await col(tx.db, 'stores').findOne({ _id: order.storeId }, s(tx)) : null;
  const cashier = order.cashierId ? await col(tx.db, 'cashiers').findOne({ _id: order.cashierId }, s(tx)) : null;
  const scopes: LineScope[] = [];
  for (const [index, line] of order.lines.entries()) {
    const product = line.productId ? await col(tx.db, 'products').findOne({ _id: line.productId }, s(tx)) : null;
    const source =
      order.kind === 'cashier'
        ? { kind: 'cashier' as const, cashierId: order.cashierId! }
        : order.kind === 'store'
          ? { kind: 'store' as const, storeId: order.storeId! }
          : { kind: 'mall' as const, productId: line.productId! };
    scopes.push({ line, index, source, product, store, cashier });
  }
  return scopes;
}

export async function settleOrder(tx: Tx, store: Store, order: OrderDoc, config: PluginConfig, random: Random, mv: Movements): Promise<OrderDoc> {
  const scopes = await lineScopes(tx, order);
  let clearing = order.clearingFen;
  let extractedFen = 0;
  let payouts = 0;
  for (const scope of scopes) {
    const r = await extractForLine(tx, order, scope, config, mv);
    extractedFen += r.extractedFen;
    payouts += r.payouts;
  }
  clearing -= extractedFen;

  const union = await unionOnSettle(tx, { ...order, clearingFen: clearing }, scopes, config, mv);
  clearing -= union.inflowFen;
  const buyer = await col(tx.db, 'users').findOne({ _id: order.userId }, s(tx));
  const accelerationFen = await accelerateReferrer(tx, order, buyer?.referrerId ?? null, config, mv);

  const green = await greenOnSettle(tx, { ...order, clearingFen: clearing }, config, mv);
  clearing -= green.inflowFen;
  if (green.inflowFen > 0) tx.afterCommit(async () => void (await runExitCascade(store, tx.now)));

  const entries: string[] = [];
  for (const scope of scopes) {
    const r = await enqueueForLine(tx, order, scope, config, random, mv);
    if ('entryId' in r) entries.push(r.entryId);
  }

  const settlement: SettlementSummary = {
    extractedFen,
    payouts,
    entries,
    unionInflowFen: union.inflowFen,
    greenInflowFen: green.inflowFen,
    greenUnits: green.units,
    commissionFen: 0,
    recruiterFen: 0,
    accelerationFen,
    revenueFen: 0,
  };
  await col(tx.db, 'orders').updateOne({ _id: order._id }, { $set: { settledAt: tx.now, settlement, clearingFen: clearing } }, s(tx));
  return { ...order, settledAt: tx.now, settlement, clearingFen: clearing };
}

/** The account that keeps an order's remainder: the store's for store and cashier orders, the platform's for the mall. */
export const revenueAccount = (order: OrderDoc) => (order.storeId ? acct.storeRevenue(order.storeId) : acct.platformRevenue);

/**
 * At completion (after the refund window): one-level commission to the buyer's direct referrer,
 * recruiter reward to whoever invited the store, and the rest of the clearing account to revenue.
 */
export async function distributeOnComplete(tx: Tx, order: OrderDoc, config: PluginConfig, mv: Movements): Promise<OrderDoc> {
  let clearing = order.clearingFen;
  const buyer = await col(tx.db, 'users').findOne({ _id: order.userId }, s(tx));
  let commissionFen = 0;
  if (buyer?.referrerId && config.referral.commissionBp > 0) {
    commissionFen = Math.min(mulBpFloor(order.cashFen, config.referral.commissionBp), clearing);
    mv.move(acct.orderClearing(order._id), acct.userCash(buyer.referrerId), commissionFen, '直推佣金');
    clearing -= commissionFen;
  }
  let recruiterFen = 0;
  if (order.storeId && config.referral.recruiterBp > 0) {
    const st = await col(tx.db, 'stores').findOne({ _id: order.storeId }, s(tx));
    if (st?.recruiterId) {
      recruiterFen = Math.min(mulBpFloor(order.cashFen, config.referral.recruiterBp), clearing);
      mv.move(acct.orderClearing(order._id), acct.userCash(st.recruiterId), recruiterFen, '招商奖励');
      clearing -= recruiterFen;
    }
  }
  mv.move(acct.orderClearing(order._id), revenueAccount(order), clearing, '订单收入');
  const settlement = { ...order.settlement!, commissionFen, recruiterFen, revenueFen: clearing };
  await col(tx.db, 'orders').updateOne({ _id: order._id }, { $set: { settlement, clearingFen: 0 } }, s(tx));
  return { ...order, settlement, clearingFen: 0 };
}
