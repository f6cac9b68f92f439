// Sums the bytes of the weapp build (client/dist/weapp): the main package (everything outside the
// subpackage roots listed in app.json) must stay within MAIN_LIMIT — WeChat allows 2 MB, this
// project holds itself to 1 MB (issue 13) so the shopper's first open stays fast — and each
// subpackage within WeChat's 2 MB. Usage: node client/scripts/size.mjs [dir]
import { readdirSync, statSync, existsSync, readFileSync } from 'node:fs'
import { join, dirname, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const MAIN_LIMIT = 1024 * 1024
const SUB_LIMIT = 2 * 1024 * 1024
const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'weapp')
if (!existsSync(dir)) {
  console.error(`size: ${dir} does not exist — run the weapp build first`)
  process.exit(1)
}

const app = JSON.parse(readFileSync(join(dir, 'app.json'), 'utf8'))
const roots = (app.subPackages ?? app.subpackages ?? []).map((p) => p.root.replace(/\/$/, ''))
const IGNORE = /\.map$/ // source maps are not uploaded
const packages = new Map([['main', { bytes: 0, files: [] }], ...roots.map((r) => [r, { bytes: 0, files: [] }])])
;(function walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name)
    const st = statSync(p)
    if (st.isDirectory()) walk(p)
    else if (!IGNORE.test(name)) {
      const rel = relative(dir, p).split(sep).join('/')
      const pkg = roots.find((r) => rel === r || rel.startsWith(`${r}/`)) ?? 'main'
      packages.get(pkg).bytes += st.size
      packages.get(pkg).files.push([st.size, rel])
    }
  }
})(dir)

const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const main = packages.get('main')
console.log(`weapp main package: ${kb(main.bytes)} of ${kb(MAIN_LIMIT)} (${((main.bytes / MAIN_LIMIT) * 100).toFixed(1)}%)`)
for (const [size, file] of main.files.sort((a, b) => b[0] - a[0]).slice(0, 5)) console.log(`  ${kb(size).padStart(9)}  ${file}`)
for (const r of roots) console.log(`subpackage ${r}: ${kb(packages.get(r).bytes)}`)
let failed = false
if (main.bytes > MAIN_LIMIT) {
  console.error(`size: the weapp main package is over ${kb(MAIN_LIMIT)} — move pages into subpackages`)
  failed = true
}
for (const r of roots) {
  if (packages.get(r).bytes > SUB_LIMIT) {
    console.error(`size: subpackage ${r} is over WeChat's 2 MB limit`)
    failed = true
  }
}
if (failed) process.exit(1)
