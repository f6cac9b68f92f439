import { NICKNAME_MAX_CHARS } from '../../../shared/contract'
import { useState } from 'react'
import { View, Text, Input, Image, Button as TaroButton } from '@tarojs/components'
import { call } from '@/lib/api'
import { runAction } from '@/lib/action'
import { chooseAndUploadImage, imageExt, imageSrc, uploadImageFile } from '@/lib/images'
import { toast } from '@/lib/session'
import type { Me } from '@/lib/types'
import { Button } from './ui'
import './ProfileEditor.css'

/** Characters as WeChat counts them (an emoji is one), the rule user.updateProfile applies (the limit: shared/contract.ts). */
export { NICKNAME_MAX_CHARS }
export function nicknameProblem(name: string): string | null {
  const n = [...name.trim()].length
  if (n === 0) return '请填写昵称'
  if (n > NICKNAME_MAX_CHARS) return `昵称最多 ${NICKNAME_MAX_CHARS} 个字`
  return null
}

/**
 * 头像 and 昵称 with WeChat's own fill-in: in the mini-program the avatar button uses
 * open-type="chooseAvatar" (WeChat offers the user's avatar, the album or the camera) and the
 * nickname input type="nickname" (WeChat offers the user's nickname above the keyboard); in h5 a
 * plain form. Saved with user.updateProfile.
 */
export default function ProfileEditor({ me, onSaved, onCancel }: { me: Me; onSaved: (me: Me) => void; onCancel: () => void }) {
  const [nickname, setNickname] = useState(me.nickname)
  const [avatar, setAvatar] = useState(me.avatarUrl)
  const [busy, setBusy] = useState(false)

  const weapp = process.env.TARO_ENV === 'weapp'
  // weapp: WeChat hands us a temporary file of the chosen avatar; it goes to cloud storage first
  const onChooseAvatar = async (e: { detail: { avatarUrl?: string } }) => {
    const path = e.detail.avatarUrl
    if (!path) return
    setBusy(true)
    try {
      // the size is not given (WeChat's avatars are small; the server checks it); a path without a known ending is WeChat's JPEG
      setAvatar(await uploadImageFile('avatar', { path, size: 0, type: imageExt(path) ? undefined : 'image/jpeg' }))
    } catch (err) {
      toast((err as Error).message || '头像上传失败')
    } finally {
      setBusy(false)
    }
  }
  const pickH5 = () => {
    chooseAndUploadImage('avatar')
      .then((ref) => ref && setAvatar(ref))
      .catch((err: Error) => toast(err.message || '头像上传失败'))
  }

  const save = async () => {
    const problem = nicknameProblem(nickname)
    if (problem) return toast(problem)
    const params: { nickname?: string; avatarUrl?: string } = {}
    if (nickname.trim() !== me.nickname) params.nickname = nickname.trim()
    if (avatar !== me.avatarUrl) params.avatarUrl = avatar
    if (!Object.keys(params).length) return onCancel()
    const r = await runAction('保存中', () => call('user', 'updateProfile', params))
    if (r) {
      toast('已保存', 'success')
      onSaved(r)
    }
  }

  return (
    <View className='card profile-edit' data-testid='profile-editor'>
      <Text className='card-head__title'>编辑资料</Text>
      <View className='profile-edit__row'>
        <Text className='field__label'>头像</Text>
        {weapp ? (
          <TaroButton className='profile-edit__avatar-btn' openType='chooseAvatar' onChooseAvatar={onChooseAvatar}>
            {avatar ? <Image className='profile-edit__avatar' src={imageSrc(avatar)} mode='aspectFill' /> : <Text className='profile-edit__avatar profile-edit__avatar--empty'>选择</Text>}
          </TaroButton>
        ) : (
          <View className='profile-edit__avatar-h5' onClick={pickH5} data-testid='avatar-upload'>
            {avatar ? <Image className='profile-edit__avatar' src={imageSrc(avatar)} mode='aspectFill' /> : <Text className='profile-edit__avatar profile-edit__avatar--empty'>上传</Text>}
          </View>
        )}
        {busy ? <Text className='muted small'>上传中…</Text> : null}
      </View>
      <View className='field'>
        <Text className='field__label'>昵称</Text>
        <Input
          className='field__input'
          type={(weapp ? 'nickname' : 'text') as 'text'}
          value={nickname}
          maxlength={NICKNAME_MAX_CHARS * 2}
          placeholder={weapp ? '点击使用微信昵称或输入' : '1–20 个字'}
          onInput={(e) => {
            if (typeof e.detail?.value === 'string') setNickname(e.detail.value)
          }}
          // WeChat fills the nickname on blur (it may also clear one its content check refuses)
          onBlur={(e) => {
            if (typeof e.detail?.value === 'string') setNickname(e.detail.value)
          }}
          data-testid='nickname-input'
        />
      </View>
      <Text className='muted small block'>昵称 1–20 个字，好友在「我邀请的好友」和队列看板里只看到首尾字。</Text>
      <View className='actions'>
        <Button size='mini' type='default' onClick={onCancel}>
          取消
        </Button>
        <Button size='mini' onClick={save} testId='profile-save'>
          保存
        </Button>
      </View>
    </View>
  )
}
