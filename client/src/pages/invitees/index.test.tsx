import { describe, expect, it } from 'vitest'
import { render, screen, waitFor } from '@testing-library/react'
import { firePageEvent } from '@test/page-runtime'
import { ME, mockApi } from '@test/mock-api'
import InviteesPage from './index'

const friend = (nickname: string, commissionFen: number) => ({ nickname, joinedAt: '2026-03-01T00:00:00Z', commissionFen, hasOrdered: commissionFen > 0 })

describe('我邀请的好友 page', () => {
  it('lists masked friends with the commission each brought, the total, and loads more at the bottom', async () => {
    const calls = mockApi({
      'user.login': () => ME,
      'user.invitees': (p) => (p.cursor ? { commissionEarnedFen: 300, friends: [friend('李**', 0)], nextCursor: null } : { commissionEarnedFen: 300, friends: [friend('王**明', 300)], nextCursor: '1_U2' }),
    })
    render(<InviteesPage />)
    await screen.findByText('王**明')
    expect(screen.getByTestId('commission-earned').textContent).toBe('¥3.00')
    expect(screen.getByTestId('invitee-commission').textContent).toBe('¥3.00')
    expect(screen.getByText(/一级/)).toBeTruthy()
    firePageEvent('onReachBottom')
    await screen.findByText('李**')
    await waitFor(() => expect(calls.filter((c) => c.action === 'invitees').at(-1)?.params).toEqual({ limit: 20, cursor: '1_U2' }))
    expect(screen.getAllByTestId('invitee')).toHaveLength(2)
  })

  it('says when nobody was invited yet', async () => {
    mockApi({ 'user.login': () => ME, 'user.invitees': () => ({ commissionEarnedFen: 0, friends: [], nextCursor: null }) })
    render(<InviteesPage />)
    expect(await screen.findByText('还没有好友通过你的邀请注册')).toBeTruthy()
  })
})
