/**
 * `npm run db:setup`: the database deploy step. Creates the collections and indexes, applies the
 * numbered migrations and upgrades stored documents (services/setup.ts), then prints the schema
 * version. Run it once per database before serving new code: against MONGODB_URI (database
 * DB_NAME, default queue_rebate), else the embedded engine in DATA_DIR (default .data/, as the
 * gateway). Idempotent: a second run does nothing. The local gateway and the tests run the same
 * step themselves; cloud functions only check the version (admin.setupDatabase runs it from the cloud).
 */
import path from 'node:path';
import { connectMongo } from '../server/src/db';
import { defaultDbName, openStore } from '../server/src/app/deps';
import { setupDatabase } from '../server/src/services/setup';

process.env.DATA_DIR ??= '.data';
const where = process.env.MONGODB_URI ? `MongoDB, database ${defaultDbName()}` : `embedded engine in ${path.resolve(process.env.DATA_DIR)}`;
const client = await connectMongo();
try {
  const store = await openStore({ client, setup: 'none' });
  const t0 = Date.now();
  const report = await setupDatabase(store);
  for (const step of report.steps) console.log(`  ${step}`);
  console.log(`database schema v${report.from} → v${report.version} (${where}) in ${Date.now() - t0} ms${report.schema.ok ? '' : `: ${report.schema.message}`}`);
  if (!report.schema.ok) process.exitCode = 1;
} finally {
  await client.close();
}
