import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { col } from '../../server/src/repo/db';
import { ADMIN, createTestApp, type TestApp } from '../helpers/app';
import { announce, attempt, db, expectLedgerOk, expectOk, runsFor, seedFor, timeoutFor } from './support';

/**
 * SPEC §1: the same event delivered twice has exactly one effect. A client retry of a creating
 * action (same requestId) — order.create, order.cashier, green.withdraw, green.transfer,
 * wallet.withdraw — delivered several times at once answers every copy with the first result and
 * changes the state once; a different requestId is a new action.
 */

const SEED = seedFor(20260701);
const RUNS = runsFor(30);

let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

type Act = { k: 'create' | 'cashier' | 'gwithdraw' | 'gtransfer' | 'withdraw'; copies: number; fresh: boolean; amount: number };

describe('idempotent client retries (SPEC §1) through the public actions', () => {
  announce('client retries with the same requestId', SEED, RUNS);
  it(
    `the same request delivered several times concurrently has one effect (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      const actArb: fc.Arbitrary<Act> = fc.record({
        k: fc.constantFrom('create' as const, 'cashier' as const, 'gwithdraw' as const, 'gtransfer' as const, 'withdraw' as const),
        copies: fc.integer({ min: 2, max: 6 }),
        fresh: fc.boolean(),
        amount: fc.integer({ min: 100, max: 5000 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(actArb, { minLength: 3, maxLength: 12 }), async (acts) => {
          await app?.close();
          const a = await createTestApp();
          app = a;
          await a.configure((c) => {
            c.rebate.extractionBp = 3000;
            c.rebate.settleOn = 'pay';
            c.green = { ...c.green, enabled: true, poolShareBp: 3000, mintBp: 7000, exitMultipleBp: 0 };
          });
          await a.call(ADMIN, 'user', 'login');
          const p = await a.call(ADMIN, 'admin', 'upsertProduct', { name: '商品', priceFen: 100_000, costFen: 0, stock: 1000 });
          await a.call('merchant', 'user', 'login');
          const st = await a.call('merchant', 'merchant', 'applyStore', { name: '门店' });
          await a.call(ADMIN, 'admin', 'approveStore', { storeId: st.storeId, approve: true, commissionBp: 1000 });
          const cashier = await a.call('merchant', 'merchant', 'createCashier', { storeId: st.storeId, name: '收银台' });
          await a.call('x', 'user', 'login');
          const y = await a.call('y', 'user', 'login');
          // x holds green points and some cash to withdraw
          for (let i = 0; i < 3; i++) {
            const o = await a.call(i === 0 ? 'y' : 'x', 'order', 'create', { lines: [{ productId: p.productId, qty: 1 }] });
            await a.call(i === 0 ? 'y' : 'x', 'order', 'pay', { orderId: o.orderId });
          }
          let n = 0;
          for (const act of acts) {
            n++;
            const rid = `req-${n}-${act.k}`;
            const count = async () => ({
              orders: await col(db(a), 'orders').countDocuments({}),
              withdrawals: await col(db(a), 'withdrawals').countDocuments({}),
              journal: await col(db(a), 'journal').countDocuments({}),
              stock: (await col(db(a), 'products').findOne({ _id: p.productId }))!.stock,
            });
            const before = await count();
            const bal = expectOk(await attempt(a, 'x', 'wallet', 'balances'), 'balances');
            const greenUnits = Math.max(1, Math.floor(bal.greenUnits / 10));
            const deliver = (requestId: string) => {
              switch (act.k) {
                case 'create':
                  return attempt(a, 'x', 'order', 'create', { lines: [{ productId: p.productId, qty: 1 }], requestId });
                case 'cashier':
                  return attempt(a, 'x', 'order', 'cashier', { cashierId: cashier.cashierId, amountFen: act.amount, requestId });
                case 'gwithdraw':
                  return attempt(a, 'x', 'green', 'withdraw', { units: greenUnits, requestId });
                case 'gtransfer':
                  return attempt(a, 'x', 'green', 'transfer', { toUserId: y.userId, units: greenUnits, requestId });
                case 'withdraw':
                  return attempt(a, 'x', 'wallet', 'withdraw', { amountFen: act.amount, requestId });
              }
            };
            const outs = await Promise.all(Array.from({ length: act.copies }, () => deliver(rid)));
            const oks = outs.filter((o) => o.ok);
            // every copy either succeeded with the same answer, or all failed for the same reason (e.g. not enough balance)
            if (oks.length) {
              expect(oks.length, `${act.k}: every copy of one request gets the first answer`).toBe(outs.length);
              for (const o of oks) expect(JSON.parse(JSON.stringify(o.ok && o.data))).toEqual(JSON.parse(JSON.stringify(oks[0]!.ok && oks[0]!.data)));
            } else {
              expect(new Set(outs.map((o) => !o.ok && o.code)).size).toBe(1);
            }
            const after = await count();
            const created = oks.length ? 1 : 0;
            if (act.k === 'create' || act.k === 'cashier') expect(after.orders - before.orders, `${act.k}: one order for ${act.copies} copies`).toBe(created);
            if (act.k === 'create') expect(before.stock - after.stock).toBe(created);
            if (act.k === 'withdraw') expect(after.withdrawals - before.withdrawals).toBe(created);
            if (act.k === 'gwithdraw' || act.k === 'gtransfer' || act.k === 'withdraw') expect(after.journal - before.journal, `${act.k}: one journal entry`).toBe(created);
            // a new requestId is a new action
            if (act.fresh && oks.length) {
              const again = await deliver(`${rid}-b`);
              if (again.ok && (act.k === 'create' || act.k === 'cashier')) expect(again.data.orderId).not.toBe((oks[0] as any).data.orderId);
            }
            await expectLedgerOk(a, `after ${act.k} ×${act.copies}`);
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    timeoutFor(RUNS, 4_000),
  );

  const STOCK_SEED = seedFor(20260702);
  const STOCK_RUNS = runsFor(30);
  announce('concurrent orders never oversell', STOCK_SEED, STOCK_RUNS);
  it(
    `concurrent orders, cancels and refunds never oversell a product; stock + sold is constant (seed ${STOCK_SEED}, ${STOCK_RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 12 }),
          fc.array(fc.array(fc.record({ k: fc.constantFrom('buy' as const, 'buy' as const, 'cancel' as const, 'refund' as const), u: fc.nat({ max: 3 }), qty: fc.integer({ min: 1, max: 4 }), o: fc.nat({ max: 100 }) }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
          async (stock, batches) => {
            await app?.close();
            const a = await createTestApp();
            app = a;
            await a.call(ADMIN, 'user', 'login');
            const p = await a.call(ADMIN, 'admin', 'upsertProduct', { name: '限量', priceFen: 1000, costFen: 0, stock });
            for (const u of ['p0', 'p1', 'p2', 'p3']) await a.call(u, 'user', 'login');
            const orders: { id: string; owner: string }[] = [];
            for (const batch of batches) {
              await Promise.all(
                batch.map(async (op) => {
                  const owner = `p${op.u}`;
                  if (op.k === 'buy') {
                    const out = await attempt(a, owner, 'order', 'create', { lines: [{ productId: p.productId, qty: op.qty }] });
                    if (!out.ok) return expect(['CONFLICT']).toContain(out.code); // 库存不足
                    orders.push({ id: out.data.orderId, owner });
                    if (op.o % 2) expectOk(await attempt(a, owner, 'order', 'pay', { orderId: out.data.orderId }), 'order.pay');
                    return;
                  }
                  if (!orders.length) return;
                  const o = orders[op.o % orders.length]!;
                  const out = await attempt(a, op.k === 'refund' ? ADMIN : o.owner, 'order', op.k, { orderId: o.id });
                  if (!out.ok) expect(['CONFLICT']).toContain(out.code);
                }),
              );
              const prod = (await col(db(a), 'products').findOne({ _id: p.productId }))!;
              const live = (await col(db(a), 'orders').find({ status: { $in: ['created', 'paid', 'completed'] } }).toArray()).reduce((x, o) => x + o.lines[0]!.qty, 0);
              expect(prod.stock, 'never oversold').toBeGreaterThanOrEqual(0);
              expect(prod.stock + prod.sold, 'stock + sold constant').toBe(stock);
              expect(prod.sold, 'sold = quantity of live orders').toBe(live);
            }
            await expectLedgerOk(a, 'after concurrent orders');
          },
        ),
        { seed: STOCK_SEED, numRuns: STOCK_RUNS },
      );
    },
    timeoutFor(STOCK_RUNS, 2_000),
  );
});
