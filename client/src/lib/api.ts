/**
 * The one place that knows how cloud functions are called.
 *
 *   const data = await call('queue', 'mine')
 *
 * Typed by the server's own actions (server/src/functions/api.ts, imported type-only): the
 * function and action names, the parameters (the zod schema's input) and the answer's `data`
 * (the action's result once JSON) all come from there; nothing of the server is bundled.
 *
 * - weapp: wx.cloud.callFunction({ name: fn, data: { action, ...params } }) and read `result`.
 * - h5:    POST `${API_BASE}/api/${fn}` with JSON { action, ...params } to the local gateway,
 *          with the dev identity in `x-openid` (and optionally a fake clock in `x-now`).
 *
 * Every function answers { ok: true, data } or { ok: false, error: { code, message } };
 * ok:false (and any transport failure) is thrown as an ApiError with a Chinese message.
 */
import Taro from '@tarojs/taro'
import type { ActionName, ApiData, ApiParams, FunctionName } from '../../../server/src/functions/api'
import type { ErrorCode } from '../../../shared/contract'

export type { ActionName, ApiData, ApiParams, FunctionName }

/** The parameters argument: optional when the action needs none (every field optional). */
export type ParamsArg<P> = {} extends P ? [params?: P] : [params: P]

/** The server's codes (shared/contract.ts) and the client's own NETWORK (the call did not reach it). */
export type ApiErrorCode = ErrorCode | 'NETWORK'

export const ERROR_MESSAGES: Record<ApiErrorCode, string> = {
  INVALID_INPUT: '输入有误',
  INVALID_AMOUNT: '金额不正确',
  NOT_FOUND: '找不到该记录',
  FORBIDDEN: '没有权限',
  CONFLICT: '操作冲突，请重试',
  LIMIT_REACHED: '已达到次数上限',
  LOTTERY_USED: '已经抽过奖了',
  INSUFFICIENT_BALANCE: '余额不足',
  CONFIG_INVALID: '设置不合规',
  INTERNAL: '系统繁忙，请稍后再试',
  NETWORK: '网络异常',
}

export class ApiError extends Error {
  /** The stable code from the server (or NETWORK / INTERNAL for transport failures). */
  readonly code: string
  /** The server's own message (already Chinese and user-readable for ok:false answers). */
  readonly serverMessage: string | undefined

  /**
   * `message` is what a toast shows: the server's own (Chinese) message when it sent one,
   * else the generic text for the code. Transport failures (NETWORK) never show the raw
   * transport text (`cloud.callFunction:fail …`), only the generic words.
   */
  constructor(code: string, serverMessage?: string, showServerMessage = true) {
    super(showServerMessage && isShowable(serverMessage) ? serverMessage! : messageForCode(code))
    this.name = 'ApiError'
    this.code = code
    this.serverMessage = serverMessage
  }
}

/** A server message worth showing a shopper: non-empty and written in Chinese. */
function isShowable(m: string | undefined): boolean {
  return typeof m === 'string' && m.trim().length > 0 && m.length <= 200 && /[\u4e00-\u9fff]/.test(m)
}

/** Chinese message for a code; unknown codes fall back to the generic INTERNAL text. */
export function messageForCode(code: string): string {
  return (ERROR_MESSAGES as Record<string, string>)[code] ?? ERROR_MESSAGES.INTERNAL
}

export type ApiEnvelope<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message?: string } }

/** Turns a function's answer into data or a thrown ApiError. */
export function unwrap<T>(envelope: unknown): T {
  if (envelope && typeof envelope === 'object' && 'ok' in envelope) {
    const e = envelope as ApiEnvelope<T>
    if (e.ok === true) return e.data
    if (e.ok === false) {
      const code = typeof e.error?.code === 'string' ? e.error.code : 'INTERNAL'
      throw new ApiError(code, e.error?.message)
    }
  }
  throw new ApiError('INTERNAL', 'malformed response', false)
}

// ---------------------------------------------------------------------------
// dev identity (h5 + local gateway only)

export const DEV_OPENID_KEY = 'dev.openid'
export const DEV_NOW_KEY = 'dev.now'
export const DEFAULT_DEV_OPENID = 'demo-shopper-a'
export const DEV_OPENIDS = ['demo-shopper-a', 'demo-shopper-b', 'demo-merchant', 'demo-admin'] as const

function storage(): Storage | undefined {
  try {
    return typeof window !== 'undefined' && window.localStorage ? window.localStorage : undefined
  } catch {
    return undefined
  }
}

export function getDevOpenid(): string {
  return storage()?.getItem(DEV_OPENID_KEY) || DEFAULT_DEV_OPENID
}

export function setDevOpenid(openid: string): void {
  const v = openid.trim()
  if (v) storage()?.setItem(DEV_OPENID_KEY, v)
  else storage()?.removeItem(DEV_OPENID_KEY)
}

/** Optional fake clock sent as `x-now` (ISO time); empty/null clears it. */
export function getDevNow(): string | null {
  return storage()?.getItem(DEV_NOW_KEY) || null
}

export function setDevNow(iso: string | null): void {
  if (iso) storage()?.setItem(DEV_NOW_KEY, iso)
  else storage()?.removeItem(DEV_NOW_KEY)
}

// ---------------------------------------------------------------------------
// transports

/** Gateway origin for h5; '' = same origin (the gateway serves the h5 bundle too). */
export const API_BASE: string = (process.env.TARO_APP_API_BASE ?? '').replace(/\/+$/, '')

export type Transport = (fn: string, payload: Record<string, unknown>) => Promise<unknown>

export const h5Transport: Transport = async (fn, payload) => {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-openid': getDevOpenid(),
  }
  const now = getDevNow()
  if (now) headers['x-now'] = now
  let res: Response
  try {
    res = await fetch(`${API_BASE}/api/${encodeURIComponent(fn)}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
    })
  } catch (err) {
    throw new ApiError('NETWORK', err instanceof Error ? err.message : String(err), false)
  }
  let body: unknown
  try {
    body = await res.json()
  } catch {
    // A 5xx page from a proxy is the server's trouble; anything else without our JSON
    // envelope (404 from a static host, captive portal…) means the gateway is unreachable.
    throw new ApiError(res.ok || res.status >= 500 ? 'INTERNAL' : 'NETWORK', `HTTP ${res.status}: not JSON`, false)
  }
  return body
}

export const weappTransport: Transport = async (fn, payload) => {
  let res: { result?: unknown }
  try {
    res = (await Taro.cloud.callFunction({ name: fn, data: payload })) as { result?: unknown }
  } catch (err) {
    const msg = err && typeof err === 'object' && 'errMsg' in err ? String((err as { errMsg: unknown }).errMsg) : String(err)
    throw new ApiError('NETWORK', msg, false)
  }
  return res.result
}

/** Calls an action of a cloud function and returns its `data` (throws ApiError on ok:false). */
export async function call<F extends FunctionName, A extends ActionName<F>>(fn: F, action: A, ...params: ParamsArg<ApiParams<F, A>>): Promise<ApiData<F, A>> {
  return callUntyped(fn, action, params[0] as object | undefined) as Promise<ApiData<F, A>>
}

/** call() without the contract's types, for the few wrappers that add parameters of their own (callOnce's requestId). */
export async function callUntyped(fn: string, action: string, params?: object): Promise<unknown> {
  const transport = process.env.TARO_ENV === 'weapp' ? weappTransport : h5Transport
  return unwrap<unknown>(await transport(fn, { ...(params as Record<string, unknown> | undefined), action }))
}

/** Shows an error as a toast (ApiError → its Chinese message). Returns the message. */
export function toastError(err: unknown): string {
  const message = err instanceof ApiError ? err.message : ERROR_MESSAGES.INTERNAL
  void Taro.showToast({ title: message, icon: 'none' }).catch(() => undefined)
  return message
}
