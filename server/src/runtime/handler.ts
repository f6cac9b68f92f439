import type { z } from 'zod';
import { ConfigError } from '../engine/config/compliance';
import { AppError, ERROR_CODES, type Result } from './errors';
import { parseParams } from './params';
import type { ActionContext, AppDeps, Caller } from './context';

/**
 * One handler shape for every cloud function: `{ action, ...params }` in, `{ ok, data | error }`
 * out. Params are parsed by a strict schema (unknown fields rejected); identity comes only
 * from the caller context, never from params.
 */

export type Access =
  /** anyone, even without an OPENID (health-like reads) */
  | 'public'
  /** any signed-in shopper (has an OPENID) */
  | 'user'
  /** platform admins only */
  | 'admin'
  /** the payment callback (context SOURCE is WeChat Pay), or local mode */
  | 'payCallback'
  /** the timer trigger, or admins */
  | 'trigger'
  /** our own cloud functions calling each other (SOURCE ends in `scf`), the timer, admins; anyone in local mode */
  | 'internal';

/**
 * One action: who may call it, its parameters' schema and what it answers (`R`, before JSON).
 * server/src/functions/api.ts derives the client's request and response types from these.
 */
export interface ActionDef<S extends z.ZodType = z.ZodType, R = unknown> {
  access: Access;
  params: S;
  run(ctx: ActionContext, params: z.infer<S>): Promise<R>;
}

/**
 * A cloud function's actions by name. Each function is declared `satisfies CloudFunction` (not
 * annotated with it), so its literal type — every action's schema and result — stays known.
 */
export type CloudFunction = Record<string, ActionDef>;

/** Helper keeping params, run and the result typed together. */
export function action<S extends z.ZodType, R>(def: ActionDef<S, R>): ActionDef<S, R> {
  return def;
}

/** getWXContext().SOURCE of a WeChat Pay callback (cloud pay) and of a timer trigger; never taken from the event. */
const PAY_SOURCES = new Set(['wx_paycallback']);
const TRIGGER_SOURCE = 'wx_trigger';

function checkAccess(access: Access, ctx: ActionContext): void {
  switch (access) {
    case 'public':
      return;
    case 'user':
      if (!ctx.caller.openid) throw new AppError('FORBIDDEN', '请先登录');
      return;
    case 'admin':
      if (!ctx.caller.openid) throw new AppError('FORBIDDEN', '请先登录');
      if (!ctx.isAdmin) throw new AppError('FORBIDDEN', '仅平台管理员可操作');
      return;
    case 'payCallback':
      if (ctx.deps.wx.mode === 'local') return;
      if (!ctx.caller.source || !PAY_SOURCES.has(ctx.caller.source)) throw new AppError('FORBIDDEN', '仅接受微信支付回调');
      return;
    case 'trigger':
      if (ctx.caller.source === TRIGGER_SOURCE || ctx.isAdmin) return;
      throw new AppError('FORBIDDEN', '仅定时触发器或管理员可运行');
    case 'internal':
      // WeChat passes SOURCE along a call chain: a function called by another ends in `,scf`
      if (ctx.deps.wx.mode === 'local' || ctx.caller.source === TRIGGER_SOURCE || ctx.isAdmin || /(^|,)scf$/.test(ctx.caller.source ?? '')) return;
      throw new AppError('FORBIDDEN', '仅云函数、定时触发器或管理员可运行');
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Map any thrown value to the public error shape. Only AppError/ConfigError messages reach the caller. */
export function toErrorResult(err: unknown): Result<never> {
  if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
  if (err instanceof ConfigError) return { ok: false, error: { code: 'CONFIG_INVALID', message: err.message } };
  const e = err as { code?: number; errorLabels?: string[]; hasErrorLabel?: (l: string) => boolean };
  if (e?.code === 11000) return { ok: false, error: { code: 'CONFLICT', message: ERROR_CODES.CONFLICT } };
  if (e?.code === 112 || e?.hasErrorLabel?.('TransientTransactionError')) return { ok: false, error: { code: 'CONFLICT', message: ERROR_CODES.CONFLICT } };
  console.error('internal error', err);
  return { ok: false, error: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL } };
}

export async function dispatch(fn: CloudFunction, event: unknown, deps: AppDeps, caller: Caller): Promise<Result<unknown>> {
  try {
    if (!isPlainObject(event)) throw new AppError('INVALID_INPUT', '请求应为 JSON 对象 { action, ... }');
    // WeChat adds `userInfo` to every callFunction event; it is not a parameter and is never trusted.
    const { action: name, userInfo: _ignored, ...params } = event;
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(fn, name)) {
      throw new AppError('INVALID_INPUT', `未知操作: ${typeof name === 'string' ? name.slice(0, 40) : String(name)}`);
    }
    const def = fn[name]!;
    const ctx: ActionContext = { deps, caller, now: caller.now, isAdmin: !!caller.openid && deps.adminOpenids.has(caller.openid) };
    checkAccess(def.access, ctx);
    const parsed = parseParams(def.params, params);
    const data = await def.run(ctx, parsed);
    return { ok: true, data: data ?? null };
  } catch (err) {
    return toErrorResult(err);
  }
}
