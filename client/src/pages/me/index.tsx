import { useState } from 'react'
import { View, Text, Image, Button as TaroButton } from '@tarojs/components'
import Taro, { useShareAppMessage } from '@tarojs/taro'
import DevIdentitySwitcher from '@/components/DevIdentitySwitcher'
import SubscriptionsCard from '@/components/Subscriptions'
import { Button, Row, StateView, Tag } from '@/components/ui'
import { formatFen } from '@/lib/format'
import { call, ApiError } from '@/lib/api'
import { loadMe, h5ShareUrl, mallSharePath, toast } from '@/lib/session'
import { useRemote } from '@/lib/useRemote'
import type { Me } from '@/lib/types'
import './index.css'

export default function MePage() {
  const me = useRemote<Me>(loadMe)
  const u = me.data

  useShareAppMessage(() => ({ title: '绿色好物，一起来逛', path: mallSharePath(u?.inviteCode) }))

  const copyLink = () => {
    if (!u) return
    const text = process.env.TARO_ENV === 'h5' ? h5ShareUrl(u.inviteCode) : u.inviteCode
    Taro.setClipboardData({ data: text })
      .then(() => toast('已复制', 'success'))
      .catch(() => toast(text))
  }

  const go = (url: string) => () => void Taro.navigateTo({ url })

  // 邀请二维码: a mini-program code opening the mall with scene r=<inviteCode> (h5: a QR of the invite link)
  const [qr, setQr] = useState<string | null>(null)
  const showQr = () => {
    call<{ codeUrl: string }>('user', 'inviteCard')
      .then((r) => setQr(r.codeUrl))
      .catch((e: unknown) => toast(e instanceof ApiError ? e.message : '生成失败，请稍后再试'))
  }

  return (
    <View className='page'>
      {process.env.TARO_ENV === 'h5' ? <DevIdentitySwitcher onChange={() => Taro.reLaunch({ url: '/pages/me/index' })} /> : null}
      <View className='card me-head'>
        <View className='me-head__avatar'>
          <Text>{(u?.nickname ?? '我').slice(0, 1)}</Text>
        </View>
        <View className='me-head__info'>
          <Text className='card__title'>{u?.nickname ?? '我的'}</Text>
          {u ? (
            <View>
              <Tag>{u.level.name}</Tag>
              <Text className='muted small'> 用户编号 {u.userId}</Text>
            </View>
          ) : null}
        </View>
      </View>
      <StateView loading={me.loading && !u} error={me.error} onRetry={me.reload}>
        {u ? (
          <View className='card' data-testid='invite-card'>
            <Text className='card-head__title'>邀请好友</Text>
            <Row label='我的邀请码'>
              <Text className='me-code' data-testid='invite-code'>
                {u.inviteCode}
              </Text>
            </Row>
            {u.referrer ? <Row label='邀请人'>{u.referrer.nickname}</Row> : null}
            <Row label='累计消费'>{formatFen(u.completedSpendFen)}</Row>
            {process.env.TARO_ENV === 'h5' ? (
              <Text className='muted small block' data-testid='invite-link'>
                {h5ShareUrl(u.inviteCode)}
              </Text>
            ) : null}
            {qr ? <Image className='me-qr' src={qr} mode='aspectFit' data-testid='invite-qr' /> : null}
            <Text className='muted small block'>好友通过你的分享进入并注册后绑定为你的直接邀请，奖励只来自好友真实完成的订单。</Text>
            <View className='actions'>
              {process.env.TARO_ENV === 'weapp' ? (
                <TaroButton className='me-share' size='mini' openType='share'>
                  分享给好友
                </TaroButton>
              ) : null}
              <Button size='mini' type='default' onClick={showQr} testId='invite-qr-button'>
                邀请二维码
              </Button>
              <Button size='mini' type='default' onClick={copyLink} testId='copy-invite'>
                {process.env.TARO_ENV === 'h5' ? '复制邀请链接' : '复制邀请码'}
              </Button>
            </View>
          </View>
        ) : null}
      </StateView>
      {u ? <SubscriptionsCard /> : null}
      <View className='card card--list'>
        <View className='list-item' onClick={go('/pages/orders/index')}>
          <Text>我的订单</Text>
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
