import { useCallback, useRef, useState } from 'react'
import { ApiError, ERROR_MESSAGES, call, type ApiParams } from './api'
import type { Product } from './types'

/** The filters of mall.listProducts (the page and its size are the hook's) */
export type BrowseParams = Pick<ApiParams<'mall', 'listProducts'>, 'storeId' | 'categoryId' | 'q'>

export interface Browse {
  products: Product[]
  rebateName: string
  /** where the listing continues (a search may stop after a few hundred products read, with few matches) */
  nextCursor: string | null
  loading: boolean
  error: string | null
  /** load from the start with new filters */
  load: (p: BrowseParams) => Promise<void>
  /** the next page, appended */
  more: () => Promise<void>
}

export const PAGE_SIZE = 20

/** The product listing of a page (mall or store): filters, search and pages from mall.listProducts. */
export function useBrowse(): Browse {
  const [state, setState] = useState<Omit<Browse, 'load' | 'more'>>({ products: [], rebateName: '排队返利', nextCursor: null, loading: true, error: null })
  const params = useRef<BrowseParams>({})
  const seq = useRef(0)

  const fetchPage = useCallback(async (cursor: string | null) => {
    const mine = ++seq.current
    setState((s) => ({ ...s, loading: true }))
    const p = params.current
    try {
      const page = await call('mall', 'listProducts', {
        ...(p.storeId ? { storeId: p.storeId } : {}),
        ...(p.categoryId ? { categoryId: p.categoryId } : {}),
        ...(p.q ? { q: p.q } : {}),
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      })
      if (mine !== seq.current) return
      setState((s) => ({
        products: cursor ? [...s.products, ...page.products] : page.products,
        rebateName: page.rebateName,
        nextCursor: page.nextCursor ?? null,
        loading: false,
        error: null,
      }))
    } catch (err) {
      if (mine !== seq.current) return
      setState((s) => ({ ...s, loading: false, error: err instanceof ApiError ? err.message : ERROR_MESSAGES.INTERNAL }))
    }
  }, [])

  const load = useCallback(
    async (p: BrowseParams) => {
      params.current = p
      await fetchPage(null)
    },
    [fetchPage],
  )
  const more = useCallback(async () => {
    if (state.nextCursor && !state.loading) await fetchPage(state.nextCursor)
  }, [fetchPage, state.nextCursor, state.loading])

  return { ...state, load, more }
}
