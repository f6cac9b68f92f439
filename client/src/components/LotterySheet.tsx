import { View, Text } from '@tarojs/components'
import { explainLottery } from '@/lib/entry'
import type { Entry } from '@/lib/types'
import { Button } from './ui'
import './LotterySheet.css'

/**
 * 抽奖说明, shown before every draw (a sheet from the bottom, as WeChat's action sheets): each
 * possible ratio with its chance and the entitlement it makes, the current ratio, and the honest
 * warnings — a draw may lower the ratio, it is once only, the right lapses at the first payout.
 */
export default function LotterySheet({ entry, onConfirm, onCancel }: { entry: Entry; onConfirm: () => void; onCancel: () => void }) {
  const x = explainLottery(entry.lottery?.odds, entry)
  return (
    <View className='sheet-mask' onClick={onCancel}>
      <View className='sheet' onClick={(ev) => ev.stopPropagation()} data-testid='lottery-sheet'>
        <Text className='sheet__title'>抽奖说明</Text>
        <Text className='sheet__sub'>{x.current}</Text>
        <Text className='sheet__label'>可能抽中的比例</Text>
        {x.outcomes.map((o) => (
          <Text key={o} className='sheet__outcome' data-testid='lottery-outcome'>
            {o}
          </Text>
        ))}
        <View className='sheet__warn' data-testid='lottery-warnings'>
          {x.warnings.map((w) => (
            <Text key={w} className='block-text'>
              · {w}
            </Text>
          ))}
        </View>
        <View className='sheet__actions'>
          <View className='sheet__btn'>
            <Button type='default' onClick={onCancel} testId='lottery-cancel'>
              暂不抽奖
            </Button>
          </View>
          <View className='sheet__btn'>
            <Button onClick={onConfirm} testId='lottery-confirm'>
              确定抽奖
            </Button>
          </View>
        </View>
      </View>
    </View>
  )
}
