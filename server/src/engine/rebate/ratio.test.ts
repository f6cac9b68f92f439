import { describe, expect, it } from 'vitest';
import { defaultPluginConfig } from '../config/defaults';
import type { PluginConfig, RebateRules } from '../config/types';
import { cashierChain, mallChain, resolveRatio, storeProductChain, type RatioContext, type RatioSource } from './ratio';

const lottery = (bp: number) => ({ kind: 'fixed' as const, options: [{ ratioBp: bp, weight: 1 }] });
const tiers = (bp: number) => [{ days: 30, minSpendFen: 1000, ratioBp: bp }];

function ctx(levelId = 'VIP', spend: Partial<Record<RatioSource, number>> = {}): RatioContext {
  return { levelId, spendFen: (source) => spend[source] ?? 0 };
}

function config(over: Partial<PluginConfig['rebate']> = {}): PluginConfig {
  const c = defaultPluginConfig();
  c.memberLevels.push({ id: 'VIP', name: 'VIP', minSpendFen: 100 });
  c.rebate = { ...c.rebate, ...over };
  return c;
}

/**
 * Precedence test: configure every rule of the chain with a distinct ratio, then remove
 * them one at a time from the front: each removal must reveal exactly the next rule.
 */
function walkChain(steps: { name: string; ratioBp: number; lottery?: boolean }[], build: (upTo: number) => { chain: ReturnType<typeof mallChain>; c: RatioContext }) {
  const seen: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    const { chain, c } = build(i);
    const r = resolveRatio(chain, c);
    const expected = steps[i]!;
    seen.push(`${expected.name}:${r.ratioBp}${r.lottery ? '+lottery' : ''}`);
    if (expected.lottery) {
      expect(r.lottery, expected.name).not.toBeNull();
    } else {
      expect(r.ratioBp, expected.name).toBe(expected.ratioBp);
      expect(r.lottery, expected.name).toBeNull();
    }
  }
  return seen;
}

describe('ratio priority chains (SPEC §3.3)', () => {
  it('mall/product: product level → plugin level → product tiers → product lottery → plugin lottery → product own → plugin default', () => {
    const steps = [
      { name: 'product level', ratioBp: 20001 },
      { name: 'plugin level', ratioBp: 20002 },
      { name: 'product tiers', ratioBp: 20003 },
      { name: 'product lottery', ratioBp: 20006, lottery: true },
      { name: 'plugin lottery', ratioBp: 20006, lottery: true },
      { name: 'product own', ratioBp: 20006 },
      { name: 'plugin default', ratioBp: 13000 },
    ];
    walkChain(steps, (i) => {
      const product: RebateRules = {
        enabled: true,
        levelRatios: i <= 0 ? { VIP: 20001 } : null,
        tiers: i <= 2 ? tiers(20003) : null,
        lottery: i <= 3 ? lottery(20004) : null,
        ratioBp: i <= 5 ? 20006 : null,
      };
      const c = config({ levelRatios: i <= 1 ? { VIP: 20002 } : {}, lottery: i <= 4 ? lottery(20005) : null });
      return { chain: mallChain(product, c), c: ctx('VIP', { product: 5000 }) };
    });
  });

  it('a lottery in the chain gives the next own/default ratio as the fallback and marks the entry', () => {
    const c = config({ lottery: lottery(30000) });
    const r = resolveRatio(mallChain({ enabled: true, ratioBp: 11000 }, c), ctx());
    expect(r).toMatchObject({ ratioBp: 11000, source: 'product', lottery: { source: 'plugin' } });
    const r2 = resolveRatio(mallChain({ enabled: true }, c), ctx());
    expect(r2).toMatchObject({ ratioBp: 13000, source: 'plugin', lottery: { source: 'plugin' } });
  });

  it('cumulative tiers: the highest satisfied tier applies; unsatisfied tiers fall through', () => {
    const c = config();
    const product: RebateRules = {
      enabled: true,
      tiers: [
        { days: 30, minSpendFen: 200000, ratioBp: 5000 },
        { days: 30, minSpendFen: 500000, ratioBp: 6000 },
        { days: 60, minSpendFen: 1000000, ratioBp: 10000 },
      ],
    };
    const spend = (d30: number, d60: number): RatioContext => ({ levelId: 'L0', spendFen: (_s, days) => (days === 30 ? d30 : d60) });
    expect(resolveRatio(mallChain(product, c), spend(100000, 100000)).ratioBp).toBe(13000);
    expect(resolveRatio(mallChain(product, c), spend(200000, 200000)).ratioBp).toBe(5000);
    expect(resolveRatio(mallChain(product, c), spend(600000, 600000)).ratioBp).toBe(6000);
    expect(resolveRatio(mallChain(product, c), spend(600000, 1000000)).ratioBp).toBe(10000);
  });

  it('a level ratio applies only when the buyer\'s level has one', () => {
    const c = config({ levelRatios: { VIP: 15000 } });
    expect(resolveRatio(mallChain({ enabled: true }, c), ctx('VIP')).ratioBp).toBe(15000);
    expect(resolveRatio(mallChain({ enabled: true }, c), ctx('L0')).ratioBp).toBe(13000);
  });

  it('cashier: cashier level → plugin level → cashier tiers → cashier lottery → plugin lottery → cashier default → plugin default', () => {
    const steps = [
      { name: 'cashier level', ratioBp: 30001 },
      { name: 'plugin level', ratioBp: 30002 },
      { name: 'cashier tiers', ratioBp: 30003 },
      { name: 'cashier lottery', ratioBp: 30006, lottery: true },
      { name: 'plugin lottery', ratioBp: 30006, lottery: true },
      { name: 'cashier default', ratioBp: 30006 },
      { name: 'plugin default', ratioBp: 13000 },
    ];
    walkChain(steps, (i) => {
      const cashier: RebateRules = {
        enabled: true,
        levelRatios: i <= 0 ? { VIP: 30001 } : null,
        tiers: i <= 2 ? tiers(30003) : null,
        lottery: i <= 3 ? lottery(30004) : null,
        ratioBp: i <= 5 ? 30006 : null,
      };
      const c = config({ levelRatios: i <= 1 ? { VIP: 30002 } : {}, lottery: i <= 4 ? lottery(30005) : null });
      return { chain: cashierChain(cashier, c), c: ctx('VIP', { cashier: 5000 }) };
    });
  });

  it('store product: eleven steps, store product before store before plugin at each rule', () => {
    const steps = [
      { name: 'store-product level', ratioBp: 40001 },
      { name: 'store level', ratioBp: 40002 },
      { name: 'plugin level', ratioBp: 40003 },
      { name: 'store-product tiers', ratioBp: 40004 },
      { name: 'store tiers', ratioBp: 40005 },
      { name: 'store-product lottery', ratioBp: 0, lottery: true },
      { name: 'store lottery', ratioBp: 0, lottery: true },
      { name: 'plugin lottery', ratioBp: 0, lottery: true },
      { name: 'store-product default', ratioBp: 40009 },
      { name: 'store default', ratioBp: 40010 },
      { name: 'plugin default', ratioBp: 13000 },
    ];
    walkChain(steps, (i) => {
      const sp: RebateRules = {
        enabled: true,
        levelRatios: i <= 0 ? { VIP: 40001 } : null,
        tiers: i <= 3 ? tiers(40004) : null,
        lottery: i <= 5 ? lottery(1) : null,
        ratioBp: i <= 8 ? 40009 : null,
      };
      const store: RebateRules = {
        enabled: true,
        levelRatios: i <= 1 ? { VIP: 40002 } : null,
        tiers: i <= 4 ? tiers(40005) : null,
        lottery: i <= 6 ? lottery(2) : null,
        ratioBp: i <= 9 ? 40010 : null,
      };
      const c = config({ levelRatios: i <= 2 ? { VIP: 40003 } : {}, lottery: i <= 7 ? lottery(3) : null });
      return { chain: storeProductChain(sp, store, c), c: ctx('VIP', { storeProduct: 5000, store: 5000 }) };
    });
    // and the lottery steps report which source's lottery is drawn
    const c = config({ lottery: lottery(3) });
    expect(resolveRatio(storeProductChain({ enabled: true, lottery: lottery(1) }, { enabled: true, lottery: lottery(2) }, c), ctx()).lottery?.source).toBe('storeProduct');
    expect(resolveRatio(storeProductChain({ enabled: true }, { enabled: true, lottery: lottery(2) }, c), ctx()).lottery?.source).toBe('store');
  });
});
