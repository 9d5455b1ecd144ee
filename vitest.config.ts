import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Two projects: fast unit/integration tests, and end-to-end tests that drive the built app
// (`npm test` builds first) in Debian's Chromium and, where its binary exists, Electron.
export default defineConfig({
  plugins: [vue()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // The page redraws charts paced by their cost (flushQueue.ts); on a loaded CI machine
          // a settled chart can take seconds, far beyond expect.poll's 1 s default.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
