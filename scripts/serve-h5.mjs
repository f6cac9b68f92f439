#!/usr/bin/env node
// Serves the h5 build (client/dist/h5) on 127.0.0.1, with no dependencies.
//
//   node scripts/serve-h5.mjs                      # http://127.0.0.1:5173 (PORT, HOST to change)
//   API_URL=http://127.0.0.1:8787 node scripts/serve-h5.mjs   # also proxy /api/* and /health
//
// As a library (the local gateway mounts the bundle on its own server):
//
//   import { createStaticHandler } from '../../scripts/serve-h5.mjs'
//   const serveH5 = createStaticHandler('client/dist/h5')
//   http.createServer((req, res) => { if (route(req, res)) return; if (serveH5(req, res)) return; notFound(res) })
//
// createStaticHandler(rootDir) returns (req, res) => boolean: true when it wrote a response.
// It never answers /api/* or /health (returns false), only GET/HEAD, and never outside rootDir.
import { createReadStream, existsSync, statSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const DEFAULT_H5_ROOT = path.join(REPO_ROOT, 'client', 'dist', 'h5')

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
}

/** Paths the API owns; the static handler never answers them. */
export function isApiPath(pathname) {
  return pathname === '/health' || pathname === '/api' || pathname.startsWith('/api/')
}

/**
 * @param {string} rootDir directory of the h5 build (index.html, js/, css/, static/)
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean}
 */
export function createStaticHandler(rootDir = DEFAULT_H5_ROOT) {
  const root = path.resolve(rootDir)
  const indexFile = path.join(root, 'index.html')

  const send = (req, res, file, stat) => {
    const ext = path.extname(file).toLowerCase()
    const isIndex = file === indexFile
    res.statusCode = 200
    res.setHeader('content-type', MIME[ext] ?? 'application/octet-stream')
    res.setHeader('content-length', String(stat.size))
    res.setHeader('x-content-type-options', 'nosniff')
    // Bundle files carry a [contenthash] in their names; index.html must always be re-read.
    res.setHeader(
      'cache-control',
      isIndex || ext === '.html' ? 'no-cache' : /\.[0-9a-f]{8,}\./.test(path.basename(file)) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    )
    if (req.method === 'HEAD') {
      res.end()
      return true
    }
    createReadStream(file)
      .on('error', (err) => {
        if (!res.headersSent) res.statusCode = 500
        res.end(String(err))
      })
      .pipe(res)
    return true
  }

  const fileAt = (p) => {
    try {
      const st = statSync(p)
      return st.isFile() ? st : null
    } catch {
      return null
    }
  }

  return function serveStatic(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false
    let pathname
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    } catch {
      return false // malformed escape: not ours
    }
    if (isApiPath(pathname) || pathname.includes('\0')) return false

    const target = path.resolve(root, '.' + path.posix.normalize(pathname))
    if (target !== root && !target.startsWith(root + path.sep)) return false // traversal

    let st = fileAt(target)
    if (st) return send(req, res, target, st)
    const dirIndex = path.join(target, 'index.html')
    st = fileAt(dirIndex)
    if (st) return send(req, res, dirIndex, st)
    // The app uses the hash router, so any extension-less path is the app itself.
    if (!path.extname(pathname)) {
      st = fileAt(indexFile)
      if (st) return send(req, res, indexFile, st)
    }
    return false
  }
}

/**
 * A handler forwarding /api/* and /health to apiUrl (method, headers, body, status all passed
 * through). Returns false for other paths. When the upstream is down, answers 502 with the
 * usual envelope and code NETWORK so the client shows 网络异常.
 * @param {string} apiUrl e.g. http://127.0.0.1:8787
 */
export function createApiProxy(apiUrl) {
  const upstream = new URL(apiUrl)
  const client = upstream.protocol === 'https:' ? https : http
  const basePath = upstream.pathname.replace(/\/+$/, '')
  return function proxyApi(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!isApiPath(url.pathname)) return false
    const headers = { ...req.headers, host: upstream.host }
    delete headers.connection
    const upstreamReq = client.request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: basePath + url.pathname + url.search,
        headers,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers)
        upstreamRes.pipe(res)
      },
    )
    upstreamReq.on('error', (err) => {
      if (res.headersSent) {
        res.destroy(err)
        return
      }
      sendJson(res, 502, { ok: false, error: { code: 'NETWORK', message: `API gateway unreachable: ${err.message}` } })
    })
    req.pipe(upstreamReq)
    return true
  }
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/**
 * Starts a server for the h5 bundle (and the API proxy when apiUrl is given).
 * @param {{ rootDir?: string, apiUrl?: string, port?: number, host?: string }} [opts]
 * @returns {Promise<{ server: import('node:http').Server, url: string, close: () => Promise<void> }>}
 */
export async function startH5Server(opts = {}) {
  const rootDir = opts.rootDir ?? DEFAULT_H5_ROOT
  const host = opts.host ?? '127.0.0.1'
  const port = opts.port ?? 0
  if (!existsSync(path.join(rootDir, 'index.html'))) {
    throw new Error(`serve-h5: ${rootDir}/index.html not found — run \`npm run build:h5 -w client\` first`)
  }
  const serveStatic = createStaticHandler(rootDir)
  const proxyApi = opts.apiUrl ? createApiProxy(opts.apiUrl) : null

  const server = http.createServer((req, res) => {
    if (proxyApi && proxyApi(req, res)) return
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    if (isApiPath(pathname)) {
      sendJson(res, 503, { ok: false, error: { code: 'NETWORK', message: 'no API_URL configured for serve-h5' } })
      return
    }
    if (serveStatic(req, res)) return
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('Not Found')
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(undefined)
    })
  })
  const addr = server.address()
  const url = `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}`
  return {
    server,
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}

// CLI
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const argPort = process.argv.indexOf('--port')
  const port = Number(argPort > 0 ? process.argv[argPort + 1] : process.env.PORT ?? 5173)
  startH5Server({
    rootDir: process.env.H5_ROOT ? path.resolve(process.env.H5_ROOT) : DEFAULT_H5_ROOT,
    apiUrl: process.env.API_URL || undefined,
    port,
    host: process.env.HOST ?? '127.0.0.1',
  }).then(
    ({ url }) => {
      console.log(`serve-h5: ${url}/  (root ${process.env.H5_ROOT ?? DEFAULT_H5_ROOT})`)
      console.log(process.env.API_URL ? `serve-h5: /api/* and /health → ${process.env.API_URL}` : 'serve-h5: no API_URL: /api/* answers 503')
    },
    (err) => {
      console.error(err.message)
      process.exit(1)
    },
  )
}
