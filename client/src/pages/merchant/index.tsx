import { View, Text } from '@tarojs/components'
import PagePlaceholder from '@/components/PagePlaceholder'

export default function MerchantPage() {
  return (
    <PagePlaceholder title='商家中心' desc='门店、收银台二维码、商品、排队设置与经营数据'>
      <View className='card'>
        <Text className='muted'>商家功能即将上线</Text>
      </View>
    </PagePlaceholder>
  )
}
