import { vi } from 'vitest'
import type { ActionName, ApiData, ApiParams, FunctionName } from '@/lib/api'

export type Route = (params: Record<string, unknown>) => unknown

type RouteKey = { [F in FunctionName]: `${F}.${ActionName<F>}` }[FunctionName]
type RouteFor<K> = K extends `${infer F extends FunctionName}.${infer A}` ? (A extends ActionName<F> ? (params: ApiParams<F, A>) => Fixture<ApiData<F, A>> | Promise<Fixture<ApiData<F, A>>> : never) : never

/** A test's answer: any part of the real one (fixtures stay small), but no field the server lacks and no value of another type. */
export type Fixture<T> = T extends readonly (infer U)[] ? Fixture<U>[] : T extends object ? { [K in keyof T]?: Fixture<T[K]> } : T

/** A route per `fn.action`, answering (a part of) what the server's action answers (server/src/functions/api.ts). */
export type Routes = { [K in RouteKey]?: RouteFor<K> }

/**
 * Stubs fetch as the local gateway: `routes['fn.action'](params)` answers `data` (or throws
 * `{ code, message }` to answer ok:false). Returns the list of calls made.
 */
export function mockApi(routes: Routes) {
  const calls: { fn: string; action: string; params: Record<string, unknown>; openid: string }[] = []
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const fn = decodeURIComponent(String(url).split('/api/')[1] ?? '')
    const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>
    const { action, ...params } = body
    calls.push({ fn, action: String(action), params, openid: (init?.headers as Record<string, string>)['x-openid'] ?? '' })
    const route = (routes as unknown as Record<string, Route | undefined>)[`${fn}.${String(action)}`]
    let payload: unknown
    if (!route) payload = { ok: false, error: { code: 'NOT_FOUND', message: `no route ${fn}.${String(action)}` } }
    else {
      try {
        payload = { ok: true, data: await route(params) }
      } catch (e) {
        payload = { ok: false, error: e }
      }
    }
    return new Response(JSON.stringify(payload), { status: 200, headers: { 'content-type': 'application/json' } })
  })
  vi.stubGlobal('fetch', fetchMock)
  return calls
}

export const ME = {
  userId: 'U1',
  nickname: '微信用户test',
  avatarUrl: '',
  inviteCode: 'ABC123',
  referrer: null,
  level: { id: 'L0', name: '普通会员' },
  completedSpendFen: 0,
  roles: { admin: false, merchant: false },
  stores: [],
}
