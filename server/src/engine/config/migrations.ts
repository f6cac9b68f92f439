import { defaultPluginConfig } from './defaults';
import type { PluginConfig } from './types';

/**
 * Versions of the stored plugin configuration's SHAPE (not to be confused with
 * `PluginConfig.version`, the optimistic lock that every setConfig increments).
 *
 * The config document (`config`, `_id: 'plugin'`) carries `schemaVersion`; a document without
 * it was written before versions existed and is version 1. Whenever a setting is added, renamed
 * or changes meaning, the shape gets a new number and one migration: a pure function from the
 * previous shape to the new one that fills the new setting from its default. Every read upgrades
 * the stored document in memory (so a deployment that predates a setting keeps working the
 * moment new code runs), and the database setup step writes the upgraded document back.
 * How to add a setting: docs/DATABASE.md.
 */
export const CONFIG_SCHEMA_VERSION = 5;

/** A stored configuration of some earlier shape: only what a migration reads is assumed. */
export type StoredConfig = Record<string, unknown>;

export interface ConfigMigration {
  /** upgrades a document of schemaVersion `to - 1` */
  to: number;
  note: string;
  up(config: StoredConfig): StoredConfig;
}

const defaults = defaultPluginConfig();

const obj = (v: unknown): StoredConfig => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as StoredConfig) : {});

/** Numbered: CONFIG_MIGRATIONS[i] upgrades schemaVersion i + 1 to i + 2. Never edit one that shipped; add the next. */
export const CONFIG_MIGRATIONS: readonly ConfigMigration[] = [
  {
    to: 2,
    note: 'withdrawal.maxFen (单笔最高提现); the default caps nothing',
    up: (c) => ({ ...c, withdrawal: { ...obj(c.withdrawal), maxFen: defaults.withdrawal.maxFen } }),
  },
  {
    to: 3,
    note: 'withdrawal.confirmHours (确认收款时限), payment.closeAfterMin (未支付自动关闭), messages (订阅消息模板; the subscribe-message template ids move from the TEMPLATE_* environment variables into the settings, none set)',
    up: (c) => ({
      ...c,
      withdrawal: { ...obj(c.withdrawal), confirmHours: defaults.withdrawal.confirmHours },
      payment: structuredClone(defaults.payment),
      messages: structuredClone(defaults.messages),
    }),
  },
  {
    to: 4,
    note: 'orders.autoConfirmDays (发货后自动确认收货天数), orders.afterSaleDays (完成后可申请售后的天数)',
    up: (c) => ({ ...c, orders: structuredClone(defaults.orders) }),
  },
  {
    to: 5,
    note: 'messages.shipped (订单发货通知; no template id set)',
    up: (c) => ({ ...c, messages: { ...obj(c.messages), shipped: structuredClone(defaults.messages.shipped) } }),
  },
];

export class ConfigSchemaError extends Error {}

/**
 * Upgrade a stored configuration of `fromVersion` to the current shape. Pure: the input is not
 * modified. A document newer than this code (a rollback) is returned as stored; the strict
 * schema of setConfig will then name what this code does not know. `owned`: the caller hands
 * over its own copy (a document just read), which is then not copied again — every transaction
 * loads the configuration, and the migrations build new objects rather than edit theirs.
 */
export function upgradeConfig(stored: unknown, fromVersion: number, opts: { owned?: boolean } = {}): PluginConfig {
  if (!Number.isInteger(fromVersion) || fromVersion < 1) throw new ConfigSchemaError(`config schemaVersion ${String(fromVersion)} is not a version`);
  let c = opts.owned ? obj(stored) : structuredClone(obj(stored));
  for (const m of CONFIG_MIGRATIONS) if (m.to > fromVersion) c = m.up(c);
  return c as unknown as PluginConfig;
}
