import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../server/src/db/embedded/heap';

describe('collectGarbage (a large reopen collects its own garbage, heap.ts)', () => {
  it('runs a full collection on request, also in a process started without --expose-gc', () => {
    let junk: { i: number; s: string }[] | null = Array.from({ length: 500_000 }, (_, i) => ({ i, s: `junk-${i}` }));
    const before = process.memoryUsage().heapUsed;
    expect(junk.length).toBe(500_000);
    junk = null;
    collectGarbage();
    // 500,000 small objects and their strings: well over 10 MB, all unreachable now
    expect(process.memoryUsage().heapUsed).toBeLessThan(before - 10 * 1048576);
  });
});
