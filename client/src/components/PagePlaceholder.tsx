import type { ReactNode } from 'react'
import { View, Text } from '@tarojs/components'

export interface PagePlaceholderProps {
  title: string
  desc?: string
  /** Content above the title card (e.g. the h5 dev-identity pill). */
  header?: ReactNode
  /** Extra content below the title card. */
  children?: ReactNode
}

/** A page with a title card — the skeleton each real page replaces. */
export default function PagePlaceholder({ title, desc, header, children }: PagePlaceholderProps) {
  return (
    <View className='page'>
      {header}
      <View className='card'>
        <Text className='card__title'>{title}</Text>
        {desc ? <Text className='card__desc'>{desc}</Text> : null}
      </View>
      {children}
    </View>
  )
}
