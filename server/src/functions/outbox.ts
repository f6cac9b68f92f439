import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { addReport, emptyReport } from '../services/outbox/dispatch';
import { runSweeps } from '../services/sweeps';

/** One call stops starting new passes after this long (the function's timeout is 60 s) and starts the next call instead. */
export const OUTBOX_BUDGET_MS = 30_000;

/**
 * outbox: everything that leaves for WeChat, after the answer of the call that caused it (SPEC §9).
 * Started asynchronously by any call that queued something (as payNotify starts `settle`), and by
 * its timer every minute: it runs the sweeps (payments without a notification, refunds and
 * transfers without a result), then dispatches due messages — refunds, payouts, subscribe
 * messages — in bounded passes. If work remains when its time budget is spent, it starts the next
 * call of itself and ends. Safe on many instances at once (claims with leases, services/outbox).
 */
export const outbox = {
  run: action({
    access: 'internal',
    params: z.strictObject({}),
    run: async (ctx) => {
      const started = Date.now();
      const sweeps = await runSweeps(ctx.deps, ctx.now);
      const total = emptyReport();
      for (;;) {
        const r = await ctx.deps.outbox.run(ctx.now);
        addReport(total, r);
        total.more = r.more;
        if (!r.more || Date.now() - started > OUTBOX_BUDGET_MS) break;
      }
      if (total.more && ctx.deps.wx.mode === 'wechat') await ctx.deps.outbox.nudge(ctx.now);
      return { sweeps, outbox: total };
    },
  }),
} satisfies CloudFunction;
