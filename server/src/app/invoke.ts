import type { AppDeps, Caller } from '../runtime/context';
import type { Result } from '../runtime/errors';
import { dispatch, type CloudFunction } from '../runtime/handler';
import { dispatchOutbox, outboxMayHaveWork } from '../services/outbox';

/** Run one cloud function's action as WeChat or the gateway would; messages recorded by the call are sent after it. */
export async function invoke(fn: CloudFunction, event: unknown, deps: AppDeps, caller: Caller): Promise<Result<unknown>> {
  const result = await dispatch(fn, event, deps, caller);
  if (result.ok && outboxMayHaveWork()) await dispatchOutbox(deps.store, deps.wx, caller.now).catch((err) => console.error('outbox dispatch failed', err));
  return result;
}
