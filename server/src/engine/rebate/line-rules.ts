import type { PluginConfig, RandomReturn, RewardLimits, RewardWindow } from '../config/types';
import { cashierChain, mallChain, storeProductChain, type RatioStep } from './ratio';
import { queueKeyFor, type QueueSource } from './rules';
import type { CashierDoc, OrderLine, ProductDoc, StoreDoc } from '../../repo/documents';

/** An order line with the documents its rules come from. */
export interface LineScope {
  line: OrderLine;
  index: number;
  source: QueueSource;
  product: ProductDoc | null;
  store: StoreDoc | null;
  cashier: CashierDoc | null;
}

/** Everything the queue-rebate engine needs to know about one line, resolved from product / store / cashier / plugin settings. */
export interface LineRebateRules {
  enabled: boolean;
  queueKey: string;
  queueName: string;
  extractionBp: number;
  chain: RatioStep[];
  windows: RewardWindow[];
  limits: { scope: string; limits: RewardLimits }[];
  randomReturn: RandomReturn;
}

export function queueDisplayName(key: string, scope: LineScope): string {
  if (key === 'mall') return '商城队列';
  if (key === 'stores') return '所有门店队列';
  if (key === 'cashiers') return '所有收银台队列';
  if (key.startsWith('product:')) return `${scope.product?.name ?? '商品'}队列`;
  if (key.startsWith('store:')) return `${scope.store?.name ?? '门店'}队列`;
  return `${scope.store?.name ?? ''}${scope.cashier?.name ?? '收银台'}队列`;
}

/**
 * A line's rules are asked for several times while one batch is planned (loading, extraction,
 * joining) and, in a what-if replay, for every batch: remembered per (line, configuration)
 * object. Scopes and configurations are never changed once loaded, and a loaded batch's objects
 * are new ones, so an answer can never be stale; the entries go with their keys (weak maps).
 */
const remembered = new WeakMap<LineScope, WeakMap<PluginConfig, LineRebateRules>>();

export function lineRebateRules(scope: LineScope, config: PluginConfig): LineRebateRules {
  let byConfig = remembered.get(scope);
  if (!byConfig) remembered.set(scope, (byConfig = new WeakMap()));
  let rules = byConfig.get(config);
  if (!rules) byConfig.set(config, (rules = resolveLineRules(scope, config)));
  return rules;
}

function resolveLineRules(scope: LineScope, config: PluginConfig): LineRebateRules {
  const plugin = config.rebate;
  const queueKey = queueKeyFor(scope.source, config);
  const base = { queueKey, queueName: queueDisplayName(queueKey, scope) };
  const windows = (...ws: (RewardWindow | null | undefined)[]) => ws.filter((w): w is RewardWindow => !!w);
  switch (scope.source.kind) {
    case 'mall': {
      const p = scope.product!.rebate;
      return {
        ...base,
        // With one queue per product, a delisted product's queue never pays again (SPEC §3.2), and joining it would be pointless.
        enabled: plugin.enabled && p.enabled && scope.line.rebateEnabled && (plugin.mallQueue || scope.product!.listed),
        extractionBp: p.extractionBp ?? plugin.extractionBp,
        chain: mallChain(p, config),
        windows: windows(p.window),
        limits: p.limits ? [{ scope: `product:${scope.product!._id}`, limits: p.limits }] : [],
        randomReturn: plugin.randomReturn,
      };
    }
    case 'store': {
      const p = scope.product!.rebate;
      const st = scope.store!.rebate;
      return {
        ...base,
        enabled: plugin.enabled && st.enabled && p.enabled && scope.line.rebateEnabled,
        extractionBp: p.extractionBp ?? st.extractionBp ?? plugin.extractionBp,
        chain: storeProductChain(p, st, config),
        windows: windows(p.window, st.window),
        limits: [
          ...(p.limits ? [{ scope: `product:${scope.product!._id}`, limits: p.limits }] : []),
          ...(st.limits ? [{ scope: `store:${scope.store!._id}`, limits: st.limits }] : []),
        ],
        randomReturn: st.randomReturn ?? plugin.randomReturn,
      };
    }
    case 'cashier': {
      const c = scope.cashier!.rebate;
      return {
        ...base,
        enabled: plugin.enabled && c.enabled,
        extractionBp: c.extractionBp ?? plugin.extractionBp,
        chain: cashierChain(c, config),
        windows: windows(c.window),
        limits: c.limits ? [{ scope: `cashier:${scope.cashier!._id}`, limits: c.limits }] : [],
        randomReturn: c.randomReturn ?? plugin.randomReturn,
      };
    }
  }
}
