import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * Vitest project `weapp`: loads pages of the real weapp build (client/dist/weapp) into
 * miniprogram-simulate, which runs WeChat's own wcc/wcsc compilers. Needs
 * `npm run build:weapp -w client` first; without the build the tests skip and say why.
 * Run from the repo root:  npx vitest run --config client/vitest.weapp.config.ts
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'weapp',
    // miniprogram-simulate renders into a DOM (it was made for jest + jsdom).
    environment: 'jsdom',
    include: ['test/weapp/**/*.test.ts'],
    // The build output and the simulator are plain CommonJS: leave them to Node's require.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
