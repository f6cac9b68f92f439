/**
 * 订阅消息 from the shopper's side. WeChat's subscriptions are one-time and must be asked for in
 * the flow of a tap (wx.requestSubscribeMessage): we ask at natural moments — after paying, on the
 * queue page, before withdrawing — for the kinds that moment concerns, and report the answers to
 * the server (user.subscribe), which shows on 我的 what the shopper agreed to. Only kinds whose
 * template the operator configured are asked for; at most three templates per request (WeChat's
 * limit). Asking never blocks or fails what the shopper was doing.
 *
 * h5 (local mode) has no WeChat dialog: the answer is recorded as accepted, standing in for it,
 * as local mode stands in for WeChat Pay.
 */
import Taro from '@tarojs/taro'
import { call, type ApiParams } from './api'
import type { MessageKind, SubscriptionKind, Subscriptions } from './types'

export type { MessageKind, SubscriptionKind, Subscriptions }

/** WeChat asks for at most three templates at a time. */
export const MAX_TEMPLATES_PER_ASK = 3

export const SUBSCRIPTION_ANSWER_TEXT: Record<NonNullable<SubscriptionKind['last']>, string> = { accept: '已同意', reject: '已拒绝', ban: '已关闭', filter: '已屏蔽' }

let cache: { at: number; value: Subscriptions } | null = null

export async function loadSubscriptions(fresh = false): Promise<Subscriptions> {
  if (!fresh && cache && Date.now() - cache.at < 5 * 60_000) return cache.value
  const value = await call('user', 'subscriptions')
  cache = { at: Date.now(), value }
  return value
}

export function forgetSubscriptions(): void {
  cache = null
}

/** user.subscribe's `results`: wx.requestSubscribeMessage's answer per template id */
type Answers = ApiParams<'user', 'subscribe'>['results']

async function askWeChat(templateIds: string[]): Promise<Answers | null> {
  if (process.env.TARO_ENV !== 'weapp') return Object.fromEntries(templateIds.map((id) => [id, 'accept'])) as Answers
  try {
    const res = (await Taro.requestSubscribeMessage({ tmplIds: templateIds } as Parameters<typeof Taro.requestSubscribeMessage>[0])) as unknown as Record<string, string>
    const answers: Answers = {}
    for (const id of templateIds) {
      const a = res[id]
      if (a === 'accept' || a === 'reject' || a === 'ban' || a === 'filter') answers[id] = a
    }
    return answers
  } catch {
    return null // the shopper closed the dialog, or the client is too old: nothing to record
  }
}

/**
 * Ask for the subscriptions of `kinds` (the configured ones, at most three) and record the answers.
 * Resolves with what was recorded, or null when nothing was asked.
 */
export async function askSubscriptions(kinds: MessageKind[]): Promise<Subscriptions | null> {
  try {
    const subs = await loadSubscriptions()
    const ids = subs.kinds.filter((k) => kinds.includes(k.kind)).map((k) => k.templateId).slice(0, MAX_TEMPLATES_PER_ASK)
    if (!ids.length) return null
    const answers = await askWeChat(ids)
    if (!answers || !Object.keys(answers).length) return null
    const value = await call('user', 'subscribe', { results: answers })
    cache = { at: Date.now(), value }
    return value
  } catch {
    return null
  }
}
