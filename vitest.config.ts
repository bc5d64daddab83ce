import { defineConfig } from 'vitest/config';

/**
 * Two projects: `node` (engine with real weights on wasm, operators, scripts) runs in parallel;
 * `browser` (real headless Chromium against a real build) runs one file at a time, since each
 * file drives a whole browser on a 2-core machine.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['tests/node/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/browser/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
