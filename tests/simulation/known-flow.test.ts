import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, createTestApp, payAtCashier, shop, type TestApp } from '../helpers/app';

/**
 * Issue 14, a known flow: constant ¥100 orders on one queue, extraction 65%, ratio 130%. Each
 * order adds ¥130 of entitlement and pays off ¥65 of the earlier ones, so after n orders
 * ¥130 + ¥65 × (n − 1) is owed — in the database, and in the replay of the period — and the
 * steady-state text says the amount grows with every order.
 */
let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const T0 = Date.parse('2026-03-02T10:00:00+08:00');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('a known flow: ¥100 orders, extraction 65%, ratio 130%', () => {
  it('owes ¥130 + ¥65 × (n − 1) after n orders, in the database and in the replay, and says it grows', async () => {
    app = await createTestApp();
    await app.configure((c) => {
      c.rebate.extractionBp = 6500;
      c.rebate.defaultRatioBp = 13000;
    });
    const { cashierId } = await shop(app);
    const n = 12;
    for (let i = 0; i < n; i++) await payAtCashier(app, `kf-${i % 4}`, cashierId, 10_000, { now: at(i * 30) });
    const expected = 13_000 + 6_500 * (n - 1);
    const dash = await app.call(ADMIN, 'admin', 'dashboard', {}, { now: at(n * 30) });
    expect(dash.queueOutstandingFen).toBe(expected);

    const config = await app.call(ADMIN, 'admin', 'getConfig');
    const sim = await app.call(ADMIN, 'admin', 'simulateConfig', { config, days: 7 }, { now: at(n * 30 + 60) });
    expect(sim.period.orders).toBe(n);
    expect(sim.current.report.totals.queueEndFen).toBe(expected);
    expect(sim.proposed.report.totals.queueEndFen).toBe(expected);
    const q = sim.proposed.report.queues[0];
    expect(q).toMatchObject({ salesFen: 100_000 * n / 10, extractableFen: 6_500 * n, createdFen: 13_000 * n, paidFen: 6_500 * (n - 1) });
    expect(sim.proposed.analysis.grows).toBe(true);
    const words = sim.proposed.analysis.summary.join('\n');
    expect(words).toContain('每卖出 ¥1 新增待返 ¥1.30');
    expect(words).toContain('提取最多只能还 ¥0.65');
    expect(words).toContain('待返总额随每笔订单增长');
    expect(sim.proposed.analysis.effects[0].text).toContain('约每天增加');

    // a ratio at the extraction: nothing grows
    const sim2 = await app.call(ADMIN, 'admin', 'simulateConfig', { config: { ...config, rebate: { ...config.rebate, defaultRatioBp: 6500 } }, days: 7 }, { now: at(n * 30 + 60) });
    expect(sim2.proposed.analysis.grows).toBe(false);
    expect(sim2.proposed.report.totals.queueEndFen).toBe(6_500);
    expect(sim2.current.report.totals.queueEndFen).toBe(expected);
  });
});
