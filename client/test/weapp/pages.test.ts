/**
 * Renders pages of the weapp build (client/dist/weapp) with miniprogram-simulate and WeChat's
 * official template compiler — the closest we get to the real mini-program without DevTools.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
// (not new URL(): under jsdom that is jsdom's URL class)
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'weapp')
const built = existsSync(join(ROOT, 'app.js'))

if (!built) {
  console.warn(`[weapp] SKIPPED: ${ROOT} has no app.js — run \`npm run build:weapp -w client\` first.`)
}

type SimComponent = {
  dom: HTMLElement
  attach: (parent: Element) => void
  instance: Record<string, unknown>
}
type Simulate = {
  load: (path: string, opts: { compiler: 'official'; rootPath: string }) => string
  render: (id: string, props?: object) => SimComponent
}

interface AppOptions {
  onLaunch?: (opts: object) => void
  [k: string]: unknown
}

let simulate: Simulate
const cloudCalls: { name: string; data: Record<string, unknown> }[] = []
let failNext: { code: string; message: string } | null = null

/** What the cloud functions answer in these tests (wx.cloud.callFunction is stubbed). */
const IMG = '/files/' + 'a'.repeat(32) + '.png'
const PRODUCT = { productId: 'P1', name: '有机大米 5kg', description: '东北新米\n产地直发', imageUrl: IMG, images: [IMG], categoryId: 'K1', priceFen: 16800, stock: 3, sold: 1, storeId: null, listed: true, maxDeductBp: 0, rebateEnabled: true, lotteryAvailable: true, lockDays: 15 }
const ENTRY = {
  entryId: 'E1', queueKey: 'mall', queueName: '商城队列', queuePendingCount: 2, seq: 1, position: 1, aheadFen: 0, aheadExact: true, orderId: 'O1', baseFen: 10000, ratioBp: 13000, ratioRule: 'x',
  entitlementFen: 13000, receivedFen: 0, pendingFen: 13000, progressBp: 0, status: 'pending', waitingForCompletion: false, canExchange: true, createdAt: '2026-03-01T00:00:00Z', closedAt: null,
  lottery: { available: true, drawnBp: null, drawnAt: null, lapsesAt: 'firstPayout', odds: { kind: 'fixed', mayLower: true, mayRaise: true, options: [{ ratioBp: 12000, chanceBp: 5000, entitlementFen: 12000 }, { ratioBp: 15000, chanceBp: 5000, entitlementFen: 15000 }] } },
}

/** What the cloud functions answer in these tests (wx.cloud.callFunction is stubbed). */
const ROUTES: Record<string, (d: Record<string, unknown>) => unknown> = {
  'user.login': () => ME,
  'user.me': () => ME,
  'user.invitees': () => ({ commissionEarnedFen: 300, friends: [{ nickname: '王**明', joinedAt: '2026-03-01T00:00:00Z', commissionFen: 300, hasOrdered: true }], nextCursor: null }),
  'mall.listStores': () => [],
  'mall.home': () => ({ banners: [{ imageUrl: IMG, title: '新米上市', link: { kind: 'product', id: 'P1' } }], categories: [{ categoryId: 'K1', name: '粮油', sort: 0, listed: true }], stores: [{ storeId: 'S1', name: '绿源便利店' }] }),
  'mall.listProducts': () => ({ rebateName: '排队返利', products: [PRODUCT], nextCursor: null, scanned: 1 }),
  'mall.getProduct': () => ({ ...PRODUCT, deduction: { pointValueFen: 1, loveValueFen: 1 }, rebateName: '排队返利', store: null, categoryName: '粮油' }),
  'mall.getProducts': () => [PRODUCT],
  'mall.getStore': (d) => ({ storeId: d.storeId, name: '绿源便利店' }),
  'mall.getCashier': (d) => ({ cashierId: d.cashierId, name: '1号收银台', storeId: 'S1', storeName: '绿源便利店', rebateEnabled: true, rebateName: '排队返利' }),
  'queue.mine': () => ({
    name: '排队返利', exchangeName: '兑换', paused: false, exchange: { pointsBp: 10000, loveBp: null, loveFrozen: false, voucherBp: null }, deduction: { pointValueFen: 1, loveValueFen: 1 },
    pendingTotalFen: 9750, pendingCount: 1, settlingOrders: 0,
    entries: [ENTRY, { ...ENTRY, entryId: 'E2', position: 2, aheadFen: 13000, receivedFen: 3250, pendingFen: 9750, progressBp: 2500, lottery: null, queueName: '收银台队列' }],
  }),
  'merchant.myStores': () => [{ storeId: 'S1', name: '绿源便利店', status: 'approved', commissionBp: 1000, rebate: { enabled: true }, lockDays: null, createdAt: '2026-03-01T00:00:00Z' }],
  'merchant.dashboard': () => ({
    store: { storeId: 'S1', name: '绿源便利店', status: 'approved', commissionBp: 1000, rebate: { enabled: true }, lockDays: null, createdAt: '2026-03-01T00:00:00Z' },
    orderCount: 3, flowFen: 12_345_678, todayFlowFen: 5000, refundedCount: 0, revenueFen: 1_000_000, cashiers: [],
    queues: [{ queueKey: 'cashier:C1', name: '绿源便利店1号收银台队列', pendingCount: 2, pendingFen: 16_049_381, paidFen: 0 }],
  }),
  'union.mine': () => ({ enabled: false, poolFen: 0, pendingFen: 0, entries: [] }),
  'green.state': () => ({ enabled: true, poolFen: 400000, totalUnits: 20000000, pricePerPointFen: 200, withdrawFeeBp: 1000, exitMultipleBp: 20000, launchPriceFen: 100, history: [{ day: '2026-03-01', openFen: 100, closeFen: 150 }, { day: '2026-03-02', openFen: 150, closeFen: 200 }] }),
  'green.mine': () => ({ units: 15000, valueFen: 300, pricePerPointFen: 200, lots: [] }),
  'wallet.balances': () => ({ cashFen: 0, withdrawingFen: 0, points: 0, love: 0, loveFrozen: 0, voucherFen: 0, greenUnits: 0 }),
  'order.get': (d) => ({
    orderId: d.orderId, kind: 'mall', storeId: null, cashierId: null, lines: [{ productId: 'P1', name: '有机大米 5kg', qty: 1, priceFen: 16800, totalFen: 16800, cashFen: 16800 }],
    totalFen: 16800, deduct: {}, cashFen: 16800, status: 'paid', createdAt: '2026-03-01T02:00:00Z', paidAt: '2026-03-01T02:01:00Z', completedAt: null, refundedAt: null,
    settled: false, settledAt: null, settling: false, settlement: null, note: '请放门卫处',
    delivery: { method: 'express', address: { name: '张三', phone: '13812345678', province: '广东省', city: '深圳市', district: '南山区', detail: '科技园一路 1 号' } },
    shippedAt: '2026-03-02T02:00:00Z', shipping: { method: 'express', carrier: 'SF', carrierName: '顺丰速运', trackingNo: 'SF1234567890' }, shippingUploaded: true, afterSale: null, refundRequestUntil: null,
  }),
}
/** A store order as the seller's list answers it: one to ship (express), one shipped and synced with WeChat. */
const SELLER_ORDER = { ...(ROUTES['order.get']!({ orderId: 'OS1' }) as Record<string, unknown>), kind: 'store', storeId: 'S1', shippedAt: null, shipping: null, shippingUploaded: false }
ROUTES['merchant.orders'] = () => [
  SELLER_ORDER,
  { ...SELLER_ORDER, orderId: 'OS2', shippedAt: '2026-03-02T02:00:00Z', shipping: { method: 'express', carrier: 'ZTO', carrierName: '中通快递', trackingNo: '7700112233' }, shippingUploaded: true },
]
ROUTES['merchant.carriers'] = () => [{ code: 'SF', name: '顺丰速运' }, { code: 'ZTO', name: '中通快递' }]
const ME = { userId: 'U1', nickname: '微信用户', avatarUrl: '', inviteCode: 'ABC123', referrer: null, level: { id: 'L0', name: '普通会员' }, completedSpendFen: 0, roles: { admin: false, merchant: false }, stores: [] }

async function waitText(page: SimComponent, text: string) {
  for (let waited = 0; !(page.dom.textContent ?? '').includes(text) && waited < 5000; waited += 50) await sleep(50)
  expect(page.dom.textContent ?? '').toContain(text)
}
/** The page as Taro hands it to WeChat's templates: attributes (src, open-type, type) are not in the simulator's DOM. */
const tree = (page: SimComponent) => JSON.stringify((page.instance as { data: unknown }).data)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Loads a page of the build, attaches it, runs onLoad, and waits for Taro's first setData. */
async function renderPage(route: string, query: Record<string, string> = {}): Promise<SimComponent> {
  const id = simulate.load(join(ROOT, route), { compiler: 'official', rootPath: ROOT })
  const page = simulate.render(id)
  const parent = document.createElement('parent-wrapper')
  document.body.appendChild(parent)
  page.attach(parent)
  // Page() is mapped onto Component(): call the page lifecycle the way the WeChat runtime would.
  const inst = page.instance as { onLoad?: (q: object) => void; onShow?: () => void }
  inst.onLoad?.call(inst, query)
  inst.onShow?.call(inst)
  // Taro renders with an async setData; poll (up to 5 s) instead of a fixed sleep.
  for (let waited = 0; !(page.dom.textContent ?? '').trim() && waited < 5000; waited += 50) await sleep(50)
  await sleep(50)
  return page
}

describe.skipIf(!built)('weapp build in miniprogram-simulate', () => {
  const pages: SimComponent[] = []

  beforeAll(async () => {
    simulate = require('miniprogram-simulate') as Simulate
    const g = globalThis as unknown as Record<string, unknown>
    let app: AppOptions = {}
    g.App = (opts: AppOptions) => {
      app = opts
    }
    g.getApp = () => app
    g.getCurrentPages = () => pages.map((p) => p.instance)
    // Page() → Component(): a Component only exposes functions listed in `methods`, so move
    // Taro's page lifecycles (onLoad, onShow, eh, …) there; renderPage() then calls onLoad.
    const component = g.Component as (o: object) => void
    g.Page = (opts: Record<string, unknown>) => {
      const methods: Record<string, unknown> = { ...(opts.methods as object | undefined) }
      for (const [k, v] of Object.entries(opts)) if (typeof v === 'function') methods[k] = v
      component({ ...opts, methods })
    }
    // Taro's weapp runtime reads wx.getSystemInfoSync etc.; miniprogram-simulate provides `wx`,
    // but not wx.cloud: stand in for the cloud functions here (the client's only network call).
    const wx = g.wx as Record<string, unknown>
    wx.cloud = {
      init: () => undefined,
      callFunction: async ({ name, data }: { name: string; data: Record<string, unknown> }) => {
        cloudCalls.push({ name, data })
        if (failNext) {
          const error = failNext
          failNext = null
          return { result: { ok: false, error } }
        }
        const route = ROUTES[`${name}.${String(data.action)}`]
        return { result: route ? { ok: true, data: route(data) } : { ok: false, error: { code: 'NOT_FOUND', message: '找不到该记录' } } }
      },
    }
    require(join(ROOT, 'app.js'))
    // cold start from a friend's share card: /pages/mall/index?ref=FRIEND1
    app.onLaunch?.call(app, { path: 'pages/mall/index', query: { ref: 'FRIEND1' }, scene: 1007 })
    await sleep(200)
  })

  it('商城 lists the products from the cloud function, in ¥', async () => {
    const page = await renderPage('pages/mall/index', { ref: 'FRIEND1' })
    pages.push(page)
    await waitText(page, '有机大米 5kg')
    const text = page.dom.textContent ?? ''
    expect(text).toContain('¥168.00')
    expect(text).toContain('不承诺任何到账日期或金额')
    // search, categories, the banner, stores and the product's picture
    await waitText(page, '新米上市')
    expect(text).toContain('搜索')
    expect(text).toContain('粮油')
    expect(text).toContain('绿源便利店')
    expect(tree(page)).toContain(IMG)
    // the first sign-in (at launch) carried the ref from the share card
    expect(cloudCalls.find((c) => c.name === 'user' && c.data.action === 'login')?.data).toMatchObject({ ref: 'FRIEND1' })
  })

  it('商城 can be shared with the invite code (enableShareAppMessage + useShareAppMessage)', async () => {
    const page = pages[0]!
    const share = (page.instance as { onShareAppMessage?: (o: object) => unknown }).onShareAppMessage
    expect(typeof share).toBe('function')
    expect(share!.call(page.instance, { from: 'menu' })).toMatchObject({ path: '/pages/mall/index?ref=ABC123' })
  })

  it('排队 renders an entry card with progress, pending and the lottery button, and refreshes on pull-down', async () => {
    const page = await renderPage('pages/queue/index')
    pages.push(page)
    await waitText(page, '商城队列')
    const text = page.dom.textContent ?? ''
    expect(text).toContain('¥32.50')
    expect(text).toContain('25%') // progress with its percentage
    expect(text).toContain('前面没有待返')
    expect(text).toContain('前面还有 ¥130.00 待返')
    expect(text).toContain('抽奖')
    expect(text).toContain('第一次到账后不能再抽')
    // the disclosure once per page, not on each of the two cards
    expect(text.split('不承诺任何到账日期或金额').length - 1).toBe(1)
    const before = cloudCalls.filter((c) => c.name === 'queue').length
    const inst = page.instance as { onPullDownRefresh?: () => void }
    inst.onPullDownRefresh?.call(inst)
    for (let i = 0; i < 40 && cloudCalls.filter((c) => c.name === 'queue').length === before; i++) await sleep(50)
    expect(cloudCalls.filter((c) => c.name === 'queue').length).toBeGreaterThan(before)
  })

  it('收银台 reads the cashier id from the mini-program code scene and shows the store', async () => {
    const page = await renderPage('pages/cashier/index', { scene: encodeURIComponent('c=cs_001') })
    pages.push(page)
    await waitText(page, '绿源便利店')
    expect(page.dom.textContent ?? '').toContain('cs_001')
    expect(cloudCalls.find((c) => c.name === 'mall' && c.data.action === 'getCashier')?.data).toMatchObject({ cashierId: 'cs_001' })
  })

  it('绿色积分 shows balance, price and the price history', async () => {
    const page = await renderPage('pages/green/index')
    pages.push(page)
    await waitText(page, '价格走势')
    const text = page.dom.textContent ?? ''
    expect(text).toContain('1.50 绿色积分')
    expect(text).toContain('¥2.00 / 绿色积分')
    // a line chart with axes and the launch price, not one bar
    expect(text).toContain('发行价 ¥1.00')
    expect(text).toContain('03-01')
    expect(text).toContain('¥0.00')
  })

  it('我的 shows the invite code with copy buttons and no h5-only dev identity pill; 编辑资料 uses WeChat’s avatar and nickname fill-in', async () => {
    const page = await renderPage('pages/me/index')
    pages.push(page)
    await waitText(page, 'ABC123')
    expect(page.dom.textContent ?? '').toContain('商家中心')
    expect(page.dom.textContent ?? '').toContain('我邀请的好友')
    expect(page.dom.textContent ?? '').toContain('复制')
    expect(page.dom.textContent ?? '').not.toContain('开发身份')
    const edit = (page as unknown as { querySelector: (s: string) => { dispatchEvent: (e: string, o?: object) => void } | null }).querySelector('.me-head__edit')
    expect(edit).toBeTruthy()
    edit!.dispatchEvent('tap')
    await waitText(page, '昵称 1–20 个字')
    // the avatar button has open-type="chooseAvatar", the nickname input type="nickname"
    expect(tree(page)).toContain('"chooseAvatar"')
    expect(tree(page)).toContain('"nickname"')
  })

  it('商品详情 shows the picture and description, and its share cards (chat and 朋友圈) carry the invite code', async () => {
    const page = await renderPage('pages/product/index', { id: 'P1', ref: 'FRIEND1' })
    pages.push(page)
    await waitText(page, '东北新米')
    expect(tree(page)).toContain(IMG)
    expect(page.dom.textContent ?? '').toContain('加入购物车')
    const inst = page.instance as { onShareAppMessage?: (o: object) => { path: string }; onShareTimeline?: () => { query: string } }
    expect(inst.onShareAppMessage!.call(inst, { from: 'menu' })).toMatchObject({ path: '/pages/product/index?id=P1&ref=ABC123' })
    expect(typeof inst.onShareTimeline).toBe('function')
    expect(inst.onShareTimeline!.call(inst)).toMatchObject({ query: 'id=P1&ref=ABC123' })
  })

  it('门店 lists the store’s products and shares the store', async () => {
    const page = await renderPage('pages/store/index', { id: 'S1' })
    pages.push(page)
    await waitText(page, '有机大米 5kg')
    expect(page.dom.textContent ?? '').toContain('绿源便利店')
    const inst = page.instance as { onShareAppMessage?: (o: object) => { path: string } }
    expect(inst.onShareAppMessage!.call(inst, { from: 'menu' })).toMatchObject({ path: '/pages/store/index?id=S1&ref=ABC123' })
  })

  it('购物车 shows the saved cart checked against the current products', async () => {
    const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx
    const original = wx.getStorageSync
    wx.getStorageSync = (key: string) => (key === 'cart.v1' ? [{ productId: 'P1', name: '有机大米 5kg', priceFen: 16800, maxDeductBp: 0, qty: 2, storeId: null }] : '')
    try {
      const page = await renderPage('pages/cart/index')
      pages.push(page)
      await waitText(page, '¥336.00')
      expect(page.dom.textContent ?? '').toContain('去结算')
    } finally {
      wx.getStorageSync = original
    }
  })

  it('订单详情 shows the order number, the tracking number and the timeline 下单 支付 发货 收货 结算', async () => {
    const page = await renderPage('pages/orders/detail', { id: 'OMX1' })
    pages.push(page)
    await waitText(page, '订单进度')
    const text = page.dom.textContent ?? ''
    for (const s of ['OMX1', '已发货', '顺丰速运 SF1234567890', '张三 13812345678', '下单', '支付', '发货', '收货', '结算', '确认收货', '申请退款']) expect(text).toContain(s)
    expect(text).not.toContain('退款中')
  })

  it('确认订单 in WeChat takes the address from WeChat’s address book (chooseAddress), not a form', async () => {
    const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx
    const original = wx.getStorageSync
    wx.getStorageSync = (key: string) => (key === 'cart.v1' ? [{ productId: 'P1', name: '有机大米 5kg', priceFen: 16800, maxDeductBp: 0, qty: 1, storeId: null }] : '')
    try {
      const page = await renderPage('pages/checkout/index')
      pages.push(page)
      await waitText(page, '收货方式')
      const text = page.dom.textContent ?? ''
      expect(text).toContain('选择微信收货地址')
      expect(text).not.toContain('详细地址')
    } finally {
      wx.getStorageSync = original
    }
  })

  it('我邀请的好友 lists masked friends and the commission they brought', async () => {
    const page = await renderPage('pages/invitees/index')
    pages.push(page)
    await waitText(page, '王**明')
    expect(page.dom.textContent ?? '').toContain('¥3.00')
  })

  it('商家中心 (subpackage) keeps long amounts whole: a smaller font, not a second line', async () => {
    const page = await renderPage('pages/merchant/index')
    pages.push(page)
    await waitText(page, '¥123456.78')
    expect(tree(page)).toContain('grid__value grid__value--s') // ¥123456.78 is 10 characters: the smaller size
    expect(page.dom.textContent ?? '').toContain('2 条排队 · 待返 ¥160493.81')
  })

  it('门店订单 (subpackage) lists the orders to ship with the buyer’s address and a 发货 action, and the shipped ones with their tracking', async () => {
    const page = await renderPage('pages/merchant/orders', { storeId: 'S1' })
    pages.push(page)
    await waitText(page, 'OS2')
    const text = page.dom.textContent ?? ''
    for (const s of ['待发货', '已发货', '订单号 OS1', '收货：张三 13812345678 广东省深圳市南山区 科技园一路 1 号', '留言：请放门卫处', '物流：中通快递 7700112233 · 已同步微信', '发货']) expect(text).toContain(s)
    expect(cloudCalls.some((c) => c.name === 'merchant' && c.data.action === 'orders' && c.data.storeId === 'S1')).toBe(true)
  })

  it('an error answer is shown in words', async () => {
    failNext = { code: 'FORBIDDEN', message: '请先登录' }
    const page = await renderPage('pages/wallet/index')
    pages.push(page)
    await waitText(page, '请先登录')
  })
})
