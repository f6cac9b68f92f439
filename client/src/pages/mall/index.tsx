import { View, Text } from '@tarojs/components'
import PagePlaceholder from '@/components/PagePlaceholder'

export default function MallPage() {
  return (
    <PagePlaceholder title='商城' desc='精选好物，下单付款即可参与排队返利'>
      <View className='card'>
        <Text className='muted'>商品列表即将上线</Text>
      </View>
    </PagePlaceholder>
  )
}
