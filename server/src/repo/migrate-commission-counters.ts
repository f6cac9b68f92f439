import { col, s, type Tx } from './db';

/**
 * Database migration 4: the invited-friends page's commission figures. Since this version the
 * settler counts every 直推佣金 on the two shoppers it concerns (users.commissionBroughtFen of the
 * buyer, users.commissionEarnedFen of the referrer, engine/settlement/plan.ts); this adds what
 * orders settled before paid. Each order's settlement records its commission, and a buyer's
 * referrer never changes, so the orders alone say who brought and who earned what. Bounded
 * steps over the orders by id, each writing at most two counters per order.
 *
 * Like migration 2 it must not run while old code settles orders (they would be counted by
 * neither): run `npm run db:setup` with the cloud functions paused (new ones refuse to serve
 * until it is done anyway).
 */
export type CommissionState = { after: string };

/** Orders read per step: at most 2 × this many user updates, within MAX_TX_DOCS with the schema document. */
export const COMMISSION_CHUNK = 200;

export async function migrateCommissionCounters(tx: Tx, raw: unknown): Promise<CommissionState | null> {
  const state: CommissionState = (raw as CommissionState | null) ?? { after: '' };
  const orders = await col(tx.db, 'orders')
    .find({ _id: { $gt: state.after } }, { ...s(tx), projection: { userId: 1, settlement: 1 } })
    .sort({ _id: 1 })
    .limit(COMMISSION_CHUNK)
    .toArray();
  const paid = orders.filter((o) => (o.settlement?.commissionFen ?? 0) > 0);
  if (paid.length) {
    const buyers = await col(tx.db, 'users').find({ _id: { $in: [...new Set(paid.map((o) => o.userId))] } }, { ...s(tx), projection: { referrerId: 1 } }).toArray();
    const referrerOf = new Map(buyers.map((u) => [u._id, u.referrerId]));
    const inc = new Map<string, { commissionBroughtFen: number; commissionEarnedFen: number }>();
    const add = (id: string, field: 'commissionBroughtFen' | 'commissionEarnedFen', fen: number) => {
      const c = inc.get(id) ?? { commissionBroughtFen: 0, commissionEarnedFen: 0 };
      c[field] += fen;
      inc.set(id, c);
    };
    for (const o of paid) {
      const referrerId = referrerOf.get(o.userId);
      if (!referrerId) continue; // a commission needs a referrer: none means a damaged record, left to verifyLedger
      add(o.userId, 'commissionBroughtFen', o.settlement!.commissionFen);
      add(referrerId, 'commissionEarnedFen', o.settlement!.commissionFen);
    }
    for (const [_id, $inc] of inc) await col(tx.db, 'users').updateOne({ _id }, { $inc }, s(tx));
  }
  if (orders.length < COMMISSION_CHUNK) return null;
  return { after: orders[orders.length - 1]!._id };
}
