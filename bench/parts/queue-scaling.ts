/**
 * Cost per settled order on one queue as it grows from 10² to 10⁶ pending entries, and the same
 * for a naive baseline that stores positions and rewrites every later entry on each payout (as
 * common PHP 排队返利 plugins do), on the same engine in the same run.
 *
 * Ours: N pending entries are bulk-loaded into one cashier queue (with the queue document and a
 * balancing fixture journal entry, so verifyLedger still holds), then real orders are settled on
 * top through the public actions (order.cashier + order.pay: the cashier order completes and
 * settles at payment: extraction waterfall over the head, a new entry at the tail, ledger).
 *
 * Naive: a separate collection with a stored `position` and `aheadFen` per entry; one transaction
 * per order: pay the head (waterfall), and on each payout rewrite every later pending entry
 * (`aheadFen -= paid`, and `position -= 1` when the head completes), then append the new entry.
 */
import { getEngineStats, resetEngineStats } from '../../server/src/db';
import { col } from '../../server/src/repo/db';
import { verifyLedger } from '../../server/src/repo/ledger';
import { benchShop, emit, gc, log, median, openBenchApp, percentile, type BenchApp } from '../lib/app';
import { ENTITLEMENT, ORDER_FEN, USERS, bulkLoadQueue as bulkLoad } from '../lib/fixtures';

const SIZES = (process.env.QUEUE_SIZES ?? '100,1000,10000,100000,1000000').split(',').map(Number);
const ORDERS = Number(process.env.QUEUE_ORDERS ?? 300);
const WARMUP = 30;
const NAIVE_MAX = Number(process.env.NAIVE_MAX ?? 100_000);
const NAIVE_BUDGET_MS = Number(process.env.NAIVE_BUDGET_MS ?? 20_000);
const EXTRACTION_BP = 1000;

/** One settled order (order.cashier + order.pay) on the queue: wall ms and engine work. */
async function oneOrder(app: BenchApp, cashierId: string, who: string) {
  resetEngineStats(app.deps.store.client);
  const t = process.hrtime.bigint();
  const o = await app.call(who, 'order', 'cashier', { cashierId, amountFen: ORDER_FEN });
  const paid = await app.call(who, 'order', 'pay', { orderId: o.orderId });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (paid.order.status !== 'completed') throw new Error('order not settled');
  const st = getEngineStats(app.deps.store.client);
  return { ms, work: st.docsExamined + st.keysExamined };
}

async function measureNaive(app: BenchApp, n: number) {
  const db = app.deps.store.db;
  const c = db.collection<any>('naive_entries');
  const qc = db.collection<any>('naive_queues');
  await c.createIndex({ queueKey: 1, seq: 1 }, { unique: true });
  await c.createIndex({ queueKey: 1, status: 1, seq: 1 });
  const q = 'naive';
  const BATCH = 20_000;
  for (let i = 0; i < n; i += BATCH) {
    const docs = [];
    for (let seq = i + 1; seq <= Math.min(n, i + BATCH); seq++) {
      docs.push({ _id: `N${seq}`, queueKey: q, seq, userId: `UB${seq % USERS}`, position: seq, aheadFen: (seq - 1) * ENTITLEMENT, entitlementFen: ENTITLEMENT, receivedFen: 0, status: 'pending' });
    }
    await c.insertMany(docs);
  }
  await qc.insertOne({ _id: q, nextSeq: n, pendingCount: n, pendingFen: n * ENTITLEMENT });
  const client = app.deps.store.client;
  const times: number[] = [];
  const rewritten: number[] = [];
  const started = Date.now();
  let i = 0;
  while (times.length < ORDERS && (times.length < 3 || Date.now() - started < NAIVE_BUDGET_MS)) {
    const session = client.startSession();
    const t = process.hrtime.bigint();
    let written = 0;
    await session.withTransaction(async () => {
      written = 0;
      let budget = Math.floor((ORDER_FEN * EXTRACTION_BP) / 10_000);
      const queue = await qc.findOne({ _id: q }, { session });
      let completed = 0;
      let paidTotal = 0;
      while (budget > 0) {
        const head = await c.findOne({ queueKey: q, status: 'pending' }, { sort: { seq: 1 }, session });
        if (!head) break;
        const pay = Math.min(budget, head.entitlementFen - head.receivedFen);
        const done = pay === head.entitlementFen - head.receivedFen;
        await c.updateOne({ _id: head._id }, { $inc: { receivedFen: pay }, $set: done ? { status: 'completed', position: 0 } : {} }, { session });
        // the PHP way: every later entry's stored position / amount-ahead is recomputed and rewritten
        const r = await c.updateMany({ queueKey: q, status: 'pending', seq: { $gt: head.seq } }, { $inc: { aheadFen: -pay, position: done ? -1 : 0 } }, { session });
        written += 1 + r.modifiedCount;
        budget -= pay;
        paidTotal += pay;
        if (done) completed++;
      }
      const pendingCount = queue.pendingCount - completed;
      const pendingFen = queue.pendingFen - paidTotal;
      const seq = queue.nextSeq + 1;
      await c.insertOne({ _id: `N${seq}`, queueKey: q, seq, userId: `UN${i % 20}`, position: pendingCount + 1, aheadFen: pendingFen, entitlementFen: ENTITLEMENT, receivedFen: 0, status: 'pending' }, { session });
      await qc.updateOne({ _id: q }, { $set: { nextSeq: seq, pendingCount: pendingCount + 1, pendingFen: pendingFen + ENTITLEMENT } }, { session });
      written += 2;
    });
    await session.endSession();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    i++;
    if (i <= Math.min(WARMUP, n <= 10_000 ? WARMUP : 1)) continue; // warm-up (one for the big sizes)
    times.push(ms);
    rewritten.push(written);
  }
  await c.drop();
  await qc.drop();
  return { orders: times.length, medianMs: median(times), p90Ms: percentile(times, 90), medianDocsWritten: median(rewritten) };
}

// All sizes are loaded side by side, then measured in interleaved rounds (10 orders per size per
// round), so background load on the machine and JIT warm-up hit every size alike.
const shoppers = Array.from({ length: 20 }, (_, i) => `shopper-${i}`);
const setups: { size: number; app: BenchApp; cashierId: string; queueKey: string; loadMs: number; times: number[]; work: number[]; k: number }[] = [];
for (const size of SIZES) {
  log(`queue scaling: loading ${size} pending entries`);
  const app = await openBenchApp();
  await app.configure((c) => {
    c.rebate.extractionBp = EXTRACTION_BP;
    c.rebate.defaultRatioBp = 13000;
  });
  const { cashierId } = await benchShop(app);
  const queueKey = `cashier:${cashierId}`;
  const t0 = Date.now();
  await bulkLoad(app, queueKey, size);
  const loadMs = Date.now() - t0;
  for (const s of shoppers) await app.call(s, 'user', 'login');
  setups.push({ size, app, cashierId, queueKey, loadMs, times: [], work: [], k: 0 });
  gc();
}
log(`queue scaling: ${WARMUP} warm-up orders per size, then ${ORDERS} measured orders per size in interleaved rounds`);
for (const st of setups) for (let i = 0; i < WARMUP; i++) await oneOrder(st.app, st.cashierId, shoppers[st.k++ % shoppers.length]!);
for (let round = 0; round < ORDERS / 10; round++) {
  for (const st of setups) {
    for (let i = 0; i < 10; i++) {
      const r = await oneOrder(st.app, st.cashierId, shoppers[st.k++ % shoppers.length]!);
      st.times.push(r.ms);
      st.work.push(r.work);
    }
  }
}
const rssMB = Math.round(process.memoryUsage().rss / 1048576);
const rows: any[] = [];
for (const st of setups) {
  const { app, size, queueKey } = st;
  const ours = { orders: st.times.length, medianMs: median(st.times), p90Ms: percentile(st.times, 90), meanMs: st.times.reduce((a, b) => a + b, 0) / st.times.length, medianWork: median(st.work) };
  log(`  ${size}: ours median ${ours.medianMs.toFixed(3)} ms/order (p90 ${ours.p90Ms.toFixed(3)}), ${ours.medianWork} docs+keys examined/order`);
  // the bulk entries were paid in queue order, exactly what the orders extracted
  const head = await col(app.deps.store.db, 'entries').find({ queueKey, status: 'completed' }).sort({ seq: -1 }).limit(1).toArray();
  const extracted = (await col(app.deps.store.db, 'queues').findOne({ _id: queueKey }))!.paidFen;
  let ledgerOk: boolean | null = null;
  if (size <= 100_000) ledgerOk = (await verifyLedger(app.deps.store)).ok;
  let naive: Awaited<ReturnType<typeof measureNaive>> | null = null;
  if (size <= NAIVE_MAX) {
    naive = await measureNaive(app, size);
    log(`  ${size}: naive median ${naive.medianMs.toFixed(3)} ms/order over ${naive.orders} orders, ${naive.medianDocsWritten} docs written/order`);
  }
  rows.push({ pending: size, loadMs: st.loadMs, ours, extractedFen: extracted, lastCompletedSeq: head[0]?.seq ?? 0, ledgerOk, naive });
  await app.close();
  gc();
}

// Naive beyond the cap: linear extrapolation of its per-order cost from the largest measured size.
const measured = rows.filter((r) => r.naive);
const last = measured[measured.length - 1];
const first = rows[0];
const lastRow = rows[rows.length - 1];
let naiveAtMax = lastRow.naive?.medianMs ?? null;
let naiveExtrapolated = false;
if (!lastRow.naive && last) {
  naiveAtMax = (last.naive.medianMs * lastRow.pending) / last.pending;
  naiveExtrapolated = true;
}
emit({
  sizes: SIZES,
  ordersPerSize: ORDERS,
  warmup: WARMUP,
  orderFen: ORDER_FEN,
  extractionBp: EXTRACTION_BP,
  rows,
  oursRatio: lastRow.ours.medianMs / first.ours.medianMs,
  oursWorkRatio: lastRow.ours.medianWork / first.ours.medianWork,
  naiveRatio: first.naive && naiveAtMax ? naiveAtMax / first.naive.medianMs : null,
  naiveAtMaxMs: naiveAtMax,
  naiveExtrapolated,
  naiveMeasuredUpTo: last?.pending ?? null,
  rssMBWithAllSizesLoaded: rssMB,
});
