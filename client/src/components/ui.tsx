import type { ReactNode } from 'react'
import { View, Text, Input } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { DISCLOSURE_TEXT, DISCLOSURE_TITLE } from '@/lib/disclosure'
import { formatFen } from '@/lib/format'
import './ui.css'

/** Loading / error / empty around a page's data. */
export function StateView({
  loading,
  error,
  empty,
  emptyText = '暂无数据',
  onRetry,
  children,
}: {
  loading: boolean
  error: string | null
  empty?: boolean
  emptyText?: string
  onRetry?: () => void
  children?: ReactNode
}) {
  if (error) {
    return (
      <View className='card state state--error' data-testid='state-error'>
        <Text className='state__text'>{error}</Text>
        {onRetry ? (
          <Text className='state__retry' onClick={onRetry}>
            重新加载
          </Text>
        ) : null}
      </View>
    )
  }
  if (loading && empty !== false && !children) {
    return (
      <View className='card state' data-testid='state-loading'>
        <Text className='muted'>加载中…</Text>
      </View>
    )
  }
  if (empty) {
    return (
      <View className='card state' data-testid='state-empty'>
        <Text className='muted'>{emptyText}</Text>
      </View>
    )
  }
  return <>{children}</>
}

export function Loading() {
  return (
    <View className='card state' data-testid='state-loading'>
      <Text className='muted'>加载中…</Text>
    </View>
  )
}

/** SPEC §6 disclosure, shown before paying and on each queue entry. */
export function Disclosure({ compact, text = DISCLOSURE_TEXT }: { compact?: boolean; text?: string }) {
  return (
    <View className={`disclosure${compact ? ' disclosure--compact' : ''}`} data-testid='disclosure'>
      {compact ? null : <Text className='disclosure__title'>{DISCLOSURE_TITLE}</Text>}
      <Text className='disclosure__text'>{text}</Text>
    </View>
  )
}

export function Amount({ fen, className = '' }: { fen: number; className?: string }) {
  return <Text className={`amount ${className}`}>{formatFen(fen)}</Text>
}

export function Row({ label, children, testId }: { label: ReactNode; children?: ReactNode; testId?: string }) {
  return (
    <View className='row' data-testid={testId}>
      <Text className='row__label'>{label}</Text>
      <View className='row__value'>{children}</View>
    </View>
  )
}

export function Button({
  children,
  onClick,
  type = 'primary',
  disabled,
  size,
  testId,
}: {
  children: ReactNode
  onClick?: () => void
  type?: 'primary' | 'default' | 'warn'
  disabled?: boolean
  size?: 'mini'
  testId?: string
}) {
  return (
    <View
      className={`btn btn--${type}${size ? ` btn--${size}` : ''}${disabled ? ' btn--disabled' : ''}`}
      onClick={disabled ? undefined : onClick}
      data-testid={testId}
    >
      <Text>{children}</Text>
    </View>
  )
}

export function Field({
  label,
  value,
  onInput,
  placeholder,
  type = 'text',
  suffix,
  testId,
}: {
  label: string
  value: string
  onInput: (v: string) => void
  placeholder?: string
  type?: 'text' | 'digit' | 'number'
  suffix?: string
  testId?: string
}) {
  return (
    <View className='field'>
      <Text className='field__label'>{label}</Text>
      <Input
        className='field__input'
        value={value}
        type={type}
        placeholder={placeholder}
        onInput={(e) => onInput(e.detail.value)}
        data-testid={testId}
        name={testId}
      />
      {suffix ? <Text className='field__suffix'>{suffix}</Text> : null}
    </View>
  )
}

export function Toggle({ label, value, onChange, testId }: { label: string; value: boolean; onChange: (v: boolean) => void; testId?: string }) {
  return (
    <View className='field' onClick={() => onChange(!value)} data-testid={testId}>
      <Text className='field__label field__label--wide'>{label}</Text>
      <View className={`toggle${value ? ' toggle--on' : ''}`} data-on={value ? '1' : '0'}>
        <View className='toggle__knob' />
      </View>
    </View>
  )
}

export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string
  value: T
  options: { value: T; label: string }[]
  onChange: (v: T) => void
}) {
  return (
    <View className='field field--column'>
      <Text className='field__label'>{label}</Text>
      <View className='seg'>
        {options.map((o) => (
          <Text key={o.value} className={`seg__item${o.value === value ? ' seg__item--on' : ''}`} onClick={() => onChange(o.value)}>
            {o.label}
          </Text>
        ))}
      </View>
    </View>
  )
}

export function Tag({ children, type = 'green' }: { children: ReactNode; type?: 'green' | 'grey' | 'orange' | 'red' }) {
  return <Text className={`tag tag--${type}`}>{children}</Text>
}

export function SectionTitle({ children, extra }: { children: ReactNode; extra?: ReactNode }) {
  return (
    <View className='section-title'>
      <Text>{children}</Text>
      {extra}
    </View>
  )
}

/**
 * A figure with its label, always on one line: a long amount (¥123456.78) gets a smaller font
 * instead of wrapping (a grid cell is a third of the card).
 */
export function Stat({ value, label, tone, testId }: { value: string; label: string; tone?: 'amount' | 'primary'; testId?: string }) {
  const size = value.length > 12 ? ' grid__value--xs' : value.length > 9 ? ' grid__value--s' : ''
  return (
    <View className='grid__item'>
      <Text className={`grid__value${size}${tone ? ` ${tone}` : ''}`} data-testid={testId}>
        {value}
      </Text>
      <Text className='grid__label'>{label}</Text>
    </View>
  )
}

/** 复制: puts `text` on the clipboard (Taro.setClipboardData; WeChat shows its own 内容已复制 toast). */
export function CopyButton({ text, label = '复制', testId }: { text: string; label?: string; testId?: string }) {
  const copy = () => {
    Taro.setClipboardData({ data: text })
      .then(() => {
        // weapp shows 内容已复制 itself; h5 says nothing
        if (process.env.TARO_ENV !== 'weapp') void Taro.showToast({ title: '已复制', icon: 'success' }).catch(() => undefined)
      })
      .catch(() => void Taro.showToast({ title: text, icon: 'none' }).catch(() => undefined))
  }
  return (
    <Text className='copy-btn' onClick={copy} data-testid={testId}>
      {label}
    </Text>
  )
}
