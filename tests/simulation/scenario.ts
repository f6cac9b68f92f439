import { expect } from 'vitest';
import type { PluginConfig } from '../../server/src/engine/config/types';
import type { ReplayFinal } from '../../server/src/engine/simulation/types';
import { col, runTransaction } from '../../server/src/repo/db';
import type { EntryDoc, GreenLotDoc, QueueDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import { loadConfig } from '../../server/src/services/config';
import { periodOf, replayBoth } from '../../server/src/services/simulation/simulate';
import { ADMIN, type TestApp } from '../helpers/app';
import { Clock } from '../properties/support';

/**
 * A shop with several queues (the mall queue, a cashier queue, a store's online queue), the
 * union queue with acceleration and the green pool with forced exits, driven through the public
 * actions on a business clock over three weeks: referrals, a lottery draw, an exchange, refunds,
 * green withdrawals, a transfer and a spend, the daily job (union releases). Used by the
 * differential tests: a replay of any period of it under the configuration in force must end
 * where the database is.
 */

export const START = '2026-03-01T09:00:00+08:00';

export async function runScenario(app: TestApp, clock: Clock): Promise<{ ids: Record<string, string> }> {
  const call = (who: string, fn: string, action: string, params: Record<string, unknown> = {}) => app.call(who, fn, action, params, { now: clock.tick(7) });
  await call(ADMIN, 'user', 'login');
  const c = (await call(ADMIN, 'admin', 'getConfig')) as PluginConfig;
  c.rebate.extractionBp = 3000;
  c.rebate.defaultRatioBp = 12000;
  c.rebate.settleOn = 'pay';
  c.rebate.lottery = { kind: 'fixed', options: [{ ratioBp: 9000, weight: 1 }, { ratioBp: 16000, weight: 1 }] };
  c.union.enabled = true;
  c.union.poolShareBp = 3000;
  c.union.accelerationBp = 2000;
  c.green.enabled = true;
  c.green.poolShareBp = 1000;
  c.green.mintBp = 9500;
  c.green.exitMultipleBp = 1200;
  c.green.withdrawFeeBp = 1000;
  await call(ADMIN, 'admin', 'setConfig', { config: c });

  const rice = await call(ADMIN, 'admin', 'upsertProduct', { name: '大米', priceFen: 10_000, costFen: 4_000, stock: 100_000, lockDays: 15, maxDeductBp: 5000 });
  const oil = await call(ADMIN, 'admin', 'upsertProduct', { name: '食用油', priceFen: 6_800, costFen: 3_000, stock: 100_000, lockDays: 30 });
  await call('merchant', 'user', 'login');
  const store = await call('merchant', 'merchant', 'applyStore', { name: '绿源便利店' });
  await call(ADMIN, 'admin', 'approveStore', { storeId: store.storeId, approve: true, commissionBp: 2000 });
  const cashier = await call('merchant', 'merchant', 'createCashier', { storeId: store.storeId, name: '1号收银台' });
  const tea = await call('merchant', 'merchant', 'upsertStoreProduct', { storeId: store.storeId, name: '茶叶', priceFen: 5_000, costFen: 1_000, stock: 100_000 });

  const shoppers = ['sa', 'sb', 'sc', 'sd', 'se'];
  const a = await call('sa', 'user', 'login');
  await call('sb', 'user', 'login', { ref: a.inviteCode });
  await call('sc', 'user', 'login', { ref: a.inviteCode });
  const d = await call('sd', 'user', 'login');
  await call('se', 'user', 'login', { ref: d.inviteCode });

  const orders: string[] = [];
  const buy = async (who: string, productId: string, qty = 1, opts: { complete?: boolean; deduct?: Record<string, number> } = {}) => {
    const o = await call(who, 'order', 'create', { lines: [{ productId, qty }], ...(opts.deduct ? { deduct: opts.deduct } : {}) });
    await call(who, 'order', 'pay', { orderId: o.orderId });
    if (opts.complete !== false) await call(who, 'order', 'complete', { orderId: o.orderId });
    orders.push(o.orderId);
    return o.orderId as string;
  };
  const pay = async (who: string, amountFen: number) => {
    const o = await call(who, 'order', 'cashier', { cashierId: cashier.cashierId, amountFen });
    await call(who, 'order', 'pay', { orderId: o.orderId });
    orders.push(o.orderId);
    return o.orderId as string;
  };
  const ids: Record<string, string> = { rice: rice.productId, oil: oil.productId, tea: tea.productId, cashier: cashier.cashierId, store: store.storeId };

  for (let day = 0; day < 21; day++) {
    clock.nextShanghaiDay(9 * 60 + day * 3);
    const who = (i: number) => shoppers[(day + i) % shoppers.length]!;
    await buy(who(0), rice.productId, 1 + (day % 2));
    await pay(who(1), 3_000 + day * 250);
    await buy(who(2), tea.productId, 1, { complete: day % 3 !== 0 });
    if (day % 2 === 0) await buy(who(3), oil.productId);
    if (day === 1) {
      // the lottery, before the entry's first payout
      const mine = await call('sd', 'queue', 'mine', { status: 'pending' });
      const open = mine.entries.find((e: any) => e.lottery?.available && e.receivedFen === 0);
      if (open) ids.drawn = (await call('sd', 'queue', 'draw', { entryId: open.entryId })).entryId;
    }
    if (day === 3) {
      const mine = await call('sb', 'queue', 'mine', { status: 'pending' });
      const e = mine.entries[mine.entries.length - 1];
      if (e) ids.exchanged = (await call('sb', 'queue', 'exchange', { entryId: e.entryId, to: 'points' })).entryId;
    }
    if (day === 4) {
      // refunds: a paid, not completed store order by its buyer; a completed mall order by the platform
      const paidOnly = await buy('sc', tea.productId, 2, { complete: false });
      ids.refundedByBuyer = paidOnly;
      await call('sc', 'order', 'refund', { orderId: paidOnly });
      ids.refundedByAdmin = orders[orders.length - 5]!;
      await call(ADMIN, 'order', 'refund', { orderId: ids.refundedByAdmin });
    }
    if (day === 6 || day === 13) {
      const g = await call('sa', 'green', 'mine');
      if (g.units >= 3) await call('sa', 'green', 'withdraw', { units: Math.floor(g.units / 3) });
    }
    if (day === 8) {
      const g = await call('sb', 'green', 'mine');
      const b = await call('se', 'user', 'me');
      if (g.units >= 2) await call('sb', 'green', 'transfer', { toUserId: b.userId, units: Math.floor(g.units / 2) });
    }
    if (day === 10) {
      const g = await call('sd', 'green', 'mine');
      if (g.units >= 2) await buy('sd', rice.productId, 1, { deduct: { greenUnits: Math.floor(g.units / 2) } });
    }
    if (day >= 14) await call(ADMIN, 'admin', 'runDaily', {});
  }
  // some pending orders stay paid and not completed; settle everything still due
  await app.settled(clock.tick(1));
  return { ids };
}

/** The period's replay under the configuration in force, as admin.simulateConfig runs it. */
export async function replayNow(app: TestApp, now: Date, days: number): Promise<{ final: ReplayFinal; from: Date; to: Date; config: PluginConfig }> {
  const { from, to } = periodOf(now, days);
  return runTransaction(app.deps.store, now, async (tx) => {
    const config = await loadConfig(tx);
    const { results } = await replayBoth(tx, from, to, [config]);
    return { final: results[0]!.final, from, to, config };
  });
}

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

/**
 * Compare the replay's final state with the database: every entry (by order line), queue, union
 * entry, the union pool, the green pool, the lots, and what each shopper was paid in the period.
 */
export async function expectSameAsDatabase(app: TestApp, r: { final: ReplayFinal; from: Date; to: Date; config: PluginConfig }): Promise<{ entries: number; unloaded: number; unionEntries: number; lots: number; payees: number }> {
  const db = app.deps.store.db;
  const f = r.final;
  const entryKeys: (keyof EntryDoc)[] = ['queueKey', 'seq', 'userId', 'entitlementFen', 'receivedFen', 'status', 'ratioBp', 'orderDone', 'baseFen'];
  const dbEntries = (await col(db, 'entries').find({ $or: [{ status: 'pending' }, { closedAt: { $gte: r.from } }] }).toArray()) as EntryDoc[];
  const simEntries = new Map(f.entries.map((e) => [`${e.orderId}|${e.lineIndex}`, e]));
  let unloaded = 0;
  for (const e of dbEntries) {
    const s = simEntries.get(`${e.orderId}|${e.lineIndex}`);
    if (!s) {
      // not loaded: behind more than the period could pay (the queue's totals below still count it);
      // then it must be older than the period, still pending, and paid nothing in it
      expect(e.createdAt < r.from && e.status === 'pending' && (!e.firstPaidAt || e.firstPaidAt < r.from), `entry ${e._id} missing from the replay`).toBe(true);
      unloaded++;
      continue;
    }
    expect(pick(s, entryKeys), `entry ${e._id}`).toEqual(pick(e, entryKeys));
  }
  // nothing pending in the replay that the database does not have
  const dbKeys = new Set(dbEntries.map((e) => `${e.orderId}|${e.lineIndex}`));
  expect(f.entries.filter((e) => e.status === 'pending' && !dbKeys.has(`${e.orderId}|${e.lineIndex}`)).map((e) => e.orderId)).toEqual([]);

  const queueKeys: (keyof QueueDoc)[] = ['_id', 'pendingFen', 'pendingCount', 'nextSeq'];
  const dbQueues = (await col(db, 'queues').find({}).toArray()) as QueueDoc[];
  expect(f.queues.map((q) => pick(q, queueKeys)).sort((a, b) => (a._id < b._id ? -1 : 1))).toEqual(dbQueues.map((q) => pick(q, queueKeys)).sort((a, b) => (a._id < b._id ? -1 : 1)));

  const unionKeys: (keyof UnionEntryDoc)[] = ['seq', 'userId', 'entitlementFen', 'receivedFen', 'status', 'eligibleDay'];
  const dbUnion = (await col(db, 'union_entries').find({ $or: [{ status: 'pending' }, { closedAt: { $gte: r.from } }] }).toArray()) as UnionEntryDoc[];
  const simUnion = new Map(f.unionEntries.map((e) => [e._id, e]));
  for (const e of dbUnion) {
    const s = simUnion.get(e._id);
    if (!s) {
      expect(e.createdAt < r.from && e.status === 'pending', `union entry ${e._id} missing from the replay`).toBe(true);
      continue;
    }
    expect(pick(s, unionKeys), `union entry ${e._id}`).toEqual(pick(e, unionKeys));
  }
  const union = await col(db, 'union_state').findOne({ _id: 'union' });
  expect(pick(f.union, ['poolFen', 'pendingFen', 'pendingCount', 'nextSeq'])).toEqual(pick(union!, ['poolFen', 'pendingFen', 'pendingCount', 'nextSeq']));

  const green = await col(db, 'green_state').findOne({ _id: 'green' });
  expect(pick(f.green, ['poolFen', 'totalUnits'])).toEqual(pick(green!, ['poolFen', 'totalUnits']));
  // lots: the same holdings (ids of transferred lots are the replay's own)
  const lotShape = (l: GreenLotDoc) => `${l.userId}|${l.orderId ?? '-'}|${l.units}|${l.consumptionFen}|${l.status}`;
  const dbLots = (await col(db, 'green_lots').find({ $or: [{ status: 'active' }, { exitedAt: { $gte: r.from } }] }).toArray()) as GreenLotDoc[];
  const simLots = f.lots.filter((l) => l.status === 'active' || (l.exitedAt && l.exitedAt >= r.from));
  // lots not loaded (their exit is above any price the period reaches) must be older than the period and still active
  const simIds = new Set(f.lots.map((l) => l._id));
  const skipped = dbLots.filter((l) => l.orderId && !simIds.has(l._id) && l._id === `lot:${l.orderId}`);
  for (const l of skipped) expect(l.createdAt < r.from && l.status === 'active', `lot ${l._id} missing from the replay`).toBe(true);
  const skippedIds = new Set(skipped.map((l) => l._id));
  expect(simLots.map(lotShape).sort()).toEqual(dbLots.filter((l) => !skippedIds.has(l._id)).map(lotShape).sort());

  // cash each shopper got from the schemes in the period: queue payouts, union releases and accelerations, green exits and withdrawals
  const memos = new Set([r.config.rebate.name, '工会排队加速', '工会排队释放', '绿色积分出局到账', '绿色积分提现到账']);
  const paid = new Map<string, number>();
  for (const p of await col(db, 'postings').find({ asset: 'CASH', at: { $gte: r.from } }).toArray()) {
    const m = /^CASH:user:([^:]+)$/.exec(p.account);
    if (m && p.amount > 0 && memos.has(p.memo)) paid.set(m[1]!, (paid.get(m[1]!) ?? 0) + p.amount);
  }
  expect(Object.fromEntries([...f.paidToUser].filter(([, v]) => v > 0).sort())).toEqual(Object.fromEntries([...paid].sort()));
  return { entries: dbEntries.length, unloaded, unionEntries: dbUnion.length, lots: dbLots.length - skipped.length, payees: paid.size };
}

export { Clock };
