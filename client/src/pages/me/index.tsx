import { useState } from 'react'
import { View, Text, Image, Button as TaroButton } from '@tarojs/components'
import Taro, { useShareAppMessage } from '@tarojs/taro'
import DevIdentitySwitcher from '@/components/DevIdentitySwitcher'
import ProfileEditor from '@/components/ProfileEditor'
import SubscriptionsCard from '@/components/Subscriptions'
import { Button, CopyButton, Row, StateView, Tag } from '@/components/ui'
import { formatFen } from '@/lib/format'
import { imageSrc } from '@/lib/images'
import { call, ApiError } from '@/lib/api'
import { loadMe, h5ShareUrl, mallSharePath, toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import type { Me } from '@/lib/types'
import './index.css'

export default function MePage() {
  const me = useRemote<Me>(loadMe)
  const u = me.data
  const [editing, setEditing] = useState(false)

  useShareAppMessage(() => ({ title: '绿色好物，一起来逛', path: mallSharePath(u?.inviteCode) }))

  const go = (url: string) => () => void Taro.navigateTo({ url })

  // 邀请二维码: a mini-program code opening the mall with scene r=<inviteCode> (h5: a QR of the invite link)
  const [qr, setQr] = useState<string | null>(null)
  const showQr = () => {
    call('user', 'inviteCard')
      .then((r) => setQr(r.codeUrl))
      .catch((e: unknown) => toast(e instanceof ApiError ? e.message : '生成失败，请稍后再试'))
  }

  return (
    <View className='page'>
      {process.env.TARO_ENV === 'h5' ? <DevIdentitySwitcher onChange={() => Taro.reLaunch({ url: '/pages/me/index' })} /> : null}
      <View className='card me-head'>
        <View className='me-head__avatar' onClick={() => u && setEditing(true)}>
          {u?.avatarUrl ? <Image className='me-head__avatar-img' src={imageSrc(u.avatarUrl)} mode='aspectFill' data-testid='me-avatar' /> : <Text>{(u?.nickname ?? '我').slice(0, 1)}</Text>}
        </View>
        <View className='me-head__info'>
          <View className='me-head__name-row'>
            <Text className='card__title' data-testid='me-nickname'>
              {u?.nickname ?? '我的'}
            </Text>
            {u && !editing ? (
              <Text className='me-head__edit' onClick={() => setEditing(true)} data-testid='profile-edit'>
                编辑资料
              </Text>
            ) : null}
          </View>
          {u ? (
            <View className='me-head__meta'>
              <Tag>{u.level.name}</Tag>
              <Text className='muted small'> 用户编号 </Text>
              <Text className='small me-head__uid' data-testid='user-id'>
                {u.userId}
              </Text>
              <CopyButton text={u.userId} testId='copy-user-id' />
            </View>
          ) : null}
        </View>
      </View>
      {u && editing ? (
        <ProfileEditor
          me={u}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            me.setData(next)
            setEditing(false)
          }}
        />
      ) : null}
      <StateView loading={me.loading && !u} error={me.error} onRetry={me.reload}>
        {u ? (
          <View className='card' data-testid='invite-card'>
            <Text className='card-head__title'>邀请好友</Text>
            <Row label='我的邀请码'>
              <Text className='me-code' data-testid='invite-code'>
                {u.inviteCode}
              </Text>
              <CopyButton text={u.inviteCode} testId='copy-invite-code' />
            </Row>
            {u.referrer ? <Row label='邀请人'>{u.referrer.nickname}</Row> : null}
            <Row label='累计消费'>{formatFen(u.completedSpendFen)}</Row>
            {process.env.TARO_ENV === 'h5' ? (
              <View className='block'>
                <Text className='muted small' data-testid='invite-link'>
                  {h5ShareUrl(u.inviteCode)}
                </Text>
                <CopyButton text={h5ShareUrl(u.inviteCode)} label='复制链接' testId='copy-invite' />
              </View>
            ) : null}
            {qr ? <Image className='me-qr' src={qr} mode='aspectFit' data-testid='invite-qr' /> : null}
            <Text className='muted small block'>好友通过你的分享进入并注册后绑定为你的直接邀请（一级），奖励只来自好友真实完成的订单，分享本身没有奖励。</Text>
            <View className='actions'>
              {process.env.TARO_ENV === 'weapp' ? (
                <TaroButton className='me-share' size='mini' openType='share'>
                  分享给好友
                </TaroButton>
              ) : null}
              <Button size='mini' type='default' onClick={showQr} testId='invite-qr-button'>
                邀请二维码
              </Button>
            </View>
          </View>
        ) : null}
      </StateView>
      {u ? <SubscriptionsCard /> : null}
      <View className='card card--list'>
        <View className='list-item' onClick={go('/pages/invitees/index')} data-testid='invitees-link'>
          <Text>我邀请的好友</Text>
          <Text className='list-item__arrow'>{u?.commissionEarnedFen ? `佣金 ${formatFen(u.commissionEarnedFen)} ›` : '›'}</Text>
        </View>
        <View className='list-item' onClick={go('/pages/orders/index')}>
          <Text>我的订单</Text>
          <Text className='list-item__arrow'>›</Text>
        </View>
        <View className='list-item' onClick={go('/pages/cart/index')}>
          <Text>购物车</Text>
          <Text className='list-item__arrow'>›</Text>
        </View>
        <View className='list-item' onClick={go('/pages/wallet/index')}>
          <Text>钱包与提现</Text>
          <Text className='list-item__arrow'>›</Text>
        </View>
        <View className='list-item' onClick={go('/pages/merchant/index')}>
          <Text>商家中心</Text>
          <Text className='list-item__arrow'>›</Text>
        </View>
        {u?.roles.admin ? (
          <View className='list-item' onClick={go('/pages/admin/index')}>
            <Text>平台管理</Text>
            <Text className='list-item__arrow'>›</Text>
          </View>
        ) : null}
      </View>
    </View>
  )
}
