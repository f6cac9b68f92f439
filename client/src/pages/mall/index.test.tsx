import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import { firePageEvent } from '@test/page-runtime'
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

  it('can be shared to a friend', () => {
    render(<MallPage />)
    const [share] = firePageEvent('onShareAppMessage', { from: 'menu' })
    expect(share).toMatchObject({ path: '/pages/mall/index' })
    expect((share as { title: string }).title).toContain('排队返利')
  })
})
