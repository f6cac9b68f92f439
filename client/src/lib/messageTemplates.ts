/**
 * The admin form for subscribe-message templates (PluginConfig.messages): per kind the template id
 * from the mini-program console and which template key each of our fields fills, written as
 * `amount1=amount, thing2=source, time3=time`. The server checks the keys against WeChat's key
 * types and length rules (engine/messages/template.ts) and names any problem.
 */
import { MESSAGE_KINDS } from '../../../shared/contract'
import type { MessageKind } from './subscribe'

/** Per kind (a new kind fails to compile until it is labelled here). */
const LABELS: Record<MessageKind, { title: string; fields: Record<string, string> }> = {
  payout: { title: '返利到账提醒', fields: { amount: '到账金额', source: '来源', time: '时间', note: '说明' } },
  completed: { title: '排队完成提醒', fields: { amount: '本次到账', source: '来源', time: '时间', note: '说明' } },
  lottery: { title: '抽奖结果通知', fields: { ratio: '抽中比例', amount: '权益金额', time: '时间', note: '说明' } },
  exit: { title: '绿色积分出局提醒', fields: { amount: '出局到账', time: '时间', note: '说明' } },
  refund: { title: '退款结果通知', fields: { amount: '退款金额', order: '订单号', status: '退款状态', time: '时间', note: '说明' } },
  withdrawal: { title: '提现结果通知', fields: { amount: '提现金额', status: '提现状态', time: '时间', note: '说明' } },
}

export const KIND_LABELS: { kind: MessageKind; title: string; fields: Record<string, string> }[] = MESSAGE_KINDS.map((kind) => ({ kind, ...LABELS[kind] }))

export type Mapping = { key: string; field: string }[]

export function mappingToText(m: Mapping): string {
  return m.map((f) => `${f.key}=${f.field}`).join(', ')
}

/** `amount1=amount, thing2=source` → the mapping; undefined when a part is not `key=field`. */
export function parseMapping(text: string): Mapping | undefined {
  const parts = text.split(/[,，\s]+/).map((p) => p.trim()).filter(Boolean)
  const out: Mapping = []
  for (const p of parts) {
    const m = /^([a-z_]+\d+)\s*[=:：]\s*([a-z]+)$/.exec(p)
    if (!m) return undefined
    out.push({ key: m[1]!, field: m[2]! })
  }
  return out
}
