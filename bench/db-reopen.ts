/** Reopen time of a data directory: node --expose-gc --import tsx bench/db-reopen.ts <dir> */
import { openEmbeddedClient } from '../server/src/db';
const t = Date.now();
const c = await openEmbeddedClient({ dir: process.argv[2]! });
console.log(`reopen ${Date.now() - t} ms`);
(globalThis as { gc?: () => void }).gc?.();
const m = process.memoryUsage();
console.log(`rss ${(m.rss / 1048576).toFixed(0)} MB heap ${(m.heapUsed / 1048576).toFixed(0)} MB`);
await c.close();
