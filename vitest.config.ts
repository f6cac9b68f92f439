import { defineConfig } from 'vitest/config';

// Two projects: the server (engine, database, cloud functions, gateway) runs in Node;
// the client project (component tests) is added by client/vitest.config.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          environment: 'node',
          include: ['server/**/*.test.ts', 'tests/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
