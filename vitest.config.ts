import { configDefaults, defineConfig } from 'vitest/config';

// Projects: the server (engine, database, cloud functions, gateway) runs in Node; the client's
// component tests, the weapp simulator tests and the real-browser tests have their own configs.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          environment: 'node',
          include: ['server/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'tests/browser/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      'client/vitest.config.ts',
      'client/vitest.weapp.config.ts',
      'tests/browser/vitest.config.ts',
    ],
  },
});
