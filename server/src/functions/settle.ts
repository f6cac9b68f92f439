import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { hasDueWork } from '../services/settler/settler';

/**
 * settle: the settler as a cloud function (SPEC §9). Started by payNotify and the other
 * recording actions right after they commit (without waiting for it), and swept every minute by
 * its timer trigger for anything left behind. A pass holds the lease for at most its time budget
 * (well inside the function's 60 s); if work remains it starts the next settle call and ends.
 * Locally (the gateway) the same action runs the settler until nothing is due.
 */
export const settle = {
  run: action({
    access: 'internal',
    params: z.strictObject({}),
    run: async (ctx) => {
      if (ctx.deps.wx.mode === 'local') {
        await ctx.deps.settler.drain(ctx.now);
        return { more: false };
      }
      await ctx.deps.settler.kick(ctx.now);
      const more = await hasDueWork(ctx.deps.store);
      if (more) await ctx.deps.settler.nudge(ctx.now); // continue in a fresh call, not past this one's time limit
      return { more };
    },
  }),
} satisfies CloudFunction;
