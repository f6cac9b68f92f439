import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getEngineStats, openEmbeddedClient } from '../../server/src/db';
import { makeDeps, openStore } from '../../server/src/app/deps';
import { localWx } from '../../server/src/app/local-wx';
import { callFunction } from '../../server/src/app/call';
import { exitPriceKey } from '../../server/src/engine/green/pool';
import { acct } from '../../server/src/engine/ledger/accounts';
import type { PluginConfig } from '../../server/src/engine/config/types';
import { col, runTransaction } from '../../server/src/repo/db';
import type { GreenLotDoc } from '../../server/src/repo/documents';
import { post, verifyLedger } from '../../server/src/repo/ledger';
import type { Settler } from '../../server/src/services/settler/settler';
import type { StepResult } from '../../server/src/services/settler/steps';

/**
 * SPEC §9, the embedded engine's journal under a long job: a job step that continues commits
 * lazily (`{ w: 1, j: false }`), so the next step computes while the journal writes it. The
 * journal's write completes on the event loop; a pass that ran its steps back to back, never
 * leaving the microtask queue, held every write back until its last step (the whole job's journal
 * then written at the end, in one piece). The settler lets the event loop run after each lazy step.
 *
 * Embedded and durable by design (it counts the journal's flushes), whatever MONGODB_URI says.
 */
const ADMIN = 'lazy-admin';
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('lazy job steps on a durable embedded database', () => {
  it('the journal writes them while the job runs, not after its last step', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-steps-'));
    const client = await openEmbeddedClient({ dir, fsync: 'always' });
    const store = await openStore({ client });
    // the journal's flushes so far, at the end of each step of the pass
    const flushesAtStep: { kind: string; flushes: number }[] = [];
    const deps = makeDeps(store, localWx('http://127.0.0.1:0'), {
      adminOpenids: [ADMIN],
      outbox: { afterAnswer: 'off' },
      settler: { onStep: (r: StepResult) => flushesAtStep.push({ kind: r.kind, flushes: getEngineStats(client).journalFlushes }) },
    });
    cleanup = async () => {
      await deps.settler.stop();
      await deps.outbox.stop();
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    const call = async (fn: string, action: string, params: Record<string, unknown> = {}) => {
      const r = await callFunction(fn, { action, ...params }, deps, { openid: ADMIN, source: 'wx_client', now: new Date() });
      if (!r.ok) throw new Error(`${fn}.${action}: ${r.error.code}`);
      return r.data as any;
    };
    await call('user', 'login');
    const config = (await call('admin', 'getConfig')) as PluginConfig;
    config.green.enabled = true;
    config.green.exitMultipleBp = 20000;
    await call('admin', 'setConfig', { config });

    // 4,000 lots of 4,000 shoppers, all due to exit: exit steps of 400 lots, then payout steps of
    // ~96 shoppers each, every step after the first continuing the one before (lazy)
    const N = 4_000;
    const lots: GreenLotDoc[] = [];
    for (let i = 0; i < N; i++) {
      const lot = { units: 10_000, consumptionFen: 50 };
      lots.push({ _id: `gl:${i}`, userId: `L${i}`, orderId: null, ...lot, exitKey: exitPriceKey(lot, 20000), status: 'active', createdAt: new Date() });
    }
    await col(store.db, 'green_lots').insertMany(lots);
    const poolFen = N * 120;
    await col(store.db, 'green_state').updateOne(
      { _id: 'green' },
      { $set: { poolFen, totalUnits: N * 10_000, lastPriceNum: 100, lastPriceDen: 10_000, inflowFen: poolFen, paidOutFen: 0 }, $inc: { version: 1 } },
      { upsert: true },
    );
    for (let k = 0; k < N; k += 200) {
      await runTransaction(store, new Date(), (tx) =>
        post(tx, 'test:fixture', {
          eventKey: `fixture:green:${k}`,
          type: 'fixture',
          postings: [
            ...(k === 0 ? [{ account: acct.extWxPay, amount: -poolFen }, { account: acct.greenPool, amount: poolFen }] : []),
            ...lots.slice(k, k + 200).flatMap((l) => [{ account: acct.greenIssuer, amount: -l.units }, { account: acct.userGreen(l.userId), amount: l.units }]),
          ],
        }),
      );
    }

    await deps.settler.drain();
    const stats = (deps.settler as Settler).stats;
    expect(await col(store.db, 'green_lots').countDocuments({ status: 'exited', payoutPending: { $exists: false } })).toBe(N);
    expect(stats.lazySteps).toBeGreaterThan(20);
    expect(flushesAtStep.length).toBeGreaterThan(20);
    // Every step of this pass but the first was lazy. Had the pass kept the event loop from
    // running, no journal write would have completed between its second step and its last; here
    // the journal's writes went on during the pass (a flush every two or three steps here; a
    // slow disk makes fewer, but never none)
    const second = flushesAtStep[1]!.flushes;
    const last = flushesAtStep[flushesAtStep.length - 1]!.flushes;
    console.log('journal flushes during the pass', { steps: flushesAtStep.length, lazySteps: stats.lazySteps, atSecondStep: second, atLastStep: last });
    expect(last - second).toBeGreaterThanOrEqual(3);
    expect((await verifyLedger(store)).ok).toBe(true);
  }, 120_000);
});
