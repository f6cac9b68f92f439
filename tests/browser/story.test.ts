/**
 * The whole story in Chromium, against the h5 build and a fresh local gateway (SEED=none):
 * the platform sets the plugin up through the settings page (and sees the compliance guard),
 * a merchant opens a store and a cashier, shopper A buys in the mall, draws the lottery and
 * pays at the cashier, shopper B (invited by A's link) buys, A sees the payout arrive, exchanges
 * an entry, sees green points and withdraws, the platform reviews the withdrawal, changes a
 * setting and reads the liability dashboard. Every page is saved to artifacts/screenshots/.
 *
 * Needs `npm run build:h5 -w client` and `apt-get install -y chromium fonts-noto-cjk`. Without
 * Chromium the test FAILS, unless SKIP_BROWSER=1, which skips it with a printed reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, BANNED, openSession, pageHelpers, skipBrowser as skip, type Session } from './harness'

const MERCHANT = 'demo-merchant'
const A = 'demo-shopper-a'
const B = 'demo-shopper-b'

if (skip) console.warn('[browser] SKIPPED: SKIP_BROWSER=1 — the h5 story test did not run.')

describe.skipIf(skip)('the whole story in the h5 build (Chromium + local gateway)', () => {
  let session: Session | undefined
  const state: { cashierId?: string; inviteCode?: string; bUserId?: string } = {}

  beforeAll(async () => {
    session = await openSession()
  }, 90_000)

  afterAll(async () => {
    await session?.close()
  })

  const { text, byTestId, settled, shot, open, fill, tap, confirmModal, toastSays, api, fillCfg, tapCfg } = pageHelpers(() => session!)

  /** The h5 address form at checkout (express delivery); the browser remembers it after the first order. */
  const fillAddress = async () => {
    const name = session!.page.locator('[data-testid="addr-name"] input').filter({ visible: true })
    if ((await name.count()) && !(await name.first().inputValue())) {
      await fill('addr-name', '王小明')
      await fill('addr-phone', '13900001111')
      await fill('addr-province', '广东省')
      await fill('addr-city', '广州市')
      await fill('addr-district', '天河区')
      await fill('addr-detail', '体育西路 100 号')
    }
  }
  /** The platform ships the buyer's newest mall order (express), so the buyer can confirm receipt. */
  const shipNewest = async (buyer: string) => {
    const [o] = await api<{ orderId: string }[]>(buyer, 'order', 'list')
    await api(ADMIN, 'admin', 'shipOrder', { orderId: o!.orderId, carrier: 'SF', trackingNo: 'SF100200300' })
    await open(buyer, 'pages/orders/index')
  }
  /** Saving asks first when the setting's outstanding grows without bound (issue 14): answer 仍要保存. */
  const saveConfig = async () => {
    await tap('config-save')
    const asked = await Promise.race([text('待返会无限增长').waitFor({ timeout: 30_000 }).then(() => true), text('设置已保存').waitFor({ timeout: 30_000 }).then(() => false)])
    if (asked) await text(/^仍要保存$/).click()
  }

  // ---------------------------------------------------------------- story
  it('the platform sets up the plugin in 插件设置; the compliance guard explains a rejected setting', async () => {
    await open(ADMIN, 'pages/me/index')
    await text('平台管理').click()
    await settled('pages/admin/index')
    await text('插件设置').click()
    await settled('pages/admin/config')
    await byTestId('cfg-rebate.extractionBp').waitFor()
    await shot('admin-config')

    // a setting the guard rejects: shares of one order above what it paid
    await fillCfg('cfg-rebate.extractionBp', '99')
    await tapCfg('cfg-green.enabled')
    await fillCfg('cfg-green.poolShareBp', '50')
    await tap('config-save')
    const guard = byTestId('config-guard')
    await guard.waitFor()
    const guardText = await guard.innerText()
    expect(guardText.length).toBeGreaterThan(4)
    expect(guardText).toMatch(/[\u4e00-\u9fff]/)
    await shot('admin-config-guard')

    // the real setup: extraction 65%, union + green on, a lottery
    await fillCfg('cfg-rebate.extractionBp', '65')
    await fillCfg('cfg-green.poolShareBp', '10')
    await fillCfg('cfg-green.mintBp', '50')
    await tapCfg('cfg-union.enabled')
    await fillCfg('cfg-union.poolShareBp', '20')
    await fillCfg('cfg-rebate.lottery', '120:1, 150:1')
    await saveConfig()
    await toastSays('设置已保存')
    const cfg = await api<{ union: { enabled: boolean }; green: { enabled: boolean; poolShareBp: number }; rebate: { lottery: unknown } }>(ADMIN, 'admin', 'getConfig')
    expect(cfg.union.enabled).toBe(true)
    expect(cfg.green).toMatchObject({ enabled: true, poolShareBp: 1000 })
    expect(cfg.rebate.lottery).toMatchObject({ kind: 'fixed' })
  })

  it('the platform puts a product on sale (平台商品)', async () => {
    await open(ADMIN, 'pages/admin/products')
    await fill('product-name', '有机大米 5kg')
    await fill('product-price-input', '100')
    await fill('product-cost', '60')
    await fill('product-deduct', '20')
    await tap('product-save')
    await text('有机大米 5kg').waitFor()
    await shot('admin-products', 'pages/admin/products')
    // member levels and the other admin pages render (levels are also set through the UI)
    await open(ADMIN, 'pages/admin/levels')
    await text('保存会员等级').waitFor()
    await shot('admin-levels')
  })

  it('a merchant applies for a store; the platform approves it; the merchant creates a cashier with its code', async () => {
    await open(MERCHANT, 'pages/me/index')
    await text('商家中心').click()
    await settled('pages/merchant/index')
    await fill('store-name', '绿源便利店')
    await shot('merchant-apply')
    await tap('apply-store')
    await text('审核中').waitFor()
    await shot('merchant-pending', 'pages/merchant/index')

    await open(ADMIN, 'pages/admin/stores')
    await text('绿源便利店').waitFor()
    await shot('admin-stores')
    await tap('approve-store')
    await text('已通过').waitFor()

    await open(MERCHANT, 'pages/merchant/index')
    await text('已开通').waitFor()
    await text('收银台与小程序码').click()
    await settled('pages/merchant/cashiers')
    await fill('cashier-name', '1号收银台')
    await tap('create-cashier')
    await byTestId('cashier-card').waitFor()
    await byTestId('cashier-code').waitFor()
    const card = await byTestId('cashier-card').innerText()
    state.cashierId = /编号\s*(\S+)/.exec(card)?.[1]
    expect(state.cashierId).toBeTruthy()
    await session!.page.waitForFunction(`[...document.querySelectorAll('[data-testid="cashier-code"] img, img[data-testid="cashier-code"]')].some((i) => i.complete && i.naturalWidth > 0)`)
    await shot('merchant-cashiers')
  })

  it('shopper A buys in the mall (disclosure before paying), confirms receipt and draws the lottery before any payout', async () => {
    await open(A, 'pages/mall/index')
    await text('有机大米 5kg').click()
    await settled('pages/product/index')
    await text('¥100.00').waitFor()
    await shot('product')
    await tap('buy-now')
    await settled('pages/checkout/index')
    await byTestId('disclosure').waitFor()
    expect(await byTestId('disclosure').innerText()).toContain('不承诺任何到账日期或金额')
    await shot('checkout')
    await fillAddress()
    // paying without acknowledging the disclosure is refused with words
    await tap('submit-order')
    await toastSays('请先阅读并确认返利说明')
    await tap('agree-disclosure')
    await tap('submit-order')
    await settled('pages/orders/index')
    await byTestId('order-hint').waitFor()
    await shot('orders-paid')
    // received once shipped (the fulfilment story ships through the admin page)
    await shipNewest(A)
    await byTestId('order-complete').waitFor()
    await tap('order-complete')
    await text('已完成').waitFor()
    await shot('orders-completed', 'pages/orders/index')

    await open(A, 'pages/queue/index')
    await byTestId('entry-card').waitFor()
    await byTestId('lottery-button').waitFor()
    expect(await byTestId('entry-position').innerText()).toBe('1')
    await shot('queue-before-draw')
    await tap('lottery-button')
    // the draw is explained first (odds, may lower the ratio, lapses at the first payout); 确定抽奖 draws
    await byTestId('lottery-sheet').waitFor()
    await tap('lottery-confirm')
    await byTestId('lottery-drawn').waitFor()
    expect(await byTestId('lottery-drawn').innerText()).toMatch(/已抽中 (120|150)%/)
    expect(await session!.page.locator('[data-testid="lottery-button"]').filter({ visible: true }).count()).toBe(0) // once only
    await shot('queue-after-draw')
  })

  it('shopper A pays at the store cashier (h5 link of the mini-program code)', async () => {
    await open(A, `pages/cashier/index?scene=${encodeURIComponent(`c=${state.cashierId}`)}`)
    await text('绿源便利店').waitFor()
    await fill('cashier-amount', '50')
    await shot('cashier')
    await tap('cashier-pay')
    await byTestId('cashier-paid').waitFor()
    expect(await byTestId('cashier-paid').innerText()).toContain('¥50.00')
    await shot('cashier-paid')
  })

  it('我的 shows A’s invite code and link', async () => {
    await open(A, 'pages/me/index')
    await byTestId('invite-code').waitFor()
    state.inviteCode = (await byTestId('invite-code').innerText()).trim()
    expect(state.inviteCode).toMatch(/^[A-Z0-9]+$/)
    expect(await byTestId('invite-link').innerText()).toContain(`#/pages/mall/index?ref=${state.inviteCode}`)
    await shot('me')
  })

  it('shopper B opens A’s link, is bound to A, buys and confirms receipt', async () => {
    await open(B, `pages/mall/index?ref=${state.inviteCode}`)
    await text('有机大米 5kg').click()
    await settled('pages/product/index')
    await tap('buy-now')
    await settled('pages/checkout/index')
    await fillAddress()
    await tap('agree-disclosure')
    await tap('submit-order')
    await settled('pages/orders/index')
    await shipNewest(B)
    await tap('order-complete')
    await text('已完成').waitFor()
    const me = await api<{ userId: string; referrer: { nickname: string } | null }>(B, 'user', 'me')
    expect(me.referrer).not.toBeNull()
    state.bUserId = me.userId
    await open(B, 'pages/me/index')
    await text('邀请人').waitFor()
    await shot('me-b-invited')
  })

  it('A sees the payout arrive in 排队, exchanges the cashier entry, and sees the union entry with its date', async () => {
    await open(A, 'pages/queue/index')
    await byTestId('entry-card').waitFor()
    await expect.poll(() => byTestId('queue-received-total').innerText()).not.toBe('¥0.00')
    const cards = session!.page.locator('[data-testid="entry-card"]').filter({ visible: true })
    const mallCard = cards.filter({ hasText: '已抽中' })
    expect(await mallCard.locator('[data-testid="entry-received"]').innerText()).toBe('¥65.00')
    await shot('queue-payout')

    const cashierCard = cards.filter({ hasText: '收银台' }).first()
    await cashierCard.locator('[data-testid="exchange-button"]').click()
    await cashierCard.locator('[data-testid="exchange-points"]').click()
    await confirmModal()
    await toastSays(/兑换成功/)
    await text('全部记录').click()
    await text('已兑换').waitFor()
    const points = await api<{ points: number }>(A, 'wallet', 'balances')
    expect(points.points).toBeGreaterThan(0)
    await shot('queue-all')
    await text('工会排队').click()
    await byTestId('union-card').waitFor()
    expect(await byTestId('union-eligible').innerText()).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    await shot('queue-union')
  })

  it('A spends the exchanged points as a deduction at checkout (cash to pay shrinks)', async () => {
    await open(A, 'pages/mall/index')
    await text('有机大米 5kg').click()
    await settled('pages/product/index')
    await tap('buy-now')
    await settled('pages/checkout/index')
    await byTestId('deduct-points').waitFor()
    await fill('deduct-points', '2000')
    await expect.poll(() => byTestId('cash-to-pay').innerText()).toBe('¥80.00')
    await shot('checkout-deduction')
    await fillAddress()
    await tap('agree-disclosure')
    await tap('submit-order')
    await settled('pages/orders/index')
    const card = session!.page.locator('[data-testid="order-card"]').filter({ visible: true }).first()
    await expect.poll(() => card.innerText()).toContain('抵扣')
    expect(await card.innerText()).toContain('¥80.00')
    // changed her mind: refund before receipt; the points come back
    const before = (await api<{ points: number }>(A, 'wallet', 'balances')).points
    await card.locator('[data-testid="order-refund"]').click()
    await confirmModal()
    await expect.poll(() => card.innerText()).toContain('已退款')
    expect((await api<{ points: number }>(A, 'wallet', 'balances')).points).toBe(before + 2000)
    await shot('orders-refunded', 'pages/orders/index')
  })

  it('A sees green points with price and history, withdraws points, and requests a cash withdrawal', async () => {
    await open(A, 'pages/green/index')
    await byTestId('green-balance').waitFor()
    expect(await byTestId('green-balance').innerText()).not.toBe('0')
    await text('价格走势（每日收盘价）').waitFor()
    await shot('green')
    await tap('green-withdraw')
    await fill('green-points', '1')
    await tap('green-submit')
    await confirmModal()
    await toastSays('已提现到余额')
    await shot('green-after-withdraw', 'pages/green/index')

    await open(A, 'pages/wallet/index')
    await byTestId('wallet-cash').waitFor()
    const cash = await byTestId('wallet-cash').innerText()
    expect(cash).not.toBe('¥0.00')
    await fill('wallet-amount', '10')
    await tap('wallet-withdraw')
    await byTestId('withdrawal-row').waitFor()
    expect(await byTestId('withdrawal-row').innerText()).toContain('审核中')
    await shot('wallet')
  })

  it('the merchant sees the store dashboard and orders', async () => {
    await open(MERCHANT, 'pages/merchant/index')
    await byTestId('merchant-dashboard').waitFor()
    expect(await byTestId('merchant-dashboard').innerText()).toContain('¥50.00')
    await shot('merchant-dashboard')
    await text('门店订单').click()
    await settled('pages/merchant/orders')
    await byTestId('seller-order').waitFor()
    await shot('merchant-orders')
    await open(MERCHANT, 'pages/merchant/index')
    await text('门店排队设置').click()
    await settled('pages/merchant/settings')
    await byTestId('rules-save').waitFor()
    await shot('merchant-settings')
    await fill('rules-ratio', '140')
    await tap('rules-save')
    await toastSays('已保存')
    const [store] = await api<{ rebate: { ratioBp?: number } }[]>(MERCHANT, 'merchant', 'myStores')
    expect(store!.rebate.ratioBp).toBe(14000)
    await open(MERCHANT, 'pages/merchant/index')
    await text('门店商品').click()
    await settled('pages/merchant/products')
    await shot('merchant-products')
  })

  it('the platform approves the withdrawal, renames the exchange button, reads the liability dashboard and verifies the ledger', async () => {
    await open(ADMIN, 'pages/admin/withdrawals')
    // approved for a manual payout, then the bank reference recorded (the full payout story: payouts.test.ts)
    await tap('approve-withdrawal-manual')
    await confirmModal()
    await text('打款中（线下）').waitFor()
    await session!.page.locator('[data-testid="payout-reference"] input').filter({ visible: true }).first().fill('BANK20260301001')
    await tap('payout-confirm')
    await confirmModal()
    await text('已到账').waitFor()
    await shot('admin-withdrawals')

    await open(ADMIN, 'pages/admin/config')
    await fillCfg('cfg-rebate.exchangeName', '换积分')
    await saveConfig()
    await toastSays('设置已保存')

    await open(ADMIN, 'pages/admin/index')
    await byTestId('liability-dashboard').waitFor()
    await byTestId('liability-queue').waitFor()
    await tap('verify-ledger')
    await byTestId('verify-result').waitFor()
    expect(await byTestId('verify-result').innerText()).toContain('账本校验通过')
    await shot('admin-dashboard')

    await open(A, 'pages/queue/index')
    await byTestId('exchange-button').waitFor()
    expect(await byTestId('exchange-button').innerText()).toBe('换积分')
  })

  it('the tab bar and the orders page look like WeChat', async () => {
    await open(A, 'pages/mall/index')
    expect(await session!.page.locator('.weui-tabbar__item').allInnerTexts()).toEqual(['商城', '排队', '绿色积分', '我的'])
    const look = await session!.page.evaluate<{ page: string; card: string; active: string }>(`(() => ({
      page: getComputedStyle([...document.querySelectorAll('.page')].find((p) => p.offsetParent)).backgroundColor,
      card: getComputedStyle([...document.querySelectorAll('.card')].find((p) => p.offsetParent)).backgroundColor,
      active: getComputedStyle(document.querySelector('.weui-bar__item_on .weui-tabbar__label')).color,
    }))()`)
    expect(look).toEqual({ page: 'rgb(245, 245, 245)', card: 'rgb(255, 255, 255)', active: 'rgb(7, 193, 96)' })
    await shot('mall')
    await open(A, 'pages/orders/index')
    await byTestId('order-card').waitFor()
    await shot('orders')
    const body = await session!.page.evaluate<string>('document.body.innerText')
    for (const banned of BANNED) expect(body).not.toContain(banned)
  })

  it('logged no page errors, console errors or server errors', () => {
    expect(session!.problems).toEqual([])
  })
}, 240_000)
