import { defineConfig } from 'vitest/config';

/**
 * Three projects, by purpose:
 * - `node` (engine with real weights on wasm, operators, outputs, the bridge, scripts) runs in parallel;
 * - `browser` (real headless Chromium against a real build) runs one file at a time, since each file drives a
 *   whole browser on a 2-core machine;
 * - `stress` (timing figures, floods, the soak, the 5,000-example project) is `npm run test:stress`, run alone so
 *   nothing competes with what it measures; it checks its figures against the README's (tests/stress/claims.ts).
 * `npm test` runs `node` and `browser`: what the tool does, never how fast.
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
      {
        test: {
          name: 'stress',
          include: ['tests/stress/**/*.test.ts'],
          globalSetup: ['tests/browser/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
