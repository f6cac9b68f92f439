import { useState } from 'react'
import { View, Text } from '@tarojs/components'
import { useLoad } from '@tarojs/taro'
import PagePlaceholder from '@/components/PagePlaceholder'
import { parseCashierId } from '@/lib/launch'

/**
 * Opened from a store's mini-program code. weapp: options.scene = encodeURIComponent('c=<id>');
 * h5: #/pages/cashier/index?c=<id>. Both arrive as the page options in useLoad.
 */
export default function CashierPage() {
  const [cashierId, setCashierId] = useState<string | null>(null)

  useLoad((options: Record<string, string | undefined>) => {
    setCashierId(parseCashierId(options))
  })

  return (
    <PagePlaceholder title='收银台' desc='扫码向门店付款，付款后自动加入排队'>
      <View className='card'>
        {cashierId ? (
          <Text>
            收银台编号：<Text className='primary'>{cashierId}</Text>
          </Text>
        ) : (
          <Text className='muted'>未识别到收银台，请扫描门店的小程序码</Text>
        )}
      </View>
    </PagePlaceholder>
  )
}
