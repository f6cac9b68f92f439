import type { AppDeps, Caller } from '../runtime/context';
import { dispatch } from '../runtime/handler';
import type { Result } from '../runtime/errors';
import { AppError } from '../runtime/errors';
import { toErrorResult } from '../runtime/handler';
import { FUNCTIONS } from '../functions';
import { dispatchOutbox } from '../services/outbox';

/** Call one cloud function by name, as WeChat or the gateway would; messages recorded by the call are sent after it. */
export async function callFunction(name: string, event: unknown, deps: AppDeps, caller: Caller): Promise<Result<unknown>> {
  const fn = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (!fn) return toErrorResult(new AppError('NOT_FOUND', `未知云函数: ${name.slice(0, 40)}`));
  const result = await dispatch(fn, event, deps, caller);
  if (result.ok) await dispatchOutbox(deps.store, deps.wx, caller.now).catch((err) => console.error('outbox dispatch failed', err));
  return result;
}
