import { defineConfig } from 'vite';
import { ISOLATION_HEADERS } from './scripts/isolation.mjs';

/**
 * `npm start` serves the app; `vite build` writes it to dist/app/ (scripts/build.mjs builds the package
 * beside it, in dist/lib/ and dist/standalone/). With `--mode test` the build also
 * holds the browser-test pages (tests/browser/harness.html, teachable.html) and goes to dist-test/; with
 * `--mode bench` (npm run bench) the app plus the benchmark page (bench/bench.html) go to .cache/dist-bench/.
 */

export default defineConfig(({ mode }) => {
  const input: Record<string, string> = { app: 'index.html' };
  if (mode === 'test') {
    input.harness = 'tests/browser/harness.html';
    input.teachable = 'tests/browser/teachable.html';
  }
  if (mode === 'bench') input.bench = 'bench/bench.html';
  return {
    // The worker is not minified: tfjs-backend-wasm's threaded build starts its threads from the source text
    // of its own factory function (Function.prototype.toString), which minification breaks (a variable of
    // the enclosing scope goes missing in the threads). The worker is loaded once and cached; size matters less.
    worker: { format: 'es', rolldownOptions: { output: { minify: false } } },
    server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
    preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION_HEADERS },
    build: {
      target: 'es2022',
      // TW_TEST_DIST lets two test runs on one machine build apart (tests/support/paths.ts reads it too).
      outDir:
        mode === 'test'
          ? (process.env.TW_TEST_DIST ?? 'dist-test')
          : mode === 'bench'
            ? '.cache/dist-bench'
            : 'dist/app',
      chunkSizeWarningLimit: 4096,
      rollupOptions: { input },
    },
  };
});
