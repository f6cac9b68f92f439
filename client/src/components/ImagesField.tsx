import { useState } from 'react'
import { View, Text, Image } from '@tarojs/components'
import { chooseAndUploadImage, imageSrc, MAX_IMAGE_BYTES } from '@/lib/images'
import { toast } from '@/lib/session'
import './ImagesField.css'

/**
 * Pictures of a product (or a banner slide): thumbnails, × to remove, tap one to make it the
 * cover (first), + to upload another (JPG/PNG/WebP/GIF, at most 1 MB; lib/images.ts).
 */
export default function ImagesField({ value, onChange, max, label = '图片', hint }: { value: string[]; onChange: (v: string[]) => void; max: number; label?: string; hint?: string }) {
  const [busy, setBusy] = useState(false)
  // straight from the tap: a browser opens its file chooser only during the user's gesture
  const add = () => {
    if (busy) return
    setBusy(true)
    chooseAndUploadImage('catalog')
      .then((ref) => {
        if (ref && !value.includes(ref)) onChange([...value, ref].slice(0, max))
      })
      .catch((err: Error) => toast(err.message || '上传失败'))
      .finally(() => setBusy(false))
  }
  return (
    <View className='field field--column'>
      <Text className='field__label'>
        {label}
        <Text className='muted small'>（{hint ?? `最多 ${max} 张，每张不超过 ${MAX_IMAGE_BYTES / 1024 / 1024} MB，第一张为封面`}）</Text>
      </Text>
      <View className='images-field'>
        {value.map((ref, i) => (
          <View key={ref} className='images-field__item' data-testid='image-thumb'>
            <Image className='images-field__img' src={imageSrc(ref)} mode='aspectFill' onClick={() => i > 0 && onChange([ref, ...value.filter((x) => x !== ref)])} />
            {i === 0 && max > 1 ? <Text className='images-field__cover'>封面</Text> : null}
            <Text className='images-field__remove' onClick={() => onChange(value.filter((x) => x !== ref))}>
              ×
            </Text>
          </View>
        ))}
        {value.length < max ? (
          <View className='images-field__add' onClick={add} data-testid='image-add'>
            <Text>{busy ? '上传中…' : '＋'}</Text>
          </View>
        ) : null}
      </View>
    </View>
  )
}
