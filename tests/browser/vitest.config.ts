import { defineConfig } from 'vitest/config'

/**
 * Vitest project `browser`: the h5 build in Debian's Chromium via playwright-core.
 * Needs `npm run build:h5 -w client` first. Run from the repo root:
 *   npx vitest run --config tests/browser/vitest.config.ts
 * SKIP_BROWSER=1 skips it (with a printed reason) on machines without /usr/bin/chromium.
 */
export default defineConfig({
  test: {
    name: 'browser',
    environment: 'node',
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
