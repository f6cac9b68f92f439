import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acct } from '../../server/src/engine/ledger/accounts';
import { col } from '../../server/src/repo/db';
import { ADMIN, createTestApp, shop, type TestApp } from '../helpers/app';
import { isErrorShape, mapLimit, rng, seedFromEnv } from './helpers';

/**
 * Reliability: every payment notification (payNotify.notify, the WeChat Pay callback handler) is
 * delivered 2–10 times: some deliveries concurrently, some after a simulated timeout (WeChat did
 * not get the answer in time and re-delivers later, possibly while a client `order.pay` retry and
 * a late first delivery are still in flight). Client retries of order.cashier / order.create with
 * the same requestId return the first order. Each event has exactly one effect.
 */
const ORDERS = 60;
const seed = seedFromEnv('duplicates', 4242);
let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
  await app.configure((c) => {
    c.rebate.extractionBp = 2000;
    c.rebate.settleOn = 'pay';
    c.union.enabled = true;
    c.union.poolShareBp = 2000;
    c.green.enabled = true;
    c.green.poolShareBp = 2000;
  });
});
afterAll(async () => app.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('duplicate and retried deliveries', () => {
  it(`${ORDERS} orders, each payment notification delivered 2–10 times (concurrent, delayed, mixed with client retries): one effect each`, async () => {
    const r = rng(seed);
    const { cashierId, productId } = await shop(app, { priceFen: 5000, costFen: 2000 });
    const shoppers = Array.from({ length: 12 }, (_, i) => `dup-${i}`);
    for (const s of shoppers) await app.call(s, 'user', 'login');

    // Orders, each created by a client that retries its request 1–4 times (some concurrently).
    const orders: { id: string; who: string; cashFen: number; tx: string }[] = [];
    await mapLimit(
      Array.from({ length: ORDERS }, (_, i) => i),
      8,
      async (i) => {
        const who = shoppers[i % shoppers.length]!;
        const requestId = `req-${seed}-${i}`;
        const cashier = i % 2 === 0;
        const make = () =>
          cashier
            ? app.raw(who, 'order', { action: 'cashier', cashierId, amountFen: 1000 + r.int(90_000), requestId })
            : app.raw(who, 'order', { action: 'create', lines: [{ productId, qty: 1 + r.int(3) }], requestId });
        const tries = 1 + r.int(4);
        const answers = await Promise.all(Array.from({ length: tries }, async (_, k) => (k > 0 && r.chance(0.5) ? sleep(r.int(20)).then(make) : make())));
        for (const a of answers) expect(a.ok, JSON.stringify(a.error)).toBe(true);
        expect(new Set(answers.map((a) => a.data.orderId)).size).toBe(1);
        orders[i] = { id: answers[0].data.orderId, who, cashFen: answers[0].data.cashFen, tx: `4200${seed}${String(i).padStart(6, '0')}` };
      },
    );
    expect(await col(app.deps.store.db, 'orders').countDocuments({ userId: { $regex: '^U' } })).toBeGreaterThanOrEqual(ORDERS);

    // Deliveries: 2–10 per payment, in bursts (concurrent) and after a simulated timeout (late).
    const deliver = (o: (typeof orders)[number]) => app.raw(null, 'payNotify', { action: 'notify', outTradeNo: o.id, transactionId: o.tx, totalFee: o.cashFen, resultCode: 'SUCCESS', returnCode: 'SUCCESS' });
    let total = 0;
    await mapLimit(orders, 10, async (o) => {
      const n = 2 + r.int(9);
      total += n;
      const work: Promise<any>[] = [];
      for (let k = 0; k < n; k++) {
        const mode = r.int(3);
        if (mode === 0) work.push(deliver(o)); // concurrent burst
        else if (mode === 1) work.push(sleep(5 + r.int(40)).then(() => deliver(o))); // re-delivery after a timeout
        else work.push(sleep(r.int(10)).then(() => app.raw(o.who, 'order', { action: 'pay', orderId: o.id }))); // the client retries "pay" too
      }
      const answers = await Promise.all(work);
      for (const a of answers) {
        expect(a.ok, JSON.stringify(a.error)).toBe(true);
        if ('errcode' in a.data) expect(a.data.errcode).toBe(0);
      }
    });
    // and one more late delivery of every notification, after everything settled
    for (const o of orders) expect((await deliver(o)).data).toMatchObject({ errcode: 0, duplicate: true });

    const db = app.deps.store.db;
    let cashIn = 0;
    for (const o of orders) {
      const doc = (await col(db, 'orders').findOne({ _id: o.id }))!;
      expect(['paid', 'completed']).toContain(doc.status);
      expect(doc.settledAt).not.toBeNull();
      // one payment: either our notification's transaction id or the simulated one, never both effective
      const pays = await col(db, 'payments').find({ orderId: o.id }).toArray();
      expect(pays.filter((p) => !p.duplicate)).toHaveLength(1);
      expect(await col(db, 'journal').countDocuments({ eventKey: `order.pay:${o.id}` })).toBe(1);
      expect(await col(db, 'entries').countDocuments({ orderId: o.id })).toBe(doc.lines.length);
      expect(await col(db, 'green_lots').countDocuments({ orderId: o.id })).toBe(1);
      expect(await col(db, 'union_entries').countDocuments({ orderId: o.id })).toBe(doc.lines.length);
      // a second *different* transaction for the same order is a real second payment, credited back
      const dupPays = pays.filter((p) => p.duplicate);
      expect(dupPays.every((p) => p._id !== pays.find((q) => !q.duplicate)!._id)).toBe(true);
      cashIn += o.cashFen * (1 + dupPays.length);
    }
    // the money that came in is exactly one payment per order (plus refunded second payments)
    const report = await app.verify();
    expect(report.problems).toEqual([]);
    expect(-(report.systemBalances[acct.extWxPay] ?? 0)).toBe(cashIn);
    console.log(`[reliability] duplicates: ${ORDERS} orders, ${total + ORDERS} notification deliveries / client pays, one effect each`);
  }, 120_000);

  it('a notification for an unknown order changes nothing; one with a wrong amount is an anomaly (recorded, answered, settled nowhere)', async () => {
    const { cashierId } = await shop(app);
    await app.call('dup-x', 'user', 'login');
    const o = await app.call('dup-x', 'order', 'cashier', { cashierId, amountFen: 1234 });
    const unknown = await app.raw(null, 'payNotify', { action: 'notify', outTradeNo: 'O_no_such_order', transactionId: 'TXWRONG2', totalFee: 1234 });
    expect(isErrorShape(unknown), JSON.stringify(unknown)).toBe(true);
    // answered so that WeChat stops retrying (twice: the same effect), the order stays unpaid, the money waits in suspense
    for (let i = 0; i < 2; i++) {
      const a = await app.raw(null, 'payNotify', { action: 'notify', outTradeNo: o.orderId, transactionId: 'TXWRONG1', totalFee: 1 });
      expect(a, JSON.stringify(a)).toMatchObject({ ok: true, data: { errcode: 0, anomaly: true } });
    }
    expect((await app.call('dup-x', 'order', 'get', { orderId: o.orderId })).status).toBe('created');
    expect(await col(app.deps.store.db, 'payment_anomalies').countDocuments({ _id: 'TXWRONG1', status: 'open' })).toBe(1);
    expect((await app.verify()).systemBalances['CASH:platform:payment-suspense']).toBe(1);
    const before = await col(app.deps.store.db, 'payments').countDocuments({});
    // the same transaction id later claimed for another order is refused
    await app.call(null as never, 'payNotify', 'notify', { outTradeNo: o.orderId, transactionId: 'TXREUSE', totalFee: 1234 }).catch(() => undefined);
    const o2 = await app.call('dup-x', 'order', 'cashier', { cashierId, amountFen: 1234 });
    const a = await app.raw(null, 'payNotify', { action: 'notify', outTradeNo: o2.orderId, transactionId: 'TXREUSE', totalFee: 1234 });
    expect(isErrorShape(a) && a.error.code === 'CONFLICT', JSON.stringify(a)).toBe(true);
    expect((await col(app.deps.store.db, 'orders').findOne({ _id: o2.orderId }))!.status).toBe('created');
    expect(await col(app.deps.store.db, 'payments').countDocuments({})).toBe(before + 1);
    await app.settled(); // the recorded payment settles after payNotify answered
    expect((await app.verify()).problems).toEqual([]);
    void ADMIN;
  });
});
