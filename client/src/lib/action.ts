import Taro from '@tarojs/taro'
import { toastError } from './api'

/** Runs a button's action with a loading toast; shows the error in words; resolves undefined on failure. */
export async function runAction<T>(title: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    void Taro.showLoading({ title, mask: true }).catch(() => undefined)
  } catch {
    /* ignore */
  }
  try {
    const r = await fn()
    hide()
    return r
  } catch (err) {
    hide()
    toastError(err)
    return undefined
  }
}

function hide() {
  try {
    void Promise.resolve(Taro.hideLoading()).catch(() => undefined)
  } catch {
    /* ignore */
  }
}

/** Asks before an irreversible step (refund, exchange …). */
export async function confirm(title: string, content: string): Promise<boolean> {
  try {
    const r = await Taro.showModal({ title, content, confirmColor: '#07c160' })
    return !!r.confirm
  } catch {
    return false
  }
}
