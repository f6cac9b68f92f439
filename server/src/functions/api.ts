/**
 * The cloud functions' contract as types, derived from the actions themselves (FUNCTIONS): for
 * every function and action, what it accepts (`params`: the zod schema's input, before defaults
 * and trimming) and what it answers (`data`: the run's result once JSON). Type-only: the client
 * imports it with `import type` (client/src/lib/api.ts types `call` with it), so nothing of the
 * server is bundled into the mini-program. A field the server stops producing, a parameter it
 * renames or an action it drops fails to compile on the client where it is used.
 */
import type { z } from 'zod';
import type { Wire } from '../../../shared/views';
import type { ActionDef } from '../runtime/handler';
import type { FUNCTIONS } from './index';

type Functions = typeof FUNCTIONS;

/** One action's contract. */
export interface ActionContract<P, D> {
  params: P;
  data: D;
}

type Contract<T> = T extends ActionDef<infer S, infer R> ? ActionContract<z.input<S>, Wire<Awaited<R>>> : never;

export type Api = { [F in keyof Functions]: { [A in keyof Functions[F]]: Contract<Functions[F][A]> } };

export type FunctionName = keyof Api;
export type ActionName<F extends FunctionName> = keyof Api[F] & string;
/** What `call(fn, action, params)` sends (besides `action`). */
export type ApiParams<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends ActionContract<infer P, unknown> ? P : never;
/** What `call(fn, action)` answers (its `data`). */
export type ApiData<F extends FunctionName, A extends ActionName<F>> = Api[F][A] extends ActionContract<unknown, infer D> ? D : never;
