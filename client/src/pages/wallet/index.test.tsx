import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import { ME, mockApi } from '@test/mock-api'
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
})
