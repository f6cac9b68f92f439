import { vi } from 'vitest'

export type Route = (params: Record<string, unknown>) => unknown

/**
 * Stubs fetch as the local gateway: `routes['fn.action'](params)` answers `data` (or throws
 * `{ code, message }` to answer ok:false). Returns the list of calls made.
 */
export function mockApi(routes: Record<string, Route>) {
  const calls: { fn: string; action: string; params: Record<string, unknown>; openid: string }[] = []
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const fn = decodeURIComponent(String(url).split('/api/')[1] ?? '')
    const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>
    const { action, ...params } = body
    calls.push({ fn, action: String(action), params, openid: (init?.headers as Record<string, string>)['x-openid'] ?? '' })
    const route = routes[`${fn}.${String(action)}`]
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
