import { View, Text } from '@tarojs/components'
import PagePlaceholder from '@/components/PagePlaceholder'

export default function QueuePage() {
  return (
    <PagePlaceholder title='排队' desc='排队返利与工会排队进度，排队中可抽奖'>
      <View className='card'>
        <Text className='muted'>暂无排队记录</Text>
      </View>
    </PagePlaceholder>
  )
}
