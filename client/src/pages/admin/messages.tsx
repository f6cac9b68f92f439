import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { ApiError, call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { KIND_LABELS, mappingToText, parseMapping } from '@/lib/messageTemplates'
import type { PluginConfig } from '@/lib/types'
import { Button, Field, StateView } from '@/components/ui'

/**
 * 订阅消息模板: per kind, the template picked in the mini-program console (公共模板库) and which of
 * its keys our fields fill. A kind without a template id is not sent. WeChat's key types and
 * length rules are checked when saving (thing ≤20 字, phrase ≤5 字, amount 金额 …).
 */
export default function AdminMessagesPage() {
  const [cfg, setCfg] = useState<PluginConfig>()
  const [texts, setTexts] = useState<Record<string, { templateId: string; mapping: string }>>({})
  const [problem, setProblem] = useState<string | null>(null)
  const remote = useRemote(async () => {
    const c = await call('admin', 'getConfig')
    setCfg(c)
    setTexts(Object.fromEntries(KIND_LABELS.map(({ kind }) => [kind, { templateId: c.messages[kind]?.templateId ?? '', mapping: mappingToText(c.messages[kind]?.fields ?? []) }])))
    return c
  })

  const save = async () => {
    if (!cfg) return
    const messages: Partial<PluginConfig['messages']> = {}
    for (const { kind, title } of KIND_LABELS) {
      const t = texts[kind] ?? { templateId: '', mapping: '' }
      const fields = parseMapping(t.mapping)
      if (!fields) {
        setProblem(`「${title}」字段对应格式不正确，例：amount1=amount, thing2=source`)
        return
      }
      messages[kind] = { templateId: t.templateId.trim(), fields }
    }
    // the compliance guard names what WeChat would refuse (订阅消息: …): shown under the form, as the toast is brief
    const saved = await runAction('保存中', async () => {
      try {
        return await call('admin', 'setConfig', { config: { ...cfg, messages } })
      } catch (e) {
        if (e instanceof ApiError) setProblem(e.message)
        throw e
      }
    })
    if (saved) {
      setCfg(saved)
      setProblem(null)
      toast('已保存', 'success')
    }
  }

  const set = (kind: string, patch: Partial<{ templateId: string; mapping: string }>) => setTexts((t) => ({ ...t, [kind]: { ...(t[kind] ?? { templateId: '', mapping: '' }), ...patch } }))
  return (
    <View className='page'>
      <StateView loading={remote.loading && !cfg} error={remote.error} onRetry={remote.reload}>
        <View className='card'>
          <Text className='card__desc'>在小程序后台「订阅消息」中选用模板，把模板编号填在这里，并写明模板的每个字段（如 thing1、amount2、time3）填入哪项内容。未填写模板编号的消息不发送。</Text>
        </View>
        {KIND_LABELS.map(({ kind, title, fields }) => (
          <View className='card' key={kind} data-testid={`template-${kind}`}>
            <Text className='card-head__title'>{title}</Text>
            <Field label='模板编号' value={texts[kind]?.templateId ?? ''} onInput={(v) => set(kind, { templateId: v })} placeholder='未填写则不发送' testId={`template-${kind}-id`} />
            <Field label='字段对应' value={texts[kind]?.mapping ?? ''} onInput={(v) => set(kind, { mapping: v })} placeholder='amount1=amount, thing2=source' testId={`template-${kind}-fields`} />
            <Text className='muted small block'>可填内容：{Object.entries(fields).map(([k, v]) => `${k}（${v}）`).join('、')}</Text>
          </View>
        ))}
        {problem ? (
          <View className='card'>
            <Text className='state__text' data-testid='templates-problem'>
              {problem}
            </Text>
          </View>
        ) : null}
        <View className='card'>
          <Button onClick={save} testId='templates-save'>
            保存
          </Button>
        </View>
      </StateView>
    </View>
  )
}
