/**
 * Browser smoke test of the h5 build: serves client/dist/h5 with scripts/serve-h5.mjs (as a
 * child process, the way a developer runs it), opens it in Debian's Chromium through
 * playwright-core at an iPhone-ish 390x844, walks the tab bar and saves full-page screenshots
 * to artifacts/screenshots/<name>.png.
 *
 * Needs: `npm run build:h5 -w client`, and `apt-get install -y chromium fonts-noto-cjk`
 * (without the CJK fonts Chinese renders as boxes). Without Chromium the test FAILS, unless
 * SKIP_BROWSER=1, which skips it with a printed reason.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const H5_ROOT = join(REPO, 'client', 'dist', 'h5')
const SHOTS = join(REPO, 'artifacts', 'screenshots')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const skip = process.env.SKIP_BROWSER === '1'
if (skip) console.warn('[browser] SKIPPED: SKIP_BROWSER=1 — the h5 smoke test did not run.')

/** Starts `node scripts/serve-h5.mjs` on a free port and resolves with its base URL. */
function startServer(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'scripts', 'serve-h5.mjs')], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', H5_ROOT, API_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const timer = setTimeout(() => reject(new Error(`serve-h5 did not start:\n${out}`)), 15_000)
    const onData = (b: Buffer) => {
      out += b.toString()
      const m = /serve-h5: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
      if (m) {
        clearTimeout(timer)
        resolvePromise({ url: m[1]!, child })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve-h5 exited with ${code}:\n${out}`))
    })
  })
}

describe.skipIf(skip)('h5 build in Chromium', () => {
  let server: { url: string; child: ChildProcess } | undefined
  let context: BrowserContext | undefined
  let page: Page
  let profileDir: string | undefined
  const problems: string[] = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found. Install it with \`apt-get install -y chromium fonts-noto-cjk\`, ` +
          'or set SKIP_BROWSER=1 to skip the browser smoke test.',
      )
    }
    if (!existsSync(join(H5_ROOT, 'index.html'))) {
      throw new Error(`${H5_ROOT}/index.html not found: run \`npm run build:h5 -w client\` before this test.`)
    }
    mkdirSync(SHOTS, { recursive: true })
    server = await startServer()
    profileDir = mkdtempSync(join(tmpdir(), 'h5-smoke-chromium-'))
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon/.test(m.text()) && !/404 \(Not Found\)/.test(m.text())) {
        problems.push(`console.error: ${m.text()}`)
      }
    })
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`HTTP ${r.status()} ${r.url()}`)
    })
  })

  afterAll(async () => {
    await context?.close()
    server?.child.kill()
    if (profileDir) rmSync(profileDir, { recursive: true, force: true })
  })

  const tab = (label: string) => page.locator('.weui-tabbar__item', { hasText: label })
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  /**
   * Waits until Taro's h5 router has finished showing `route`: pages slide in from the right
   * (~300 ms) and the previous page stays in the DOM, so "text is visible" is not enough
   * before a screenshot.
   */
  // (In-page code is passed as strings: the root tsconfig has no DOM lib, and should not.)
  const settled = (route: string) =>
    page.waitForFunction(`(() => {
      const el = [...document.querySelectorAll('.taro_page')].find((p) => p.id.startsWith(${JSON.stringify(`/${route}`)}))
      return !!el && el.classList.contains('taro_page_stationed') && getComputedStyle(el).display !== 'none' &&
        Math.abs(el.getBoundingClientRect().left) < 0.5
    })()`)
  const activeTabLabel = () => page.locator('.weui-tabbar__item.weui-bar__item_on .weui-tabbar__label').innerText()

  it('opens on 商城 with the WeChat-style tab bar', async () => {
    await page.goto(`${server!.url}/`)
    await expect.poll(() => page.url()).toContain('#/pages/mall/index')
    await page.locator('.card__title', { hasText: '商城' }).waitFor()
    await settled('pages/mall/index')
    expect(await page.locator('.weui-tabbar__item').allInnerTexts()).toEqual(['商城', '排队', '绿色积分', '我的'])
    expect(await activeTabLabel()).toBe('商城')
    // WeChat look: grey page, white card, green active tab label
    const look = await page.evaluate<{ page: string; card: string; radius: number; active: string }>(`(() => {
      const card = document.querySelector('.card')
      const active = document.querySelector('.weui-bar__item_on .weui-tabbar__label')
      return {
        page: getComputedStyle(document.querySelector('.page')).backgroundColor,
        card: getComputedStyle(card).backgroundColor,
        radius: parseFloat(getComputedStyle(card).borderTopLeftRadius),
        active: getComputedStyle(active).color,
      }
    })()`)
    expect(look).toMatchObject({ page: 'rgb(245, 245, 245)', card: 'rgb(255, 255, 255)', active: 'rgb(7, 193, 96)' })
    expect(look.radius).toBeGreaterThan(0)
    await shot('mall')
  })

  for (const [label, route, name, marker] of [
    ['排队', 'pages/queue/index', 'queue', '暂无排队记录'],
    ['绿色积分', 'pages/green/index', 'green', '积分明细即将上线'],
    ['我的', 'pages/me/index', 'me', '商家中心'],
    ['商城', 'pages/mall/index', 'mall-again', '商品列表即将上线'],
  ] as const) {
    it(`tab bar → ${label}`, async () => {
      await tab(label).click()
      await expect.poll(() => page.url()).toContain(`#/${route}`)
      await page.locator('.card__title', { hasText: label }).filter({ visible: true }).first().waitFor()
      await page.getByText(marker).filter({ visible: true }).first().waitFor()
      await settled(route)
      expect(await activeTabLabel()).toBe(label)
      if (name !== 'mall-again') await shot(name)
    })
  }

  it('我的: the dev identity pill switches x-openid identity', async () => {
    await tab('我的').click()
    const pill = page.locator('[data-testid="dev-id-pill"]').filter({ visible: true })
    await pill.waitFor()
    await expect.poll(() => pill.innerText()).toContain('demo-shopper-a')
    await settled('pages/me/index')
    await pill.click()
    await page.getByText('demo-merchant', { exact: true }).filter({ visible: true }).first().waitFor()
    await shot('me-dev-identity')
    await page.getByText('demo-merchant', { exact: true }).filter({ visible: true }).first().click()
    await expect.poll(() => page.evaluate<string | null>(`localStorage.getItem('dev.openid')`)).toBe('demo-merchant')
    await expect
      .poll(() => page.locator('[data-testid="dev-id-pill"]').filter({ visible: true }).innerText())
      .toContain('demo-merchant')
  })

  it('商家中心 opens from 我的', async () => {
    await tab('我的').click()
    await page.getByText('商家中心').filter({ visible: true }).first().click()
    await expect.poll(() => page.url()).toContain('#/pages/merchant/index')
    await page.getByText('商家功能即将上线').filter({ visible: true }).first().waitFor()
    await settled('pages/merchant/index')
    expect(await page.locator('.weui-tabbar').isVisible()).toBe(false) // not a tab page
    await shot('merchant')
  })

  it('收银台 reads ?c=<cashierId> from the h5 route', async () => {
    await page.goto(`${server!.url}/#/pages/cashier/index?c=cs_001`)
    await page.getByText('收银台编号').filter({ visible: true }).first().waitFor()
    await settled('pages/cashier/index')
    expect(await page.getByText('cs_001').filter({ visible: true }).count()).toBeGreaterThan(0)
    await shot('cashier')
  })

  it('logged no page errors, console errors or failed requests', () => {
    expect(problems).toEqual([])
  })
})
