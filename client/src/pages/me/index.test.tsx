import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen } from '@testing-library/react'
import DevIdentitySwitcher from '@/components/DevIdentitySwitcher'
import { getDevOpenid } from '@/lib/api'
import MePage from './index'

describe('我的 page', () => {
  it('shows the title and (h5) the dev identity pill', () => {
    render(<MePage />)
    expect(screen.getByText('我的')).toBeTruthy()
    expect(screen.getByText('开发身份')).toBeTruthy()
    expect(screen.getByText('demo-shopper-a')).toBeTruthy()
    expect(screen.getByText('商家中心')).toBeTruthy()
  })
})

describe('DevIdentitySwitcher', () => {
  it('switches among the demo identities and stores the choice', () => {
    const seen: string[] = []
    render(<DevIdentitySwitcher onChange={(id) => seen.push(id)} />)
    fireEvent.click(screen.getByText('demo-shopper-a'))
    for (const id of ['demo-shopper-b', 'demo-merchant', 'demo-admin']) expect(screen.getByText(id)).toBeTruthy()

    fireEvent.click(screen.getByText('demo-merchant'))

    expect(seen).toEqual(['demo-merchant'])
    expect(window.localStorage.getItem('dev.openid')).toBe('demo-merchant')
    expect(getDevOpenid()).toBe('demo-merchant')
    // panel closed, pill shows the new identity
    expect(screen.queryByText('demo-shopper-b')).toBeNull()
    expect(screen.getByText('demo-merchant')).toBeTruthy()
  })
})
