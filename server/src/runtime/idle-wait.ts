/**
 * Waiting that is not work. A call that waits for the settler (local `order.pay` answers once its
 * payment is settled) spends that time idle; a host that limits calls in flight (the local
 * gateway's admission) gives the call's slot back while it waits and takes one again after, so
 * eight waiting payments cannot hold up every other caller. Outside such a host (WeChat cloud,
 * tests calling the handlers directly) `idleWait(fn)` is just `fn()`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Hook = <T>(wait: () => Promise<T>) => Promise<T>;

const host = new AsyncLocalStorage<Hook>();

/** Run `fn` (a call) under `hook`, which every idleWait inside it goes through. */
export function withIdleWaitHook<T>(hook: Hook, fn: () => Promise<T>): Promise<T> {
  return host.run(hook, fn);
}

/** `wait()` as idle time of the current call (see above). */
export function idleWait<T>(wait: () => Promise<T>): Promise<T> {
  const hook = host.getStore();
  return hook ? hook(wait) : wait();
}
