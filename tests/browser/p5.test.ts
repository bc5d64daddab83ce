/**
 * examples/p5 as its README runs it: the standalone build served, with the sketch, by scripts/serve.mjs (a
 * plain static server, no Vite), in headless Chromium with no camera. Hold 1, 2 and 3 to record each
 * shape, press t to train, and the prediction on the page follows the shape shown.
 *
 * The folder served is a copy of the repository's layout (dist/standalone, examples/p5, p5 from
 * node_modules, public/models), so the sketch's relative paths are the ones a user's checkout has, and
 * the build here cannot collide with another test's `dist/`.
 */
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildTarget } from '../../scripts/build.mjs';
import { serve } from '../../scripts/serve.mjs';
import { REPO } from '../support/paths';
import { launch } from './browser';

const SHAPES = { 1: 'circle', 2: 'square', 3: 'triangle' } as const;
/** What the sketch loads, relative to the repository (see the imports at the top of examples/p5/sketch.js). */
const LAYOUT = ['examples/p5', 'node_modules/p5/lib/p5.esm.min.js', 'public/models/mobilenet_v1_025_224_graph'];
/**
 * Examples per shape a hold waits for: the README's "two or three seconds per shape" at the sketch's 10 a
 * second. The colours change every 1.5 s, so a hold this long sees each shape in two colours or more.
 */
const EXAMPLES_PER_SHAPE = 25;

let folder: string;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'trainwhistle-p5-'));
  await buildTarget('standalone', { outDir: join(folder, 'dist/standalone') });
  for (const path of LAYOUT) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await cp(join(REPO, path), join(folder, path), { recursive: true });
  }
  server = await serve(folder, { port: 0 });
  browser = await launch({ camera: false });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const text = (page: Page, selector: string) => page.locator(selector).innerText();
/** The label after the arrow in "circle → square": what the sketch's smoothed prediction says now. */
const shownLabel = async (page: Page) => (await text(page, '#change')).split('→').pop()!.trim();
/** The raw prediction's winner, from the confidences in the table. */
const topLabel = (page: Page) =>
  page.$$eval('#labels tr[data-label]', (rows) => {
    const scored = rows.map((r) => ({ label: r.dataset.label!, c: Number(r.dataset.confidence || NaN) }));
    return scored.filter((s) => !Number.isNaN(s.c)).sort((a, b) => b.c - a.c)[0]?.label ?? null;
  });

test('hold 1, 2, 3 to record, t to train: the prediction follows the shape', async () => {
  const page = await browser.newPage();
  const logs: string[] = [];
  const wasm: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) logs.push(`${r.status()} ${r.url()}`);
    if (r.url().endsWith('.wasm')) wasm.push(`${r.status()} ${r.headers()['content-type']}`);
  });
  const why = () => logs.filter((l) => !l.includes('WebSocket connection')).join('\n');

  await page.goto(`${server.url}examples/p5/`);
  await page.waitForFunction(() => /Ready on|Error/.test(document.getElementById('status')!.textContent), null, {
    timeout: 90_000,
  });
  expect(await text(page, '#status'), why()).toMatch(/^Ready on \w+\./);
  // The worker found its wasm files beside itself (auto measures the wasm backend whatever it picks).
  expect(wasm.length, why()).toBeGreaterThan(0);
  expect(
    wasm.every((w) => w === '200 application/wasm'),
    wasm.join(', '),
  ).toBe(true);

  // Each key held until the sketch says it has recorded that many examples (it counts them as they land).
  for (const [key, label] of Object.entries(SHAPES)) {
    await page.keyboard.down(key);
    await page.waitForFunction(
      ({ label, n }) => {
        const [, recording, count] =
          /^Recording “(.+)”: (\d+) examples/.exec(document.getElementById('status')!.textContent) ?? [];
        return recording === label && Number(count) >= n;
      },
      { label, n: EXAMPLES_PER_SHAPE },
      { timeout: 60_000 },
    );
    await page.keyboard.up(key);
    await page.waitForFunction((l) => document.getElementById('status')!.textContent.includes(`of “${l}”`), label);
  }
  const counts = await page.$$eval('#labels tr[data-label]', (rows) =>
    rows.map((r) => Number(/(\d+) examples/.exec(r.textContent)?.[1])),
  );
  expect(counts, why()).toHaveLength(3);
  for (const n of counts)
    expect(n, `examples per shape: ${counts.join(', ')}`).toBeGreaterThanOrEqual(EXAMPLES_PER_SHAPE);

  await page.keyboard.press('t');
  await page.waitForFunction(() => /Running|Error/.test(document.getElementById('status')!.textContent), null, {
    timeout: 60_000,
  });
  expect(await text(page, '#status'), why()).toMatch(/^Trained on \d+ examples/);

  // Switch shapes (while running, the keys only switch): each time the prediction must come round to it.
  for (const key of ['2', '3', '1', '3', '2'] as const) {
    const label = SHAPES[key];
    await page.keyboard.press(key);
    await expect.poll(() => shownLabel(page), { timeout: 15_000, message: `after ${key}: ${why()}` }).toBe(label);
    await expect.poll(() => topLabel(page), { timeout: 15_000 }).toBe(label);
  }
  await page.screenshot({ path: join(REPO, 'test-results/p5.png') });

  // No bridge runs here: the page says so, and names the flag for its own origin.
  expect(await text(page, '#osc')).toContain(`--allow-origin ${new URL(server.url).origin}`);
  expect(logs.filter((l) => l.startsWith('pageerror') || /^error: (?!WebSocket connection)/.test(l))).toEqual([]);
  await page.close();
});

/** GET with the path sent as written (fetch would resolve `..` before sending). */
function rawGet(path: string): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    get(new URL(server.url), { path }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, type: res.headers['content-type'] });
    }).on('error', reject);
  });
}

test('the static server: types a module script and wasm need, and no way out of its folder', async () => {
  expect(await rawGet('/dist/standalone/trainwhistle.js')).toEqual({
    status: 200,
    type: 'text/javascript; charset=utf-8',
  });
  expect(await rawGet('/dist/standalone/tfjs-backend-wasm.wasm')).toEqual({ status: 200, type: 'application/wasm' });
  expect((await rawGet('/examples/p5')).status).toBe(301);
  await symlink(REPO, join(folder, 'out'));
  // URL parsing already folds `..` and `%2e%2e`; an encoded slash and a symlink are the server's to refuse.
  for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd']) expect((await rawGet(path)).status).toBe(404);
  for (const path of ['/examples/..%2f..%2f..%2fetc/passwd', '/out/package.json']) {
    expect((await rawGet(path)).status, path).toBe(403);
  }
});
