/** Child of memory.ts: build a data directory with N pending entries on one cashier queue. Prints JSON. */
import { compactEmbedded } from '../../server/src/db';
import { benchShop, openBenchApp } from '../lib/app';
import { bulkLoadQueue } from '../lib/fixtures';

const [dir, n] = [process.argv[2]!, Number(process.argv[3] ?? 1_000_000)];
const t = Date.now();
const app = await openBenchApp({ dir, fsync: 'off' });
await app.configure((c) => void (c.rebate.extractionBp = 1000));
const { cashierId } = await benchShop(app);
await bulkLoadQueue(app, `cashier:${cashierId}`, n);
await compactEmbedded(app.deps.store.client);
await app.close();
console.log(JSON.stringify({ ms: Date.now() - t, cashierId }));
