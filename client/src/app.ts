import type { PropsWithChildren } from 'react'
import Taro, { useLaunch } from '@tarojs/taro'
import { ensureLogin, refFromLocation, setLaunchRef } from './lib/session'
import { parseRef } from './lib/launch'

import './app.css'

// WeChat cloud must be initialised once before any callFunction (see lib/api.ts).
// Guarded because test harnesses (miniprogram-simulate) have no wx.cloud.
if (process.env.TARO_ENV === 'weapp') {
  const cloud = (Taro as unknown as { cloud?: typeof Taro.cloud }).cloud
  if (cloud && typeof cloud.init === 'function') {
    cloud.init({
      ...(process.env.TARO_APP_CLOUD_ENV ? { env: process.env.TARO_APP_CLOUD_ENV } : {}),
      traceUser: true,
    })
  }
}

function App({ children }: PropsWithChildren) {
  useLaunch((options?: { query?: Record<string, string | undefined> }) => {
    // A share card opens /pages/mall/index?ref=<inviteCode>: sign in with it, so the
    // referrer is bound on the first sign-in (the server never rebinds later).
    setLaunchRef(parseRef(options?.query) ?? refFromLocation())
    ensureLogin().catch(() => undefined) // pages show their own errors
  })
  // children are the pages
  return children
}

export default App
