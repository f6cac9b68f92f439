import { useCallback, useRef, useState } from 'react'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { ApiError, ERROR_MESSAGES } from './api'

export interface Remote<T> {
  loading: boolean
  data: T | undefined
  error: string | null
  reload: () => Promise<void>
  setData: (d: T) => void
}

/**
 * Loads a page's data each time the page shows (tab switches, back from a sub-page) and on
 * pull-down refresh. Errors become the shopper-readable message.
 */
export function useRemote<T>(load: () => Promise<T>): Remote<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const loadRef = useRef(load)
  loadRef.current = load
  const seq = useRef(0)

  const reload = useCallback(async () => {
    const mine = ++seq.current
    setLoading(true)
    try {
      const d = await loadRef.current()
      if (mine !== seq.current) return
      setData(d)
      setError(null)
    } catch (err) {
      if (mine !== seq.current) return
      setError(err instanceof ApiError ? err.message : ERROR_MESSAGES.INTERNAL)
    } finally {
      if (mine === seq.current) setLoading(false)
    }
  }, [])

  useDidShow(() => {
    void reload()
  })
  usePullDownRefresh(() => {
    void reload().finally(() => {
      try {
        void Promise.resolve(Taro.stopPullDownRefresh()).catch(() => undefined)
      } catch {
        /* not in a page (tests) */
      }
    })
  })
  return { loading, data, error, reload, setData }
}
