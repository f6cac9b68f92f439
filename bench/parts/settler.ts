/**
 * The settler alone: N payments at ONE hot cashier queue are recorded (as payNotify records them:
 * the order is paid and due, nothing settled), then one settler settles them all, in batches of
 * bounded transactions, on a durable data directory (fsync 'always'). Settled orders per second,
 * orders per batch, documents per order and the largest transaction; for the queue rebate alone
 * and with the union and green pools on as well.
 */
import * as fs from 'node:fs';
import { MAX_TX_DOCS, resetTxStats, txStats } from '../../server/src/repo/db';
import { verifyLedger } from '../../server/src/repo/ledger';
import { handlePayment } from '../../server/src/services/orders';
import type { PluginConfig } from '../../server/src/engine/config/types';
import { benchShop, emit, log, openBenchApp, scanJournal, tmpDir } from '../lib/app';

const ORDERS = Number(process.env.SETTLER_ORDERS ?? 5000);

const PATHS: { name: string; label: string; configure: (c: PluginConfig) => void }[] = [
  { name: 'rebate', label: '排队返利 (one hot cashier queue)', configure: (c) => ((c.rebate.extractionBp = 6500), (c.rebate.defaultRatioBp = 13000)) },
  {
    name: 'all',
    label: '排队返利 + 工会排队 + 绿色积分',
    configure: (c) => {
      c.rebate.extractionBp = 3000;
      c.union.enabled = true;
      c.union.poolShareBp = 2000;
      c.green.enabled = true;
      c.green.poolShareBp = 2000;
    },
  },
];

async function runPath(p: (typeof PATHS)[number]) {
  const dir = tmpDir(`settler-${p.name}`);
  const app = await openBenchApp({ dir, fsync: 'always' });
  await app.configure(p.configure);
  const { cashierId } = await benchShop(app);
  const shoppers = Array.from({ length: 200 }, (_, i) => `st-${p.name}-${i}`);
  for (const s of shoppers) await app.call(s, 'user', 'login');
  // record the payments only: created and paid through the real handler, nobody settles yet
  const ids: string[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const who = shoppers[i % shoppers.length]!;
    const o = await app.call(who, 'order', 'cashier', { cashierId, amountFen: 1000 + ((i * 7919) % 20_000) });
    await handlePayment(app.deps, new Date(), { outTradeNo: o.orderId, transactionId: `WX${o.orderId}`, totalFee: o.cashFen });
    ids.push(o.orderId);
  }
  const commitsBefore = scanJournal(dir).length;
  resetTxStats(app.deps.store);
  const t0 = process.hrtime.bigint();
  await app.deps.settler.drain();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const commits = scanJournal(dir).slice(commitsBefore);
  const docs = commits.reduce((a, c) => a + c.docs, 0);
  const stats = txStats(app.deps.store);
  const ledger = await verifyLedger(app.deps.store);
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const r = {
    path: p.name,
    label: p.label,
    orders: ORDERS,
    seconds: +seconds.toFixed(2),
    settledPerSecond: +(ORDERS / seconds).toFixed(0),
    transactions: commits.length,
    ordersPerTransaction: +(ORDERS / commits.length).toFixed(1),
    docsWrittenPerOrder: +(docs / ORDERS).toFixed(2),
    largestTransactionDocs: stats.maxDocs,
    bound: MAX_TX_DOCS,
    attemptsPerCommit: +(stats.attempts / Math.max(1, stats.commits)).toFixed(2),
    ledgerOk: ledger.ok,
  };
  log(`  ${p.label}: ${r.settledPerSecond} orders/s settled, ${r.ordersPerTransaction} orders per transaction, ${r.docsWrittenPerOrder} documents per order, largest transaction ${r.largestTransactionDocs} documents, ledger ${ledger.ok ? 'ok' : 'NOT OK'}`);
  return r;
}

const results = [];
for (const p of PATHS) {
  log(`settler: ${ORDERS} recorded payments, ${p.label}`);
  results.push(await runPath(p));
}
emit({ durability: "DATA_DIR, fsync 'always'", results });
