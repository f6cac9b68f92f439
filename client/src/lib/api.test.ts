import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import Taro from '@tarojs/taro'
import {
  ApiError,
  DEFAULT_DEV_OPENID,
  DEV_NOW_KEY,
  DEV_OPENID_KEY,
  ERROR_MESSAGES,
  call,
  getDevOpenid,
  setDevOpenid,
  weappTransport,
} from './api'

// Only the network boundary is mocked: globalThis.fetch (h5) and Taro.cloud.callFunction (weapp).
const fetchMock = vi.fn<typeof fetch>()

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

beforeEach(() => {
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('call() over h5 fetch', () => {
  it('POSTs {action, ...params} as JSON to /api/<fn> with the default dev openid', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ ok: true, data: { entries: [1, 2] } }))

    const data = await call('queue', 'draw', { entryId: 'e1' })

    expect(data).toEqual({ entries: [1, 2] })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/queue')
    expect(init?.method).toBe('POST')
    const headers = init?.headers as Record<string, string>
    expect(headers['content-type']).toBe('application/json')
    expect(headers['x-openid']).toBe(DEFAULT_DEV_OPENID)
    expect(headers).not.toHaveProperty('x-now')
    expect(JSON.parse(String(init?.body))).toEqual({ action: 'draw', entryId: 'e1' })
  })

  it('sends the identity and fake clock kept in localStorage', async () => {
    window.localStorage.setItem(DEV_OPENID_KEY, 'demo-merchant')
    window.localStorage.setItem(DEV_NOW_KEY, '2026-03-01T12:00:00+08:00')
    fetchMock.mockResolvedValueOnce(jsonResponse({ ok: true, data: null }))

    await call('admin', 'dashboard')

    const headers = fetchMock.mock.calls[0]![1]?.headers as Record<string, string>
    expect(headers['x-openid']).toBe('demo-merchant')
    expect(headers['x-now']).toBe('2026-03-01T12:00:00+08:00')
    expect(JSON.parse(String(fetchMock.mock.calls[0]![1]?.body))).toEqual({ action: 'dashboard' })
  })

  it('the action argument wins over a params.action', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ ok: true, data: 1 }))
    // @ts-expect-error -- neither is a parameter of listProducts: the types refuse them, the transport must too
    await call('mall', 'listProducts', { action: 'other', page: 2 })
    expect(JSON.parse(String(fetchMock.mock.calls[0]![1]?.body))).toEqual({ action: 'listProducts', page: 2 })
  })

  it.each(Object.entries(ERROR_MESSAGES).filter(([code]) => code !== 'NETWORK'))(
    'ok:false with %s throws ApiError with the Chinese message %s',
    async (code, message) => {
      fetchMock.mockResolvedValueOnce(jsonResponse({ ok: false, error: { code, message: 'server text' } }, 400))
      const err = await call('wallet', 'withdraw', { amountFen: 1 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
      expect(err).toMatchObject({ code, message, serverMessage: 'server text' })
    },
  )

  it('shows the server message when it is Chinese (already user-readable)', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ ok: false, error: { code: 'INVALID_AMOUNT', message: '最低提现 ¥1.00' } }, 400))
    await expect(call('wallet', 'withdraw', { amountFen: 1 })).rejects.toMatchObject({ code: 'INVALID_AMOUNT', message: '最低提现 ¥1.00', serverMessage: '最低提现 ¥1.00' })
  })

  it('maps the spec error table exactly', () => {
    expect(ERROR_MESSAGES).toEqual({
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
    })
  })

  it('an unknown error code keeps its code and shows the generic message', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ ok: false, error: { code: 'SOMETHING_NEW', message: 'x' } }))
    await expect(call('user', 'me')).rejects.toMatchObject({ code: 'SOMETHING_NEW', message: '系统繁忙，请稍后再试' })
  })

  it('a network failure becomes NETWORK 网络异常', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(call('user', 'me')).rejects.toMatchObject({ name: 'ApiError', code: 'NETWORK', message: '网络异常' })
  })

  it('a non-JSON 404 (no gateway behind the static host) is NETWORK; a 502 page is INTERNAL', async () => {
    fetchMock.mockResolvedValueOnce(new Response('Not Found', { status: 404 }))
    await expect(call('user', 'me')).rejects.toMatchObject({ code: 'NETWORK', message: '网络异常' })
    fetchMock.mockResolvedValueOnce(new Response('<html>Bad Gateway</html>', { status: 502 }))
    await expect(call('user', 'me')).rejects.toMatchObject({ code: 'INTERNAL', message: '系统繁忙，请稍后再试' })
  })

  it('a JSON body that is not an envelope is INTERNAL', async () => {
    fetchMock.mockResolvedValueOnce(jsonResponse({ hello: 'world' }))
    await expect(call('user', 'me')).rejects.toMatchObject({ code: 'INTERNAL' })
  })
})

describe('dev identity', () => {
  it('defaults to demo-shopper-a and persists a choice under dev.openid', () => {
    expect(getDevOpenid()).toBe('demo-shopper-a')
    setDevOpenid('  demo-admin ')
    expect(window.localStorage.getItem('dev.openid')).toBe('demo-admin')
    expect(getDevOpenid()).toBe('demo-admin')
    setDevOpenid('')
    expect(getDevOpenid()).toBe('demo-shopper-a')
  })
})

describe('weapp transport (wx.cloud.callFunction)', () => {
  type Cloud = { callFunction: (o: { name: string; data: unknown }) => Promise<unknown> }
  const cloud = (Taro as unknown as { cloud: Cloud }).cloud

  it('calls the function by name with {action, ...params} and reads result', async () => {
    const spy = vi.spyOn(cloud, 'callFunction').mockResolvedValueOnce({ result: { ok: true, data: 42 }, errMsg: 'cloud.callFunction:ok' })
    const result = await weappTransport('green', { action: 'state' })
    expect(spy).toHaveBeenCalledWith({ name: 'green', data: { action: 'state' } })
    expect(result).toEqual({ ok: true, data: 42 })
    spy.mockRestore()
  })

  it('a rejected callFunction becomes NETWORK', async () => {
    const spy = vi.spyOn(cloud, 'callFunction').mockRejectedValueOnce({ errMsg: 'cloud.callFunction:fail timeout' })
    await expect(weappTransport('green', { action: 'state' })).rejects.toMatchObject({
      code: 'NETWORK',
      message: '网络异常',
      serverMessage: 'cloud.callFunction:fail timeout',
    })
    spy.mockRestore()
  })
})
