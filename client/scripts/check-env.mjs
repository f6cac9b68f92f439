// Fails when a build still reads process.env at run time. Taro inlines process.env.X only
// for variables it knows (TARO_ENV, NODE_ENV, config `env`, TARO_APP_* from .env files);
// anything else survives into the bundle and throws "process is not defined" in weapp/h5.
// Usage: node client/scripts/check-env.mjs dist/weapp|dist/h5
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', process.argv[2] ?? 'dist/weapp')
if (!existsSync(dir)) {
  console.error(`check-env: ${dir} does not exist`)
  process.exit(1)
}
const hits = []
;(function walk(d) {
  for (const name of readdirSync(d)) {
    const p = join(d, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (name.endsWith('.js')) {
      const m = readFileSync(p, 'utf8').match(/process\.env\.[A-Za-z_][A-Za-z0-9_]*/g)
      if (m) hits.push(`${relative(dir, p)}: ${[...new Set(m)].join(', ')}`)
    }
  }
})(dir)
if (hits.length) {
  console.error(`check-env: run-time process.env reads left in ${relative(process.cwd(), dir)} — define them in client/config/index.ts \`env\`:`)
  for (const h of hits) console.error(`  ${h}`)
  process.exit(1)
}
console.log(`check-env: ${relative(process.cwd(), dir) || dir} reads no process.env at run time`)
