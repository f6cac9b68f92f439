import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedClient } from '../../server/src/db';
import { col } from '../../server/src/repo/db';
import { verifyLedger } from '../../server/src/repo/ledger';
import { api, freePort, startGateway, type GatewayProc } from '../../bench/lib/gateway';
import { rng, seedFromEnv } from './helpers';

/**
 * Reliability: the real gateway process (`server/src/gateway/main.ts`, durable DATA_DIR) is killed
 * with SIGKILL at random moments during a stream of orders from 3 concurrent clients, restarted
 * on the same data directory, and the clients resume with the same idempotency keys (requestId
 * for order.cashier / order.create, the WeChat transaction id for payNotify.notify). Afterwards:
 * every acknowledged order exists exactly once (a retried request returns the acknowledged
 * order), every order was paid and settled exactly once, and verifyLedger passes.
 */
const ORDERS = Number(process.env.CRASH_ORDERS ?? 45);
const KILLS = Number(process.env.CRASH_KILLS ?? 4);
const seed = seedFromEnv('crash', 777);
const ADMIN = 'crash-admin';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
let gw: GatewayProc | null = null;
afterAll(async () => {
  await gw?.kill9();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The gateway here always runs the embedded engine in a DATA_DIR (bench/lib/gateway.ts removes
// MONGODB_URI): this is the embedded engine's durability test. Against a replica set, durability
// is the server's (w: majority), so with MONGODB_URI set it is skipped rather than run on a
// different engine than the rest of the suite.
const EMBEDDED_ONLY = !!process.env.MONGODB_URI;
if (EMBEDDED_ONLY) console.warn('[crash] skipped: SIGKILL of the gateway tests the embedded engine in DATA_DIR; MONGODB_URI is set (durability is the replica set\'s)');

describe('SIGKILL of the gateway during a stream of orders', () => {
  it.skipIf(EMBEDDED_ONLY)(`${ORDERS} orders, ${KILLS} kills at random moments: nothing lost, nothing doubled`, async () => {
    const r = rng(seed);
    const port = await freePort();
    const start = async () => (gw = await startGateway({ dataDir: dir, port, admins: ADMIN }));
    await start();
    let url = gw!.url;
    const must = async (p: Promise<any>) => {
      const x = await p;
      if (!x.ok) throw new Error(JSON.stringify(x.error));
      return x.data;
    };
    await must(api(url, ADMIN, 'user', 'login'));
    await must(api(url, 'crash-merchant', 'user', 'login'));
    const st = await must(api(url, 'crash-merchant', 'merchant', 'applyStore', { name: '崩溃测试店' }));
    await must(api(url, ADMIN, 'admin', 'approveStore', { storeId: st.storeId, approve: true, commissionBp: 1000 }));
    const { cashierId } = await must(api(url, 'crash-merchant', 'merchant', 'createCashier', { storeId: st.storeId, name: '1号' }));
    const { productId } = await must(api(url, ADMIN, 'admin', 'upsertProduct', { name: '崩溃测试商品', priceFen: 2990, costFen: 1000, stock: 100_000 }));
    const cfg = await must(api(url, ADMIN, 'admin', 'getConfig'));
    cfg.rebate.extractionBp = 2000;
    cfg.union.enabled = true;
    cfg.union.poolShareBp = 2000;
    await must(api(url, ADMIN, 'admin', 'setConfig', { config: cfg }));
    const shoppers = ['crash-a', 'crash-b', 'crash-c'];
    for (const s of shoppers) await must(api(url, s, 'user', 'login'));

    // A call that survives the gateway being down: retried with the same event until answered.
    let down = false;
    let interrupted = 0;
    const call = async (openid: string | null, fn: string, action: string, params: Record<string, unknown>) => {
      for (let attempt = 0; ; attempt++) {
        try {
          const x = await api(url, openid, fn, action, params);
          if (x.ok) return x.data;
          // a request cut by the crash may have been answered CONFLICT by a half-open retry: try again
          if (x.error.code === 'CONFLICT' && attempt < 50) continue;
          throw new Error(`${fn}.${action}: ${JSON.stringify(x.error)}`);
        } catch (e) {
          if ((e as Error).message.includes(`${fn}.${action}:`)) throw e;
          if (attempt > 600) throw e;
          interrupted++;
          await sleep(down ? 100 : 20);
        }
      }
    };

    const acknowledged = new Map<string, string>(); // requestId → orderId first answered
    let done = 0;
    const items = Array.from({ length: ORDERS }, (_, i) => ({ i, who: shoppers[i % 3]!, cashier: r.chance(0.6), amount: 100 + r.int(30_000), qty: 1 + r.int(2) }));
    const workers = shoppers.map(async (who) => {
      for (const it of items.filter((x) => x.who === who)) {
        const requestId = `crash-${seed}-${it.i}`;
        const o = it.cashier
          ? await call(who, 'order', 'cashier', { cashierId, amountFen: it.amount, requestId })
          : await call(who, 'order', 'create', { lines: [{ productId, qty: it.qty }], requestId });
        if (!acknowledged.has(requestId)) acknowledged.set(requestId, o.orderId);
        expect(o.orderId).toBe(acknowledged.get(requestId));
        const n = await call(null, 'payNotify', 'notify', { outTradeNo: o.orderId, transactionId: `4200CRASH${seed}x${it.i}`, totalFee: o.cashFen });
        expect(n.errcode).toBe(0);
        if (!it.cashier) await call(who, 'order', 'complete', { orderId: o.orderId });
        done++;
      }
    });

    const killer = (async () => {
      // kill points spread over the stream: after a random number of completed orders, plus a random delay (mid-request)
      const targets = Array.from({ length: KILLS }, () => 1 + r.int(ORDERS - 6)).sort((a, b) => a - b);
      for (let k = 0; k < KILLS; k++) {
        while (done < targets[k]!) await sleep(5);
        await sleep(r.int(120));
        if (done >= ORDERS) break;
        down = true;
        await gw!.kill9();
        await start();
        url = gw!.url;
        down = false;
        console.log(`[reliability] crash: SIGKILL #${k + 1} after ${done} completed orders, restarted in ${gw!.startMs} ms`);
      }
    })();
    await Promise.all([...workers, killer]);
    expect(done).toBe(ORDERS);
    console.log(`[reliability] crash: ${interrupted} request attempts cut by a kill or refused while down, all resumed`);

    // Every request id, retried once more after everything: the acknowledged order, not a new one.
    for (const it of items.slice(0, 10)) {
      const requestId = `crash-${seed}-${it.i}`;
      const again = it.cashier
        ? await call(it.who, 'order', 'cashier', { cashierId, amountFen: it.amount, requestId })
        : await call(it.who, 'order', 'create', { lines: [{ productId, qty: it.qty }], requestId });
      expect(again.orderId).toBe(acknowledged.get(requestId));
    }
    // payNotify answers before settlement (SPEC §9): the last payments may still be due, and a
    // killed settler's lease must run out first. The gateway settles them by itself.
    const settleDeadline = Date.now() + 60_000;
    for (;;) {
      const st = await must(api(url, ADMIN, 'admin', 'settlerStatus'));
      if (st.due === 0) break;
      if (Date.now() > settleDeadline) throw new Error(`still due after 60 s: ${JSON.stringify(st)}`);
      await sleep(200);
    }
    await gw!.stop();
    gw = null;

    const client = await openEmbeddedClient({ dir });
    try {
      const db = client.db('queue_rebate');
      const orders = await col(db, 'orders').find({}).toArray();
      expect(orders).toHaveLength(ORDERS);
      expect(new Set(orders.map((o) => o._id))).toEqual(new Set(acknowledged.values()));
      for (const o of orders) {
        expect(o.status, o._id).toBe('completed');
        expect(o.settledAt, o._id).not.toBeNull();
        expect(await col(db, 'payments').countDocuments({ orderId: o._id, duplicate: false }), o._id).toBe(1);
        expect(await col(db, 'journal').countDocuments({ eventKey: `order.pay:${o._id}` }), o._id).toBe(1);
        expect(await col(db, 'union_entries').countDocuments({ orderId: o._id }), o._id).toBe(o.lines.length);
      }
      expect(await col(db, 'entries').countDocuments({})).toBe(ORDERS);
      const report = await verifyLedger({ client, db });
      expect(report.problems).toEqual([]);
    } finally {
      await client.close();
    }
  }, 170_000);
});
