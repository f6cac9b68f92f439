/**
 * Test stand-in for `@tarojs/taro` (aliased in client/vitest.config.ts).
 *
 * The real package resolves its API at build time (Taro's webpack plugins swap it for the
 * platform runtime and inject the React hooks). Here we do the same by hand: the h5 API
 * implementation (showToast, navigateTo, getStorageSync, …) plus the React page hooks.
 */
import * as h5 from '@tarojs/plugin-platform-h5/dist/runtime/apis'
import * as reactRuntime from '@tarojs/plugin-framework-react/dist/runtime'

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
} from '@tarojs/plugin-framework-react/dist/runtime'

const base = (h5 as unknown as { default?: Record<string, unknown> }).default ?? {}

const Taro: Record<string, unknown> = {
  ...base,
  ...h5,
  ...reactRuntime,
  // wx.cloud does not exist outside WeChat; tests that need it replace this (vi.spyOn / assign).
  cloud: {
    init: () => undefined,
    callFunction: () => Promise.reject(new Error('Taro.cloud.callFunction is not available in tests')),
  },
}

export default Taro
