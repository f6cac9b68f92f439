/** Child of memory.ts: time to reopen a data directory with the embedded engine. Prints JSON. */
import { openEmbeddedClient } from '../../server/src/db';

const t = Date.now();
const c = await openEmbeddedClient({ dir: process.argv[2]! });
const ms = Date.now() - t;
(globalThis as { gc?: () => void }).gc?.();
const m = process.memoryUsage();
const MB = (n: number) => Math.round(n / 1048576);
await c.close();
console.log(JSON.stringify({ ms, rssMB: MB(m.rss), heapUsedMB: MB(m.heapUsed), externalMB: MB(m.external), arrayBuffersMB: MB(m.arrayBuffers) }));
