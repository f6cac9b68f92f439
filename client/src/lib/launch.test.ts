import { describe, expect, it } from 'vitest'
import { parseCashierId } from './launch'

describe('parseCashierId', () => {
  it('reads the weapp mini-program-code scene (URL-encoded c=<id>)', () => {
    expect(parseCashierId({ scene: encodeURIComponent('c=cs_123') })).toBe('cs_123')
    expect(parseCashierId({ scene: 'c%3Dabc%26x%3D1' })).toBe('abc')
    expect(parseCashierId({ scene: 'c=raw' })).toBe('raw')
  })

  it('reads ?c=<id> (h5 hash route or plain query)', () => {
    expect(parseCashierId({ c: 'cs_9' })).toBe('cs_9')
    expect(parseCashierId({ c: encodeURIComponent('门店 1') })).toBe('门店 1')
  })

  it('returns null when there is no cashier id', () => {
    expect(parseCashierId(undefined)).toBeNull()
    expect(parseCashierId({})).toBeNull()
    expect(parseCashierId({ scene: 'x%3D1' })).toBeNull()
    expect(parseCashierId({ c: '  ' })).toBeNull()
  })
})
