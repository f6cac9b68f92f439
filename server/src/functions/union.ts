import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { myUnion } from '../services/union';
import { asUser } from './tx';

export const union = {
  /** My union entries with their eligible day; the pool's balance. */
  mine: action({
    access: 'user',
    params: z.strictObject({}),
    run: (ctx) => asUser(ctx, (tx, user) => myUnion(tx, user._id, ctx.now)),
  }),
} satisfies CloudFunction;
