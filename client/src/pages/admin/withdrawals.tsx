import { View, Text } from '@tarojs/components'
import { call } from '@/lib/api'
import { confirm, runAction } from '@/lib/action'
import { toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import { formatDateTime, formatFen } from '@/lib/format'
import type { Withdrawal } from '@/lib/types'
import { Button, Row, StateView, Tag } from '@/components/ui'

const STATUS: Record<Withdrawal['status'], string> = { pending: '待审核', paid: '已打款', rejected: '已驳回' }

export default function AdminWithdrawalsPage() {
  const list = useRemote(() => call<Withdrawal[]>('admin', 'listWithdrawals', {}))
  const review = async (w: Withdrawal, approve: boolean) => {
    if (!(await confirm(approve ? '通过提现' : '驳回提现', `${formatFen(w.amountFen)}，确定${approve ? '打款' : '驳回（退回余额）'}吗？`))) return
    const r = await runAction('处理中', () => call('admin', 'reviewWithdrawal', { withdrawalId: w.withdrawalId, approve }))
    if (r) {
      toast(approve ? '已打款' : '已驳回', 'success')
      await list.reload()
    }
  }
  const rows = (list.data ?? []).slice().reverse()
  return (
    <View className='page'>
      <StateView loading={list.loading && !list.data} error={list.error} empty={!list.loading && rows.length === 0} emptyText='暂无提现申请' onRetry={list.reload}>
        {rows.map((w) => (
          <View className='card' key={w.withdrawalId} data-testid='admin-withdrawal'>
            <View className='card-head'>
              <Text className='card-head__title amount'>{formatFen(w.amountFen)}</Text>
              <Tag type={w.status === 'paid' ? 'green' : w.status === 'pending' ? 'orange' : 'grey'}>{STATUS[w.status]}</Tag>
            </View>
            <Row label='用户'>{w.userId}</Row>
            <Row label='申请时间'>{formatDateTime(w.createdAt)}</Row>
            {w.status === 'pending' ? (
              <View className='actions'>
                <Button size='mini' type='warn' onClick={() => review(w, false)}>
                  驳回
                </Button>
                <Button size='mini' onClick={() => review(w, true)} testId='approve-withdrawal'>
                  通过并打款
                </Button>
              </View>
            ) : null}
          </View>
        ))}
      </StateView>
    </View>
  )
}
