import { describe, expect, it, vi } from 'vitest'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { ProductEditor } from './ProductEditor'
import type { ProductAdmin } from '@/lib/types'

const CATS = [
  { categoryId: 'K1', name: '粮油', sort: 0, listed: true },
  { categoryId: 'K2', name: '停用', sort: 1, listed: false },
]
const inputOf = async (testId: string) =>
  waitFor(() => {
    const el = document.querySelector(`[data-testid="${testId}"]`) as HTMLElement | null
    const inner = el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' ? el : el.querySelector('input, textarea'))
    if (!inner) throw new Error(`${testId} not rendered yet`)
    return inner as HTMLInputElement
  })

describe('ProductEditor', () => {
  it('has placeholders, a description, pictures and a category; saves fen and bp', async () => {
    const onSave = vi.fn(async (_p: unknown) => true)
    render(<ProductEditor categories={CATS} onSave={onSave} />)
    const name = await inputOf('product-name')
    expect(name.getAttribute('placeholder')).toContain('如：')
    expect((await inputOf('product-price-input')).getAttribute('placeholder')).toBe('如 68.00')
    expect(screen.getByText('商品图片')).toBeTruthy()
    expect(screen.getByTestId('image-add')).toBeTruthy()
    expect(screen.queryByText('停用')).toBeNull() // hidden categories are not offered
    fireEvent.input(name, { target: { value: '五常大米' } })
    fireEvent.input(await inputOf('product-price-input'), { target: { value: '68.5' } })
    fireEvent.input(await inputOf('product-description-input'), { target: { value: '当季新米' } })
    fireEvent.click(screen.getByText('粮油'))
    fireEvent.click(screen.getByTestId('product-save'))
    await waitFor(() => expect(onSave).toHaveBeenCalled())
    expect(onSave.mock.calls[0]![0]).toEqual({ name: '五常大米', description: '当季新米', images: [], categoryId: 'K1', priceFen: 6850, costFen: 0, stock: 100, maxDeductBp: 0, lockDays: null })
  })

  it('edits an existing product: its fields, pictures (cover first) and id', async () => {
    const onSave = vi.fn(async (_p: unknown) => true)
    const p = {
      productId: 'P1', name: '旧名', description: '旧描述', imageUrl: '/files/' + 'a'.repeat(32) + '.png', images: ['/files/' + 'a'.repeat(32) + '.png', '/files/' + 'b'.repeat(32) + '.png'],
      categoryId: 'K1', priceFen: 1000, costFen: 500, stock: 5, sold: 0, storeId: null, listed: true, maxDeductBp: 2000, rebateEnabled: true, lotteryAvailable: false,
      lockDays: 15, rebate: { enabled: true }, lockDaysSetting: 30,
    } as ProductAdmin
    render(<ProductEditor initial={p} categories={CATS} onSave={onSave} onCancel={() => undefined} />)
    expect(screen.getByText('编辑商品：旧名')).toBeTruthy()
    expect(screen.getAllByTestId('image-thumb')).toHaveLength(2)
    expect(screen.getByText('封面')).toBeTruthy()
    // × on the cover: the second picture becomes the cover
    fireEvent.click(screen.getAllByText('×')[0]!)
    fireEvent.click(screen.getByTestId('product-save'))
    await waitFor(() => expect(onSave).toHaveBeenCalled())
    expect(onSave.mock.calls[0]![0]).toMatchObject({ productId: 'P1', name: '旧名', images: ['/files/' + 'b'.repeat(32) + '.png'], priceFen: 1000, costFen: 500, maxDeductBp: 2000, lockDays: 30, categoryId: 'K1' })
  })
})
