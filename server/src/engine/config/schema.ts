import { z } from 'zod';
import { MAX_BP, MAX_FEN } from '../../money/units';
import { MESSAGE_KINDS, type MessageKind } from '../messages/kinds';

/** Zod schemas for every setting. Strict objects: an unknown field is an error, never ignored. */

/** One kind's template: id as WeChat writes them (letters, digits, - and _), its keys checked by compliance.ts (mappingProblem). */
export const templateMappingSchema = z.strictObject({
  templateId: z.string().max(64).regex(/^[A-Za-z0-9_-]*$/, '模板编号只含字母、数字、- 和 _'),
  fields: z.array(z.strictObject({ key: z.string().min(1).max(40), field: z.string().min(1).max(40) })).max(10),
});

const int = (min: number, max: number) => z.number().int().min(min).max(max);
export const bpSchema = int(0, MAX_BP);
export const fenSchema = int(0, MAX_FEN);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间格式应为 HH:mm');
const isoDateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), '应为 ISO 日期时间');

export const lotteryRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('fixed'),
    options: z.array(z.strictObject({ ratioBp: bpSchema, weight: int(1, 1_000_000) })).min(1).max(50),
  }),
  z
    .strictObject({ kind: z.literal('range'), minBp: bpSchema, maxBp: bpSchema })
    .refine((r) => r.minBp <= r.maxBp, '抽奖区间下限不能大于上限'),
]);

export const tierSchema = z.strictObject({ days: int(1, 3650), minSpendFen: fenSchema, ratioBp: bpSchema });

export const windowSchema = z
  .strictObject({
    startAt: isoDateTime.nullish(),
    endAt: isoDateTime.nullish(),
    dailyStart: hhmm.nullish(),
    dailyEnd: hhmm.nullish(),
  })
  .refine((w) => (w.dailyStart == null) === (w.dailyEnd == null), '每日时段需同时设置开始和结束')
  .refine((w) => !w.startAt || !w.endAt || Date.parse(w.startAt) < Date.parse(w.endAt), '奖励时间段开始必须早于结束');

export const randomReturnSchema = z
  .strictObject({ enabled: z.boolean(), cashCount: int(0, 1000), pointsCount: int(0, 1000) })
  .refine((r) => !r.enabled || r.cashCount + r.pointsCount >= 1, '随机返每组人数至少为 1');

export const rebateRulesSchema = z.strictObject({
  enabled: z.boolean(),
  extractionBp: bpSchema.max(10000).nullish(),
  ratioBp: bpSchema.nullish(),
  levelRatios: z.record(z.string().min(1).max(32), bpSchema).nullish(),
  tiers: z.array(tierSchema).max(20).nullish(),
  lottery: lotteryRuleSchema.nullish(),
  window: windowSchema.nullish(),
  limits: z.strictObject({ perDay: int(1, 1_000_000).nullish(), total: int(1, 1_000_000).nullish() }).nullish(),
  randomReturn: randomReturnSchema.nullish(),
});

export const memberLevelSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  name: z.string().min(1).max(20),
  minSpendFen: fenSchema,
});

export const pluginConfigSchema = z.strictObject({
  version: int(1, Number.MAX_SAFE_INTEGER),
  rebate: z.strictObject({
    enabled: z.boolean(),
    name: z.string().min(1).max(20),
    exchangeName: z.string().min(1).max(10),
    newProductsDefaultOn: z.boolean(),
    deductionMode: z.enum(['join', 'extractOnly']),
    settleOn: z.enum(['pay', 'complete']),
    ordering: z.enum(['queue', 'completedFirst']),
    extractionBp: bpSchema.max(10000),
    defaultRatioBp: bpSchema,
    levelRatios: z.record(z.string().min(1).max(32), bpSchema),
    lottery: lotteryRuleSchema.nullable(),
    exchange: z.strictObject({
      pointsBp: bpSchema.nullable(),
      loveBp: bpSchema.nullable(),
      loveFrozen: z.boolean(),
      voucherBp: bpSchema.max(10000).nullable(),
    }),
    randomReturn: randomReturnSchema,
    mallQueue: z.boolean(),
    allStoresQueue: z.boolean(),
    allCashiersQueue: z.boolean(),
    reset: z.strictObject({
      enabled: z.boolean(),
      schedule: z.enum(['daily', 'weekly', 'monthly', 'once']),
      time: hhmm,
      weekday: int(1, 7),
      monthDay: int(1, 28),
      onceAt: isoDateTime.nullable(),
    }),
    paused: z.boolean(),
    display: z.strictObject({
      queueId: z.boolean(),
      progress: z.boolean(),
      received: z.boolean(),
      pending: z.boolean(),
      member: z.boolean(),
      pendingAmount: z.boolean(),
    }),
  }),
  union: z.strictObject({
    enabled: z.boolean(),
    poolShareBp: bpSchema.max(10000),
    entitlementBp: bpSchema,
    defaultLockDays: int(1, 300),
    accelerationBp: bpSchema.max(10000),
  }),
  green: z.strictObject({
    enabled: z.boolean(),
    poolShareBp: bpSchema.max(10000),
    mintBp: bpSchema.max(10000),
    withdrawFeeBp: bpSchema.max(10000),
    exitMultipleBp: bpSchema,
    launchPriceFen: int(1, 1_000_000),
  }),
  referral: z.strictObject({ commissionBp: bpSchema.max(10000), recruiterBp: bpSchema.max(10000) }),
  memberLevels: z.array(memberLevelSchema).min(1).max(30),
  deduction: z.strictObject({ pointValueFen: int(1, 10_000), loveValueFen: int(1, 10_000) }),
  withdrawal: z.strictObject({ minFen: int(1, MAX_FEN), maxFen: int(1, MAX_FEN), confirmHours: int(1, 24 * 7) }),
  payment: z.strictObject({ closeAfterMin: int(5, 24 * 60) }),
  orders: z.strictObject({ autoConfirmDays: int(0, 30), afterSaleDays: int(0, 30) }),
  messages: z.strictObject(Object.fromEntries(MESSAGE_KINDS.map((k) => [k, templateMappingSchema])) as Record<MessageKind, typeof templateMappingSchema>),
});
