import { describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { renderedInput } from '@test/inputs'
import DevIdentitySwitcher from '@/components/DevIdentitySwitcher'
import { nicknameProblem } from '@/components/ProfileEditor'
import { getDevOpenid } from '@/lib/api'
import { ME, mockApi } from '@test/mock-api'
import MePage from './index'

describe('我的 page', () => {
  it('shows the title and (h5) the dev identity pill', () => {
    render(<MePage />)
    expect(screen.getByText('我的')).toBeTruthy()
    expect(screen.getByText('开发身份')).toBeTruthy()
    expect(screen.getByText('demo-shopper-a')).toBeTruthy()
    expect(screen.getByText('商家中心')).toBeTruthy()
  })

  it('copies the user id and the invite code', async () => {
    mockApi({ 'user.login': () => ME, 'user.me': () => ({ ...ME, commissionEarnedFen: 300 }) })
    const copy = vi.spyOn(Taro, 'setClipboardData').mockResolvedValue({ errMsg: 'setClipboardData:ok' } as never)
    render(<MePage />)
    fireEvent.click(await screen.findByTestId('copy-user-id'))
    fireEvent.click(screen.getByTestId('copy-invite-code'))
    expect(copy.mock.calls.map((c) => (c[0] as { data: string }).data)).toEqual(['U1', 'ABC123'])
    expect(screen.getByTestId('invitees-link').textContent).toContain('佣金 ¥3.00')
    copy.mockRestore()
  })

  it('edits the nickname (h5 form) through user.updateProfile, refusing an empty or too long one', async () => {
    const calls = mockApi({ 'user.login': () => ME, 'user.me': () => ME, 'user.updateProfile': (p) => ({ ...ME, nickname: p.nickname }) })
    render(<MePage />)
    fireEvent.click(await screen.findByTestId('profile-edit'))
    // Taro's h5 input renders its <input> a moment after the editor opens
    const input = await renderedInput('nickname-input')
    fireEvent.input(input, { target: { value: '  小绿  ' } })
    fireEvent.click(screen.getByTestId('profile-save'))
    await waitFor(() => expect(screen.getByTestId('me-nickname').textContent).toBe('小绿'))
    expect(calls.find((c) => c.action === 'updateProfile')?.params).toEqual({ nickname: '小绿' })
    expect(nicknameProblem('   ')).toBe('请填写昵称')
    expect(nicknameProblem('一'.repeat(21))).toBe('昵称最多 20 个字')
    expect(nicknameProblem('🌱'.repeat(20))).toBeNull()
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
