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
/** The actions of a function (of every one of them, when `F` is a union). */
export type ActionName<F extends FunctionName> = keyof Api[F] & string;

/** The contract of action `A` of each function in `F` (a union when `F` is one). */
type ContractOf<F extends FunctionName, A> = F extends FunctionName ? (A extends keyof Api[F] ? Api[F][A] : never) : never;

/**
 * What `call(fn, action, params)` sends (besides `action`). When `fn` is one of several functions
 * (`'merchant' | 'admin'`), the parameters must suit each of them: the intersection.
 */
export type ApiParams<F extends FunctionName, A extends ActionName<F>> =
  (ContractOf<F, A> extends infer C ? (C extends ActionContract<infer P, unknown> ? (p: P) => void : never) : never) extends (p: infer I) => void ? I : never;

/** What `call(fn, action)` answers (its `data`; any of theirs when `fn` is one of several functions). */
export type ApiData<F extends FunctionName, A extends ActionName<F>> = ContractOf<F, A>['data'];
