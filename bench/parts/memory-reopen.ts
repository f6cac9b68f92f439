/** Child of memory.ts: time to reopen a data directory with the embedded engine. Prints JSON. */
import { openEmbeddedClient } from '../../server/src/db';

const t = Date.now();
const c = await openEmbeddedClient({ dir: process.argv[2]! });
const ms = Date.now() - t;
// two full collections a tick apart: the load's dropped buffers are freed only then (one gc()
// right after the load left ~70 MB of them counted as `external`, though nothing held them)
const gc = () => (globalThis as { gc?: () => void }).gc?.();
gc();
await new Promise((r) => setTimeout(r, 100));
gc();
const m = process.memoryUsage();
const MB = (n: number) => Math.round(n / 1048576);
await c.close();
console.log(JSON.stringify({ ms, rssMB: MB(m.rss), heapUsedMB: MB(m.heapUsed), externalMB: MB(m.external), arrayBuffersMB: MB(m.arrayBuffers) }));
