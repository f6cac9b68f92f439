import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import PagePlaceholder from '@/components/PagePlaceholder'
import DevIdentitySwitcher from '@/components/DevIdentitySwitcher'

export default function MePage() {
  return (
    <PagePlaceholder
      title='我的'
      desc='余额、积分、订单与提现'
      header={
        process.env.TARO_ENV === 'h5' ? (
          <DevIdentitySwitcher onChange={() => Taro.reLaunch({ url: '/pages/me/index' })} />
        ) : null
      }
    >
      <View className='card card--list'>
        <View className='list-item' onClick={() => Taro.navigateTo({ url: '/pages/merchant/index' })}>
          <Text>商家中心</Text>
          <Text className='list-item__arrow'>›</Text>
        </View>
      </View>
    </PagePlaceholder>
  )
}
