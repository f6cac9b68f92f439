import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { formatFen } from '@/lib/format'
import type { Product } from '@/lib/types'
import ProductImage from './ProductImage'
import { Tag } from './ui'
import './ProductGrid.css'

/** Two-column product cards (picture, name, tags, price, sold), as WeChat shops show them. */
export default function ProductGrid({ products, rebateName }: { products: Product[]; rebateName: string }) {
  return (
    <View className='product-grid'>
      {products.map((p) => (
        <View
          key={p.productId}
          className='product-card'
          data-testid='product-card'
          onClick={() => Taro.navigateTo({ url: `/pages/product/index?id=${encodeURIComponent(p.productId)}` })}
        >
          <ProductImage src={p.imageUrl} name={p.name} className='product-card__img' />
          <View className='product-card__body'>
            <Text className='product-card__name'>{p.name}</Text>
            <View className='product-card__tags'>
              {p.rebateEnabled ? <Tag>{rebateName}</Tag> : null}
              {p.lotteryAvailable && p.rebateEnabled ? <Tag type='orange'>可抽奖</Tag> : null}
            </View>
            <View className='product-card__foot'>
              <Text className='amount'>{formatFen(p.priceFen)}</Text>
              <Text className='muted small'>{p.stock > 0 ? `已售 ${p.sold}` : '已售罄'}</Text>
            </View>
          </View>
        </View>
      ))}
    </View>
  )
}
