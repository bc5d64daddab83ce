/**
 * What a long show meets, in real Chromium: the engine's worker ended from outside (as a crash or an
 * out-of-memory kill ends it) while predicting, during train(), during addExample(), twice in a row, and
 * a worker that cannot come back. Each time the pipeline restarts it by itself with everything it was
 * taught, says so, and predictions resume; or, where it cannot, it says so clearly.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launch, open } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ camera: false, webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

type Pipe = Awaited<ReturnType<typeof window.tw.createPipeline>>;
interface Session {
  pipe: Pipe;
  scene: string;
  errors: string[];
  predictions: { t: number; label: string; scene: string; tensors: number }[];
  restarts: number;
}
declare global {
  interface Window {
    s: Session;
  }
}

/** A harness page with a canvas drawing `s.scene` (sun or night) and a pipeline taught both, predicting. */
async function session(head: 'knn' | 'dense', project?: string): Promise<Page> {
  const { page } = await open(browser, 'tests/browser/harness.html');
  await page.evaluate(
    async ({ head, project }) => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240, id: 'scene' });
      document.body.append(canvas);
      const g = canvas.getContext('2d')!;
      const s = (window.s = { scene: 'sun', errors: [], predictions: [], restarts: 0 } as unknown as Session);
      const draw = () => {
        const wobble = Math.sin(performance.now() / 200) * 10;
        g.fillStyle = s.scene === 'sun' ? '#fc3' : '#136';
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = s.scene === 'sun' ? '#f60' : '#eee';
        if (s.scene === 'sun') g.fillRect(110 + wobble, 70, 100, 100);
        else for (let i = 0; i < 40; i++) g.fillRect((i * 73 + wobble) % 320, (i * 37) % 240, 4, 4);
        requestAnimationFrame(draw);
      };
      draw();
      s.pipe = await window.tw.createPipeline({
        backend: 'wasm',
        head,
        train: { epochs: 8 },
        ...(project ? { project } : {}),
      });
      s.pipe.errors$.subscribe((e) => s.errors.push(`${e.name}: ${e.message}`));
      s.pipe.predictions$.subscribe((p) =>
        s.predictions.push({ t: p.t, label: p.label, scene: s.scene, tensors: p.tensors }),
      );
      s.pipe.metrics$.subscribe((m) => (s.restarts = m.workerRestarts));
      for (const scene of ['sun', 'night']) {
        s.scene = scene;
        for (let i = 0; i < 4; i++) {
          await new Promise((r) => setTimeout(r, 60));
          await s.pipe.addExample(scene, canvas);
        }
      }
      await s.pipe.train();
      s.pipe.start(canvas);
    },
    { head, project },
  );
  return page;
}

/** Ends the engine's worker from outside, as a crash would: it stops without a word. */
async function killWorker(page: Page): Promise<void> {
  const workers = page.workers().filter((w) => w.url().includes('worker'));
  expect(workers.length).toBeGreaterThan(0);
  await workers
    .at(-1)!
    .evaluate(() => self.close())
    .catch(() => {}); // the evaluation dies with it
}

/** Predictions made after `since` (page time), for both scenes; true when each is named right. */
async function followsScenes(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const { s } = window;
    const ok: boolean[] = [];
    for (const scene of ['sun', 'night']) {
      s.scene = scene;
      const since = performance.now() + 200;
      await new Promise((r) => setTimeout(r, 1200));
      const seen = s.predictions.filter((p) => p.t > since);
      ok.push(seen.length > 0 && seen.every((p) => p.label === scene));
    }
    return ok.every(Boolean);
  });
}

const state = (page: Page) =>
  page.evaluate(async () => ({
    counts: await window.s.pipe.counts(),
    errors: window.s.errors,
    restarts: window.s.restarts,
    tensors: window.s.predictions.at(-1)?.tensors,
    running: window.s.pipe.running,
  }));

describe('the engine worker ends while predicting', () => {
  test('kNN without a project: restarted from the copy kept here, predictions resume, nothing lost', async () => {
    const page = await session('knn');
    expect(await followsScenes(page)).toBe(true);
    const before = await state(page);
    await killWorker(page);
    await page.waitForFunction(() => window.s.errors.some((e) => e.startsWith('WorkerRestartedError')), null, {
      timeout: 30_000,
    });
    expect(await followsScenes(page)).toBe(true);
    const after = await state(page);
    expect(after.counts).toEqual(before.counts);
    expect(after.tensors).toBe(before.tensors);
    expect(after.running).toBe(true);
    expect(after.restarts).toBe(1);
    expect(after.errors).toEqual([
      expect.stringMatching(
        /^WorkerRestartedError: The engine's worker stopped \(no answer to the heartbeat for 5 s\) and was restarted/,
      ),
    ]);
    await page.close();
  });

  test('twice in a row, with a project: both restarts restore it, and the trained head too', async () => {
    const page = await session('dense', 'crashing');
    expect(await followsScenes(page)).toBe(true);
    const before = await state(page);
    for (const n of [1, 2]) {
      await killWorker(page);
      await page.waitForFunction((n) => window.s.restarts === n, n, { timeout: 30_000 });
      expect(await followsScenes(page)).toBe(true);
    }
    const after = await state(page);
    expect(after.counts).toEqual(before.counts);
    expect(after.tensors).toBe(before.tensors);
    expect(await page.evaluate(() => window.s.pipe.project)).toMatchObject({ name: 'crashing', trained: true });
    await page.close();
  });
});

describe('calls in flight at a crash', () => {
  test('train() and addExample() in flight reject with WorkerRestartedError; calls made during the restart wait', async () => {
    const page = await session('dense');
    const before = await state(page);
    // Long enough to be sure it is still training when the worker ends.
    await page.evaluate(() => window.s.pipe.configure({ train: { epochs: 2000 } }));
    const train = page.evaluate(() =>
      window.s.pipe.train().then(
        () => 'trained',
        (e: Error) => e.name,
      ),
    );
    await page.waitForTimeout(300);
    await killWorker(page);
    expect(await train).toBe('WorkerRestartedError');
    // Made while the worker is being replaced: it waits, then lands.
    const added = await page.evaluate(async () => {
      window.s.scene = 'sun';
      const info = await window.s.pipe.addExample('sun', document.getElementById('scene') as HTMLCanvasElement);
      return { label: info.label, counts: await window.s.pipe.counts() };
    });
    expect(added.label).toBe('sun');
    expect(added.counts.perLabel).toEqual({
      sun: before.counts.perLabel.sun! + 1,
      night: before.counts.perLabel.night,
    });
    // An addExample in flight when the worker ends.
    const adding = page.evaluate(() => {
      const canvas = document.getElementById('scene') as HTMLCanvasElement;
      return Promise.all(
        Array.from({ length: 6 }, () =>
          window.s.pipe.addExample('night', canvas).then(
            () => 'added',
            (e: Error) => e.name,
          ),
        ),
      );
    });
    await page.waitForTimeout(30);
    await killWorker(page);
    const results = await adding;
    expect(results).toContain('WorkerRestartedError');
    await page.waitForFunction(() => window.s.restarts === 2, null, { timeout: 30_000 });
    const after = await state(page);
    // What was acknowledged is there, and nothing else was lost on the way. A call whose answer the crash took
    // may have landed in the worker (and its copy) before it died: at most one example each, never a duplicate.
    expect(after.counts.perLabel.sun).toBe(added.counts.perLabel.sun);
    const acknowledged = before.counts.perLabel.night! + results.filter((r) => r === 'added').length;
    expect(after.counts.perLabel.night).toBeGreaterThanOrEqual(acknowledged);
    expect(after.counts.perLabel.night).toBeLessThanOrEqual(before.counts.perLabel.night! + results.length);
    await page.evaluate(() => window.s.pipe.configure({ train: { epochs: 8 } }));
    expect(await page.evaluate(() => window.s.pipe.train().then((r) => r.examples))).toBe(after.counts.total);
    await page.close();
  });
});

describe('a worker that cannot come back', () => {
  test('is retried with back-off, then the pipeline stops with a clear error instead of looping', async () => {
    const page = await session('knn');
    await page.route('**/assets/worker-*.js', (route) => route.abort()); // the next worker cannot even load
    await killWorker(page);
    await page.waitForFunction(() => window.s.errors.some((e) => e.includes('keeps stopping')), null, {
      timeout: 60_000,
    });
    const result = await page.evaluate(async () => ({
      errors: window.s.errors,
      counts: await window.s.pipe.counts().then(
        () => 'answered',
        (e: Error) => e.message,
      ),
    }));
    expect(result.errors.at(-1)).toMatch(/The engine's worker keeps stopping .*Reload the page/);
    expect(result.counts).toMatch(/keeps stopping/);
    await page.close();
  });
});
