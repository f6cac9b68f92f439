import { View, Text } from '@tarojs/components'
import { useShareAppMessage } from '@tarojs/taro'
import PagePlaceholder from '@/components/PagePlaceholder'

export default function MallPage() {
  // Share to a friend/group. TODO(referral): append `?ref=<my user id>` once user.login exists.
  useShareAppMessage(() => ({
    title: '排队返利商城：下单即可参与排队返利',
    path: '/pages/mall/index',
  }))

  return (
    <PagePlaceholder title='商城' desc='精选好物，下单付款即可参与排队返利'>
      <View className='card'>
        <Text className='muted'>商品列表即将上线</Text>
      </View>
    </PagePlaceholder>
  )
}
