/**
 * A client retry is the same request (SPEC §9). Every action that creates or moves something is
 * sent with a requestId; if the attempt ends without an answer we can trust (the network failed,
 * the call timed out, the server was busy), the next attempt of the *same* action with the *same*
 * parameters reuses that requestId, so the server gives the first attempt's result instead of
 * doing it twice. The id is forgotten once an answer says what happened (success or a business
 * refusal such as 余额不足), so the shopper's next, deliberate tap is a new request.
 *
 * Pending ids are kept in storage too: a retry after the mini-program was closed and reopened is
 * still the same request.
 */
import Taro from '@tarojs/taro'
import { ApiError, callUntyped, type ActionName, type ApiData, type ApiParams, type FunctionName, type ParamsArg } from './api'

const STORAGE_KEY = 'pendingRequests'
/** A pending id older than this is dropped (the shopper has moved on). */
const MAX_AGE_MS = 24 * 3600_000

type Pending = Record<string, { id: string; at: number }>

let memory: Pending | null = null

function load(): Pending {
  if (memory) return memory
  try {
    const raw = Taro.getStorageSync(STORAGE_KEY) as Pending | string | undefined
    memory = raw && typeof raw === 'object' ? raw : raw ? (JSON.parse(raw) as Pending) : {}
  } catch {
    memory = {}
  }
  const now = Date.now()
  for (const [k, v] of Object.entries(memory)) if (!v || now - v.at > MAX_AGE_MS) delete memory[k]
  return memory
}

function save(p: Pending): void {
  memory = p
  try {
    Taro.setStorageSync(STORAGE_KEY, p)
  } catch {
    /* storage full or unavailable: memory still holds it for this session */
  }
}

/** Stable text of the parameters (sorted keys), so the same action with the same input finds its id. */
export function requestKey(fn: string, action: string, params: object): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v
  return `${fn}.${action}:${JSON.stringify(sort(params))}`
}

/** A new request id (8–64 letters and digits, as the server requires). */
export function newRequestId(): string {
  const rnd = Math.random().toString(36).slice(2, 10)
  return `r${Date.now().toString(36)}${rnd}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 40).padEnd(8, '0')
}

/** Whether an error leaves the outcome unknown (so a retry must be the same request). */
export function outcomeUnknown(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true
  return err.code === 'NETWORK' || err.code === 'INTERNAL' || err.code === 'CONFLICT'
}

/** The request id for this action and input: the pending one of an earlier attempt, or a new one. */
export function requestIdFor(key: string): string {
  const p = load()
  const found = p[key]
  if (found) return found.id
  const id = newRequestId()
  save({ ...p, [key]: { id, at: Date.now() } })
  return id
}

export function settleRequest(key: string): void {
  const p = { ...load() }
  delete p[key]
  save(p)
}

/**
 * call() for actions that create or move something: sends `requestId`, reusing the id of an
 * earlier attempt whose outcome is unknown.
 */
export async function callOnce<F extends FunctionName, A extends ActionName<F>>(fn: F, action: A, ...args: ParamsArg<Omit<ApiParams<F, A>, 'requestId'>>): Promise<ApiData<F, A>> {
  const params: object = args[0] ?? {}
  const key = requestKey(fn, action, params)
  const requestId = requestIdFor(key)
  try {
    const r = (await callUntyped(fn, action, { ...params, requestId })) as ApiData<F, A>
    settleRequest(key)
    return r
  } catch (err) {
    if (!outcomeUnknown(err)) settleRequest(key)
    throw err
  }
}

/** For tests: forget every pending id. */
export function resetPendingRequests(): void {
  memory = {}
  try {
    Taro.removeStorageSync(STORAGE_KEY)
  } catch {
    /* ignore */
  }
}
