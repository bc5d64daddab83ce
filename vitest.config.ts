import { defineConfig } from 'vitest/config';

/**
 * Three projects, by purpose:
 * - `node` (engine with real weights on wasm, operators, outputs, the bridge, scripts) runs two files at a time;
 * - `browser` (real headless Chromium against a real build) runs one file at a time: each drives a whole
 *   browser, and two at once on a 2-core machine slowed each other to flaking (a camera's few buffers all held,
 *   a recording shorter than a busy worker's answer) and saved little;
 * - `stress` (timing figures, floods, the soak, the 5,000-example project) is `npm run test:stress`, run alone so
 *   nothing competes with what it measures; it checks its figures against the README's (tests/stress/claims.ts).
 * `npm test` runs lint, then `node`, then `browser`: what the tool does, never how fast. (Lint and the node tests
 * beside the browser tests saved 40 s of 780 and loaded both cores while browsers ran.)
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['tests/node/**/*.test.ts'],
          maxWorkers: 2,
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
