/**
 * What a user meets when something is missing, in the real browser: no camera, no weights, no WebGPU,
 * no WebGL, no WebAssembly — and the offline cache and `auto` backend choice that keep a venue's show running.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launch, open } from './browser';

let noCamera: Browser;
let noWebgpu: Browser;
/** No GPU process at all: neither WebGL (in the page or a worker) nor WebGPU. */
let noGpu: Browser;
beforeAll(async () => {
  noCamera = await launch({ camera: false });
  noWebgpu = await launch({ webgpu: false });
  noGpu = await launch({ camera: false, webgpu: false, args: ['--disable-gpu', '--disable-software-rasterizer'] });
});
afterAll(async () => {
  await noCamera?.close();
  await noWebgpu?.close();
  await noGpu?.close();
});

const blockModels = (page: Page) =>
  page.route('**/models/**', (route) => route.fulfill({ status: 404, body: 'not found' }));

/** The official URL the loader falls back to (src/worker/model-loader.ts), before tfhub.dev redirects it. */
const REMOTE_MODEL =
  'https://tfhub.dev/google/imagenet/mobilenet_v1_025_224/classification/1/model.json?tfjs-format=file';

/**
 * Cuts a context off every source of the weights, so the test means the same on a machine with internet:
 * the app's models folder answers 404, and every request that would leave this machine (tfhub.dev and
 * the Kaggle and storage.googleapis.com addresses it redirects to, or anything else) fails as if offline.
 * Returns the URLs refused, in order.
 */
async function cutOffWeights(context: BrowserContext): Promise<string[]> {
  const refused: string[] = [];
  await context.route('**/models/**', (route) => {
    refused.push(route.request().url());
    return route.fulfill({ status: 404, body: 'not found' });
  });
  await context.route(
    (url) => !['127.0.0.1', 'localhost'].includes(url.hostname),
    (route) => {
      refused.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  return refused;
}

/** Makes the WebAssembly backend's .wasm files answer 404 in a context; returns the URLs refused. */
async function blockWasm(context: BrowserContext): Promise<string[]> {
  const refused: string[] = [];
  await context.route('**/*.wasm', (route) => {
    refused.push(route.request().url());
    return route.fulfill({ status: 404, body: 'not found' });
  });
  return refused;
}

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
  test('unreachable and not cached: the error names both sources and npm run models, in the API and in the app', async () => {
    const context = await noCamera.newContext();
    const refused = await cutOffWeights(context);
    const { page } = await open(context, 'tests/browser/harness.html');
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
    // Both sources are named, each with why it failed: the local folder's 404, and the official URL.
    const local = new URL('models/mobilenet_v1_025_224_graph/model.json', inject('baseUrl')).href;
    expect(error!.message).toContain(`local (${local}): `);
    expect(error!.message).toMatch(/local \([^)]*\): [^;]*404/);
    expect(error!.message).toContain(`remote (${REMOTE_MODEL}): `);
    // The remote fallback was really tried, and refused here, not merely unreachable from this machine.
    expect(refused).toContain(local);
    expect(refused).toContain(REMOTE_MODEL);

    const app = await context.newPage();
    await app.goto(new URL('index.html?backend=wasm', inject('baseUrl')).href);
    await app.waitForFunction(() => document.getElementById('error')!.textContent.includes('npm run models'));
    expect(await app.textContent('[data-testid="status"]')).toBe('The model could not start.');
    expect(await app.textContent('[data-testid="error"]')).toContain(REMOTE_MODEL);
    await context.close();
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

  test('auto skips software GPUs, picks what an independent measurement finds fastest, keeps to its budget, and remembers', async () => {
    const { page } = await open(noCamera, 'tests/browser/harness.html');
    const r = await page.evaluate(async () => {
      const { tw } = window;
      tw.forgetBackend();
      // One load first, so that every start below reads the model from the IndexedDB cache alike.
      await (await tw.createPipeline({ backend: 'wasm', rememberBackend: false })).close();
      const start = async (options: Parameters<typeof tw.createPipeline>[0]) => {
        const t0 = performance.now();
        const pipe = await tw.createPipeline(options);
        const ms = performance.now() - t0;
        await pipe.close();
        return { info: pipe.info.backend, ms };
      };
      // Starts on a fixed backend, taken between the others so that they see the same load.
      const fixedMs: number[] = [];
      const fixed = async () => void fixedMs.push((await start({ backend: 'wasm' })).ms);
      await fixed();
      const first = await start({ backend: 'auto' });
      await fixed();
      const tight = await start({ backend: 'auto', autoBudgetMs: 400, rememberBackend: false });
      await fixed();
      const second = await start({ backend: 'auto' });
      await fixed();
      // Our own measurement of every backend auto measured: a pipeline of its own, the model alone for 1 s.
      const raw: Record<string, { mean: number; p95: number }> = {};
      for (const t of first.info.trials) {
        if (t.msPerFrame === undefined) continue;
        const pipe = await tw.createPipeline({ backend: t.backend, rememberBackend: false });
        raw[t.backend] = (await pipe.rawBenchmark(1000)).msPerFrame;
        await pipe.close();
      }
      return { first, tight, second, fixedMs, raw };
    });
    const { first, second, tight } = { first: r.first.info, second: r.second.info, tight: r.tight.info };
    const skipped = Object.fromEntries(first.trials.filter((t) => t.skipped).map((t) => [t.backend, t.skipped]));
    expect(skipped.webgpu).toMatch(/software adapter \(.*swiftshader/i);
    expect(skipped.webgl).toMatch(/software renderer \(.*SwiftShader/);
    const measured = first.trials.filter((t) => t.msPerFrame !== undefined);
    expect(measured.map((t) => t.backend)).toContain('wasm');
    const fastest = [...measured].sort((a, b) => a.msPerFrame! - b.msPerFrame!)[0]!;
    expect(first.backend).toBe(fastest.backend);
    expect(first.reason).toMatch(/was fastest: [\d.]+ ms\/frame/);
    expect(second).toMatchObject({ backend: first.backend, trials: [], reason: expect.stringMatching(/remembered/) });

    // Our measurement decides where the gap is large: auto (with the full budget and a tight one) picked that backend.
    const ours = Object.entries(r.raw).sort(([, a], [, b]) => a.mean - b.mean);
    const [best, runnerUp] = ours;
    const summary = JSON.stringify({
      raw: r.raw,
      fixedMs: r.fixedMs,
      autoMs: [r.first.ms, r.tight.ms, r.second.ms],
      first,
    });
    console.info(`auto: ${summary}`);
    expect(best, summary).toBeDefined();
    if (runnerUp && runnerUp[1].mean / best![1].mean >= 2) {
      expect(first.backend, summary).toBe(best![0]);
      expect(tight.backend, summary).toBe(best![0]);
    }

    // The measuring costs at most the budget: an auto start takes no longer than a fixed start plus the
    // budget, plus what the budget cannot cut short on each backend measured (its warm-up frame, which may
    // be slower than the rest, and one more frame started just before its share of the budget ends: three
    // frames at our p95 in all), plus how much fixed starts themselves vary under this machine's load.
    const median = [...r.fixedMs].sort((a, b) => a - b)[Math.floor(r.fixedMs.length / 2)]!;
    const spread = Math.max(...r.fixedMs) - Math.min(...r.fixedMs);
    const overrun = 3 * Object.values(r.raw).reduce((sum, m) => sum + m.p95, 0);
    const noise = spread + 250;
    expect(r.first.ms - median, summary).toBeLessThanOrEqual(2500 + overrun + noise);
    expect(r.tight.ms - median, summary).toBeLessThanOrEqual(400 + overrun + noise);
    // …and the remembered choice makes the next start as quick as a fixed one.
    expect(r.second.ms - median, summary).toBeLessThanOrEqual(noise);
    await page.close();
  });

  test('webgl requested where there is no WebGL: falls back to wasm, says so, and runs there', async () => {
    const { page } = await open(noGpu, 'tests/browser/harness.html');
    const result = await page.evaluate(async () => {
      // The premise, checked where the engine runs: a worker gets no WebGL context in this browser.
      const probe = new Worker(
        URL.createObjectURL(new Blob(["postMessage(new OffscreenCanvas(1, 1).getContext('webgl2') !== null)"])),
      );
      const webglInWorker = await new Promise((resolve) => (probe.onmessage = (e) => resolve(e.data)));
      probe.terminate();
      const pipe = await window.tw.createPipeline({ backend: 'webgl' });
      const raw = await pipe.rawBenchmark(0);
      await pipe.close();
      return { webglInWorker, info: pipe.info, ran: raw.backend };
    });
    expect(result.webglInWorker).toBe(false);
    expect(result.info.backend).toMatchObject({
      backend: 'wasm',
      trials: [{ backend: 'webgl', skipped: 'failed to initialise' }],
    });
    expect(result.info.warnings.join(' ')).toMatch(
      /WebGL was requested but is unavailable \(failed to initialise\); fell back to WebAssembly\./,
    );
    expect(result.ran).toBe('wasm');
    await page.close();
  });

  // The weights load on wasm when it starts; with its .wasm files unreachable they must load on cpu instead,
  // not leave tfjs without a backend (which read as "weights missing", ModelUnavailableError).
  test("'cpu' still starts when the WebAssembly files cannot be loaded", async () => {
    const context = await noCamera.newContext();
    const refused = await blockWasm(context);
    const { page } = await open(context, 'tests/browser/harness.html');
    const ran = await page
      .evaluate(async () => {
        const pipe = await window.tw.createPipeline({ backend: 'cpu' });
        const raw = await pipe.rawBenchmark(0);
        await pipe.close();
        return raw.backend;
      })
      .finally(() => context.close());
    expect(refused.length).toBeGreaterThan(0);
    expect(ran).toBe('cpu');
  });

  // The README's fallback chain webgl → wasm → cpu, to its end.
  test('webgl requested with neither WebGL nor WebAssembly: falls back along wasm to cpu, and says so', async () => {
    const context = await noGpu.newContext();
    await blockWasm(context);
    const { page } = await open(context, 'tests/browser/harness.html');
    const result = await page
      .evaluate(async () => {
        const pipe = await window.tw.createPipeline({ backend: 'webgl' });
        const raw = await pipe.rawBenchmark(0);
        await pipe.close();
        return { info: pipe.info, ran: raw.backend };
      })
      .finally(() => context.close());
    expect(result.info.backend).toMatchObject({
      backend: 'cpu',
      trials: [
        { backend: 'webgl', skipped: 'failed to initialise' },
        { backend: 'wasm', skipped: 'failed to initialise' },
      ],
    });
    expect(result.info.warnings.join(' ')).toMatch(
      /WebGL was requested but is unavailable .*fell back to plain JavaScript/,
    );
    expect(result.ran).toBe('cpu');
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
      // What each drawing showed, and when: a frame taken at t shows the last scene drawn before t.
      const drawn: [number, string][] = [];
      const draw = () => {
        g.fillStyle = scene === 'sun' ? '#fc3' : '#136';
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = scene === 'sun' ? '#f60' : '#eee';
        if (scene === 'sun') g.fillRect(110, 70, 100, 100);
        else for (let i = 0; i < 40; i++) g.fillRect((i * 73) % 320, (i * 37) % 240, 4, 4);
        drawn.push([performance.now(), scene]);
        requestAnimationFrame(draw);
      };
      draw();
      const shownAt = (t: number) => drawn.reduce((last, d) => (d[0] <= t ? d : last))[1];
      /** Resolves once the canvas shows `s`: every frame taken after this shows it until the scene changes. */
      const show = async (s: string) => {
        scene = s;
        while (drawn.at(-1)![1] !== s) await new Promise((r) => requestAnimationFrame(r));
      };
      const pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn' });
      const errors: string[] = [];
      const seen: { scene: string; label: string }[] = [];
      pipe.errors$.subscribe((e) => errors.push(e.name));
      pipe.predictions$.subscribe((p) => seen.push({ scene: shownAt(p.t), label: p.label }));
      pipe.start(canvas);
      await new Promise((r) => setTimeout(r, 1000));
      const errorsBefore = [...errors];
      for (const s of ['sun', 'night', 'sun', 'night']) {
        await show(s);
        const rec = pipe.record(s, canvas);
        await new Promise((r) => setTimeout(r, 400));
        await rec.stop();
      }
      const start = seen.length;
      for (const s of ['sun', 'night', 'sun']) {
        await show(s);
        await new Promise((r) => setTimeout(r, 800));
      }
      pipe.stop();
      await pipe.close();
      return { errorsBefore, after: seen.slice(start) };
    });
    expect(result.errorsBefore).toEqual(['NotTrainedError']);
    // Each prediction is judged against the scene in the frame it was made from (drawn before its capture
    // time); the first after each change is left out still, as before.
    const settled = result.after.filter((s, i, all) => i > 0 && all[i - 1]!.scene === s.scene);
    expect(settled.length).toBeGreaterThan(20);
    expect(
      settled.filter((s) => s.label === s.scene).length / settled.length,
      JSON.stringify(settled),
    ).toBeGreaterThanOrEqual(0.9);
    await page.close();
  });
});
