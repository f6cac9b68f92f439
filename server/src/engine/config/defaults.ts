import { MAX_FEN } from '../../money/units';
import type { PluginConfig, RebateRules } from './types';

/** Defaults follow the seeds' examples: 130% ratio, 65% extraction, settlement on completion. */
export function defaultPluginConfig(): PluginConfig {
  return {
    version: 1,
    rebate: {
      enabled: true,
      name: '排队返利',
      exchangeName: '兑换',
      newProductsDefaultOn: true,
      deductionMode: 'join',
      settleOn: 'complete',
      ordering: 'queue',
      extractionBp: 6500,
      defaultRatioBp: 13000,
      levelRatios: {},
      lottery: null,
      exchange: { pointsBp: 10000, loveBp: 10000, loveFrozen: false, voucherBp: 10000 },
      randomReturn: { enabled: false, cashCount: 1, pointsCount: 2 },
      mallQueue: true,
      allStoresQueue: false,
      allCashiersQueue: false,
      reset: { enabled: false, schedule: 'daily', time: '00:00', weekday: 1, monthDay: 1, onceAt: null },
      paused: false,
      display: { queueId: true, progress: true, received: true, pending: true, member: true, pendingAmount: true },
    },
    union: { enabled: false, poolShareBp: 6000, entitlementBp: 10000, defaultLockDays: 15, accelerationBp: 2000 },
    green: { enabled: false, poolShareBp: 3000, mintBp: 7000, withdrawFeeBp: 1000, exitMultipleBp: 20000, launchPriceFen: 100 },
    referral: { commissionBp: 0, recruiterBp: 0 },
    memberLevels: [{ id: 'L0', name: '普通会员', minSpendFen: 0 }],
    deduction: { pointValueFen: 1, loveValueFen: 1 },
    withdrawal: { minFen: 100, maxFen: MAX_FEN, confirmHours: 24 },
    payment: { closeAfterMin: 30 },
    orders: { autoConfirmDays: 10, afterSaleDays: 7 },
    messages: defaultMessageSettings(),
  };
}

/**
 * No template ids (nothing is sent until the operator picks templates in the mini-program
 * console); the field mappings are a suggestion for the usual templates of each kind.
 */
export function defaultMessageSettings(): PluginConfig['messages'] {
  return {
    payout: { templateId: '', fields: [{ key: 'amount1', field: 'amount' }, { key: 'thing2', field: 'source' }, { key: 'time3', field: 'time' }] },
    completed: { templateId: '', fields: [{ key: 'amount1', field: 'amount' }, { key: 'thing2', field: 'source' }, { key: 'time3', field: 'time' }] },
    lottery: { templateId: '', fields: [{ key: 'thing1', field: 'ratio' }, { key: 'amount2', field: 'amount' }, { key: 'time3', field: 'time' }] },
    exit: { templateId: '', fields: [{ key: 'amount1', field: 'amount' }, { key: 'time2', field: 'time' }, { key: 'thing3', field: 'note' }] },
    refund: { templateId: '', fields: [{ key: 'amount1', field: 'amount' }, { key: 'character_string2', field: 'order' }, { key: 'thing3', field: 'status' }, { key: 'time4', field: 'time' }] },
    withdrawal: { templateId: '', fields: [{ key: 'amount1', field: 'amount' }, { key: 'thing2', field: 'status' }, { key: 'time3', field: 'time' }] },
    shipped: { templateId: '', fields: [{ key: 'character_string1', field: 'order' }, { key: 'thing2', field: 'goods' }, { key: 'thing3', field: 'carrier' }, { key: 'character_string4', field: 'tracking' }, { key: 'time5', field: 'time' }] },
  };
}

export function defaultRebateRules(enabled: boolean): RebateRules {
  return { enabled };
}
