import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whether the current call committed something to the outbox. Per call (AsyncLocalStorage), never
 * per process: tests run many apps in one process, and WeChat runs each call in whatever container
 * it likes. It only decides whether the call starts a dispatcher right away; the outbox function's
 * timer sends anything a lost start left behind.
 */
const scope = new AsyncLocalStorage<{ queued: boolean }>();

export async function inCallScope<T>(fn: () => Promise<T>): Promise<{ result: T; queued: boolean }> {
  const state = { queued: false };
  const result = await scope.run(state, fn);
  return { result, queued: state.queued };
}

/** Called after a transaction that wrote outbox documents has committed. */
export function noteQueued(): void {
  const s = scope.getStore();
  if (s) s.queued = true;
}
