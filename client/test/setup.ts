import { afterEach, vi } from 'vitest'
import { cleanup } from '@testing-library/react'
import { resetPageRuntime } from './page-runtime'
import { resetSession } from '@/lib/session'

afterEach(() => {
  cleanup()
  resetPageRuntime()
  window.localStorage.clear()
  resetSession()
  vi.unstubAllGlobals()
})
