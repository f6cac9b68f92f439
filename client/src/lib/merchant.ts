import { call } from './api'
import { loadMe } from './session'
import type { Me, Store } from './types'

/** The caller's store (the first one; a shopper normally owns at most one). */
export async function myStore(): Promise<{ me: Me; store: Store | null }> {
  const me = await loadMe()
  const stores = await call('merchant', 'myStores')
  return { me, store: stores[0] ?? null }
}

export const STORE_STATUS_TEXT: Record<Store['status'], string> = { pending: '审核中', approved: '已开通', rejected: '未通过' }
