#!/usr/bin/env node
// @ts-check
/**
 * `npm run build` (after `tsc --noEmit`): the app and the package, each in its own folder of dist/.
 *
 * | folder | for | what |
 * | --- | --- | --- |
 * | `dist/app/` | `npm run preview`, any static host | the app, from vite.config.ts |
 * | `dist/lib/` | bundlers (`exports["."]`) | `index.js`, `worker.js`, the tfjs wasm binaries, `index.d.ts`; every dependency stays a bare import |
 * | `dist/standalone/` | a page with no bundler (`exports["./standalone"]`) | `trainwhistle.js` (rxjs, comlink, osc-js inside), `worker.js` (tfjs inside), the wasm binaries |
 *
 * `node scripts/build.mjs lib standalone` builds only the folders named.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(REPO, 'src/index.ts');
export const TARGETS = /** @type {const} */ (['app', 'lib', 'standalone']);
/** @typedef {(typeof TARGETS)[number]} Target */

/** `new Worker(new URL('<path>.ts', import.meta.url)`: the worker entries, as Vite's docs write them. */
const WORKER_URL = /(\bnew\s+Worker\s*\(\s*)new\s+URL\s*\(\s*(['"])([^'"]+\.ts)\2\s*,\s*import\.meta\.url\s*\)/g;
const URL_QUERY = '?url';
const ASSET_ID = '\0trainwhistle-asset:';

/**
 * The source asks for its run-time files the way Vite documents, which the app's dev server and build
 * understand: the worker with `new Worker(new URL('../worker/worker.ts', import.meta.url), …)`, the wasm
 * binaries with `import url from '…/tfjs-backend-wasm.wasm?url'`. Vite 8's library mode (measured with
 * 8.3.8) does not fit a library: it inlines every asset as base64 (the three wasm binaries, 1.2 MB, inside
 * the worker), bundles the worker's dependencies into it whatever `external` says, and points at it as
 * `/assets/worker-<hash>.js`, absolute, so only a page at the server's root finds it.
 *
 * This plugin runs before Vite's and writes both in the one form, relative to the module itself, that
 * browsers read as it is and bundlers that follow `new URL(…, import.meta.url)` pick up (Vite 8 and
 * webpack 5 did, in a project that installed the packed package):
 * - each worker becomes an entry of its own, `worker.js`, started with
 *   `new Worker(new URL('./worker.js', import.meta.url), …)`;
 * - each `?url` file is copied beside the module under its own name and becomes
 *   `new URL('./tfjs-backend-wasm.wasm', import.meta.url).href`.
 * @returns {import('vite').Plugin}
 */
export function filesBesideTheModule() {
  return {
    name: 'trainwhistle:files-beside-the-module',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!source.endsWith(URL_QUERY) || !importer) return null;
      const file = createRequire(importer).resolve(source.slice(0, -URL_QUERY.length));
      return ASSET_ID + file;
    },
    async load(id) {
      if (!id.startsWith(ASSET_ID)) return null;
      const file = id.slice(ASSET_ID.length);
      const ref = this.emitFile({ type: 'asset', fileName: basename(file), source: await readFile(file) });
      return `export default import.meta.ROLLUP_FILE_URL_${ref}.href;`;
    },
    transform(code, id) {
      if (!code.includes('new Worker')) return null;
      const out = code.replace(WORKER_URL, (_match, start, _quote, path) => {
        const file = resolve(dirname(id), /** @type {string} */ (path));
        const ref = this.emitFile({ type: 'chunk', id: file, fileName: `${basename(file, '.ts')}.js` });
        return `${start}import.meta.ROLLUP_FILE_URL_${ref}`;
      });
      return out === code ? null : { code: out, map: null };
    },
    // The bare `new URL('./x', import.meta.url)` (no `.href`): inside `new Worker(…)` it is the pattern that
    // bundlers look for, and the assets above add `.href` themselves.
    resolveFileUrl({ relativePath }) {
      const path = relativePath.startsWith('.') ? relativePath : `./${relativePath}`;
      return `new URL(${JSON.stringify(path)}, import.meta.url)`;
    },
  };
}

/**
 * The Vite config of `dist/lib` or `dist/standalone`.
 * @param {'lib' | 'standalone'} target
 * @param {string} outDir
 * @returns {Promise<import('vite').InlineConfig>}
 */
export async function packageConfig(target, outDir) {
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
  const dependencies = Object.keys(pkg.dependencies ?? {});
  /** A dependency's module (not a `?url` file from inside one), left for the consumer's bundler to resolve. */
  const isDependency = (/** @type {string} */ id) =>
    !id.endsWith(URL_QUERY) && dependencies.some((d) => id === d || id.startsWith(`${d}/`));
  return {
    root: REPO,
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    plugins: [filesBesideTheModule()],
    build: {
      target: 'es2022',
      outDir,
      emptyOutDir: true,
      // Not minified: the consumer's bundler minifies the lib build; and in the standalone build the
      // worker must not be (tfjs-backend-wasm's threaded build starts its threads from the source text of its
      // own factory function, which minification breaks; see vite.config.ts), nor, for one rule, the module.
      minify: false,
      lib: { entry: ENTRY, formats: ['es'], fileName: target === 'lib' ? 'index' : 'trainwhistle' },
      rolldownOptions: {
        external: target === 'lib' ? isDependency : [],
        // Code both the page and the worker use (comlink, the options): a chunk that both load.
        output: { chunkFileNames: 'shared-[hash].js' },
      },
    },
  };
}

/**
 * `index.d.ts`: the public API (what src/index.ts exports) as one file, nothing internal beside it.
 * @param {string} outDir
 */
async function writeTypes(outDir) {
  const { generateDtsBundle } = await import('dts-bundle-generator');
  const [dts] = generateDtsBundle([{ filePath: ENTRY, output: { exportReferencedTypes: false, noBanner: true } }], {
    preferredConfigPath: join(REPO, 'tsconfig.json'),
  });
  await writeFile(join(outDir, 'index.d.ts'), dts ?? '');
}

/**
 * Builds one folder of dist/, or `outDir` instead (tests build into a folder of their own).
 * @param {Target} target
 * @param {{ outDir?: string }} [options]
 */
export async function buildTarget(target, { outDir = join(REPO, 'dist', target) } = {}) {
  if (target === 'app') {
    await build({ root: REPO, configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn', build: { outDir } });
    return;
  }
  await build(await packageConfig(target, outDir));
  if (target === 'lib') await writeTypes(outDir);
}

/** @param {string[]} argv */
async function main(argv) {
  const unknown = argv.filter((a) => !(/** @type {readonly string[]} */ (TARGETS).includes(a)));
  if (unknown.length) throw new Error(`Unknown target ${unknown.join(', ')}: choose from ${TARGETS.join(', ')}.`);
  const targets = argv.length ? /** @type {Target[]} */ (argv) : TARGETS;
  for (const target of targets) {
    const started = performance.now();
    await buildTarget(target);
    console.log(`built dist/${target}/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

// Run only when executed, so tests may import buildTarget().
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((/** @type {Error} */ err) => {
    console.error(err);
    process.exit(1);
  });
}
