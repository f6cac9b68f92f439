import Taro from '@tarojs/taro'
import type { Delivery, DeliveryAddress, DeliveryMethod } from './types'

/** The last address used at checkout (filled again next time). */
const KEY = 'address.v1'

export const EMPTY_ADDRESS: DeliveryAddress = { name: '', phone: '', province: '', city: '', district: '', detail: '' }

export function readAddress(): DeliveryAddress {
  try {
    const a = Taro.getStorageSync(KEY) as Partial<DeliveryAddress> | ''
    return a ? { ...EMPTY_ADDRESS, ...a } : { ...EMPTY_ADDRESS }
  } catch {
    return { ...EMPTY_ADDRESS }
  }
}

export function saveAddress(a: DeliveryAddress): void {
  try {
    Taro.setStorageSync(KEY, a)
  } catch {
    // storage full or unavailable: the form stays filled for this checkout
  }
}

/** WeChat's address book (Taro.chooseAddress, weapp only) as our address; null if the shopper closed it. */
export async function chooseWeChatAddress(): Promise<DeliveryAddress | null> {
  try {
    const r = await Taro.chooseAddress()
    return { name: r.userName, phone: r.telNumber, province: r.provinceName, city: r.cityName, district: r.countyName, detail: r.detailInfo }
  } catch {
    return null
  }
}

/** What is missing or wrong in an address (the server checks the same: 1–20 characters, 6–20 phone digits, detail ≤ 100). */
export function addressProblem(a: DeliveryAddress): string | null {
  if (!a.name.trim()) return '请填写收货人'
  if (a.name.trim().length > 20) return '收货人最多 20 字'
  if (!/^[0-9+\- ]{6,20}$/.test(a.phone.trim())) return '请填写正确的手机号'
  if (!a.province.trim() || !a.city.trim() || !a.district.trim()) return '请填写省、市、区'
  if (a.province.trim().length > 20 || a.city.trim().length > 20 || a.district.trim().length > 20) return '省市区名称过长'
  if (!a.detail.trim()) return '请填写详细地址'
  if (a.detail.trim().length > 100) return '详细地址最多 100 字'
  return null
}

export function deliveryParam(method: DeliveryMethod, a: DeliveryAddress): Delivery {
  if (method === 'pickup') return { method: 'pickup' }
  const t = (s: string) => s.trim()
  return { method: 'express', address: { name: t(a.name), phone: t(a.phone), province: t(a.province), city: t(a.city), district: t(a.district), detail: t(a.detail) } }
}
