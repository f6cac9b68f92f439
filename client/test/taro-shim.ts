/**
 * Test stand-in for `@tarojs/taro` (aliased in client/vitest.config.ts).
 *
 * The real package is resolved at build time (Taro's webpack plugins swap in the platform
 * runtime and inject the React page hooks). Here: the real h5 API implementation (showToast,
 * navigateTo, getStorageSync, pxTransform, …) plus test versions of the page hooks from
 * test/page-runtime.ts (the real ones need a page mounted by Taro's runtime).
 */
import * as h5 from '@tarojs/plugin-platform-h5/dist/runtime/apis'
import * as pageHooks from './page-runtime'

export * from '@tarojs/plugin-platform-h5/dist/runtime/apis'
export {
  useAddToFavorites,
  useDidHide,
  useDidShow,
  useError,
  useLaunch,
  useLoad,
  usePageScroll,
  usePullDownRefresh,
  useReachBottom,
  useReady,
  useResize,
  useRouter,
  useShareAppMessage,
  useShareTimeline,
  useTabItemTap,
  useUnload,
} from './page-runtime'

const base = (h5 as unknown as { default?: Record<string, unknown> }).default ?? {}

const Taro: Record<string, unknown> = {
  ...base,
  ...h5,
  ...pageHooks,
  // wx.cloud does not exist outside WeChat; tests that need it spy on these.
  cloud: {
    init: () => undefined,
    callFunction: () => Promise.reject(new Error('Taro.cloud.callFunction is not available in tests')),
  },
}

export default Taro
