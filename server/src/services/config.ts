import type { Db } from 'mongodb';
import { validatePluginConfig } from '../engine/config/compliance';
import { defaultPluginConfig } from '../engine/config/defaults';
import type { MemberLevel, PluginConfig } from '../engine/config/types';
import { col, s, type Tx } from '../repo/db';

/** The plugin configuration, read inside the event's transaction so an event sees one consistent configuration. */
export async function loadConfig(tx: Tx): Promise<PluginConfig> {
  const doc = await col(tx.db, 'config').findOne({ _id: 'plugin' }, s(tx));
  return doc?.config ?? defaultPluginConfig();
}

export async function readConfig(db: Db): Promise<PluginConfig> {
  const doc = await col(db, 'config').findOne({ _id: 'plugin' });
  return doc?.config ?? defaultPluginConfig();
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
  const config = validatePluginConfig(raw, await maxOtherExtractionBp(tx));
  const next = { ...config, version: current.version + 1 };
  await col(tx.db, 'config').updateOne({ _id: 'plugin' }, { $set: { config: next, updatedAt: tx.now, updatedBy } }, { ...s(tx), upsert: true });
  return next;
}

/** The highest level whose threshold the cumulative completed spend reaches. */
export function levelFor(spendFen: number, levels: MemberLevel[]): MemberLevel {
  let best = levels[0]!;
  for (const l of levels) if (spendFen >= l.minSpendFen) best = l;
  return best;
}
