import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { setRouter } from '@test/page-runtime'
import { ME, mockApi, type Fixture } from '@test/mock-api'
import type { Order, OrderStatus } from '@/lib/types'
import CashierPage from './index'

const INFO = { cashierId: 'cs_9', name: '1号收银台', storeId: 'S1', storeName: '绿源便利店', rebateEnabled: true, rebateName: '排队返利' }

function order(amountFen: number, status: OrderStatus) {
  return { orderId: 'O1', kind: 'cashier', cashFen: amountFen, totalFen: amountFen, status, lines: [] } satisfies Fixture<Order>
}

describe('收银台 page', () => {
  it('reads ?c=…, shows the store, and pays the typed amount in fen', async () => {
    const calls = mockApi({
      'user.login': () => ME,
      'mall.getCashier': () => INFO,
      'order.cashier': (p) => order(p.amountFen as number, 'created'),
      'order.pay': () => ({ order: order(1234, 'completed'), payment: { simulated: true }, alreadyPaid: false }),
    })
    setRouter({ c: 'cs_9' }, '/pages/cashier/index')
    const { container } = render(<CashierPage />)
    expect(await screen.findByText('绿源便利店')).toBeTruthy()
    expect(screen.getByTestId('disclosure')).toBeTruthy()
    const input = container.querySelector('input') as HTMLInputElement
    fireEvent.input(input, { target: { value: '12.34' } })
    await screen.findByText('确认付款 ¥12.34')
    fireEvent.click(screen.getByText('确认付款 ¥12.34'))
    await screen.findByText('付款成功')
    const c = calls.find((x) => x.action === 'cashier')!
    expect(c.params).toMatchObject({ cashierId: 'cs_9', amountFen: 1234 })
    await waitFor(() => expect(calls.some((x) => x.action === 'pay' && x.params.orderId === 'O1')).toBe(true))
  })

  it('reads the cashier id from a mini-program code scene', async () => {
    const calls = mockApi({ 'user.login': () => ME, 'mall.getCashier': (p) => ({ ...INFO, cashierId: p.cashierId }) })
    setRouter({ scene: encodeURIComponent('c=cs_10') }, '/pages/cashier/index')
    render(<CashierPage />)
    expect(await screen.findByText(/cs_10/)).toBeTruthy()
    expect(calls.find((x) => x.action === 'getCashier')?.params).toEqual({ cashierId: 'cs_10' })
  })

  it('asks to scan when there is no cashier id', () => {
    render(<CashierPage />)
    expect(screen.getByText('未识别到收银台，请扫描门店的小程序码')).toBeTruthy()
  })

  it('shows the server message when the store is closed', async () => {
    mockApi({ 'user.login': () => ME, 'mall.getCashier': () => { throw { code: 'NOT_FOUND', message: '门店未营业' } } })
    setRouter({ c: 'cs_1' }, '/pages/cashier/index')
    render(<CashierPage />)
    expect(await screen.findByText('门店未营业')).toBeTruthy()
  })
})
