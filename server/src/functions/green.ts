import { z } from 'zod';
import { action, type CloudFunction } from '../runtime/handler';
import { amount, id, requestId } from '../runtime/params';
import { AppError } from '../runtime/errors';
import { greenView, myGreen, transferGreen, withdrawGreen } from '../services/green';
import { loadConfig } from '../services/config';
import { afterPoolChange, asUser, inTx, once } from './tx';

async function requireGreen(ctx: Parameters<typeof inTx>[0]) {
  const config = await inTx(ctx, (tx) => loadConfig(tx));
  if (!config.green.enabled) throw new AppError('FORBIDDEN', '绿色积分未开启');
}

export const green = {
  /** Pool, points outstanding, price per point and the daily price history. */
  state: action({ access: 'public', params: z.strictObject({}), run: (ctx) => inTx(ctx, (tx) => greenView(tx)) }),
  mine: action({ access: 'user', params: z.strictObject({}), run: (ctx) => asUser(ctx, (tx, user) => myGreen(tx, user._id)) }),
  /** 提现: `units` (1 point = 10000 units) at the current price minus the fee, to the wallet. */
  withdraw: action({
    access: 'user',
    params: z.strictObject({ units: amount(), requestId }),
    run: async (ctx, p) => {
      await requireGreen(ctx);
      const r = await once(ctx, 'green.withdraw', p.requestId, (tx, user) => withdrawGreen(tx, user._id, p.units, p.requestId));
      await afterPoolChange(ctx); // the fee raised the price: other lots may exit now
      return r;
    },
  }),
  /** 转赠: units and their consumption basis move to another shopper. */
  transfer: action({
    access: 'user',
    params: z.strictObject({ toUserId: id, units: amount(), requestId }),
    run: async (ctx, p) => {
      await requireGreen(ctx);
      const r = await once(ctx, 'green.transfer', p.requestId, (tx, user) => transferGreen(tx, user._id, p.toUserId, p.units, p.requestId));
      await afterPoolChange(ctx); // the moved basis is floored: the receiver's lot may be at its exit value
      return r;
    },
  }),
} satisfies CloudFunction;
