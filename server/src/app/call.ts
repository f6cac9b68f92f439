import type { AppDeps, Caller } from '../runtime/context';
import { AppError, type Result } from '../runtime/errors';
import { toErrorResult } from '../runtime/handler';
import { FUNCTION_TABLE } from '../functions';
import { afterAnswer, invoke } from './invoke';

/**
 * Call a cloud function by name (the local gateway, tests, the demo seed). The answer is complete
 * before anything is sent; then the outbox gets what the call queued — in the gateway after the
 * answer went out, in tests (mode 'await') before this returns, so a test sees its messages sent.
 */
export async function callFunction(name: string, event: unknown, deps: AppDeps, caller: Caller): Promise<Result<unknown>> {
  const fn = Object.prototype.hasOwnProperty.call(FUNCTION_TABLE, name) ? FUNCTION_TABLE[name] : undefined;
  if (!fn) return toErrorResult(new AppError('NOT_FOUND', `未知云函数: ${name.slice(0, 40)}`));
  const { result, queued } = await invoke(fn, event, deps, caller);
  await afterAnswer(deps, caller, queued);
  return result;
}
