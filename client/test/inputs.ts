import { screen, waitFor } from '@testing-library/react'

/**
 * The <input> inside a Taro h5 Input, once it is there. The Input is a custom element that renders
 * its <input> a moment after mounting: an event fired on the element before that reaches the
 * page's handler without the value (a test that types at once fails when the machine is busy).
 */
export function renderedInput(testId: string): Promise<HTMLInputElement> {
  return waitFor(() => {
    const host = screen.getByTestId(testId)
    const inner = host.tagName === 'INPUT' ? host : host.querySelector('input')
    if (!inner) throw new Error(`${testId}: its <input> is not rendered yet`)
    return inner as HTMLInputElement
  })
}
