import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { callOnce, requestKey, resetPendingRequests } from './retry'

/** A retry after a timeout or a network error is the same request: the same requestId (SPEC §9). */
const fetchMock = vi.fn<typeof fetch>()
const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
const sentIds = () => fetchMock.mock.calls.map(([, init]) => JSON.parse(String(init?.body)).requestId as string)

beforeEach(() => {
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
  resetPendingRequests()
})
afterEach(() => vi.unstubAllGlobals())

describe('callOnce', () => {
  it('reuses the requestId after a network failure and after an unknown server outcome, until an answer says what happened', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    fetchMock.mockResolvedValueOnce(json({ ok: false, error: { code: 'INTERNAL', message: '系统繁忙，请稍后再试' } }))
    fetchMock.mockResolvedValueOnce(json({ ok: true, data: { withdrawalId: 'W1' } }))
    fetchMock.mockResolvedValueOnce(json({ ok: true, data: { withdrawalId: 'W2' } }))
    await expect(callOnce('wallet', 'withdraw', { amountFen: 1000 })).rejects.toMatchObject({ code: 'NETWORK' })
    await expect(callOnce('wallet', 'withdraw', { amountFen: 1000 })).rejects.toMatchObject({ code: 'INTERNAL' })
    expect(await callOnce('wallet', 'withdraw', { amountFen: 1000 })).toEqual({ withdrawalId: 'W1' })
    // a new, deliberate withdrawal afterwards is a new request
    await callOnce('wallet', 'withdraw', { amountFen: 1000 })
    const ids = sentIds()
    expect(ids[0]).toMatch(/^[A-Za-z0-9]{8,64}$/)
    expect(ids[1]).toBe(ids[0])
    expect(ids[2]).toBe(ids[0])
    expect(ids[3]).not.toBe(ids[0])
  })

  it('a business refusal (余额不足) settles the request: the next tap is new; other parameters are another request', async () => {
    fetchMock.mockResolvedValueOnce(json({ ok: false, error: { code: 'INSUFFICIENT_BALANCE', message: '余额不足' } }))
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    fetchMock.mockResolvedValueOnce(json({ ok: true, data: {} }))
    fetchMock.mockResolvedValueOnce(json({ ok: true, data: {} }))
    await expect(callOnce('green', 'withdraw', { units: 5 })).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' })
    await expect(callOnce('green', 'withdraw', { units: 5 })).rejects.toMatchObject({ code: 'NETWORK' })
    await callOnce('green', 'withdraw', { units: 6 })
    await callOnce('green', 'withdraw', { units: 5 })
    const ids = sentIds()
    expect(ids[1]).not.toBe(ids[0])
    expect(ids[2]).not.toBe(ids[1])
    expect(ids[3]).toBe(ids[1])
  })

  it('keys by action and parameters, whatever their order', () => {
    expect(requestKey('order', 'create', { lines: [{ qty: 1, productId: 'P' }], deduct: { points: 1 } })).toBe(requestKey('order', 'create', { deduct: { points: 1 }, lines: [{ productId: 'P', qty: 1 }] }))
    expect(requestKey('order', 'create', { a: 1 })).not.toBe(requestKey('order', 'cashier', { a: 1 }))
  })
})
