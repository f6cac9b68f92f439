import { afterEach } from 'vitest'
import { cleanup } from '@testing-library/react'
import { resetPageRuntime } from './page-runtime'

afterEach(() => {
  cleanup()
  resetPageRuntime()
  window.localStorage.clear()
})
