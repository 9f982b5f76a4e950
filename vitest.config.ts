import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The API test files run in workers that keep the modules they loaded (`isolate: false`): importing the server anew for
 * each of the ninety files was a third of the API pass's time. A file that replaces a module with vi.mock needs
 * modules of its own, so every such file (found here, not listed) runs in the isolated project `api-mocked`. Run both
 * with `--project api --project api-mocked`.
 */
const apiFiles = fs
  .readdirSync(path.join(import.meta.dirname, 'server'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `server/${f.split(path.sep).join('/')}`);
const mocking = apiFiles.filter((f) => /\bvi\.(mock|doMock)\(/.test(fs.readFileSync(path.join(import.meta.dirname, f), 'utf8')));
const apiOptions = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    projects: [
      // core's rules and the pages' pure helpers (web/src/**/*.test.ts: no DOM, no React)
      { test: { name: 'unit', include: ['core/**/*.test.ts', 'web/src/**/*.test.ts'] } },
      // a list, not `exclude`: a project's own exclude would drop the command line's --exclude (npm run test:cluster's)
      { test: { name: 'api', include: apiFiles.filter((f) => !mocking.includes(f)), isolate: false, ...apiOptions } },
      { test: { name: 'api-mocked', include: mocking.length ? mocking : ['server/no-such-file.test.ts'], ...apiOptions } },
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
