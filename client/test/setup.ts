import { afterEach, vi } from 'vitest'
import { cleanup } from '@testing-library/react'
import { resetPageRuntime } from './page-runtime'
import { resetSession } from '@/lib/session'
import Taro from '@tarojs/taro'

// jsdom has no IntersectionObserver; Taro's h5 <Image lazyLoad> uses one (never firing is fine here)
if (!('IntersectionObserver' in globalThis)) {
  ;(globalThis as Record<string, unknown>).IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return []
    }
  }
}

// what the h5 build's entry does before the app starts (config/index.ts: designWidth 750)
;(Taro as unknown as { initPxTransform: (c: object) => void }).initPxTransform({ designWidth: 750, deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 } })

afterEach(() => {
  cleanup()
  resetPageRuntime()
  window.localStorage.clear()
  resetSession()
  vi.unstubAllGlobals()
})
