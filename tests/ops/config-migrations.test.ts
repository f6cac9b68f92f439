import { describe, expect, it } from 'vitest';
import { validatePluginConfig } from '../../server/src/engine/config/compliance';
import { defaultPluginConfig } from '../../server/src/engine/config/defaults';
import { CONFIG_MIGRATIONS, CONFIG_SCHEMA_VERSION, upgradeConfig } from '../../server/src/engine/config/migrations';
import { schemaV0Contents } from '../fixtures/schema-v0/load';

/** The stored plugin configuration's shape versions (engine/config/migrations.ts); docs/DATABASE.md says how to add one. */

const storedV1 = () => schemaV0Contents().config![0]!.config as Record<string, unknown>;

/** Every leaf path of an object ('a.b.c'); arrays and records of user data count as leaves. */
function leafPaths(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [prefix];
  const keys = Object.keys(v);
  // records keyed by user data (levelRatios) have no fixed keys: a leaf
  if (keys.length === 0) return [prefix];
  return keys.flatMap((k) => leafPaths((v as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
}

describe('config migrations', () => {
  it('are numbered 2 … CONFIG_SCHEMA_VERSION, one per version, in order', () => {
    expect(CONFIG_MIGRATIONS.map((m) => m.to)).toEqual(Array.from({ length: CONFIG_SCHEMA_VERSION - 1 }, (_, i) => i + 2));
  });

  it('a document written before schema versions (the v0 fixture) upgrades to a configuration the strict schema accepts', () => {
    const old = storedV1();
    expect(old).not.toHaveProperty('withdrawal.maxFen'); // really old: it predates the setting
    const upgraded = upgradeConfig(old, 1);
    expect(validatePluginConfig(upgraded)).toEqual(upgraded);
    // what the operator set is kept; the new setting takes its default
    expect(upgraded.union.poolShareBp).toBe(2000);
    expect(upgraded.referral).toEqual({ commissionBp: 300, recruiterBp: 100 });
    expect(upgraded.version).toBe(old.version);
    expect(upgraded.withdrawal).toEqual({ minFen: 100, maxFen: defaultPluginConfig().withdrawal.maxFen, confirmHours: 24 });
    expect(upgraded.messages).toEqual(defaultPluginConfig().messages);
    expect(upgraded.payment).toEqual({ closeAfterMin: 30 });
    // pure: the stored document is not touched
    expect(old).not.toHaveProperty('withdrawal.maxFen');
  });

  it('every setting the defaults have is present after upgrading the oldest document (a new setting without a migration fails here)', () => {
    const upgraded = upgradeConfig(storedV1(), 1);
    for (const p of leafPaths(defaultPluginConfig())) {
      expect(p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], upgraded), `setting ${p} after upgrade`).not.toBeUndefined();
    }
  });

  it('a current document is returned as it is; one from a newer version is not touched', () => {
    const current = defaultPluginConfig();
    expect(upgradeConfig(current, CONFIG_SCHEMA_VERSION)).toEqual(current);
    const newer = { ...current, somethingNew: 1 };
    expect(upgradeConfig(newer, CONFIG_SCHEMA_VERSION + 1)).toEqual(newer);
    expect(() => upgradeConfig(current, 0)).toThrow(/not a version/);
  });

  it('each migration only adds: every path of its input survives it', () => {
    let c: Record<string, unknown> = storedV1();
    for (const m of CONFIG_MIGRATIONS) {
      const next = m.up(structuredClone(c));
      for (const p of leafPaths(c)) expect(p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], next), `${m.to}: ${p}`).not.toBeUndefined();
      c = next;
    }
  });
});
