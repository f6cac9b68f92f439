import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { fenToYuanText, parseYuanToFen } from '@/lib/money'
import type { MemberLevel } from '@/lib/types'
import { Button, Field, StateView } from '@/components/ui'

interface Draft {
  id: string
  name: string
  spend: string
}

/** 会员等级: reached only by cumulative completed spend (nothing can be bought to reach one). */
export default function AdminLevelsPage() {
  const [rows, setRows] = useState<Draft[]>([])
  const remote = useRemote(async () => {
    const c = await call('admin', 'getConfig')
    setRows(c.memberLevels.map((l) => ({ id: l.id, name: l.name, spend: fenToYuanText(l.minSpendFen) })))
    return c
  })
  const set = (i: number, k: keyof Draft, v: string) => setRows((r) => r.map((x, j) => (j === i ? { ...x, [k]: v } : x)))

  const save = async () => {
    const levels: MemberLevel[] = []
    for (const r of rows) {
      const fen = parseYuanToFen(r.spend)
      if (!r.id.trim() || !r.name.trim() || fen === null) return toast('请填写完整的等级编号、名称和累计消费')
      levels.push({ id: r.id.trim(), name: r.name.trim(), minSpendFen: fen })
    }
    const r = await runAction('保存中', () => call('admin', 'setMemberLevels', { levels }))
    if (r) toast('已保存', 'success')
  }

  return (
    <View className='page'>
      <StateView loading={remote.loading && !remote.data} error={remote.error} onRetry={remote.reload}>
        <View className='card'>
          <Text className='card__desc'>会员等级只按累计完成的消费升级；第一个等级的门槛须为 0。</Text>
        </View>
        {rows.map((r, i) => (
          <View className='card' key={i}>
            <Field label='等级编号' value={r.id} onInput={(v) => set(i, 'id', v)} placeholder='L1' />
            <Field label='名称' value={r.name} onInput={(v) => set(i, 'name', v)} placeholder='银卡会员' />
            <Field label='累计消费(元)' value={r.spend} onInput={(v) => set(i, 'spend', v)} type='digit' />
            {i > 0 ? (
              <Button size='mini' type='warn' onClick={() => setRows((x) => x.filter((_, j) => j !== i))}>
                删除
              </Button>
            ) : null}
          </View>
        ))}
        <Button type='default' onClick={() => setRows((x) => [...x, { id: `L${x.length}`, name: '', spend: '' }])}>
          添加等级
        </Button>
        <Button onClick={save}>保存会员等级</Button>
      </StateView>
    </View>
  )
}
