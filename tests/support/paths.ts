/** Where the repository and the shared models and photos are. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = resolve(REPO, '../shared');
/** Where the browser tests' build goes (vite.config.ts, mode test): dist-test, or $TW_TEST_DIST. */
export const TEST_DIST = resolve(REPO, process.env.TW_TEST_DIST ?? 'dist-test');
