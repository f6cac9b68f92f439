import type { AppDeps, Caller } from '../runtime/context';
import type { Result } from '../runtime/errors';
import { dispatch, type CloudFunction } from '../runtime/handler';
import { inCallScope } from '../services/outbox/signal';

/**
 * Run one cloud function's action as WeChat or the gateway would. Returns the answer and whether
 * the call committed anything to the outbox; sending it is the caller's next step, after the
 * answer (`afterAnswer`): the answer is never held back by WeChat's servers.
 */
export async function invoke(fn: CloudFunction, event: unknown, deps: AppDeps, caller: Caller): Promise<{ result: Result<unknown>; queued: boolean }> {
  return inCallScope(() => dispatch(fn, event, deps, caller));
}

/** After the answer: get what the call queued on its way (services/outbox/dispatcher.ts says how, per mode). */
export async function afterAnswer(deps: AppDeps, caller: Caller, queued: boolean): Promise<void> {
  await deps.outbox.afterAnswer(caller.now, queued).catch((err) => console.error('outbox after answer failed', err));
}
