import { col, runTransaction, s, type Store } from '../repo/db';
import { ensureIndexes, indexFingerprint } from '../repo/indexes';
import { DB_MIGRATIONS, SCHEMA_VERSION, ensureCollections, readSchema, type SchemaStatus } from '../repo/schema';
import { persistUpgradedConfig } from './config';

export interface SetupReport {
  /** the version the database had */
  from: number;
  /** the version it has now */
  version: number;
  /** false: the time budget ran out; call again, it resumes where it stopped */
  done: boolean;
  /** what was done, in order */
  steps: string[];
  schema: SchemaStatus;
}

/**
 * The database deploy step: collections, indexes, numbered migrations, stored documents upgraded
 * to the current shape. Idempotent and resumable: every migration step commits with its progress
 * in the schema document, and a second setup running at the same time conflicts on that document
 * and redoes nothing. `budgetMs` bounds one call (a cloud function has 60 s); the script and the
 * local gateway run to the end.
 */
export async function setupDatabase(store: Store, opts: { now?: Date; budgetMs?: number } = {}): Promise<SetupReport> {
  const t0 = Date.now();
  const now = opts.now ?? new Date();
  const budget = opts.budgetMs ?? Infinity;
  const steps: string[] = [];
  const from = (await col(store.db, 'meta').findOne({ _id: 'schema' }))?.version ?? 0;

  const created = await ensureCollections(store.db);
  if (created.length) steps.push(`created collections: ${created.join(', ')}`);
  await ensureIndexes(store.db);
  steps.push(`indexes ensured (${indexFingerprint()})`);

  let stepsRun = 0;
  for (const m of DB_MIGRATIONS) {
    for (let n = 1; ; n++) {
      // every call makes progress (one step at least), then stops starting steps when the budget is spent
      if (stepsRun > 0 && Date.now() - t0 > budget) return { from, version: (await readSchema(store.db)).version, done: false, steps, schema: await readSchema(store.db) };
      const outcome = await runTransaction(store, now, async (tx) => {
        const meta = await col(tx.db, 'meta').findOne({ _id: 'schema' }, s(tx));
        if ((meta?.version ?? 0) >= m.version) return 'applied' as const;
        const state = meta?.migrating?.version === m.version ? meta.migrating.state : null;
        const next = await m.step(tx, state);
        const history = [...(meta?.history ?? [])];
        if (next === null) history.push({ version: m.version, note: m.note, at: now });
        await col(tx.db, 'meta').updateOne(
          { _id: 'schema' },
          {
            $set: next === null ? { version: m.version, migrating: null, history, updatedAt: now } : { migrating: { version: m.version, state: next }, updatedAt: now },
            $setOnInsert: { indexes: '', ...(next === null ? {} : { version: m.version - 1, history }) },
          },
          { ...s(tx), upsert: true },
        );
        return next === null ? ('done' as const) : ('more' as const);
      });
      if (outcome !== 'applied') stepsRun++;
      if (outcome === 'applied') break;
      if (outcome === 'done') {
        steps.push(`migration ${m.version}: ${m.note}${n > 1 ? ` (${n} steps)` : ''}`);
        break;
      }
    }
  }

  const configFrom = await runTransaction(store, now, (tx) => persistUpgradedConfig(tx));
  if (configFrom !== null) steps.push(`config document upgraded from shape ${configFrom}`);
  await col(store.db, 'meta').updateOne({ _id: 'schema' }, { $set: { indexes: indexFingerprint(), updatedAt: now } });
  const schema = await readSchema(store.db);
  return { from, version: schema.version, done: schema.ok, steps, schema };
}

export { SCHEMA_VERSION };
