/**
 * Stand-ins for Taro's page hooks in jsdom tests (used by test/taro-shim.ts).
 *
 * Taro's real hooks only work inside a page mounted by Taro's runtime, which component tests
 * do not have. Here useLoad/useDidShow/useReady run once on mount with the params set by
 * setRouter(); the other page events (share, pull-down refresh, reach-bottom, …) are
 * recorded so a test can fire them:
 *
 *   import { setRouter, firePageEvent } from '@test/page-runtime'
 *   setRouter({ c: 'cs_1' }, '/pages/cashier/index')
 *   render(<CashierPage />)
 *   await firePageEvent('onPullDownRefresh')
 *   expect(firePageEvent('onShareAppMessage', { from: 'menu' })[0]).toMatchObject({ path: … })
 */
import { useEffect, useRef } from 'react'

type Params = Record<string, string | undefined>
let router: { params: Params; path: string } = { params: {}, path: '/' }
const listeners = new Map<string, Set<(...args: unknown[]) => unknown>>()

export function setRouter(params: Params = {}, path = '/'): void {
  router = { params: { ...params }, path }
}

export function resetPageRuntime(): void {
  router = { params: {}, path: '/' }
  listeners.clear()
}

/** Calls every registered handler of a page event; returns their results. */
export function firePageEvent(event: string, ...args: unknown[]): unknown[] {
  return [...(listeners.get(event) ?? [])].map((fn) => fn(...args))
}

function useRegistered(event: string, fn: (...args: unknown[]) => unknown) {
  const ref = useRef(fn)
  ref.current = fn
  useEffect(() => {
    const cb = (...args: unknown[]) => ref.current(...args)
    if (!listeners.has(event)) listeners.set(event, new Set())
    listeners.get(event)!.add(cb)
    return () => {
      listeners.get(event)?.delete(cb)
    }
  }, [event])
}

function useOnMount(fn: (...args: unknown[]) => unknown, withParams: boolean) {
  useEffect(() => {
    if (withParams) fn(router.params)
    else fn()
  }, []) // once, like the real lifecycle
}

type Cb = (...args: any[]) => any

export const useLoad = (fn: Cb) => useOnMount(fn, true)
export const useLaunch = (fn: Cb) => useOnMount(fn, true)
export const useDidShow = (fn: Cb) => useOnMount(fn, false)
export const useReady = (fn: Cb) => useOnMount(fn, false)
export const useUnload = (fn: Cb) => useEffect(() => () => fn(), [])
export const useRouter = () => router
export const useDidHide = (fn: Cb) => useRegistered('onHide', fn)
export const useShareAppMessage = (fn: Cb) => useRegistered('onShareAppMessage', fn)
export const useShareTimeline = (fn: Cb) => useRegistered('onShareTimeline', fn)
export const usePullDownRefresh = (fn: Cb) => useRegistered('onPullDownRefresh', fn)
export const useReachBottom = (fn: Cb) => useRegistered('onReachBottom', fn)
export const usePageScroll = (fn: Cb) => useRegistered('onPageScroll', fn)
export const useTabItemTap = (fn: Cb) => useRegistered('onTabItemTap', fn)
export const useResize = (fn: Cb) => useRegistered('onResize', fn)
export const useError = (fn: Cb) => useRegistered('onError', fn)
export const useAddToFavorites = (fn: Cb) => useRegistered('onAddToFavorites', fn)
