// Sums the bytes of the weapp build (the main package, client/dist/weapp) and fails when it
// exceeds WeChat's 2 MB main-package limit. Usage: node client/scripts/size.mjs [dir]
import { readdirSync, statSync, existsSync } from 'node:fs'
import { join, dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const LIMIT = 2 * 1024 * 1024
const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'weapp')
if (!existsSync(dir)) {
  console.error(`size: ${dir} does not exist — run the weapp build first`)
  process.exit(1)
}

const IGNORE = /\.map$/ // source maps are not uploaded
let total = 0
const biggest = []
;(function walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name)
    const st = statSync(p)
    if (st.isDirectory()) walk(p)
    else if (!IGNORE.test(name)) {
      total += st.size
      biggest.push([st.size, relative(dir, p)])
    }
  }
})(dir)

biggest.sort((a, b) => b[0] - a[0])
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
console.log(`weapp main package: ${kb(total)} of ${kb(LIMIT)} (${((total / LIMIT) * 100).toFixed(1)}%)`)
for (const [size, file] of biggest.slice(0, 5)) console.log(`  ${kb(size).padStart(9)}  ${file}`)
if (total > LIMIT) {
  console.error(`size: weapp main package is over WeChat's 2 MB limit — move pages into subpackages`)
  process.exit(1)
}
