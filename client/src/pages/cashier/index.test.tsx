import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import { setRouter } from '@test/page-runtime'
import CashierPage from './index'

describe('收银台 page', () => {
  it('shows the cashier id from the h5 query (?c=…)', () => {
    setRouter({ c: 'cs_9' }, '/pages/cashier/index')
    render(<CashierPage />)
    expect(screen.getByText('收银台编号：')).toBeTruthy()
    expect(screen.getByText('cs_9')).toBeTruthy()
  })

  it('shows the cashier id from a mini-program code scene', () => {
    setRouter({ scene: encodeURIComponent('c=cs_10') }, '/pages/cashier/index')
    render(<CashierPage />)
    expect(screen.getByText('cs_10')).toBeTruthy()
  })

  it('asks to scan when there is no cashier id', () => {
    render(<CashierPage />)
    expect(screen.getByText('未识别到收银台，请扫描门店的小程序码')).toBeTruthy()
  })
})
