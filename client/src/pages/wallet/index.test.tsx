import { describe, expect, it } from 'vitest'
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { ME, mockApi } from '@test/mock-api'
import { firePageEvent } from '@test/page-runtime'
import WalletPage from './index'

const BAL = { cashFen: 12345, withdrawingFen: 0, points: 0, love: 0, loveFrozen: 0, voucherFen: 0, greenUnits: 0, greenExitingFen: 0 }

describe('我的钱包 page', () => {
  it('says when green points that exited are on their way to the balance (出局到账中), and says nothing otherwise', async () => {
    mockApi({
      'user.login': () => ME,
      'wallet.balances': () => ({ ...BAL, greenExitingFen: 2376 }),
      'wallet.ledger': () => [],
      'wallet.withdrawals': () => [],
    })
    const first = render(<WalletPage />)
    expect((await screen.findByTestId('wallet-green-exiting')).textContent).toBe('绿色积分出局到账中 ¥23.76')
    first.unmount()

    mockApi({
      'user.login': () => ME,
      'wallet.balances': () => BAL,
      'wallet.ledger': () => [],
      'wallet.withdrawals': () => [],
    })
    render(<WalletPage />)
    await screen.findByText('¥123.45')
    expect(screen.queryByTestId('wallet-green-exiting')).toBeNull()
  })

  it('加载更多 tapped while the page reaches the bottom loads the next page once (no row twice)', async () => {
    const row = (i: number) => ({ id: `P${i}`, asset: 'CASH', assetName: '余额(分)', account: 'main', amount: 100 + i, balanceAfter: 0, memo: `第${i}笔`, type: 'fixture', at: new Date(Date.UTC(2026, 10, 1, 0, 0, 60 - i)).toISOString() })
    const calls = mockApi({
      'user.login': () => ME,
      'wallet.balances': () => BAL,
      'wallet.ledger': (p) => (p.beforeId ? Array.from({ length: 5 }, (_, i) => row(20 + i)) : Array.from({ length: 20 }, (_, i) => row(i))),
      'wallet.withdrawals': () => [],
    })
    render(<WalletPage />)
    await screen.findByText('第19笔')
    // the tap and the reach-bottom event of the scroll it causes, before React re-renders
    act(() => {
      fireEvent.click(screen.getByTestId('ledger-more'))
      firePageEvent('onReachBottom')
    })
    await screen.findByText('第24笔')
    await waitFor(() => expect(screen.queryByTestId('ledger-more')).toBeNull())
    expect(calls.filter((c) => c.fn === 'wallet' && c.action === 'ledger' && c.params.beforeId)).toHaveLength(1)
    expect(screen.getAllByTestId('ledger-row')).toHaveLength(25)
  })
})
