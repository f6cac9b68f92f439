import type { z } from 'zod';
import { BP_ONE } from '../../money/units';
import { pluginConfigSchema, rebateRulesSchema } from './schema';
import type { MemberLevel, PluginConfig, RebateRules } from './types';
import { MESSAGE_KINDS, MESSAGE_TITLES } from '../messages/kinds';
import { mappingProblem } from '../messages/template';

/**
 * The configuration validator is the compliance guard of SPEC §6: a setting that would
 * break a rule is rejected with a message that names the rule. Rules:
 *  - 一级分销: one referral level only (禁止传销条例 art. 7: pay by recruits, from a downline's sales).
 *  - 无团队/级差/股东分红: no team, level-differential or shareholder pay fed by a downline.
 *  - 无入门费: nothing can be bought that unlocks ratios or the right to earn.
 *  - 不诱导分享: sharing by itself unlocks nothing.
 *  - 不超额分配: the shares taken from one order never exceed what the order paid (§2).
 */
export class ConfigError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(`${rule}: ${message}`);
  }
}

const FORBIDDEN_KEYS: { pattern: RegExp; rule: string; message: string }[] = [
  { pattern: /indirect|second_?level|level2|grand|间推|二级/i, rule: '一级分销', message: '只允许直推一级佣金，不得设置间推或更多层级' },
  { pattern: /team|level_?diff|differential|级差|团队|shareholder|股东|dividend_?pool/i, rule: '禁止团队计酬', message: '不得设置团队奖、级差奖或由下线业绩供给的股东分红' },
  { pattern: /entry_?fee|join_?fee|membership_?fee|buy_?level|level_?price|^price_?fen$|upgrade_?(price|fee)|入门费|会员费/i, rule: '禁止入门费', message: '会员等级只能由累计消费获得，不得设置入门费或付费解锁' },
  { pattern: /share_?(unlock|reward|bonus)|invite_?(reward|bonus)|分享解锁|分享奖励/i, rule: '禁止诱导分享', message: '分享本身不能解锁或获得任何奖励，奖励只来自真实完成的消费' },
];

/** Walk the raw input for fields that express a forbidden scheme, before the strict schema calls them merely unknown. */
function rejectForbiddenFields(raw: unknown, path: string[] = []): void {
  if (raw === null || typeof raw !== 'object') return;
  if (path.join('.') === 'referral.levels' && Array.isArray(raw) && raw.length > 1) {
    throw new ConfigError('一级分销', '只允许直推一级佣金，不得设置多级分销 (referral.levels)');
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    for (const f of FORBIDDEN_KEYS) {
      if (f.pattern.test(key)) throw new ConfigError(f.rule, `${f.message} (${[...path, key].join('.')})`);
    }
    rejectForbiddenFields(value, [...path, key]);
  }
}

function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.join('.') || '(根)';
  if (issue.code === 'unrecognized_keys') return `未知设置项 ${issue.keys.map((k) => [...issue.path, k].join('.')).join(', ')}`;
  return `${where}: ${issue.message}`;
}

function checkMemberLevels(levels: MemberLevel[]): void {
  if (levels[0]?.minSpendFen !== 0) throw new ConfigError('会员等级', '第一个会员等级的累计消费门槛必须为 0');
  const ids = new Set<string>();
  levels.forEach((l, i) => {
    if (ids.has(l.id)) throw new ConfigError('会员等级', `等级 id 重复: ${l.id}`);
    ids.add(l.id);
    if (i > 0 && l.minSpendFen <= levels[i - 1]!.minSpendFen) throw new ConfigError('会员等级', '会员等级门槛必须严格递增');
  });
}

function checkLevelRatios(levelRatios: Record<string, number> | null | undefined, levels: MemberLevel[], where: string): void {
  for (const id of Object.keys(levelRatios ?? {})) {
    if (!levels.some((l) => l.id === id)) throw new ConfigError('会员等级', `${where} 引用了不存在的会员等级 ${id}`);
  }
}

/**
 * Worst-case share of one order's cash taken by all schemes together. Union pool share is
 * taken from profit, and profit never exceeds the cash paid, so it counts at most its bp.
 */
export function worstCaseShareBp(config: PluginConfig, maxOtherExtractionBp: number): number {
  const extraction = config.rebate.enabled ? Math.max(config.rebate.extractionBp, maxOtherExtractionBp) : 0;
  const union = config.union.enabled ? config.union.poolShareBp : 0;
  const green = config.green.enabled ? config.green.poolShareBp : 0;
  return extraction + union + green + config.referral.commissionBp + config.referral.recruiterBp;
}

function checkShares(config: PluginConfig, maxOtherExtractionBp: number): void {
  const total = worstCaseShareBp(config, maxOtherExtractionBp);
  if (total > BP_ONE) {
    throw new ConfigError(
      '不超额分配',
      `一笔订单最多被提取 ${total / 100}% (排队提取 + 工会奖金池 + 绿色积分池 + 直推佣金 + 招商奖励)，不能超过实付金额的 100%`,
    );
  }
}

/** Validate a whole plugin configuration; `maxOtherExtractionBp` is the largest extraction set on any product, store or cashier. */
export function validatePluginConfig(raw: unknown, maxOtherExtractionBp = 0): PluginConfig {
  rejectForbiddenFields(raw);
  const parsed = pluginConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError('设置格式', describeZodError(parsed.error));
  const config = parsed.data as PluginConfig;
  checkMemberLevels(config.memberLevels);
  checkLevelRatios(config.rebate.levelRatios, config.memberLevels, 'rebate.levelRatios');
  if (config.rebate.defaultRatioBp < 1) throw new ConfigError('排队返利', '默认奖励权益比例必须大于 0');
  if (config.rebate.randomReturn.enabled && config.rebate.exchange.pointsBp === null) {
    throw new ConfigError('随机返', '开启随机返需要设置积分兑换比例');
  }
  if (config.rebate.reset.enabled && config.rebate.reset.schedule === 'once' && !config.rebate.reset.onceAt) {
    throw new ConfigError('队列奖励清零', '指定时间清零需要设置时间');
  }
  if (config.withdrawal.maxFen < config.withdrawal.minFen) throw new ConfigError('提现', '单笔最高提现不能低于最低提现');
  for (const kind of MESSAGE_KINDS) {
    const problem = mappingProblem(kind, config.messages[kind]);
    if (problem) throw new ConfigError('订阅消息', `${MESSAGE_TITLES[kind]}：${problem}`);
  }
  if (config.union.defaultLockDays % 15 !== 0) throw new ConfigError('工会排队', '锁定周期须为 15 的倍数 (15、30、45 … 300 天)');
  checkShares(config, maxOtherExtractionBp);
  return config;
}

/** Validate the queue-rebate settings of a product, store, cashier or store product against the plugin configuration. */
export function validateRebateRules(raw: unknown, config: PluginConfig, opts: { allowRandomReturn: boolean }): RebateRules {
  rejectForbiddenFields(raw);
  const parsed = rebateRulesSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError('设置格式', describeZodError(parsed.error));
  const rules = parsed.data as RebateRules;
  checkLevelRatios(rules.levelRatios, config.memberLevels, 'levelRatios');
  if (rules.randomReturn && !opts.allowRandomReturn) throw new ConfigError('随机返', '随机返只能在插件、门店或收银台上设置');
  if (rules.randomReturn?.enabled && config.rebate.exchange.pointsBp === null) throw new ConfigError('随机返', '开启随机返需要插件设置积分兑换比例');
  if (rules.ratioBp === 0) throw new ConfigError('排队返利', '奖励权益比例必须大于 0');
  checkShares(config, rules.enabled ? (rules.extractionBp ?? 0) : 0);
  return rules;
}

export function validateLockDays(lockDays: unknown): number {
  if (typeof lockDays !== 'number' || !Number.isInteger(lockDays) || lockDays < 15 || lockDays > 300 || lockDays % 15 !== 0) {
    throw new ConfigError('工会排队', '锁定周期须为 15 的倍数 (15、30、45 … 300 天)');
  }
  return lockDays;
}
