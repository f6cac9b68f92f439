/**
 * Settled orders per second on the embedded engine (one process, durable: DATA_DIR with
 * fsync 'always', group commit), for each scheme alone: queue rebate, union queue, green points.
 * Each order goes through the public actions: order.create → order.pay (simulated WeChat Pay
 * through the payment-notification handler) → order.complete (settlement on completion, the
 * default). CONCURRENCY shoppers run their order streams in parallel. The journal of the data
 * directory then tells how many transactions and documents each order wrote.
 */
import * as fs from 'node:fs';
import { verifyLedger } from '../../server/src/repo/ledger';
import type { PluginConfig } from '../../server/src/engine/config/types';
import { benchShop, emit, log, openBenchApp, scanJournal, tmpDir } from '../lib/app';

const ORDERS = Number(process.env.THROUGHPUT_ORDERS ?? 1200);
const CONCURRENCY = Number(process.env.THROUGHPUT_CONCURRENCY ?? 8);

const PATHS: { name: string; label: string; configure: (c: PluginConfig) => void }[] = [
  { name: 'rebate', label: '排队返利 (queue rebate)', configure: (c) => void (c.rebate.extractionBp = 1000) },
  {
    name: 'union',
    label: '工会排队 (union)',
    configure: (c) => {
      c.rebate.enabled = false;
      c.union.enabled = true;
    },
  },
  {
    name: 'green',
    label: '绿色积分 (green)',
    configure: (c) => {
      c.rebate.enabled = false;
      c.green.enabled = true;
    },
  },
];

async function runPath(p: (typeof PATHS)[number]) {
  const dir = tmpDir(`tp-${p.name}`);
  const app = await openBenchApp({ dir, fsync: 'always' });
  await app.configure(p.configure);
  const { productId } = await benchShop(app, { rebate: { enabled: p.name === 'rebate' } });
  const shoppers = Array.from({ length: CONCURRENCY * 4 }, (_, i) => `tp-${p.name}-${i}`);
  for (const s of shoppers) await app.call(s, 'user', 'login');
  // warm-up (JIT, first queue/pool documents)
  for (let i = 0; i < 50; i++) {
    const who = shoppers[i % shoppers.length]!;
    const o = await app.call(who, 'order', 'create', { lines: [{ productId, qty: 1 }] });
    await app.call(who, 'order', 'pay', { orderId: o.orderId });
    await app.call(who, 'order', 'complete', { orderId: o.orderId });
  }
  const commitsBefore = scanJournal(dir).length;
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = next++; i < ORDERS; i = next++) {
        const who = shoppers[(w + CONCURRENCY * (i % 4)) % shoppers.length]!;
        const o = await app.call(who, 'order', 'create', { lines: [{ productId, qty: 1 }] });
        await app.call(who, 'order', 'pay', { orderId: o.orderId });
        const done = await app.call(who, 'order', 'complete', { orderId: o.orderId });
        if (done.status !== 'completed' || !done.settled) throw new Error('not settled');
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const commits = scanJournal(dir).slice(commitsBefore);
  const docs = commits.reduce((a, c) => a + c.docs, 0);
  const bytes = commits.reduce((a, c) => a + c.bytes, 0);
  const byColl: Record<string, number> = {};
  for (const c of commits) for (const [k, v] of Object.entries(c.byColl)) byColl[k] = (byColl[k] ?? 0) + v;
  const perOrderByColl = Object.fromEntries(Object.entries(byColl).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +(v / ORDERS).toFixed(2)]));
  const ledger = await verifyLedger(app.deps.store);
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const r = {
    path: p.name,
    label: p.label,
    orders: ORDERS,
    concurrency: CONCURRENCY,
    seconds: +seconds.toFixed(2),
    ordersPerSecond: +(ORDERS / seconds).toFixed(1),
    transactionsPerOrder: +(commits.length / ORDERS).toFixed(2),
    docsWrittenPerOrder: +(docs / ORDERS).toFixed(2),
    journalBytesPerOrder: Math.round(bytes / ORDERS),
    perOrderByCollection: perOrderByColl,
    ledgerOk: ledger.ok,
  };
  log(`  ${p.label}: ${r.ordersPerSecond} orders/s, ${r.transactionsPerOrder} transactions and ${r.docsWrittenPerOrder} documents written per order, ledger ${ledger.ok ? 'ok' : 'NOT OK'}`);
  return r;
}

const results = [];
for (const p of PATHS) {
  log(`throughput: ${p.label}, ${ORDERS} orders, ${CONCURRENCY} concurrent shoppers`);
  results.push(await runPath(p));
}
emit({ durability: "DATA_DIR, fsync 'always'", flow: 'order.create → order.pay → order.complete', results });
