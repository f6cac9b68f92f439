import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatBp, formatDateTime } from '@/lib/format'
import { parsePercentToBp } from '@/lib/money'
import type { Store } from '@/lib/types'
import { Button, Field, Row, StateView, Tag } from '@/components/ui'

const STATUS: Record<Store['status'], string> = { pending: '待审核', approved: '已通过', rejected: '已驳回' }

export default function AdminStoresPage() {
  const [commission, setCommission] = useState<Record<string, string>>({})
  const list = useRemote(() => call('admin', 'listStores', {}))

  const review = async (st: Store, approve: boolean) => {
    const text = commission[st.storeId] ?? '10'
    const bp = parsePercentToBp(text)
    if (approve && bp === null) return toast('分润比例格式不正确')
    const r = await runAction('处理中', () => call('admin', 'approveStore', { storeId: st.storeId, approve, ...(approve && bp !== null ? { commissionBp: bp } : {}) }))
    if (r) {
      toast(approve ? '已通过' : '已驳回', 'success')
      await list.reload()
    }
  }

  const stores = list.data ?? []
  return (
    <View className='page'>
      <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && stores.length === 0} emptyText='还没有门店申请' onRetry={list.reload}>
        {stores.map((st) => (
          <View className='card' key={st.storeId} data-testid='admin-store'>
            <View className='card-head'>
              <Text className='card-head__title'>{st.name}</Text>
              <Tag type={st.status === 'approved' ? 'green' : st.status === 'pending' ? 'orange' : 'grey'}>{STATUS[st.status]}</Tag>
            </View>
            <Row label='申请时间'>{formatDateTime(st.createdAt)}</Row>
            <Row label='分润比例'>{formatBp(st.commissionBp)}</Row>
            {st.status !== 'approved' ? (
              <>
                <Field label='门店分润比例' value={commission[st.storeId] ?? '10'} onInput={(v) => setCommission((c) => ({ ...c, [st.storeId]: v }))} type='digit' suffix='%' />
                <View className='actions'>
                  {st.status === 'pending' ? (
                    <Button size='mini' type='warn' onClick={() => review(st, false)}>
                      驳回
                    </Button>
                  ) : null}
                  <Button size='mini' onClick={() => review(st, true)} testId='approve-store'>
                    通过
                  </Button>
                </View>
              </>
            ) : null}
          </View>
        ))}
      </StateView>
    </View>
  )
}
