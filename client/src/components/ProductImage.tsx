import { Image, View, Text } from '@tarojs/components'
import { imageSrc } from '@/lib/images'

/** A product's picture, or (no picture uploaded) its first character on a soft green tile. */
export default function ProductImage({ src, name, className = '' }: { src?: string | null; name: string; className?: string }) {
  if (src) return <Image className={`product-img ${className}`} src={imageSrc(src)} mode='aspectFill' lazyLoad data-testid='product-image' />
  return (
    <View className={`product-img product-img--empty ${className}`}>
      <Text className='product-img__initial'>{name.slice(0, 1)}</Text>
    </View>
  )
}
