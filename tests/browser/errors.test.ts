/**
 * What a user meets when something is missing, in the real browser: no camera, no weights, no WebGPU —
 * and the offline cache and `auto` backend choice that keep a venue's show running.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launch, open } from './browser';

let noCamera: Browser;
let noWebgpu: Browser;
beforeAll(async () => {
  noCamera = await launch({ camera: false });
  noWebgpu = await launch({ webgpu: false });
});
afterAll(async () => {
  await noCamera?.close();
  await noWebgpu?.close();
});

const blockModels = (page: Page) =>
  page.route('**/models/**', (route) => route.fulfill({ status: 404, body: 'not found' }));

describe('no camera', () => {
  test('openCamera says there is none and offers a video file or a canvas', async () => {
    const { page } = await open(noCamera, 'tests/browser/harness.html');
    const error = await page.evaluate(() =>
      window.tw.openCamera().then(
        () => null,
        (e: Error & { reason?: string }) => ({ name: e.name, reason: e.reason, message: e.message }),
      ),
    );
    expect(error).toMatchObject({
      name: 'CameraError',
      reason: 'absent',
      message: expect.stringMatching(/No camera was found.*video file \(openVideo\).*frames\(canvas\)/),
    });
    await page.close();
  });

  test('the app shows the message and switches to a video file', async () => {
    const { page } = await open(noCamera, 'index.html?backend=wasm');
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    expect(await page.textContent('[data-testid="error"]')).toMatch(/No camera was found/);
    expect(await page.inputValue('[data-testid="source-kind"]')).toBe('file');
    expect(await page.isVisible('[data-testid="video-file"]')).toBe(true);
    await page.close();
  });
});

describe('model weights', () => {
  test('unreachable and not cached: the error names npm run models, in the API and in the app', async () => {
    const { page } = await open(noCamera, 'tests/browser/harness.html');
    await blockModels(page);
    const error = await page.evaluate(() =>
      window.tw.createPipeline({ backend: 'wasm' }).then(
        () => null,
        (e: Error) => ({ name: e.name, message: e.message }),
      ),
    );
    expect(error).toMatchObject({
      name: 'ModelUnavailableError',
      message: expect.stringMatching(/local .*404.*remote .*npm run models -- <folder with the weights>/),
    });

    const app = await noCamera.newPage();
    await blockModels(app);
    await app.goto(new URL('index.html?backend=wasm', inject('baseUrl')).href);
    await app.waitForFunction(() => document.getElementById('error')!.textContent.includes('npm run models'));
    expect(await app.textContent('[data-testid="status"]')).toBe('The model could not start.');
    await page.close();
    await app.close();
  });

  test('after one load the model comes from the IndexedDB cache, with the network gone', async () => {
    const context = await noCamera.newContext();
    const page = await context.newPage();
    await page.goto(new URL('tests/browser/harness.html', inject('baseUrl')).href);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const first = await page.evaluate(async () => {
      const progress: { phase: string; fraction: number }[] = [];
      const pipe = await window.tw.createPipeline({ backend: 'wasm', onProgress: (p) => progress.push(p) });
      await pipe.close();
      return { model: pipe.info.model, progress };
    });
    expect(first.model).toMatchObject({ source: 'local', cached: true });
    // A progress bar gets the weights' download from 0 to 1, then 'ready'.
    const local = first.progress.filter((p) => p.phase === 'local').map((p) => p.fraction);
    expect(local[0]).toBe(0);
    expect(local.at(-1)).toBe(1);
    expect(local).toEqual([...local].sort((a, b) => a - b));
    expect(first.progress.at(-1)).toMatchObject({ phase: 'ready', fraction: 1 });
    await blockModels(page);
    const second = await page.evaluate(async () => {
      const pipe = await window.tw.createPipeline({ backend: 'wasm', allowRemoteModel: false });
      const counts = await pipe.counts();
      await pipe.close();
      return { model: pipe.info.model, counts };
    });
    expect(second.model).toMatchObject({ source: 'cache', url: 'indexeddb://trainwhistle-mobilenet-v1-0.25' });
    await context.close();
  });
});

describe('backends', () => {
  test('webgpu requested where there is none: falls back to webgl and says so', async () => {
    const { page } = await open(noWebgpu, 'tests/browser/harness.html');
    const info = await page.evaluate(async () => {
      const pipe = await window.tw.createPipeline({ backend: 'webgpu' });
      await pipe.close();
      return pipe.info;
    });
    expect(info.backend.backend).toBe('webgl');
    expect(info.warnings.join(' ')).toMatch(
      /WebGPU was requested but is unavailable \(no WebGPU adapter.*\); fell back to WebGL/,
    );
    await page.close();
  });

  test('auto skips software GPUs, picks the fastest it measured, and remembers it for the next start', async () => {
    const { page } = await open(noCamera, 'tests/browser/harness.html');
    const started = await page.evaluate(async () => {
      window.tw.forgetBackend();
      const t0 = performance.now();
      const first = await window.tw.createPipeline({ backend: 'auto' });
      const firstMs = performance.now() - t0;
      await first.close();
      const second = await window.tw.createPipeline({ backend: 'auto' });
      await second.close();
      return { first: first.info.backend, second: second.info.backend, firstMs };
    });
    const { first, second } = started;
    const skipped = Object.fromEntries(first.trials.filter((t) => t.skipped).map((t) => [t.backend, t.skipped]));
    expect(skipped.webgpu).toMatch(/software adapter \(.*swiftshader/i);
    expect(skipped.webgl).toMatch(/software renderer \(.*SwiftShader/);
    const measured = first.trials.filter((t) => t.msPerFrame !== undefined);
    expect(measured.map((t) => t.backend)).toContain('wasm');
    const fastest = [...measured].sort((a, b) => a.msPerFrame! - b.msPerFrame!)[0]!;
    expect(first.backend).toBe(fastest.backend);
    expect(first.reason).toMatch(/was fastest: [\d.]+ ms\/frame/);
    expect(second).toMatchObject({ backend: first.backend, trials: [], reason: expect.stringMatching(/remembered/) });
    await page.close();
  });
});

describe('bad input on the main thread', () => {
  test('wrong image types, unready media and predicting before training say what to do', async () => {
    const { page } = await open(noCamera, 'tests/browser/harness.html');
    const errors = await page.evaluate(async () => {
      const pipe = await window.tw.createPipeline({ backend: 'wasm' });
      const grab = (p: Promise<unknown>) =>
        p.then(
          () => null,
          (e: Error) => `${e.name}: ${e.message}`,
        );
      const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
      canvas.getContext('2d')!.fillRect(0, 0, 64, 48);
      const result = {
        string: await grab(pipe.addExample('cat', 'cat.png' as never)),
        video: await grab(pipe.addExample('cat', document.createElement('video'))),
        image: await grab(pipe.addExample('cat', new Image())),
        emptyLabel: await grab(pipe.addExample('', canvas)),
        untrained: await grab(pipe.classify(canvas)),
        oneLabel: await (async () => {
          await pipe.addExample('cat', canvas);
          return grab(pipe.train());
        })(),
        rangeErrorClass: await pipe.train().catch((e: unknown) => e instanceof RangeError),
        kept: (await pipe.counts()).perLabel,
      };
      await pipe.close();
      return result;
    });
    expect(errors.string).toMatch(/^TypeError: Cannot read an image from String\. Pass an ImageBitmap/);
    expect(errors.video).toMatch(/^RangeError: The video has no frame yet .*loadeddata/);
    expect(errors.image).toMatch(/^RangeError: The image .* has not loaded .*decode\(\)/);
    expect(errors.emptyLabel).toMatch(/label cannot be empty/);
    expect(errors.untrained).toMatch(/^NotTrainedError: .*call train\(\)/);
    expect(errors.oneLabel).toMatch(/^RangeError: Training needs examples of at least 2 labels; there are only 'cat'/);
    expect(errors.rangeErrorClass).toBe(true); // the worker's RangeError arrives as a RangeError
    expect(errors.kept).toEqual({ cat: 1 });
    await page.close();
  });
});

describe('a canvas as the live source (a p5.js sketch)', () => {
  test('kNN runs before it can answer: one error, then predictions follow the canvas as examples arrive', async () => {
    const { page } = await open(noCamera, 'tests/browser/harness.html');
    const result = await page.evaluate(async () => {
      const { tw } = window;
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240 });
      document.body.append(canvas);
      const g = canvas.getContext('2d')!;
      let scene = 'sun';
      const draw = () => {
        g.fillStyle = scene === 'sun' ? '#fc3' : '#136';
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = scene === 'sun' ? '#f60' : '#eee';
        if (scene === 'sun') g.fillRect(110, 70, 100, 100);
        else for (let i = 0; i < 40; i++) g.fillRect((i * 73) % 320, (i * 37) % 240, 4, 4);
        requestAnimationFrame(draw);
      };
      draw();
      const pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn' });
      const errors: string[] = [];
      const seen: { scene: string; label: string }[] = [];
      pipe.errors$.subscribe((e) => errors.push(e.name));
      pipe.predictions$.subscribe((p) => seen.push({ scene, label: p.label }));
      pipe.start(canvas);
      await new Promise((r) => setTimeout(r, 1000));
      const errorsBefore = [...errors];
      for (const s of ['sun', 'night', 'sun', 'night']) {
        scene = s;
        await new Promise((r) => setTimeout(r, 150));
        const rec = pipe.record(s, canvas);
        await new Promise((r) => setTimeout(r, 400));
        await rec.stop();
      }
      const start = seen.length;
      for (const s of ['sun', 'night', 'sun']) {
        scene = s;
        await new Promise((r) => setTimeout(r, 800));
      }
      pipe.stop();
      await pipe.close();
      // Skip predictions of frames drawn just before a scene change.
      return { errorsBefore, after: seen.slice(start) };
    });
    expect(result.errorsBefore).toEqual(['NotTrainedError']);
    const settled = result.after.filter((s, i, all) => i > 0 && all[i - 1]!.scene === s.scene);
    expect(settled.length).toBeGreaterThan(20);
    expect(
      settled.filter((s) => s.label === s.scene).length / settled.length,
      JSON.stringify(settled),
    ).toBeGreaterThanOrEqual(0.9);
    await page.close();
  });
});
