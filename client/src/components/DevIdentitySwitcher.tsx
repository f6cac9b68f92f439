import { useState } from 'react'
import { View, Text, Input } from '@tarojs/components'
import { DEV_OPENIDS, getDevOpenid, setDevOpenid } from '@/lib/api'
import './DevIdentitySwitcher.css'

export interface DevIdentitySwitcherProps {
  /** Called after the identity changed (e.g. to reload the page's data). */
  onChange?: (openid: string) => void
}

/**
 * h5 + local gateway only: a pill showing the dev OPENID sent as `x-openid`, which expands
 * into the demo identities and a free-text field. Render it only when TARO_ENV === 'h5'.
 */
export default function DevIdentitySwitcher({ onChange }: DevIdentitySwitcherProps) {
  const [openid, setOpenid] = useState(getDevOpenid)
  const [open, setOpen] = useState(false)
  const [draft, setDraft] = useState('')

  const choose = (id: string) => {
    const v = id.trim()
    if (!v) return
    setDevOpenid(v)
    setOpenid(v)
    setOpen(false)
    setDraft('')
    onChange?.(v)
  }

  return (
    <View className='dev-id'>
      <View className='dev-id__pill' onClick={() => setOpen(!open)} data-testid='dev-id-pill'>
        <Text className='dev-id__label'>开发身份</Text>
        <Text className='dev-id__value'>{openid}</Text>
        <Text className='dev-id__caret'>{open ? '▲' : '▼'}</Text>
      </View>
      {open ? (
        <View className='dev-id__panel'>
          {DEV_OPENIDS.map((id) => (
            <View
              key={id}
              className={`dev-id__option${id === openid ? ' dev-id__option--active' : ''}`}
              onClick={() => choose(id)}
            >
              <Text>{id}</Text>
              {id === openid ? <Text className='primary'>✓</Text> : null}
            </View>
          ))}
          <View className='dev-id__custom'>
            <Input
              className='dev-id__input'
              value={draft}
              placeholder='输入其他 openid'
              onInput={(e) => setDraft(e.detail.value)}
              onConfirm={(e) => choose(e.detail.value)}
            />
            <Text className='dev-id__use' onClick={() => choose(draft)}>
              使用
            </Text>
          </View>
        </View>
      ) : null}
    </View>
  )
}
