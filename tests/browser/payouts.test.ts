/**
 * Issue 12 in Chromium (phone viewport, h5 build, a fresh local gateway: embedded database, manual
 * payouts only): the money leaves the system.
 *   (a) shopper A pays at a store's cashier, shopper B pays there later and B's payment pays A's
 *       queue entry into A's cash; A requests a withdrawal in 钱包; the platform approves it in
 *       提现审核与打款 as a manual payout (线下打款), pays outside the system and records the
 *       bank reference; A's wallet shows the withdrawal 已到账.
 *   (b) the store's revenue: the merchant opens 营业款 and sees what is settled (the cashier
 *       payments less what they paid into the queue) and what is pending (B's store-product order,
 *       not yet received), withdraws part of it, the platform pays it manually with a reference,
 *       the merchant sees it 已到账; B then confirms receipt and the pending revenue settles.
 * Every amount on the screen is checked against the server's answer and against what the orders
 * say it must be. Screens are saved to artifacts/screenshots/payouts-*.png.
 *
 * Needs `npm run build:h5 -w client` and Chromium (see story.test.ts); SKIP_BROWSER=1 skips it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator } from 'playwright-core'
import { BANNED, helpers, openStory, type Story } from './story-harness'

const ADMIN = 'demo-admin'
const MERCHANT = 'demo-merchant'
const A = 'demo-shopper-a'
const B = 'demo-shopper-b'
const skip = process.env.SKIP_BROWSER === '1'
if (skip) console.warn('[browser] SKIPPED: SKIP_BROWSER=1 — the payout stories (issue 12) did not run.')

/** ¥ as the client writes it (lib/format.ts formatFen): ¥12.34, no separators. */
const yuan = (fen: number) => `${fen < 0 ? '-' : ''}¥${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`

interface Balances {
  cashFen: number
  withdrawingFen: number
}
interface WithdrawalView {
  withdrawalId: string
  storeId: string | null
  amountFen: number
  status: string
  method: string | null
  reference: string | null
}
interface OrderView {
  orderId: string
  kind: string
  cashFen: number
  status: string
  settlement: { extractedFen: number } | null
}
interface Revenue {
  settledFen: number
  pendingFen: number
  pendingOrders: number
  withdrawingFen: number
  paidOutFen: number
  withdrawals: WithdrawalView[]
}

describe.skipIf(skip)('issue 12 in the h5 build: withdrawals paid out by hand (local gateway)', () => {
  let story: Story
  let h: ReturnType<typeof helpers>
  const ids: { storeId?: string; cashierId?: string; productId?: string; aWithdrawal?: string; storeWithdrawal?: string } = {}
  const SHOPPER_REF = 'ICBC20261130001'
  const STORE_REF = 'CCB20261130777'

  beforeAll(async () => {
    story = await openStory(ADMIN)
    h = helpers(story)
    // a merchant with an approved store, a cashier and a product of its own (the setup the other stories walk through)
    for (const u of [ADMIN, MERCHANT, A, B]) await h.api(u, 'user', 'login')
    const st = await h.api<{ storeId: string }>(MERCHANT, 'merchant', 'applyStore', { name: '绿源便利店' })
    await h.api(ADMIN, 'admin', 'approveStore', { storeId: st.storeId, approve: true })
    ids.storeId = st.storeId
    ids.cashierId = (await h.api<{ cashierId: string }>(MERCHANT, 'merchant', 'createCashier', { storeId: st.storeId, name: '1号收银台' })).cashierId
    ids.productId = (await h.api<{ productId: string }>(MERCHANT, 'merchant', 'upsertStoreProduct', { storeId: st.storeId, name: '散养土鸡蛋 30枚', priceFen: 4000, costFen: 2500, stock: 100 })).productId
  }, 120_000)

  afterAll(async () => {
    await story?.close()
  })

  /** Cards of a list (the h5 router keeps earlier pages in the DOM: only the visible ones). */
  const cards = (testId: string) => story.page.locator(`[data-testid="${testId}"]`).filter({ visible: true })
  const confirmModal = () => h.text(/^确定$/).click()
  /**
   * Every ¥ amount on the visible page sits on one line: a text range over `¥12.34` that the
   * layout breaks has more than one client rect. Answers the amounts that are broken.
   */
  const brokenAmounts = () =>
    story.page.evaluate<string[]>(`(() => {
      const page = [...document.querySelectorAll('.taro_page')].find((p) => getComputedStyle(p).display !== 'none' && Math.abs(p.getBoundingClientRect().left) < 0.5) || document.body
      const walker = document.createTreeWalker(page, NodeFilter.SHOW_TEXT)
      const broken = []
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const re = /-?¥\\d+\\.\\d{2}/g
        let m
        while ((m = re.exec(n.data))) {
          const r = document.createRange()
          r.setStart(n, m.index)
          r.setEnd(n, m.index + m[0].length)
          const rects = [...r.getClientRects()].filter((x) => x.width > 0)
          if (rects.length > 1) broken.push(m[0])
        }
      }
      return broken
    })()`)
  const noBanned = async () => {
    const body = await story.page.evaluate<string>('document.body.innerText')
    for (const banned of BANNED) expect(body).not.toContain(banned)
  }
  const payAtCashier = async (openid: string, yuanText: string, shot?: string) => {
    await h.open(openid, `pages/cashier/index?scene=${encodeURIComponent(`c=${ids.cashierId}`)}`)
    await h.text('绿源便利店').waitFor()
    await h.fill('cashier-amount', yuanText)
    await h.tap('cashier-pay')
    await h.byTestId('cashier-paid').waitFor()
    expect(await h.byTestId('cashier-paid').innerText()).toContain(`¥${yuanText}.00`)
    if (shot) await h.shot(shot)
  }
  /** The admin's card of one withdrawal on 提现审核与打款 (newest first), found by its amount. */
  const adminCard = (amountFen: number): Locator => cards('admin-withdrawal').filter({ hasText: yuan(amountFen) }).first()
  /**
   * The platform approves a pending withdrawal as a manual payout, then records the bank reference: 已到账.
   * The card says whom to pay (`payee`: a nickname or a store's name), not only an id.
   */
  const payByHand = async (amountFen: number, payee: string, reference: string, shotPrefix: string) => {
    await h.open(ADMIN, 'pages/admin/withdrawals')
    const card = adminCard(amountFen)
    await card.waitFor()
    expect(await card.innerText()).toContain('审核中')
    expect((await card.locator('[data-testid="withdrawal-payee"]').innerText()).trim().endsWith(payee)).toBe(true)
    // the local gateway has no WeChat Pay keys: manual payout is the only method offered
    expect(await card.locator('[data-testid="approve-withdrawal-wechat"]').count()).toBe(0)
    await h.shot(`${shotPrefix}-pending`)
    await card.locator('[data-testid="approve-withdrawal-manual"]').click()
    await h.text(/通过并以「线下打款」打款吗/).waitFor()
    await confirmModal()
    await expect.poll(() => card.innerText()).toContain('打款中（线下）')
    expect(await card.innerText()).toContain('线下打款')
    // recording without a reference is refused with words
    await card.locator('[data-testid="payout-confirm"]').click()
    await h.toastSays('请填写打款凭证号（银行流水号等）')
    await card.locator('[data-testid="payout-reference"] input').fill(reference)
    await h.shot(`${shotPrefix}-paying`, 'pages/admin/withdrawals')
    await card.locator('[data-testid="payout-confirm"]').click()
    await h.text(new RegExp(`已线下打款，凭证号 ${reference}`)).waitFor()
    await confirmModal()
    await h.toastSays('已登记，已到账')
    await expect.poll(() => card.innerText()).toContain('已到账')
    expect(await card.innerText()).toContain(reference)
    expect(await card.locator('[data-testid="payout-confirm"]').count()).toBe(0)
    expect(await brokenAmounts()).toEqual([])
    await h.shot(`${shotPrefix}-paid`, 'pages/admin/withdrawals')
  }

  // ------------------------------------------------------------------ (a) a shopper's cash
  it('A pays ¥50 at the cashier; B pays ¥80 there later, and B’s payment pays A’s queue entry into A’s cash', async () => {
    await payAtCashier(A, '50')
    await payAtCashier(B, '80', 'payouts-cashier-b-paid')
    const orders = await h.api<OrderView[]>(MERCHANT, 'merchant', 'orders', { storeId: ids.storeId })
    const [bOrder, aOrder] = orders
    expect(orders.map((o) => [o.kind, o.cashFen, o.status])).toEqual([
      ['cashier', 8000, 'completed'],
      ['cashier', 5000, 'completed'],
    ])
    // A was alone in the queue: nothing extracted from A's payment; B's pays A (65% of ¥80 ≤ 130% of ¥50)
    expect(aOrder!.settlement?.extractedFen).toBe(0)
    expect(bOrder!.settlement?.extractedFen).toBe(5200)
    expect((await h.api<Balances>(A, 'wallet', 'balances')).cashFen).toBe(5200)
  })

  it('A sees ¥52.00 in 钱包 and requests a ¥30.00 withdrawal: 审核中, ¥30.00 提现中', async () => {
    await h.open(A, 'pages/wallet/index')
    await h.byTestId('wallet-cash').waitFor()
    expect(await h.byTestId('wallet-cash').innerText()).toBe('¥52.00')
    expect(await cards('withdrawal-row').count()).toBe(0)
    await h.shot('payouts-wallet-before')
    // more than the balance is refused and nothing is requested
    await h.fill('wallet-amount', '60')
    await h.tap('wallet-withdraw')
    await h.text(/余额不足/).waitFor()
    expect(await h.api<WithdrawalView[]>(A, 'wallet', 'withdrawals')).toEqual([])

    await h.fill('wallet-amount', '30')
    await h.tap('wallet-withdraw')
    await cards('withdrawal-row').first().waitFor()
    const row = cards('withdrawal-row').first()
    expect(await row.innerText()).toContain('¥30.00')
    expect(await row.innerText()).toContain('审核中')
    await expect.poll(() => h.byTestId('wallet-cash').innerText()).toBe('¥22.00')
    expect(await h.byTestId('wallet-withdrawing').innerText()).toBe('提现中 ¥30.00')
    const bal = await h.api<Balances>(A, 'wallet', 'balances')
    expect(bal).toMatchObject({ cashFen: 2200, withdrawingFen: 3000 })
    const [w] = await h.api<WithdrawalView[]>(A, 'wallet', 'withdrawals')
    expect(w).toMatchObject({ amountFen: 3000, status: 'pending', storeId: null })
    ids.aWithdrawal = w!.withdrawalId
    expect(await brokenAmounts()).toEqual([])
    await h.shot('payouts-wallet-requested', 'pages/wallet/index')
  })

  it('the platform approves it as 线下打款, pays by bank and records the reference: 已到账', async () => {
    const me = await h.api<{ nickname: string }>(A, 'user', 'me')
    expect(me.nickname.length).toBeGreaterThan(0)
    await payByHand(3000, me.nickname, SHOPPER_REF, 'payouts-admin-shopper')
    const [w] = (await h.api<WithdrawalView[]>(ADMIN, 'admin', 'listWithdrawals', { status: 'paid' })).filter((x) => x.withdrawalId === ids.aWithdrawal)
    expect(w).toMatchObject({ status: 'paid', method: 'manual', reference: SHOPPER_REF, amountFen: 3000 })
  })

  it('A’s wallet shows the withdrawal 已到账, ¥22.00 left and nothing 提现中', async () => {
    await h.open(A, 'pages/wallet/index')
    const row = cards('withdrawal-row').first()
    await expect.poll(() => row.innerText()).toContain('已到账')
    expect(await row.innerText()).toContain('¥30.00')
    expect(await h.byTestId('wallet-cash').innerText()).toBe('¥22.00')
    expect(await story.page.locator('[data-testid="wallet-withdrawing"]').filter({ visible: true }).count()).toBe(0)
    expect(await h.api<Balances>(A, 'wallet', 'balances')).toMatchObject({ cashFen: 2200, withdrawingFen: 0 })
    // the ledger tells where the money went
    const ledger = await cards('ledger-row').allInnerTexts()
    expect(ledger.some((t) => t.includes('提现已线下打款') && t.includes('-¥30.00'))).toBe(true)
    expect(await brokenAmounts()).toEqual([])
    await noBanned()
    await h.shot('payouts-wallet-paid', 'pages/wallet/index')
  })

  // ------------------------------------------------------------------ (b) a store's revenue
  it('B buys the store’s own product (paid, not yet received): its revenue is pending', async () => {
    await h.open(B, `pages/product/index?id=${ids.productId}`)
    await h.text('散养土鸡蛋 30枚').waitFor()
    await h.tap('buy-now')
    await h.settled('pages/checkout/index')
    await h.text(/^到店自提$/).click() // picked up at the store: no address
    await h.tap('agree-disclosure')
    await h.tap('submit-order')
    await h.settled('pages/orders/index')
    await cards('order-card').filter({ hasText: '散养土鸡蛋' }).first().waitFor()
    const [storeOrder] = await h.api<OrderView[]>(MERCHANT, 'merchant', 'orders', { storeId: ids.storeId })
    expect(storeOrder).toMatchObject({ kind: 'store', cashFen: 4000, status: 'paid' })
  })

  it('the merchant opens 营业款: settled = the cashier payments less what they paid into the queue; pending = B’s open order', async () => {
    const orders = await h.api<OrderView[]>(MERCHANT, 'merchant', 'orders', { storeId: ids.storeId })
    const settled = orders.filter((o) => o.status === 'completed').reduce((a, o) => a + o.cashFen - (o.settlement?.extractedFen ?? 0), 0)
    const pending = orders.filter((o) => o.status === 'paid').reduce((a, o) => a + o.cashFen, 0)
    expect([settled, pending]).toEqual([5000 + 8000 - 5200, 4000])
    const rev = await h.api<Revenue>(MERCHANT, 'merchant', 'revenue', { storeId: ids.storeId })
    expect(rev).toMatchObject({ settledFen: settled, pendingFen: pending, pendingOrders: 1, withdrawingFen: 0, paidOutFen: 0 })

    await h.open(MERCHANT, 'pages/merchant/index')
    await h.byTestId('merchant-dashboard').waitFor()
    await h.tap('open-revenue')
    await h.settled('pages/merchant/revenue')
    await h.byTestId('revenue-settled').waitFor()
    expect(await h.byTestId('revenue-settled').innerText()).toBe(yuan(settled))
    const box = await h.byTestId('store-revenue').innerText()
    expect(box).toContain('绿源便利店')
    expect(box).toMatch(new RegExp(`${yuan(pending).replace(/[¥.]/g, '\\$&')}\\s*待结算（1 单）`))
    expect(box).toMatch(/¥0\.00\s*提现中/)
    expect(box).toMatch(/¥0\.00\s*已提现/)
    expect(await brokenAmounts()).toEqual([])
    await h.shot('payouts-revenue-before', 'pages/merchant/revenue')
  })

  it('the merchant withdraws ¥50.00 of it: 审核中, the settled revenue drops by that much', async () => {
    // more than what is settled (the pending part is not withdrawable) is refused
    await h.fill('revenue-amount', '100')
    await h.tap('revenue-withdraw')
    await h.text('可提现营业款不足').waitFor()

    await h.fill('revenue-amount', '50')
    await h.tap('revenue-withdraw')
    const row = cards('store-withdrawal').first()
    await row.waitFor()
    expect(await row.innerText()).toContain('¥50.00')
    expect(await row.innerText()).toContain('审核中')
    await expect.poll(() => h.byTestId('revenue-settled').innerText()).toBe('¥28.00')
    expect(await h.byTestId('store-revenue').innerText()).toMatch(/¥50\.00\s*提现中/)
    const rev = await h.api<Revenue>(MERCHANT, 'merchant', 'revenue', { storeId: ids.storeId })
    expect(rev).toMatchObject({ settledFen: 2800, withdrawingFen: 5000 })
    ids.storeWithdrawal = rev.withdrawals[0]!.withdrawalId
    // a store's withdrawal is the store's, not the owner's wallet's
    expect(await h.api<WithdrawalView[]>(MERCHANT, 'wallet', 'withdrawals')).toEqual([])
    expect(await brokenAmounts()).toEqual([])
    await h.shot('payouts-revenue-requested', 'pages/merchant/revenue')
  })

  it('the platform pays the store’s withdrawal by hand with a reference', async () => {
    await payByHand(5000, '绿源便利店', STORE_REF, 'payouts-admin-store')
    // both withdrawals are on the page, each paid with its own reference
    const all = await cards('admin-withdrawal').allInnerTexts()
    expect(all).toHaveLength(2)
    expect(all.filter((t) => t.includes('已到账'))).toHaveLength(2)
    expect(all.find((t) => t.includes(SHOPPER_REF))).toContain('¥30.00')
    expect(all.find((t) => t.includes(STORE_REF))).toContain('¥50.00')
  })

  it('the merchant sees it 已到账 with the reference; ¥50.00 已提现, ¥28.00 still withdrawable', async () => {
    await h.open(MERCHANT, `pages/merchant/revenue?storeId=${ids.storeId}`)
    const row = cards('store-withdrawal').first()
    await expect.poll(() => row.innerText()).toContain('已到账')
    expect(await row.innerText()).toContain('¥50.00')
    expect(await row.innerText()).toContain(`打款凭证 ${STORE_REF}`)
    expect(await h.byTestId('revenue-settled').innerText()).toBe('¥28.00')
    const box = await h.byTestId('store-revenue').innerText()
    expect(box).toMatch(/¥0\.00\s*提现中/)
    expect(box).toMatch(/¥50\.00\s*已提现/)
    expect(await h.api<Revenue>(MERCHANT, 'merchant', 'revenue', { storeId: ids.storeId })).toMatchObject({ settledFen: 2800, withdrawingFen: 0, paidOutFen: 5000 })
    expect(await brokenAmounts()).toEqual([])
    await noBanned()
    await h.shot('payouts-revenue-paid', 'pages/merchant/revenue')
  })

  it('B confirms receipt: the pending ¥40.00 settles into the withdrawable revenue', async () => {
    // the store has it ready (备货); then B picks it up and confirms
    const open = (await h.api<OrderView[]>(MERCHANT, 'merchant', 'orders', { storeId: ids.storeId })).find((o) => o.kind === 'store')!
    await h.api(MERCHANT, 'merchant', 'shipOrder', { orderId: open.orderId })
    await h.open(B, 'pages/orders/index')
    await h.tap('order-complete')
    await cards('order-card').filter({ hasText: '散养土鸡蛋' }).filter({ hasText: '已完成' }).first().waitFor()
    const storeOrder = (await h.api<OrderView[]>(MERCHANT, 'merchant', 'orders', { storeId: ids.storeId })).find((o) => o.kind === 'store')!
    expect(storeOrder.status).toBe('completed')
    // store-online sales queue apart from the cashier's (SPEC §3.2): nobody was ahead of B, so nothing
    // was extracted and the whole ¥40.00 is the store's
    expect(storeOrder.settlement?.extractedFen).toBe(0)
    const settled = 2800 + 4000

    await h.open(MERCHANT, `pages/merchant/revenue?storeId=${ids.storeId}`)
    await expect.poll(() => h.byTestId('revenue-settled').innerText()).toBe(yuan(settled))
    expect(await h.byTestId('store-revenue').innerText()).toMatch(/¥0\.00\s*待结算（0 单）/)
    expect(await h.api<Revenue>(MERCHANT, 'merchant', 'revenue', { storeId: ids.storeId })).toMatchObject({ settledFen: settled, pendingFen: 0, pendingOrders: 0 })
    await h.shot('payouts-revenue-settled', 'pages/merchant/revenue')
  })

  it('the platform’s ledger check passes and nothing went wrong in the pages', async () => {
    await h.open(ADMIN, 'pages/admin/index')
    await h.tap('verify-ledger')
    await h.byTestId('verify-result').waitFor()
    expect(await h.byTestId('verify-result').innerText()).toContain('账本校验通过')
    expect(story.problems).toEqual([])
  })
}, 300_000)
