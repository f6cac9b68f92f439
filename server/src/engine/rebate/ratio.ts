import type { CumulativeTier, LotteryRule, PluginConfig, RebateRules } from '../config/types';

/**
 * 奖励权益比例 priority chains (SPEC §3.3). The first rule in the chain that is configured
 * AND applies gives the ratio; the chain always ends with the plugin default.
 */

export type RatioRule = 'level' | 'tiers' | 'lottery' | 'own';

/** Where a setting comes from: shown to the shopper and recorded on the entry. */
export type RatioSource = 'product' | 'storeProduct' | 'store' | 'cashier' | 'plugin';

export interface RatioStep {
  rule: RatioRule;
  source: RatioSource;
  levelRatios?: Record<string, number> | null;
  tiers?: CumulativeTier[] | null;
  lottery?: LotteryRule | null;
  ratioBp?: number | null;
}

export interface RatioContext {
  /** the buyer's member level at order time */
  levelId: string;
  /** completed spend of the buyer within `days` before the order, in the scope of `source` (mall vs that store) */
  spendFen: (source: RatioSource, days: number) => number;
}

export interface ResolvedRatio {
  ratioBp: number;
  rule: RatioRule;
  source: RatioSource;
  /** Set when the chain reached a lottery: the entry may be drawn once, before its first payout. */
  lottery: { rule: LotteryRule; source: RatioSource } | null;
}

function ruleSteps(source: RatioSource, r: Partial<RebateRules> | undefined) {
  return {
    level: { rule: 'level' as const, source, levelRatios: r?.levelRatios ?? null },
    tiers: { rule: 'tiers' as const, source, tiers: r?.tiers ?? null },
    lottery: { rule: 'lottery' as const, source, lottery: r?.lottery ?? null },
    own: { rule: 'own' as const, source, ratioBp: r?.ratioBp ?? null },
  };
}

function pluginSteps(config: PluginConfig) {
  const r = config.rebate;
  return ruleSteps('plugin', { levelRatios: r.levelRatios, lottery: r.lottery, ratioBp: r.defaultRatioBp });
}

/** Mall / product queue: product level → plugin level → product tiers → product lottery → plugin lottery → product own → plugin default. */
export function mallChain(product: Partial<RebateRules> | undefined, config: PluginConfig): RatioStep[] {
  const p = ruleSteps('product', product);
  const g = pluginSteps(config);
  return [p.level, g.level, p.tiers, p.lottery, g.lottery, p.own, g.own];
}

/** Cashier queue: cashier level → plugin level → cashier tiers → cashier lottery → plugin lottery → cashier default → plugin default. */
export function cashierChain(cashier: Partial<RebateRules> | undefined, config: PluginConfig): RatioStep[] {
  const c = ruleSteps('cashier', cashier);
  const g = pluginSteps(config);
  return [c.level, g.level, c.tiers, c.lottery, g.lottery, c.own, g.own];
}

/** Store product queue: eleven steps, store product before store before plugin at each rule. */
export function storeProductChain(storeProduct: Partial<RebateRules> | undefined, store: Partial<RebateRules> | undefined, config: PluginConfig): RatioStep[] {
  const sp = ruleSteps('storeProduct', storeProduct);
  const s = ruleSteps('store', store);
  const g = pluginSteps(config);
  return [sp.level, s.level, g.level, sp.tiers, s.tiers, sp.lottery, s.lottery, g.lottery, sp.own, s.own, g.own];
}

function tierRatio(tiers: CumulativeTier[], source: RatioSource, ctx: RatioContext): number | null {
  let best: number | null = null;
  for (const t of tiers) {
    if (ctx.spendFen(source, t.days) >= t.minSpendFen && (best === null || t.ratioBp > best)) best = t.ratioBp;
  }
  return best;
}

function firstOwnAfter(chain: RatioStep[], index: number): RatioStep {
  for (let i = index + 1; i < chain.length; i++) {
    const step = chain[i]!;
    if (step.rule === 'own' && step.ratioBp != null) return step;
  }
  throw new Error('invariant: a ratio chain must end with the plugin default ratio');
}

export function resolveRatio(chain: RatioStep[], ctx: RatioContext): ResolvedRatio {
  for (let i = 0; i < chain.length; i++) {
    const step = chain[i]!;
    switch (step.rule) {
      case 'level': {
        const bp = step.levelRatios?.[ctx.levelId];
        if (bp != null) return { ratioBp: bp, rule: 'level', source: step.source, lottery: null };
        break;
      }
      case 'tiers': {
        const bp = step.tiers?.length ? tierRatio(step.tiers, step.source, ctx) : null;
        if (bp != null) return { ratioBp: bp, rule: 'tiers', source: step.source, lottery: null };
        break;
      }
      case 'lottery': {
        if (step.lottery) {
          const fallback = firstOwnAfter(chain, i);
          return { ratioBp: fallback.ratioBp!, rule: 'own', source: fallback.source, lottery: { rule: step.lottery, source: step.source } };
        }
        break;
      }
      case 'own':
        if (step.ratioBp != null) return { ratioBp: step.ratioBp, rule: 'own', source: step.source, lottery: null };
        break;
    }
  }
  throw new Error('invariant: a ratio chain must end with the plugin default ratio');
}

/** The tier windows (in days) a chain needs spend for, per source: the service queries only these. */
export function spendQueries(chain: RatioStep[]): { source: RatioSource; days: number }[] {
  const out: { source: RatioSource; days: number }[] = [];
  for (const step of chain) {
    for (const t of step.tiers ?? []) {
      if (!out.some((q) => q.source === step.source && q.days === t.days)) out.push({ source: step.source, days: t.days });
    }
  }
  return out;
}
