import { z } from 'zod';
import { MAX_FEN } from '../money/units';
import { AppError } from './errors';

/**
 * Parameter schemas shared by the actions. Amounts get their own code (INVALID_AMOUNT) so a
 * shopper who types ¥-1 or ¥0.001 is told about the amount, not about "input".
 */

const AMOUNT_MARK = 'amount';

export const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_:.-]+$/, '编号格式不正确');
/** A ledger row's id: `<book>#<height>/<posting>` (books are named like `user:<id>`). */
export const postingId = z.string().min(1).max(200).regex(/^[A-Za-z0-9_:.#/-]+$/, '编号格式不正确');
export const requestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/).optional();
export const count = (max: number) => z.number().int().min(1).max(max);

/** A positive integer number of fen (or units), at most MAX_FEN. */
export const amount = (max = MAX_FEN) =>
  z.number({ error: AMOUNT_MARK }).int({ error: AMOUNT_MARK }).min(1, { error: AMOUNT_MARK }).max(max, { error: AMOUNT_MARK });

export const nonNegativeAmount = (max = MAX_FEN) =>
  z.number({ error: AMOUNT_MARK }).int({ error: AMOUNT_MARK }).min(0, { error: AMOUNT_MARK }).max(max, { error: AMOUNT_MARK });

/** Parse action params; unknown fields are rejected, not ignored, so a client cannot smuggle an amount or a user id. */
export function parseParams<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.join('.');
  if (issue.message === AMOUNT_MARK) throw new AppError('INVALID_AMOUNT', `金额不正确${where ? ` (${where})` : ''}：须为正整数 (单位: 分)`);
  if (issue.code === 'unrecognized_keys') throw new AppError('INVALID_INPUT', `不接受的参数: ${issue.keys.join(', ')}`);
  throw new AppError('INVALID_INPUT', `参数 ${where || '(整体)'} 不正确: ${issue.message}`);
}
