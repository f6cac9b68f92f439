/**
 * The admin form for subscribe-message templates (PluginConfig.messages): per kind the template id
 * from the mini-program console and which template key each of our fields fills, written as
 * `amount1=amount, thing2=source, time3=time`. The server checks the keys against WeChat's key
 * types and length rules (engine/messages/template.ts) and names any problem.
 */
import { MESSAGE_FIELDS, MESSAGE_KINDS, MESSAGE_TITLES } from '../../../shared/contract'
import type { MessageKind } from './subscribe'

/** Per kind its title and its fields' labels: the contract's, as the server checks and fills them. */
export const KIND_LABELS: { kind: MessageKind; title: string; fields: Record<string, string> }[] = MESSAGE_KINDS.map((kind) => ({
  kind,
  title: MESSAGE_TITLES[kind],
  fields: Object.fromEntries(Object.entries(MESSAGE_FIELDS[kind]).map(([field, def]) => [field, def.label])),
}))

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
