import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buy, createTestApp, shop, type TestApp } from '../helpers/app';

let app: TestApp;
beforeEach(async () => (app = await createTestApp()));
afterEach(async () => app.close());

describe('SPEC §3.1 worked examples, through the public actions', () => {
  it('¥168 at 130% / 65%: entitlement ¥218.40; the next ¥168 order pays it ¥109.20', async () => {
    const { productId } = await shop(app, { priceFen: 16800 });
    await buy(app, 'a', productId);
    let [entry] = (await app.call('a', 'queue', 'mine')).entries;
    expect(entry).toMatchObject({ entitlementFen: 21840, receivedFen: 0, status: 'pending', position: 1 });

    const second = await buy(app, 'b', productId);
    expect(second.settlement.extractedFen).toBe(10920);
    [entry] = (await app.call('a', 'queue', 'mine')).entries;
    expect(entry).toMatchObject({ receivedFen: 10920, pendingFen: 10920, status: 'pending' });
    expect((await app.call('a', 'wallet', 'balances')).cashFen).toBe(10920);
    expect((await app.verify()).problems).toEqual([]);
  });

  it('four ¥100 orders at 100% / 10%: A has ¥30 of ¥100', async () => {
    await app.configure((c) => {
      c.rebate.defaultRatioBp = 10000;
      c.rebate.extractionBp = 1000;
    });
    const { productId } = await shop(app, { priceFen: 10000 });
    for (const who of ['a', 'b', 'c', 'd']) await buy(app, who, productId);
    const a = (await app.call('a', 'queue', 'mine')).entries[0];
    expect(a).toMatchObject({ entitlementFen: 10000, receivedFen: 3000, progressBp: 3000 });
    // B, C and D waited behind A: nothing reached them
    for (const who of ['b', 'c', 'd']) expect((await app.call(who, 'queue', 'mine')).entries[0].receivedFen).toBe(0);
    expect((await app.verify()).ok).toBe(true);
  });

  it('an empty queue extracts nothing: the whole order stays with revenue', async () => {
    const { productId } = await shop(app, { priceFen: 16800 });
    const first = await buy(app, 'a', productId);
    expect(first.settlement.extractedFen).toBe(0);
    const report = await app.verify();
    expect(report.systemBalances['CASH:platform:revenue']).toBe(16800);
  });
});
