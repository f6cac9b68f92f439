import { View, Text } from '@tarojs/components'
import PagePlaceholder from '@/components/PagePlaceholder'

export default function GreenPage() {
  return (
    <PagePlaceholder title='绿色积分' desc='权益兑换积分，积分可提现或转赠好友'>
      <View className='card'>
        <Text className='muted'>积分明细即将上线</Text>
      </View>
    </PagePlaceholder>
  )
}
