import type { AppDeps, Caller } from '../runtime/context';
import type { Result } from '../runtime/errors';
import { dispatch, type CloudFunction } from '../runtime/handler';
import { dispatchOutbox, outboxMayHaveWork } from '../services/outbox';

/**
 * One dispatch of the outbox at a time per process: concurrent calls would only fight over the
 * same pending messages (a convenience of this process; the claims in the database decide).
 */
let dispatching: Promise<unknown> | null = null;

/** Run one cloud function's action as WeChat or the gateway would; messages recorded by the call are sent after it. */
export async function invoke(fn: CloudFunction, event: unknown, deps: AppDeps, caller: Caller): Promise<Result<unknown>> {
  const result = await dispatch(fn, event, deps, caller);
  if (result.ok && outboxMayHaveWork() && !dispatching) {
    dispatching = dispatchOutbox(deps.store, deps.wx, caller.now)
      .catch((err) => console.error('outbox dispatch failed', err))
      .finally(() => (dispatching = null));
    await dispatching;
  }
  return result;
}
