import { afterEach, describe, expect, it } from 'vitest';
import { col, txStats } from '../../server/src/repo/db';
import type { EntryDoc, OrderDoc } from '../../server/src/repo/documents';
import { verifyLedger } from '../../server/src/repo/ledger';
import { openCluster, type Cluster, type Instance } from '../support/instances';
import { xorshift32 } from '../support/xorshift';

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

describe('production shape: several instances, one database, latency, a settler killed mid-batch', () => {
  it(`${INSTANCES} instances × ${SHOPPERS} shoppers × ${ORDERS_EACH} payments on one hot queue: each settles once, in payment order (seed ${SEED})`, async () => {
    const rand = xorshift32(SEED);
    cluster = await openCluster({
      instances: INSTANCES,
      latencyMs: [1, 2],
      admins: [ADMIN],
      settler: { leaseMs: 400, pollMs: 10 },
      transactionLifetimeMs: 1_500,
    });
    const [first] = cluster.instances;
    await ok(first!, ADMIN, 'user', { action: 'login' });
    const config = await ok(first!, ADMIN, 'admin', { action: 'getConfig' });
    config.rebate.extractionBp = 6500;
    config.rebate.defaultRatioBp = 13000;
    await ok(first!, ADMIN, 'admin', { action: 'setConfig', config });
    await ok(first!, 'merchant', 'user', { action: 'login' });
    const store = await ok(first!, 'merchant', 'merchant', { action: 'applyStore', name: '热门门店' });
    await ok(first!, ADMIN, 'admin', { action: 'approveStore', storeId: store.storeId, approve: true, commissionBp: 1000 });
    const cashier = await ok(first!, 'merchant', 'merchant', { action: 'createCashier', storeId: store.storeId, name: '1号收银台' });
    const shoppers = Array.from({ length: SHOPPERS }, (_, i) => `sim-${i}`);
    for (const s of shoppers) await ok(first!, s, 'user', { action: 'login' });

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
            created = await onInstance(inst, () => ok(inst, s, 'order', { action: 'cashier', cashierId: cashier.cashierId, amountFen, requestId: `${s}-order-${k}` }));
          }
          // WeChat delivers the notification until it is answered: a dead instance's delivery is repeated elsewhere
          for (;;) {
            const inst = pick();
            if (!killed && paidCount >= killAfter) {
              // kill the instance whose settler holds the lease now (its next batch dies half written), or any live one
              const holder = (await col(first!.deps.store.db, 'settler').findOne({ _id: 'settler' }))?.holder;
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
    const entries = (await col(db, 'entries').find({ queueKey: `cashier:${cashier.cashierId}` }).sort({ seq: 1 }).toArray()) as EntryDoc[];
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
    const stats = cluster.instances.map((i) => txStats(i.deps.store));
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
});
