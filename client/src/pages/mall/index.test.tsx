import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import MallPage from './index'

describe('商城 page', () => {
  it('renders its title card with Taro H5 components', () => {
    const { container } = render(<MallPage />)
    expect(screen.getByText('商城')).toBeTruthy()
    expect(screen.getByText('精选好物，下单付款即可参与排队返利')).toBeTruthy()
    expect(container.querySelector('.page .card .card__title')?.textContent).toBe('商城')
    // Taro's real H5 components render as custom elements (taro-view-core …)
    expect(container.querySelector('taro-view-core')).not.toBeNull()
  })
})
