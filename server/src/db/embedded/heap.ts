import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * A full garbage collection, on request: for loading a large data directory.
 *
 * Reopening 10⁶ queue entries builds ~640 MB of documents and indexes in the JS heap. While it
 * grows, V8 lets the old generation fill with the load's own garbage (deserialized frames,
 * growing arrays, index-building scratch) between its own collections, and it keeps those pages
 * afterwards: the garbage, not the data, set the gateway's peak resident memory (VmHWM). A few
 * full collections during a large load keep the peak near the live size (measured on the 10⁶
 * reopen: the engine alone peaks at 916 MB instead of 970, the gateway at 941 MB instead of
 * 1,037, for up to 1 s more of a 12 s load). Small loads never call it.
 *
 * Node exposes gc() only under --expose-gc. The flag can be set at run time; a context created
 * after that has `gc` (the usual way to reach it without the command-line flag).
 */
let gc: (() => void) | null = null;

export function collectGarbage(): void {
  if (!gc) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') gc = existing;
    else {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    }
  }
  gc();
}

/** Documents loaded between two collections during a reopen (and the size of a collection that gets one after its indexes are built). */
export const LOAD_GC_DOCS = 250_000;
