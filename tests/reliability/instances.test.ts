import { afterEach, describe, expect, it } from 'vitest';
import type { PluginConfig } from '../../server/src/engine/config/types';
import { exitPriceKey } from '../../server/src/engine/green/pool';
import { acct } from '../../server/src/engine/ledger/accounts';
import { col, runTransaction, txStats } from '../../server/src/repo/db';
import type { EntryDoc, OrderDoc, UnionEntryDoc } from '../../server/src/repo/documents';
import { post, verifyLedger } from '../../server/src/repo/ledger';
import { openCluster, type Cluster, type Instance } from '../support/instances';
import { xorshift32 } from '../support/xorshift';
import { UNION_MEMO } from '../../server/src/engine/union/memos';

/**
 * SPEC §9 in production shape: 4 app instances (no shared in-process state) on one database,
 * 1–2 ms per database operation, shoppers paying at one hot cashier queue through payNotify (the
 * WeChat callback, which only records) on random instances. One instance is killed in the middle
 * of a settler batch: its transaction stays open holding its locks, its lease expires, another
 * instance's settler takes over. Properties:
 *  - every recorded payment settles exactly once (one settle event, one entry, a unique settleSeq);
 *  - in payment order: the settler's sequence follows the payment time, except for a payment
 *    that was not yet recorded when the settler read the earlier one's batch;
 *  - the queue is paid in order (entries in settle order; a completed prefix, then at most one
 *    partly paid entry, then unpaid ones); nothing starves; money is conserved (verifyLedger).
 * A second scenario runs the day's union release while payments arrive on other instances, and
 * kills the lease holder in a batch between two of the release's steps.
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261130);
const INSTANCES = 4;
const SHOPPERS = Number(process.env.INSTANCE_SHOPPERS ?? 24);
const ORDERS_EACH = Number(process.env.INSTANCE_ORDERS ?? 4);
const ADMIN = 'sim-admin';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

async function ok(inst: Instance, openid: string | null, fn: string, event: Record<string, unknown>) {
  const r = await inst.call(openid, fn, event);
  if (!r.ok) throw new Error(`${fn}.${String(event.action)}: ${r.error.code} ${r.error.message}`);
  return r.data;
}

/** A call that gives up when its instance dies under it (a dead container never answers). */
async function onInstance<T>(inst: Instance, run: () => Promise<T>): Promise<T | 'dead'> {
  const p = run();
  for (;;) {
    const r = await Promise.race([p, sleep(50).then(() => 'tick' as const)]);
    if (r !== 'tick') return r;
    if (!inst.alive) return 'dead';
  }
}

/**
 * The cluster every scenario runs on (4 instances, 1–2 ms per operation, short leases), the
 * settings changed through admin.setConfig, and one approved store with a cashier.
 */
async function shopCluster(storeName: string, configure: (c: PluginConfig) => void): Promise<{ first: Instance; cashierId: string }> {
  cluster = await openCluster({ instances: INSTANCES, latencyMs: [1, 2], admins: [ADMIN], settler: { leaseMs: 400, pollMs: 10 }, transactionLifetimeMs: 1_500 });
  const first = cluster.instances[0]!;
  await ok(first, ADMIN, 'user', { action: 'login' });
  const config = (await ok(first, ADMIN, 'admin', { action: 'getConfig' })) as PluginConfig;
  configure(config);
  await ok(first, ADMIN, 'admin', { action: 'setConfig', config });
  await ok(first, 'merchant', 'user', { action: 'login' });
  const store = await ok(first, 'merchant', 'merchant', { action: 'applyStore', name: storeName });
  await ok(first, ADMIN, 'admin', { action: 'approveStore', storeId: store.storeId, approve: true, commissionBp: 1000 });
  const cashier = await ok(first, 'merchant', 'merchant', { action: 'createCashier', storeId: store.storeId, name: '1号收银台' });
  return { first, cashierId: cashier.cashierId };
}

/** The balancing journal entry of bulk-loaded fixtures (verifyLedger holds before the scenario runs). */
/** from, to, fen and (for a union entitlement issued) its memo */
async function postFixture(inst: Instance, eventKey: string, moves: [string, string, number, string?][]): Promise<void> {
  await runTransaction(inst.deps.store, new Date(), async (tx) => {
    await post(tx, 'test:fixture', { eventKey, type: 'fixture', postings: moves.flatMap(([from, to, amount, memo]) => [{ account: from, amount: -amount, ...(memo ? { memo } : {}) }, { account: to, amount, ...(memo ? { memo } : {}) }]) });
  });
}

describe('production shape: several instances, one database, latency, a settler killed mid-batch', () => {
  it(`${INSTANCES} instances × ${SHOPPERS} shoppers × ${ORDERS_EACH} payments on one hot queue: each settles once, in payment order (seed ${SEED})`, async () => {
    const rand = xorshift32(SEED);
    const { first, cashierId } = await shopCluster('热门门店', (c) => {
      c.rebate.extractionBp = 6500;
      c.rebate.defaultRatioBp = 13000;
    });
    const shoppers = Array.from({ length: SHOPPERS }, (_, i) => `sim-${i}`);
    for (const s of shoppers) await ok(first, s, 'user', { action: 'login' });

    const recorded = new Map<string, number>(); // orderId → wall time the notification's answer came back (after its commit)
    let paidCount = 0;
    const alive = () => cluster!.instances.filter((i) => i.alive);
    const pick = () => {
      const a = alive();
      return a[rand() % a.length]!;
    };
    const killAfter = process.env.INSTANCE_KILL === '0' ? Infinity : Math.floor((SHOPPERS * ORDERS_EACH) / 3);
    let killed: Instance | null = null;
    let stopKicking = false;

    await Promise.all(
      shoppers.map(async (s) => {
        for (let k = 0; k < ORDERS_EACH; k++) {
          const amountFen = 100 + (rand() % 20_000);
          let created: any = 'dead';
          while (created === 'dead') {
            const inst = pick();
            // a retry after an instance died repeats the request id: the order is made once (SPEC §9)
            created = await onInstance(inst, () => ok(inst, s, 'order', { action: 'cashier', cashierId: cashierId, amountFen, requestId: `${s}-order-${k}` }));
          }
          // WeChat delivers the notification until it is answered: a dead instance's delivery is repeated elsewhere
          for (;;) {
            const inst = pick();
            if (!killed && paidCount >= killAfter) {
              // kill the instance whose settler holds the lease now (its next batch dies half written), or any live one
              const holder = (await col(first.deps.store.db, 'settler').findOne({ _id: 'settler' }))?.holder;
              const victim = alive().find((i) => (i.deps.settler as unknown as { id: string }).id === holder && i.index !== 0) ?? alive().find((i) => i.index !== 0)!;
              killed = victim;
              victim.killInNextBatch();
              // make sure it runs a batch again and dies in it: keep starting its settler until it does
              void (async () => {
                while (victim.alive && !stopKicking) {
                  void victim.deps.settler.kick(new Date());
                  await sleep(5);
                }
              })();
            }
            const r = await onInstance(inst, () => ok(inst, null, 'payNotify', { action: 'notify', outTradeNo: created.orderId, transactionId: `WX${created.orderId}`, totalFee: amountFen, resultCode: 'SUCCESS' }));
            if (r === 'dead') continue;
            expect(r.errcode).toBe(0);
            recorded.set(created.orderId, Date.now());
            paidCount++;
            break;
          }
        }
      }),
    );
    expect(killed, 'an instance was armed to die in a batch').not.toBeNull();
    for (let i = 0; i < 400 && killed!.alive; i++) await sleep(25);
    stopKicking = true;
    expect(killed!.alive, 'the armed instance died in the middle of a settler batch').toBe(false);

    // the timer's sweep on a live instance: everything recorded gets settled (no starvation)
    const sweeper = alive()[0]!;
    const deadline = Date.now() + 30_000;
    const db = sweeper.deps.store.db;
    while ((await col(db, 'orders').countDocuments({ settleDue: true })) > 0) {
      if (Date.now() > deadline) throw new Error('orders still due 30 s after the last payment');
      await onInstance(sweeper, () => ok(sweeper, ADMIN, 'settle', { action: 'run' }));
    }

    const orders = (await col(db, 'orders').find({ kind: 'cashier' }).toArray()) as OrderDoc[];
    expect(orders).toHaveLength(SHOPPERS * ORDERS_EACH);
    // exactly once
    for (const o of orders) {
      expect(o.status, o._id).toBe('completed');
      expect(o.settleSeq, o._id).toBeGreaterThan(0);
      expect(await col(db, 'journal').countDocuments({ eventKey: `order.settle:${o._id}` }), o._id).toBe(1);
      expect(await col(db, 'entries').countDocuments({ orderId: o._id }), o._id).toBe(1);
    }
    const seqs = orders.map((o) => o.settleSeq!).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(seqs.length);
    // payment order: an earlier payment settles later only if it was not yet recorded when the later one was taken
    const bySeq = [...orders].sort((a, b) => a.settleSeq! - b.settleSeq!);
    let inversions = 0;
    for (let i = 0; i < bySeq.length; i++) {
      for (let j = i + 1; j < bySeq.length; j++) {
        const earlierSeq = bySeq[i]!;
        const laterSeq = bySeq[j]!;
        if (laterSeq.paidAt!.getTime() >= earlierSeq.paidAt!.getTime()) continue;
        inversions++;
        // laterSeq was paid first: it must have been recorded only after earlierSeq's batch was read
        expect(recorded.get(laterSeq._id)!, `${laterSeq._id} paid before ${earlierSeq._id} but settled after it`).toBeGreaterThanOrEqual(earlierSeq.settleTakenAt!.getTime());
      }
    }
    // the queue: entries were created in settle order, and paid as a waterfall
    const entries = (await col(db, 'entries').find({ queueKey: `cashier:${cashierId}` }).sort({ seq: 1 }).toArray()) as EntryDoc[];
    const seqOf = new Map(orders.map((o) => [o._id, o.settleSeq!]));
    for (let i = 1; i < entries.length; i++) expect(seqOf.get(entries[i]!.orderId)!).toBeGreaterThan(seqOf.get(entries[i - 1]!.orderId)!);
    const firstOpen = entries.findIndex((e) => e.status !== 'completed');
    for (const e of entries.slice(firstOpen + 1)) expect(e.receivedFen, `entry #${e.seq} paid while an earlier one waits`).toBe(0);
    const extracted = orders.reduce((a, o) => a + o.settlement!.extractedFen, 0);
    expect(entries.reduce((a, e) => a + e.receivedFen, 0)).toBe(extracted);
    // the dead settler's lease was taken over: later transactions carry a newer token
    const settler = (await col(db, 'settler').findOne({ _id: 'settler' }))!;
    expect(settler.token).toBeGreaterThan(1);

    const report = await verifyLedger(sweeper.deps.store);
    expect(report.problems).toEqual([]);
    const stats = cluster!.instances.map((i) => txStats(i.deps.store));
    const attempts = stats.reduce((a, s) => a + s.attempts, 0);
    const commits = stats.reduce((a, s) => a + s.commits, 0);
    const lags = orders.map((o) => o.settledWallAt!.getTime() - recorded.get(o._id)!).sort((a, b) => a - b);
    console.log(
      `[reliability] instances: ${orders.length} payments on ${INSTANCES} instances (instance ${killed!.index} killed in a batch), ` +
        `${inversions} pairs settled out of payment-time order (all recorded after the other's batch was read), ` +
        `attempts/commit ${(attempts / commits).toFixed(2)} (incl. retries waiting out the dead instance's open transactions), largest transaction ${Math.max(...stats.map((s) => s.maxDocs))} documents, ` +
        `settle lag p50 ${lags[Math.floor(lags.length / 2)]} ms (includes the dead lease's expiry)`,
    );
  }, 120_000);

  it('the day\'s union release with payments on other instances, its settler killed in a batch between two of its steps: the release ends once, every payment settles once, nothing is left aside', async () => {
    const { first, cashierId } = await shopCluster('工会门店', (c) => {
      c.rebate.extractionBp = 1000;
      c.union = { ...c.union, enabled: true, poolShareBp: 5000, accelerationBp: 2000 };
    });
    // R holds some of the queue's entries; the shoppers are R's friends, so each payment accelerates R's oldest
    const r = await ok(first, 'rel-r', 'user', { action: 'login' });
    const shoppers = Array.from({ length: 16 }, (_, i) => `rel-${i}`);
    for (const s of shoppers) await ok(first, s, 'user', { action: 'login', ref: r.inviteCode });

    // 800 eligible entries of ¥10 (one per shopper, R's every 100th); the pool pays 700 and ¥3 more
    const N = 800;
    const entries: UnionEntryDoc[] = Array.from({ length: N }, (_, i) => ({
      _id: `ue:${i + 1}`, seq: i + 1, userId: (i + 1) % 100 === 0 ? r.userId : `RX${i + 1}`, orderId: `ro${i + 1}`, lineIndex: 0, entitlementFen: 1_000, receivedFen: 0,
      status: 'pending', lockDays: 15, orderDay: '2026-08-01', eligibleDay: '2026-08-15', createdAt: new Date('2026-08-01T04:00:00Z'), closedAt: null,
    }));
    const poolFen = 700 * 1_000 + 300;
    const db = first.deps.store.db;
    await col(db, 'union_entries').insertMany(entries);
    await col(db, 'union_state').updateOne({ _id: 'union' }, { $set: { poolFen, nextSeq: N, pendingCount: N, pendingFen: N * 1_000, inflowFen: poolFen, releasedFen: 0 } }, { upsert: true });
    const perUser = new Map<string, number>();
    for (const e of entries) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + e.entitlementFen);
    const users = [...perUser];
    for (let k = 0; k < users.length; k += 200) {
      await postFixture(first, `fixture:union:${k}`, [...(k === 0 ? [[acct.extWxPay, acct.unionPool, poolFen] as [string, string, number]] : []), ...users.slice(k, k + 200).map(([u, fen]) => [acct.unionEntitlementIssuer, acct.userUnionEntitlement(u), fen, UNION_MEMO.issued] as [string, string, number, string])]);
    }

    // the timer's daily job on instance 1; shoppers pay on the others meanwhile; once the release
    // is paying, the instance that holds the settler's lease is armed to die in its next batch
    const daily = cluster!.instances[1]!;
    const job = () => col(db, 'jobs').findOne({ _id: 'union-release:2026-08-15' });
    const running = onInstance(daily, () => ok(daily, ADMIN, 'admin', { action: 'runDaily', day: '2026-08-15' }));
    let killed: Instance | null = null;
    let killedWhile = '';
    const orders: string[] = [];
    const alive = () => cluster!.instances.filter((i) => i.alive);
    let turn = 0;
    await Promise.all(
      shoppers.map(async (s, w) => {
        for (let k = 0; k < 3; k++) {
          const amountFen = 1_000 + ((w * 7919 + k * 104_729) % 9_000);
          for (;;) {
            const a = alive();
            const inst = a[turn++ % a.length]!;
            const created = await onInstance(inst, () => ok(inst, s, 'order', { action: 'cashier', cashierId: cashierId, amountFen, requestId: `${s}-order-${k}` }));
            if (created === 'dead') continue;
            const paid = await onInstance(inst, () => ok(inst, null, 'payNotify', { action: 'notify', outTradeNo: created.orderId, transactionId: `WX${created.orderId}`, totalFee: amountFen, resultCode: 'SUCCESS' }));
            if (paid === 'dead') continue;
            orders.push(created.orderId);
            break;
          }
          const j = await job();
          if (!killed && j?.phase === 'pay' && j.status === 'running') {
            const holder = (await col(db, 'settler').findOne({ _id: 'settler' }))?.holder;
            const victim = alive().find((i) => (i.deps.settler as unknown as { id: string }).id === holder && i.index !== 0);
            if (victim) {
              killed = victim;
              killedWhile = `${j.phase} phase, ${j.processed} entries paid`;
              victim.killInNextBatch();
            }
          }
        }
      }),
    );
    await running;
    // the timer's sweep on a live instance: the rest of the release and every payment
    const sweeper = cluster!.instances[0]!;
    const deadline = Date.now() + 30_000;
    while ((await col(db, 'orders').countDocuments({ settleDue: true })) > 0 || (await job())?.status !== 'done') {
      if (Date.now() > deadline) throw new Error('work still due 30 s after the last payment');
      await ok(sweeper, ADMIN, 'settle', { action: 'run' });
    }
    expect(killed, 'the lease holder was armed while the release was paying').not.toBeNull();
    expect(killed!.alive, 'it died in a batch').toBe(false);

    // every payment settled once
    expect(orders).toHaveLength(shoppers.length * 3);
    for (const id of orders) expect(await col(db, 'journal').countDocuments({ eventKey: `order.settle:${id}` }), id).toBe(1);
    // the release ended once; nothing is left aside; what it and the accelerations paid left the pool
    const done = (await job())!;
    expect(done).toMatchObject({ status: 'done', heldFen: 0 });
    const st = (await col(db, 'union_state').findOne({ _id: 'union' }))!;
    expect(st.heldFen ?? 0).toBe(0);
    expect(st.poolFen).toBeGreaterThanOrEqual(0);
    expect(st.poolFen).toBe(st.inflowFen - st.releasedFen);
    for (const e of await col(db, 'union_entries').find({ status: 'completed' }).toArray()) expect(e.receivedFen, e._id).toBe(e.entitlementFen);
    // at least the 700 entries the pool covered at the start were paid, in seq order
    const pending = await col(db, 'union_entries').find({ status: 'pending', seq: { $lte: N } }).sort({ seq: 1 }).limit(1).toArray();
    expect(pending[0]?.seq ?? N + 1).toBeGreaterThan(700);
    // payments settled while the release ran, not only after it: in the settler's book, before its last payout
    const lastPayout = (await col(db, 'journal').find({ type: 'union.release' }).sort({ height: -1 }).limit(1).toArray())[0]!;
    const settledDuring = await col(db, 'journal').countDocuments({ book: lastPayout.book, eventKey: { $in: orders.map((id) => `order.settle:${id}`) }, height: { $lt: lastPayout.height } });
    expect(settledDuring).toBeGreaterThan(0);
    const report = await verifyLedger(sweeper.deps.store);
    expect(report.problems).toEqual([]);
    console.log(`[reliability] release with payments: ${orders.length} payments on ${INSTANCES} instances (${settledDuring} settled before the release ended), instance ${killed!.index} killed in a batch during the release (${killedWhile}); release paid ${done.processed} entries in ${done.transactions} steps`);
  }, 120_000);

  it('a forced-exit cascade with payments on other instances, its settler killed in a payout step: every exit is paid once, what its lot recorded, nothing is left aside', async () => {
    const { first, cashierId } = await shopCluster('绿色门店', (c) => {
      c.rebate.enabled = false;
      c.green = { ...c.green, enabled: true, exitMultipleBp: 20000, withdrawFeeBp: 1000 };
    });
    const shoppers = Array.from({ length: 8 }, (_, i) => `gx-${i}`);
    for (const s of shoppers) await ok(first, s, 'user', { action: 'login' });

    // 3,000 lots of 60 holders (round robin), each 1 point bought for ¥0.50, the pool backing ¥1.20 a point: all due to exit
    const N = 3_000;
    const db = first.deps.store.db;
    const lots = Array.from({ length: N }, (_, i) => {
      const lot = { units: 10_000, consumptionFen: 50 };
      return { _id: `gx:${String(i).padStart(5, '0')}`, userId: `GX${i % 60}`, orderId: null, ...lot, exitKey: exitPriceKey(lot, 20000), status: 'active' as const, createdAt: new Date('2026-08-01T00:00:00Z') };
    });
    await col(db, 'green_lots').insertMany(lots);
    const poolFen = N * 120;
    await col(db, 'green_state').updateOne({ _id: 'green' }, { $set: { poolFen, totalUnits: N * 10_000, lastPriceNum: 100, lastPriceDen: 10_000, inflowFen: poolFen, paidOutFen: 0 }, $inc: { version: 1 } }, { upsert: true });
    await postFixture(first, 'fixture:green', [[acct.extWxPay, acct.greenPool, poolFen], ...Array.from({ length: 60 }, (_, u) => [acct.greenIssuer, acct.userGreen(`GX${u}`), (N / 60) * 10_000] as [string, string, number])]);

    // the timer's sweep on instance 1 runs the cascade; it is armed to die in its first payout step
    // (the lots' bulk write that takes them out of the pending set); shoppers pay on the others
    const victim = cluster!.instances[1]!;
    let diedIn = '';
    victim.killInNextWrite((coll, method, args) => {
      const first = (args[0] as { updateOne?: { update?: Record<string, unknown> } }[] | undefined)?.[0];
      const hit = coll === 'green_lots' && method === 'bulkWrite' && first?.updateOne?.update?.$unset !== undefined;
      if (hit) diedIn = `a payout step of ${(args[0] as unknown[]).length} lots`;
      return hit;
    });
    const sweep = onInstance(victim, () => ok(victim, ADMIN, 'settle', { action: 'run' }));
    const orders: string[] = [];
    const others = cluster!.instances.filter((i) => i !== victim);
    let turn = 0;
    await Promise.all(
      shoppers.map(async (s, w) => {
        for (let k = 0; k < 3; k++) {
          const inst = others[turn++ % others.length]!;
          const amountFen = 1_000 + ((w * 7919 + k * 104_729) % 9_000);
          const created = await ok(inst, s, 'order', { action: 'cashier', cashierId: cashierId, amountFen, requestId: `${s}-order-${k}` });
          await ok(inst, null, 'payNotify', { action: 'notify', outTradeNo: created.orderId, transactionId: `WX${created.orderId}`, totalFee: amountFen, resultCode: 'SUCCESS' });
          orders.push(created.orderId);
        }
      }),
    );
    expect(await sweep).toBe('dead');
    expect(victim.alive).toBe(false);
    expect(diedIn).not.toBe('');
    // another instance's sweep takes over once the dead one's lease has run out
    const sweeper = cluster!.instances[0]!;
    const deadline = Date.now() + 30_000;
    const due = async () => {
      const [g, st] = [await col(db, 'green_state').findOne({ _id: 'green' }), await col(db, 'settler').findOne({ _id: 'settler' })];
      return (await col(db, 'orders').countDocuments({ settleDue: true })) > 0 || (g?.exitPendingCount ?? 0) > 0 || (g?.version ?? 0) !== (st?.greenVersion ?? 0);
    };
    while (await due()) {
      if (Date.now() > deadline) throw new Error('work still due 30 s after the last payment');
      await ok(sweeper, ADMIN, 'settle', { action: 'run' });
    }

    // every payment settled once; every fixture lot exited and was paid once, what it recorded
    for (const id of orders) expect(await col(db, 'journal').countDocuments({ eventKey: `order.settle:${id}` }), id).toBe(1);
    expect(await col(db, 'green_lots').countDocuments({ _id: { $regex: /^gx:/ }, status: 'exited', payoutPending: { $exists: false } })).toBe(N);
    const payouts = await col(db, 'journal').find({ type: 'green.exit.payout' }).toArray();
    expect(payouts.reduce((a, e) => a + Number(e.refs?.lots ?? 0), 0)).toBe(await col(db, 'green_lots').countDocuments({ status: 'exited', payoutFen: { $exists: true } }));
    // (a holder's lots that exited inside a batch, when a payment's inflow raised the price, were paid there)
    for (let u = 0; u < 60; u++) {
      const mine = await col(db, 'green_lots').find({ userId: `GX${u}` }).toArray();
      const owed = mine.reduce((a, l) => a + (l.payoutFen ?? 0), 0);
      const rows = await col(db, 'postings').find({ account: acct.userCash(`GX${u}`), type: 'green.exit.payout' }).toArray();
      expect(rows.reduce((a, r) => a + r.amount, 0), `GX${u}`).toBe(owed);
      expect((await col(db, 'balances').findOne({ _id: acct.userGreen(`GX${u}`) }))?.balance, `GX${u}`).toBe(0);
    }
    expect(await col(db, 'green_state').findOne({ _id: 'green' })).toMatchObject({ exitHeldFen: 0, exitPendingUnits: 0, exitPendingCount: 0 });
    const report = await verifyLedger(sweeper.deps.store);
    expect(report.problems).toEqual([]);
    const deferred = await col(db, 'green_lots').countDocuments({ _id: { $regex: /^gx:/ }, payoutFen: { $exists: true } });
    expect(deferred).toBeGreaterThan(N / 2);
    console.log(`[reliability] cascade with payments: ${N} lots (${deferred} exited in exit steps, the rest in batches), ${orders.length} payments on ${INSTANCES} instances, instance ${victim.index} killed in ${diedIn}; ${payouts.length} payout steps`);
  }, 120_000);
});
