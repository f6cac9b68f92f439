/**
 * Sign-in once per identity: every action except login needs a user record, so pages call
 * `ensureLogin()` before their first call. The referral `ref` (invite code from a share card,
 * `/pages/mall/index?ref=<inviteCode>`) is only sent with the first sign-in of this launch;
 * the server binds a referrer only when it creates the user, so a later ref changes nothing.
 */
import Taro from '@tarojs/taro'
import { parseRef } from './launch'
import { call, getDevOpenid } from './api'
import type { Me } from './types'

let pending: { key: string; promise: Promise<Me> } | null = null
let launchRef: string | undefined

/** Remembers the `ref` the app was opened with (app launch or the mall page's options). */
export function setLaunchRef(ref: string | undefined | null): void {
  const v = (ref ?? '').trim()
  if (v && /^[A-Za-z0-9_]{1,64}$/.test(v)) launchRef = v
}

export function getLaunchRef(): string | undefined {
  return launchRef
}

function identityKey(): string {
  return process.env.TARO_ENV === 'h5' ? getDevOpenid() : 'wx'
}

/** Signs in (once per identity) and resolves with user.login's answer (describeUser). */
export function ensureLogin(ref?: string | null): Promise<Me> {
  if (ref) setLaunchRef(ref)
  const key = identityKey()
  if (pending && pending.key === key) return pending.promise
  const params = launchRef ? { ref: launchRef } : {}
  const promise = call('user', 'login', params).catch((err: unknown) => {
    if (pending?.promise === promise) pending = null // let the next page retry
    throw err
  })
  pending = { key, promise }
  return promise
}

/** Fresh profile (user.me), after signing in. */
export async function loadMe(): Promise<Me> {
  await ensureLogin()
  return call('user', 'me')
}

/** For tests: forget the cached sign-in. */
export function resetSession(): void {
  pending = null
  launchRef = undefined
}

/** The ref in an h5 URL (`#/pages/mall/index?ref=XXXX`), for the app launch in the browser. */
export function refFromLocation(): string | undefined {
  if (process.env.TARO_ENV !== 'h5' || typeof window === 'undefined') return undefined
  const hash = window.location.hash || ''
  const q = hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : window.location.search.slice(1)
  const params: Record<string, string> = {}
  for (const part of q.split('&')) {
    const i = part.indexOf('=')
    if (i > 0) params[part.slice(0, i)] = part.slice(i + 1)
  }
  return parseRef(params)
}

/** Request ids live in lib/retry.ts (callOnce): a retry reuses the id of the attempt whose outcome is unknown. */
export { newRequestId } from './retry'

export function toast(title: string, icon: 'success' | 'none' = 'none'): void {
  void Taro.showToast({ title, icon }).catch(() => undefined)
}

/** Share path of the mall with the sharer's invite code (the referral of SPEC §6). */
export function mallSharePath(inviteCode: string | undefined): string {
  return inviteCode ? `/pages/mall/index?ref=${encodeURIComponent(inviteCode)}` : '/pages/mall/index'
}

/** The h5 link of the same share (for the invite QR / copy link in the browser build). */
export function h5ShareUrl(inviteCode: string): string {
  const origin = typeof window !== 'undefined' && window.location ? `${window.location.origin}${window.location.pathname}` : ''
  return `${origin}#${mallSharePath(inviteCode)}`
}
