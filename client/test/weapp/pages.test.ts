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
    // Taro's weapp runtime reads wx.getSystemInfoSync etc.; miniprogram-simulate provides `wx`.
    require(join(ROOT, 'app.js'))
    app.onLaunch?.call(app, { path: 'pages/mall/index', query: {}, scene: 1001 })
    await sleep(200)
  })

  it('商城 renders its title card', async () => {
    const page = await renderPage('pages/mall/index')
    pages.push(page)
    const text = page.dom.textContent ?? ''
    expect(text).toContain('商城')
    expect(text).toContain('精选好物')
  })

  it('商城 can be shared (enableShareAppMessage + useShareAppMessage)', async () => {
    const page = pages[0]!
    const share = (page.instance as { onShareAppMessage?: (o: object) => unknown }).onShareAppMessage
    expect(typeof share).toBe('function')
    expect(share!.call(page.instance, { from: 'menu' })).toMatchObject({ path: '/pages/mall/index' })
  })

  it('排队 renders its title card', async () => {
    const page = await renderPage('pages/queue/index')
    pages.push(page)
    expect(page.dom.textContent ?? '').toContain('排队')
    expect(page.dom.textContent ?? '').toContain('暂无排队记录')
  })

  it('收银台 reads the cashier id from the mini-program code scene', async () => {
    const page = await renderPage('pages/cashier/index', { scene: encodeURIComponent('c=cs_001') })
    pages.push(page)
    expect(page.dom.textContent ?? '').toContain('收银台编号')
    expect(page.dom.textContent ?? '').toContain('cs_001')
  })

  it('我的 does not show the h5-only dev identity pill', async () => {
    const page = await renderPage('pages/me/index')
    pages.push(page)
    expect(page.dom.textContent ?? '').toContain('商家中心')
    expect(page.dom.textContent ?? '').not.toContain('开发身份')
  })
})
