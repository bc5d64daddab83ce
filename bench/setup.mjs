// @ts-check
/**
 * What `npm run bench` and `npm run soak` both stand on, made the one way: the weights, the build
 * (vite --mode bench: the app and the benchmark page, in .cache/dist-bench), a preview server of it on a free
 * localhost port, the fake camera's clip made from the real photos (tests/support/clip.ts, as the browser
 * tests have it), and Chromium's flags.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, runnerImport } from 'vite';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(REPO, 'vite.config.ts');

/** Copies MobileNet's weights into public/models from ../shared/models when they are not there yet. */
export function ensureModels() {
  if (existsSync(join(REPO, 'public/models/mobilenet_v1_025_224_graph/model.json'))) return;
  execFileSync(process.execPath, [join(REPO, 'scripts/models.mjs'), join(REPO, '../shared/models')], {
    stdio: 'inherit',
  });
}

/**
 * Builds the app and the benchmark page (unless `reuse` and a build is there), and serves them.
 * @param {{ reuse: boolean, say: (line: string) => void, outDir?: string }} options `outDir` (relative to the
 *   repository; default vite.config.ts's .cache/dist-bench) keeps one runner's build from replacing the files
 *   another runner is serving.
 * @returns {Promise<{ base: string, origin: string, close: () => Promise<void> }>} `base` ends with a slash.
 */
export async function buildAndServe({ reuse, say, outDir }) {
  const out = outDir ? { build: { outDir } } : {};
  if (!reuse || !existsSync(join(REPO, outDir ?? '.cache/dist-bench', 'bench/bench.html'))) {
    say(`building the app and the benchmark page (vite --mode bench${outDir ? `, into ${outDir}` : ''})`);
    await build({ root: REPO, mode: 'bench', logLevel: 'warn', configFile: CONFIG, ...out });
  }
  const server = await preview({
    root: REPO,
    mode: 'bench',
    configFile: CONFIG,
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    ...out,
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('The preview server did not report a port.');
  const base = `http://127.0.0.1:${address.port}/`;
  return {
    base,
    origin: new URL(base).origin,
    close: () => new Promise((resolve) => server.httpServer.close(() => resolve(undefined))),
  };
}

/**
 * A TypeScript module of the repository (tests/support/…), loaded through Vite as the tests load it.
 * @param {string} path relative to the repository
 * @returns {Promise<any>}
 */
export async function importTs(path) {
  return (await runnerImport(join(REPO, path))).module;
}

/**
 * The fake camera's clip (a Y4M file of the real photos, cached), for `--use-file-for-fake-video-capture`.
 * Chromium's fake camera plays it at the rate in its header (`F<fps>:1`).
 * @param {number} [fps] frames per second: 30 (the default) is the browser tests' own clip, shared with them;
 *   another rate (120: a PS3 Eye) gets a file of its own beside it, so a test reading the 30 fps clip never
 *   sees it replaced.
 * @returns {Promise<{ path: string, fps: number }>}
 */
export async function cameraClip(fps = 30) {
  /** @type {typeof import('../tests/support/clip')} */
  const clip = await importTs('tests/support/clip.ts');
  if (fps === clip.CLIP_FPS) return clip.buildClip();
  // A photo's frames are numbered in 8 bits (at most 256 frames): 2 s a photo at 120 fps.
  const secondsPerPhoto = Math.min(clip.SECONDS_PER_PHOTO, Math.floor(2 ** clip.POSITION_BITS / fps));
  const out = join(tmpdir(), 'trainwhistle-clip', `bench-${fps}fps-${secondsPerPhoto}s.y4m`);
  return clip.buildClip({ fps, secondsPerPhoto, out });
}

/**
 * Chromium as the benchmark runs it: Debian's, headless, WebGPU on request, the heap readable
 * (`performance.memory`, `gc()`), and the fake camera playing `clipPath`.
 * @param {string} clipPath
 */
export function launchOptions(clipPath) {
  return {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--disable-quic',
      '--no-first-run',
      '--enable-unsafe-webgpu',
      '--enable-precise-memory-info',
      '--js-flags=--expose-gc',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${clipPath}`,
    ],
  };
}
