import type { Db } from 'mongodb';
import { validatePluginConfig } from '../engine/config/compliance';
import { defaultPluginConfig } from '../engine/config/defaults';
import { CONFIG_SCHEMA_VERSION, upgradeConfig } from '../engine/config/migrations';
import type { MemberLevel, PluginConfig } from '../engine/config/types';
import { col, s, type Tx } from '../repo/db';
import { guard, touchGuard } from './guards';
import type { ConfigDoc } from '../repo/documents';

/** The stored document in the current shape: a document written by older code is upgraded in memory (see engine/config/migrations.ts). */
function configOf(doc: ConfigDoc | null): PluginConfig {
  // (the document was just read: its config is this call's own copy)
  return doc ? upgradeConfig(doc.config, doc.schemaVersion ?? 1, { owned: true }) : defaultPluginConfig();
}

/** The plugin configuration, read inside the event's transaction so an event sees one consistent configuration. */
export async function loadConfig(tx: Tx): Promise<PluginConfig> {
  return configOf(await col(tx.db, 'config').findOne({ _id: 'plugin' }, s(tx)));
}

export async function readConfig(db: Db): Promise<PluginConfig> {
  return configOf(await col(db, 'config').findOne({ _id: 'plugin' }));
}

/**
 * The database setup step: write the stored configuration back in the current shape (the
 * optimistic `version` is kept: the settings mean what they meant). Returns the version it
 * upgraded from, or null when there was nothing to do.
 */
export async function persistUpgradedConfig(tx: Tx): Promise<number | null> {
  const doc = await col(tx.db, 'config').findOne({ _id: 'plugin' }, s(tx));
  const from = doc ? (doc.schemaVersion ?? 1) : null;
  if (!doc || from === null || from >= CONFIG_SCHEMA_VERSION) return null;
  await col(tx.db, 'config').updateOne({ _id: 'plugin' }, { $set: { config: configOf(doc), schemaVersion: CONFIG_SCHEMA_VERSION } }, s(tx));
  return from;
}

/** Largest extraction set on any product, store or cashier: the compliance guard needs the worst case. */
export async function maxOtherExtractionBp(tx: Tx): Promise<number> {
  let max = 0;
  for (const name of ['products', 'stores', 'cashiers'] as const) {
    const top = await tx.db
      .collection<{ rebate: { enabled: boolean; extractionBp?: number | null } }>(name)
      .find({ 'rebate.enabled': true, 'rebate.extractionBp': { $ne: null } }, s(tx))
      .sort({ 'rebate.extractionBp': -1 })
      .limit(1)
      .toArray();
    max = Math.max(max, top[0]?.rebate.extractionBp ?? 0);
  }
  return max;
}

/** Replace the configuration after validation (the compliance guard). The version must match: no lost updates between two admins. */
export async function saveConfig(tx: Tx, raw: unknown, updatedBy: string | null): Promise<PluginConfig> {
  const current = await loadConfig(tx);
  // the shares are checked against every product, store and cashier rule: conflict with a concurrent change of one
  await touchGuard(tx, guard.shares);
  const config = validatePluginConfig(raw, await maxOtherExtractionBp(tx));
  const next = { ...config, version: current.version + 1 };
  await col(tx.db, 'config').updateOne({ _id: 'plugin' }, { $set: { config: next, schemaVersion: CONFIG_SCHEMA_VERSION, updatedAt: tx.now, updatedBy } }, { ...s(tx), upsert: true });
  return next;
}

/** The highest level whose threshold the cumulative completed spend reaches. */
export function levelFor(spendFen: number, levels: MemberLevel[]): MemberLevel {
  let best = levels[0]!;
  for (const l of levels) if (spendFen >= l.minSpendFen) best = l;
  return best;
}
