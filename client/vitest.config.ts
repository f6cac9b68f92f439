import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))

/**
 * Taro's published JS points at source maps whose sources are not shipped, and Vite prints a
 * warning for each of the ~200 inlined files. Load those files ourselves, minus the map link.
 */
const quietTaroSourcemaps: Plugin = {
  name: 'quiet-taro-sourcemaps',
  enforce: 'pre',
  load(id) {
    if (!/[\\/]node_modules[\\/]@tarojs[\\/].*\.m?js$/.test(id)) return null
    const code = readFileSync(id.replace(/\?.*$/, ''), 'utf8')
    return { code: code.replace(/^\/\/# sourceMappingURL=.*$/gm, ''), map: null }
  },
}

/**
 * Vitest project `client`: component and library tests in jsdom, against Taro's real
 * H5 components. Run from the repo root:  npx vitest run --config client/vitest.config.ts
 * or as a project of the root vitest.config.ts (test.projects: ['client/vitest.config.ts']).
 */
export default defineConfig({
  root: here('.'),
  plugins: [quietTaroSourcemaps],
  define: {
    'process.env.TARO_ENV': JSON.stringify('h5'),
    'process.env.TARO_PLATFORM': JSON.stringify('web'),
    // Build-time flags Taro's runner normally defines for @tarojs/runtime.
    ENABLE_INNER_HTML: 'true',
    ENABLE_ADJACENT_HTML: 'false',
    ENABLE_SIZE_APIS: 'false',
    ENABLE_TEMPLATE_CONTENT: 'false',
    ENABLE_CLONE_NODE: 'false',
    ENABLE_CONTAINS: 'false',
    ENABLE_MUTATION_OBSERVER: 'false',
    DEPRECATED_ADAPTER_COMPONENT: 'false',
  },
  resolve: {
    alias: [
      { find: /^@\/(.*)$/, replacement: `${here('./src')}/$1` },
      { find: /^@test\/(.*)$/, replacement: `${here('./test')}/$1` },
      { find: /^@tarojs\/components$/, replacement: '@tarojs/components/lib/react' },
      { find: /^@tarojs\/taro$/, replacement: here('./test/taro-shim.ts') },
    ],
  },
  test: {
    name: 'client',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: [here('./test/setup.ts')],
    css: false,
    server: {
      deps: {
        inline: [/@tarojs/],
      },
    },
    testTimeout: 20_000,
  },
})
