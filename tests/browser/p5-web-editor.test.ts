/**
 * examples/p5-web-editor as the p5.js web editor runs it: the sketch's page on one origin (the editor's
 * preview.p5js.org), p5 and trainwhistle's standalone build from another (jsDelivr), in headless Chromium on the
 * fake camera of the real photos, with a real bridge and liblo's oscdump as Max.
 *
 * Two local static servers on two ports stand in for them. The "CDN" serves dist/standalone (built here) and p5
 * under jsDelivr's paths, and MobileNet's weights, all with CORS, as jsDelivr does. The page's server serves the
 * example's files as written, with three constants rewritten (the CDN's host, the bridge's port, and in one test
 * the weights' folder), and no isolation headers, as the editor's preview has none. Nothing leaves this machine:
 * the official weights' address is answered from public/models by the test, and anything else is refused.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { buildTarget } from '../../scripts/build.mjs';
import { mimeType } from '../../scripts/serve.mjs';
import { ISOLATION_HEADERS } from '../../scripts/isolation.mjs';
import { refusedOrigin } from '../../src/outputs/reconnecting-socket';
import { cleanUp, printed, startBridge } from '../support/bridge';
import { RECORD_FRAMES, MARKER_COLOURS } from '../support/clip';
import { startOscdump, type Oscdump } from '../support/oscdump';
import { REPO } from '../support/paths';
import { ensureReader, holdThroughSegments, type Press } from './app-page';
import { launch } from './browser';
import { serveOtherOrigin, type Served } from './other-origin';
import { labelChanges } from './studio-page';

const EXAMPLE = join(REPO, 'examples/p5-web-editor');
const SHOTS = join(REPO, 'test-results');
const JSDELIVR = 'https://cdn.jsdelivr.net';
const read = (file: string) => readFileSync(join(EXAMPLE, file), 'utf8');
/** The library's and p5's addresses, as the example writes them. */
const LIBRARY = /'(https:\/\/cdn\.jsdelivr\.net\/npm\/trainwhistle@([^/]+)\/dist\/standalone\/)trainwhistle\.js'/.exec(
  read('sketch.js'),
);
const P5 = /src="https:\/\/cdn\.jsdelivr\.net(\/npm\/p5@[^/]+\/lib\/p5\.min\.js)"/.exec(read('index.html'));
/** The official address MobileNet v1 α0.25 is fetched from (src/worker/features/mobilenet.ts). */
const OFFICIAL = 'https://tfhub.dev/google/imagenet/mobilenet_v1_025_224/classification/1/';
const WEIGHTS = join(REPO, 'public/models/mobilenet_v1_025_224_graph');
/** The sketch's classes, and the photo of the clip each is taught (left half, then right half of the picture). */
const TAUGHT = { chelsea: 'A', coffee: 'B' } as const;

let folder: string;
let cdn: { base: string; close: () => Promise<void> };
let browser: Browser;
let dump: Oscdump | undefined;
type Response = { url: string; status: number; type: string | undefined };
const closing: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'trainwhistle-cdn-'));
  await buildTarget('standalone', { outDir: folder });
  const files: Served = {};
  const add = (path: string, file: string) => (files[path] = { body: readFileSync(file), type: mimeType(file) });
  const library = new URL(LIBRARY![1]!).pathname;
  for (const name of readdirSync(folder)) add(`${library}${name}`, join(folder, name));
  add(P5![1]!, join(REPO, 'node_modules/p5/lib/p5.min.js'));
  for (const name of readdirSync(WEIGHTS)) add(`/models/mobilenet_v1_025_224_graph/${name}`, join(WEIGHTS, name));
  cdn = await serveOtherOrigin(files);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cdn?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.allSettled(closing.splice(0).map((close) => close()));
  dump?.stop();
  await cleanUp();
});

interface SketchPage {
  url: string;
  origin: string;
  /** Serves the example's files, with the bridge's port and (given `models`) the weights' folder written in. */
  write(options: { bridgePort: number; models?: string }): void;
}

/**
 * The sketch's page on an origin of its own (the bridge is told this origin before the page is written with the
 * bridge's port): the example's files with the CDN's host and the constants rewritten, each rewrite checked to
 * have matched, so that the page runs the example as it is written.
 */
async function sketchPage(headers: Record<string, string> = {}): Promise<SketchPage> {
  const rewrite = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`the example no longer has ${from}: update this test`);
    return text.replaceAll(from, to);
  };
  const local = cdn.base.replace(/\/$/, '');
  const files: Served = {};
  const { base, close } = await serveOtherOrigin(files, headers);
  closing.push(close);
  return {
    url: base,
    origin: new URL(base).origin,
    write({ bridgePort, models }) {
      let sketch = rewrite(read('sketch.js'), JSDELIVR, local);
      sketch = rewrite(
        sketch,
        "const BRIDGE = 'ws://127.0.0.1:8080';",
        `const BRIDGE = 'ws://127.0.0.1:${bridgePort}';`,
      );
      if (models) sketch = rewrite(sketch, "const MODELS = '';", `const MODELS = '${models}';`);
      files['/'] = { body: rewrite(read('index.html'), JSDELIVR, local), type: 'text/html' };
      files['/sketch.js'] = { body: sketch, type: 'text/javascript' };
      files['/style.css'] = { body: read('style.css'), type: 'text/css' };
    },
  };
}

/**
 * A context that cannot reach the internet: the official weights' address is answered from public/models, as
 * its server would (with CORS), and every other request that would leave this machine fails as offline.
 * Returns the URLs answered in place of the official server, and those refused.
 */
async function offline(): Promise<{ context: BrowserContext; official: string[]; refused: string[] }> {
  const context = await browser.newContext();
  closing.push(() => context.close());
  const official: string[] = [];
  const refused: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      refused.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  await context.route(`${OFFICIAL}**`, (route) => {
    const url = new URL(route.request().url());
    official.push(url.href);
    return route.fulfill({
      body: readFileSync(join(WEIGHTS, url.pathname.slice(new URL(OFFICIAL).pathname.length))),
      headers: { 'access-control-allow-origin': '*' },
    });
  });
  return { context, official, refused };
}

/** Opens the sketch and waits until it says where MobileNet came from (or shows an error). */
async function openSketch(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const logs: string[] = [];
  const responses: Response[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.on('response', (r) => responses.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] }));
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const status = document.getElementById('status');
      return status && (status.classList.contains('error') || status.textContent.startsWith('MobileNet loaded'));
    },
    null,
    { timeout: 90_000 },
  );
  const why = () =>
    [...logs, ...responses.filter((r) => r.status >= 400).map((r) => `${r.status} ${r.url}`)].join('\n');
  expect(await text(page, '#status'), why()).toMatch(/^MobileNet loaded from /);
  return { page, logs, responses, why };
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

/**
 * A global of the sketch (its plain script's `let pipe`, `counts`…): not a property of `window`, but seen by code
 * evaluated in the page's global scope.
 */
const sketchGlobal = <T>(page: Page, expression: string) => page.evaluate<T>(expression);

/** What the sketch's pipeline says of its backend. */
const backendInfo = (page: Page) =>
  sketchGlobal<{ crossOriginIsolated: boolean; wasmThreads: number }>(
    page,
    '({ crossOriginIsolated: pipe.info.backend.crossOriginIsolated, wasmThreads: pipe.info.backend.wasmThreads })',
  );

/** The mouse held on one half of the sketch's picture. */
function holdOn(page: Page, half: 'left' | 'right'): Press {
  return {
    async down() {
      const box = (await page.locator('canvas').boundingBox())!;
      await page.mouse.move(box.x + box.width * (half === 'left' ? 0.25 : 0.75), box.y + box.height / 2);
      await page.mouse.down();
    },
    up: () => page.mouse.up(),
  };
}

/** The files of the library's folder on the CDN that the page fetched, with their answers. */
function fromLibrary(responses: Response[], suffix: string): Response[] {
  const folder = LIBRARY![1]!.replace(JSDELIVR, cdn.base.slice(0, -1));
  return responses.filter((r) => r.url.startsWith(folder) && r.url.endsWith(suffix));
}

test('refused by the bridge: the page says why, naming the flag; the library, its worker and wasm, and the weights come from the CDN with CORS', async () => {
  dump = await startOscdump();
  const sketch = await sketchPage();
  const bridge = await startBridge(['--send', `127.0.0.1:${dump.port}`]);
  const models = `${cdn.base}models/`;
  sketch.write({ bridgePort: bridge.wsPort, models });
  const { context, official } = await offline();
  const { page, responses, why } = await openSketch(context, sketch.url);

  expect(await text(page, '#status')).toContain(`MobileNet loaded from ${models}mobilenet_v1_025_224_graph/model.json`);
  expect(official, 'the weights came from the CDN, not the official address').toEqual([]);
  // The worker's script and its wasm, from the CDN (auto measures wasm whatever it keeps).
  expect(
    fromLibrary(responses, '/worker.js').map((r) => r.status),
    why(),
  ).toEqual([200]);
  const wasm = fromLibrary(responses, '.wasm');
  expect(wasm.length, why()).toBeGreaterThan(0);
  expect(
    wasm.every((r) => r.status === 200 && r.type === 'application/wasm'),
    JSON.stringify(wasm),
  ).toBe(true);
  // No isolation headers, as on preview.p5js.org: no SharedArrayBuffer, so wasm runs its build without threads.
  expect(await backendInfo(page)).toMatchObject({ crossOriginIsolated: false });
  expect(wasm.map((r) => r.url.split('/').pop())).toContain('tfjs-backend-wasm-simd.wasm');

  const message = refusedOrigin(sketch.origin);
  await page.waitForFunction((m) => document.getElementById('osc')!.textContent.includes(m), message);
  expect(await text(page, '#osc')).toBe(`OSC: not connected: ${message}.`);
  await printed(bridge, (out) => out.includes(message));
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'p5-web-editor-refused.png') });
});

test('allowed: hold the mouse on each half to record, Train, and the label follows the photos, on the page and at oscdump; weights from the official address, then the cache', async () => {
  const received = (dump = await startOscdump());
  const sketch = await sketchPage();
  const bridge = await startBridge(['--send', `127.0.0.1:${received.port}`, '--allow-origin', sketch.origin]);
  sketch.write({ bridgePort: bridge.wsPort });
  const { context, official, refused } = await offline();
  const { page, logs } = await openSketch(context, sketch.url);
  expect(await text(page, '#status')).toContain('MobileNet loaded from the official address.');
  expect(official).toContain(`${OFFICIAL}model.json?tfjs-format=file`);
  await page.waitForFunction(() => document.getElementById('osc')!.textContent.startsWith('OSC: connected'));

  // The test reads the clip's markers from the sketch's own <video> (p5's createCapture).
  await page.evaluate(() => (document.querySelector('video')!.id = 'preview'));
  await ensureReader(page);
  // Two holds a photo, over two loops of the clip, as a person adds examples: one hold of 0.8 s gives 4 to 8
  // (10 a second at most, fewer on a loaded machine).
  for (let pass = 0; pass < 2; pass++) {
    await holdThroughSegments(page, { chelsea: holdOn(page, 'left'), coffee: holdOn(page, 'right') });
    await page.waitForFunction(() => /^Recorded \d+ examples of /.test(document.getElementById('status')!.textContent));
  }
  const counts = await sketchGlobal<Record<string, number>>(page, 'counts');
  expect(Object.keys(counts).sort()).toEqual(['A', 'B']);
  for (const n of Object.values(counts)) expect(n, JSON.stringify(counts)).toBeGreaterThanOrEqual(6);

  await page.getByRole('button', { name: 'Train' }).click();
  await page.waitForFunction(() => /^Trained on|Error/.test(document.getElementById('status')!.textContent), null, {
    timeout: 60_000,
  });
  expect(await text(page, '#status'), logs.join('\n')).toMatch(/^Trained on \d+ examples\. Predicting/);

  // On frames never taught (the second half of each photo's two seconds), the sketch's label is the photo's class.
  for (const [photo, label] of Object.entries(TAUGHT)) {
    await page.waitForFunction(
      ({ markers, photo, label, from }) => {
        const now = window.frameTruth(document.getElementById('preview') as HTMLVideoElement, markers);
        // The sketch's latest prediction, a global of its script (an indirect eval runs in the global scope).
        const shown = ((0, eval)('prediction') as { label: string } | null)?.label;
        return now.label === photo && now.position >= from && shown === label;
      },
      { markers: MARKER_COLOURS, photo, label, from: RECORD_FRAMES },
      { polling: 'raf', timeout: 30_000 },
    );
  }
  await page.screenshot({ path: join(SHOTS, 'p5-web-editor.png') });
  // And Max's side: both labels, in turn, through the bridge.
  await expect
    .poll(() => labelChanges(received.all), { timeout: 30_000 })
    .toSatisfy((seen: string[]) => seen.includes('A') && seen.includes('B'));
  expect(received.all.some((l) => /^\/tw\/confidences ff [01]\.\d{6} [01]\.\d{6}$/.test(l))).toBe(true);
  expect(await text(page, '#osc')).toMatch(/^OSC: connected to the bridge, \d+ predictions sent\.$/);

  // The next visit (the same browser) starts from the cache, with nothing fetched from the official address.
  const fetched = official.length;
  await page.reload();
  await page.waitForFunction(() => document.getElementById('status')!.textContent.startsWith('MobileNet loaded'));
  expect(await text(page, '#status')).toContain("MobileNet loaded from this browser's cache.");
  expect(official.length).toBe(fetched);
  expect(refused.filter((u) => !u.startsWith(OFFICIAL))).toEqual([]);
});

test('with isolation headers on the page (COOP/COEP), the same sketch gets wasm threads from the CDN', async () => {
  const sketch = await sketchPage(ISOLATION_HEADERS);
  sketch.write({ bridgePort: 1, models: `${cdn.base}models/` });
  const { context } = await offline();
  const { page, responses, why } = await openSketch(context, sketch.url);
  expect(await backendInfo(page)).toMatchObject({ crossOriginIsolated: true });
  const wasm = fromLibrary(responses, '.wasm').map((r) => `${r.status} ${r.url.split('/').pop()}`);
  expect(wasm, why()).toContain('200 tfjs-backend-wasm-threaded-simd.wasm');
});
