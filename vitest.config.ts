import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['core/**/*.test.ts'] } },
      {
        test: {
          name: 'api',
          include: ['server/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // expect.poll waits for the page (a list drawn, a job's preview made): vitest's default of 1 s is less than a
          // page takes on a loaded CI machine; a poll that would fail still fails, 15 s later
          expect: { poll: { timeout: 15_000, interval: 100 } },
        },
      },
    ],
  },
});
