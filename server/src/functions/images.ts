import type { ActionContext } from '../runtime/context';
import { AppError } from '../runtime/errors';

/**
 * Check the files behind new image references before the transaction that saves them (a
 * transaction may run again on a conflict, so no download happens inside one). Only references
 * the document does not hold yet are checked: saving a product again costs nothing.
 */
export async function requireImages(ctx: ActionContext, refs: string[]): Promise<void> {
  for (const [i, ref] of refs.entries()) {
    const check = await ctx.deps.wx.inspectImage(ref);
    if (!check.ok) throw new AppError('INVALID_INPUT', refs.length > 1 ? `第 ${i + 1} 张图片：${check.reason}` : check.reason);
  }
}
