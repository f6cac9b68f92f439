import Taro from '@tarojs/taro'

/** The cart lives on the device (Taro storage): product ids and quantities only; prices come from the server. */
export interface CartLine {
  productId: string
  name: string
  priceFen: number
  maxDeductBp: number
  qty: number
  storeId: string | null
  /** the cover picture when added (refreshed by checkCart) */
  imageUrl?: string
}

const KEY = 'cart.v1'

export function readCart(): CartLine[] {
  try {
    const v = Taro.getStorageSync(KEY) as unknown
    return Array.isArray(v) ? (v as CartLine[]).filter((l) => l && typeof l.productId === 'string' && l.qty > 0) : []
  } catch {
    return []
  }
}

export function writeCart(lines: CartLine[]): void {
  try {
    Taro.setStorageSync(KEY, lines)
  } catch {
    /* storage full: the cart is a convenience only */
  }
}

/** Adds a product; a product from another store (or mall vs store) replaces the cart, as one order cannot mix them. */
export function addToCart(line: Omit<CartLine, 'qty'>, qty = 1): CartLine[] {
  let lines = readCart()
  if (lines.length && lines[0]!.storeId !== line.storeId) lines = []
  const found = lines.find((l) => l.productId === line.productId)
  if (found) found.qty = Math.min(99, found.qty + qty)
  else lines.push({ ...line, qty })
  writeCart(lines)
  return lines
}

export function setCartQty(productId: string, qty: number): CartLine[] {
  const lines = readCart()
    .map((l) => (l.productId === productId ? { ...l, qty: Math.max(0, Math.min(99, qty)) } : l))
    .filter((l) => l.qty > 0)
  writeCart(lines)
  return lines
}

export function clearCart(): void {
  writeCart([])
}

/** Items in the cart (the badge on the mall and product pages). */
export function cartCount(lines: CartLine[] = readCart()): number {
  return lines.reduce((a, l) => a + l.qty, 0)
}

/** Why a cart line cannot be bought as it is, in words; null when it can. */
export type CartProblem = null | '已下架' | '已售罄' | `库存仅剩 ${number} 件`

export interface CheckedLine extends CartLine {
  problem: CartProblem
  /** the price changed since it was added (the cart now shows the current one) */
  priceChanged: boolean
}

/**
 * The cart against the server's current products (mall.getProducts): current name, price and
 * deduction cap are taken over and saved; lines the server does not know are dropped; each line
 * says if it cannot be bought (delisted, sold out, not enough stock).
 */
export function checkCart(lines: CartLine[], current: { productId: string; name: string; priceFen: number; maxDeductBp: number; stock: number; listed: boolean; storeId: string | null; imageUrl?: string }[]): CheckedLine[] {
  const byId = new Map(current.map((p) => [p.productId, p]))
  const out: CheckedLine[] = []
  for (const l of lines) {
    const p = byId.get(l.productId)
    if (!p) continue
    const problem: CartProblem = !p.listed ? '已下架' : p.stock <= 0 ? '已售罄' : p.stock < l.qty ? `库存仅剩 ${p.stock} 件` : null
    out.push({ ...l, name: p.name, priceFen: p.priceFen, maxDeductBp: p.maxDeductBp, storeId: p.storeId, imageUrl: p.imageUrl ?? '', problem, priceChanged: p.priceFen !== l.priceFen })
  }
  writeCart(out.map(({ problem: _p, priceChanged: _c, ...l }) => l))
  return out
}

export interface DeductionInput {
  points: number
  love: number
  voucherFen: number
  greenUnits: number
}

export interface CheckoutSummary {
  totalFen: number
  /** The most the products allow to be deducted (sum of floor(line × maxDeductBp)). */
  maxDeductFen: number
  /** Value of the typed deductions (green at the current price, floored). */
  deductFen: number
  cashFen: number
  overCap: boolean
}

/** Preview of what the shopper pays; the server recomputes everything. */
export function checkoutSummary(
  lines: Pick<CartLine, 'priceFen' | 'qty' | 'maxDeductBp'>[],
  d: DeductionInput,
  values: { pointValueFen: number; loveValueFen: number; greenPricePerPointFen: number },
): CheckoutSummary {
  const totalFen = lines.reduce((a, l) => a + l.priceFen * l.qty, 0)
  const maxDeductFen = lines.reduce((a, l) => a + Math.floor((l.priceFen * l.qty * l.maxDeductBp) / 10000), 0)
  const greenFen = Math.floor((d.greenUnits * values.greenPricePerPointFen) / 10000)
  const deductFen = d.points * values.pointValueFen + d.love * values.loveValueFen + d.voucherFen + greenFen
  return { totalFen, maxDeductFen, deductFen, cashFen: Math.max(0, totalFen - deductFen), overCap: deductFen > maxDeductFen }
}
