import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Bridges the tests start read no allow-list file of the user's (bridge/origins-file.mjs): this folder does not
 * exist, so each lets in what its flags say and no more.
 */
const env = { TRAINWHISTLE_CONFIG_DIR: join(tmpdir(), 'trainwhistle-tests-no-config') };

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
          env,
          include: ['tests/node/**/*.test.ts'],
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          env,
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
          env,
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
