/**
 * What the browser stories share: a fresh local gateway (embedded DATA_DIR, SEED=none) serving
 * the h5 build, Debian's Chromium through playwright-core with a phone-sized viewport, and the
 * page helpers the stories read like sentences with (open a page as someone, fill, tap, wait for
 * a toast, take a screenshot into artifacts/screenshots/).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'

/** Slogans that must appear nowhere (split so the CI slogan grep does not match this file). */
export const BANNED = ['只涨' + '不跌', '消费等于' + '赚钱', '购物' + '返本', '永远' + '不跌']

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const H5_ROOT = join(REPO, 'client', 'dist', 'h5')
export const SHOTS = join(REPO, 'artifacts', 'screenshots')
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
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
export const ADMIN = 'demo-admin'

export const skipBrowser = process.env.SKIP_BROWSER === '1'

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.once('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => res(port))
    })
  })
}

function withoutDatabaseEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { MONGODB_URI: _uri, DB_NAME: _name, ...rest } = env
  return rest
}

export interface Gateway {
  url: string
  child: ChildProcess
  log: () => string
}

/** Starts the gateway (fresh DATA_DIR, no demo data, `admin` as the platform admin) serving the h5 build. */
export async function startGateway(dataDir: string, admin = ADMIN): Promise<Gateway> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'server', 'src', 'gateway', 'main.ts')], {
    cwd: REPO,
    // a fresh embedded DATA_DIR even when MONGODB_URI is set: the story is about the client, and a
    // gateway on the replica set would share the default database between runs
    env: { ...withoutDatabaseEnv(process.env), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SEED: 'none', SERVE_H5: '1', H5_ROOT, ADMIN_OPENIDS: admin, PUBLIC_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()))
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${out}`)
    try {
      const r = await fetch(`${url}/health`)
      if (r.ok) return { url, child, log: () => out }
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  child.kill()
  throw new Error(`gateway did not answer /health within 30 s:\n${out}`)
}

export interface Session {
  gw: Gateway
  context: BrowserContext
  page: Page
  /** page errors, console errors and server errors seen so far */
  problems: string[]
  close(): Promise<void>
}

/** A gateway and a Chromium page on it, phone-sized, zh-CN, Asia/Shanghai; collects page and server errors. */
export async function openSession(admin = ADMIN): Promise<Session> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found. Install it with \`apt-get install -y chromium fonts-noto-cjk\`, or set SKIP_BROWSER=1 to skip the browser test.`)
  }
  if (!existsSync(join(H5_ROOT, 'index.html'))) throw new Error(`${H5_ROOT}/index.html not found: run \`npm run build:h5 -w client\` first.`)
  mkdirSync(SHOTS, { recursive: true })
  const dataDir = mkdtempSync(join(tmpdir(), 'story-data-'))
  const gw = await startGateway(dataDir, admin)
  const profileDir = mkdtempSync(join(tmpdir(), 'story-chromium-'))
  const context = await chromium.launchPersistentContext(profileDir, {
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
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(15_000)
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.text()) && !/status of 4\d\d/.test(m.text())) problems.push(`console.error: ${m.text()}`)
  })
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`HTTP ${r.status()} ${r.url()}`)
  })
  return {
    gw,
    context,
    page,
    problems,
    async close() {
      await context.close()
      gw.child.kill()
      for (const d of [profileDir, dataDir]) rmSync(d, { recursive: true, force: true })
    },
  }
}

/** The helpers a story reads with; they look the session up when called (it is opened in beforeAll). */
export function pageHelpers(session: () => Session) {
  const page = () => session().page
  const visible = (l: Locator) => l.filter({ visible: true }).first()
  const text = (t: string | RegExp) => visible(page().getByText(t))
  const byTestId = (id: string) => visible(page().locator(`[data-testid="${id}"]`))
  /** Waits until Taro's h5 router has finished sliding `route` in (the previous page stays in the DOM). */
  const settled = (route: string) =>
    page().waitForFunction(`(() => {
      const el = [...document.querySelectorAll('.taro_page')].find((p) => p.id.startsWith(${JSON.stringify(`/${route}`)}))
      return !!el && el.classList.contains('taro_page_stationed') && getComputedStyle(el).display !== 'none' &&
        Math.abs(el.getBoundingClientRect().left) < 0.5
    })()`)
  const shot = async (name: string, route?: string) => {
    if (route) await settled(route)
    // let toasts fade so they do not hide the page (Taro h5 toasts last 1.5 s)
    await page()
      .waitForFunction(`![...document.querySelectorAll('.taro__toast')].some((t) => getComputedStyle(t).display !== 'none' && getComputedStyle(t).opacity !== '0')`, undefined, { timeout: 3000 })
      .catch(() => undefined)
    // pictures finish loading before the picture is taken
    await page().waitForFunction(`[...document.querySelectorAll('img')].every((i) => i.complete)`, undefined, { timeout: 5000 }).catch(() => undefined)
    await page().waitForTimeout(150)
    // Taro's h5 pages scroll inside their own container, so fullPage alone stops at the
    // viewport: grow the viewport to the page's content for the picture, then restore it.
    const h = await page().evaluate<number>(`Math.max(844, ...[...document.querySelectorAll('.taro_page, .taro-tabbar__panel, body')]
      .filter((e) => e.offsetParent !== null || e === document.body).map((e) => e.scrollHeight + 120))`)
    await page().setViewportSize({ width: 390, height: Math.min(h, 6000) })
    await page().waitForTimeout(100)
    await page().screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
    await page().setViewportSize({ width: 390, height: 844 })
  }
  /** A picture of one element (a panel, a chart), for a closer look than the whole page. */
  const shotOf = async (testId: string, name: string) => {
    // Taro's h5 page scrolls inside its own container: grow the viewport to the content (as
    // `shot` does) and clip the element out of that, rather than an element screenshot
    const h = await page().evaluate<number>(`Math.max(844, ...[...document.querySelectorAll('.taro_page, .taro-tabbar__panel, body')]
      .filter((e) => e.offsetParent !== null || e === document.body).map((e) => e.scrollHeight + 120))`)
    await page().setViewportSize({ width: 390, height: Math.min(h, 6000) })
    await page().waitForTimeout(100)
    const box = await byTestId(testId).boundingBox()
    if (box) await page().screenshot({ path: join(SHOTS, `${name}.png`), clip: { x: 0, y: Math.max(0, box.y - 8), width: 390, height: box.height + 16 } })
    await page().setViewportSize({ width: 390, height: 844 })
  }
  /** Opens a page as `openid` with a full load (the identity is read from localStorage). */
  const open = async (openid: string, route: string) => {
    // /health is same-origin but runs no app code: nothing can call the API as the old
    // identity after the switch (a late user.login would create B without A's ref).
    await page().goto(`${session().gw.url}/health`)
    await page().evaluate(`localStorage.setItem('dev.openid', ${JSON.stringify(openid)})`)
    await page().goto(`${session().gw.url}/#/${route}`)
    await settled(route.split('?')[0]!)
  }
  const fill = async (testId: string, value: string) => {
    const host = byTestId(testId)
    const tag = await host.evaluate((el: { tagName: string }) => el.tagName)
    const input = tag === 'INPUT' || tag === 'TEXTAREA' ? host : host.locator('input, textarea').first()
    await input.fill(value)
  }
  const tap = (testId: string) => byTestId(testId).click()
  const confirmModal = async () => {
    await text(/^确定$/).click()
  }
  /** Waits for the toast text (loading / success / error toasts are Taro h5 overlays). */
  const toastSays = (t: string | RegExp) => text(t).waitFor()
  const api = async <T,>(openid: string, fn: string, action: string, params: object = {}, now?: string): Promise<T> => {
    const r = await fetch(`${session().gw.url}/api/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-openid': openid, ...(now ? { 'x-now': now } : {}) },
      body: JSON.stringify({ action, ...params }),
    })
    const body = (await r.json()) as { ok: boolean; data: T; error?: { message: string } }
    if (!body.ok) throw new Error(`${fn}.${action}: ${body.error?.message}`)
    return body.data
  }
  /** A picture of the phone screen as the shopper sees it (no growing: sheets and bars stay where they are). */
  const screen = async (name: string) => {
    await page().waitForTimeout(300)
    await page().screenshot({ path: join(SHOTS, `${name}.png`) })
  }
  /** Upload bytes as the gateway's /upload/image (what the h5 client does after the file chooser). */
  const uploadBytes = async (openid: string, bytes: Buffer): Promise<string> => {
    const r = await fetch(`${session().gw.url}/upload/image?purpose=catalog`, { method: 'POST', headers: { 'content-type': 'image/png', 'x-openid': openid }, body: bytes })
    const body = (await r.json()) as { ok: boolean; data: { fileId: string }; error?: { message: string } }
    if (!body.ok) throw new Error(`upload: ${body.error?.message}`)
    return body.data.fileId
  }
  /** Tap what opens the browser's file chooser and give it `file`. */
  const chooseFile = async (testId: string, file: string) => {
    const chooser = page().waitForEvent('filechooser')
    await tap(testId)
    await (await chooser).setFiles(file)
  }
  /**
   * 插件设置 shows one topic at a time: when a `cfg-<path>` field is not on screen, tap its topic
   * first (the section of the path; deduction and payment are on 抵扣与提现, as configForm.topicOf says).
   */
  const onTopic = async (testId: string) => {
    if (await byTestId(testId).count()) return
    const head = testId.replace(/^cfg-/, '').split('.')[0]!
    await tap(`cfg-topic-${['deduction', 'withdrawal', 'payment'].includes(head) ? 'withdrawal' : head}`)
    await byTestId(testId).waitFor()
  }
  const fillCfg = async (testId: string, value: string) => {
    await onTopic(testId)
    await fill(testId, value)
  }
  const tapCfg = async (testId: string) => {
    await onTopic(testId)
    await tap(testId)
  }
  return { visible, text, byTestId, settled, shot, shotOf, screen, open, fill, tap, confirmModal, toastSays, api, uploadBytes, chooseFile, onTopic, fillCfg, tapCfg }
}
