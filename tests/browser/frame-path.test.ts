/**
 * The frame path of a live camera, in real Chromium with the fake camera: read in the worker (its track's
 * frames streamed there), a worker slower than the camera never makes the camera stall — every VideoFrame
 * the worker reads is closed, the ones it skips at once — and the main thread takes no picture. Read on the
 * page instead (`workerCamera: false`), every ImageBitmap the page makes is handed over or closed.
 */
import type { Browser, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launch, open } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

interface FramePath {
  pipe: Awaited<ReturnType<typeof window.tw.createPipeline>>;
  video: HTMLVideoElement;
  metrics: { inputFps: number; droppedFrames: number; ingest: string; mainThreadMsPerFrame: number }[];
  predictions: number;
  /** Times (page clock) the camera's <video> presented a new frame: what the camera delivers. */
  videoFrames: number[];
  /** ImageBitmaps the page made, and what became of them. */
  bitmaps: { created: number; closed: number };
}
declare global {
  interface Window {
    path: FramePath;
  }
}

const ENGINE_WORKER = /\/assets\/worker-[^/]*\.js$/;

/** A harness page with the camera open and a kNN pipeline on `backend`, and the page's bitmaps counted. */
async function session(backend: 'cpu' | 'wasm'): Promise<Page> {
  const { page } = await open(browser, 'tests/browser/harness.html');
  await page.evaluate(async (backend) => {
    const s = (window.path = {
      metrics: [],
      predictions: 0,
      videoFrames: [],
      bitmaps: { created: 0, closed: 0 },
    } as unknown as FramePath);
    const take = Object.getOwnPropertyDescriptor(OffscreenCanvas.prototype, 'transferToImageBitmap')!.value as (
      this: OffscreenCanvas,
    ) => ImageBitmap;
    OffscreenCanvas.prototype.transferToImageBitmap = function (this: OffscreenCanvas) {
      s.bitmaps.created += 1;
      return take.call(this);
    };
    const close = Object.getOwnPropertyDescriptor(ImageBitmap.prototype, 'close')!.value as (this: ImageBitmap) => void;
    ImageBitmap.prototype.close = function (this: ImageBitmap) {
      s.bitmaps.closed += 1;
      close.call(this);
    };
    const { tw } = window;
    s.video = await tw.openCamera({ video: document.getElementById('camera') as HTMLVideoElement });
    const presented = () => {
      s.videoFrames.push(performance.now());
      s.video.requestVideoFrameCallback(presented);
    };
    s.video.requestVideoFrameCallback(presented);
    s.pipe = await tw.createPipeline({ backend, head: 'knn' });
    await s.pipe.addExample('a', s.video);
    await s.pipe.addExample('b', s.video);
    s.bitmaps = { created: 0, closed: 0 };
    s.pipe.metrics$.subscribe((m) => s.metrics.push(m));
    s.pipe.predictions$.subscribe(() => (s.predictions += 1));
  }, backend);
  return page;
}

/** In the engine's worker: every VideoFrame read from a stream, and every VideoFrame closed. */
async function countWorkerFrames(page: Page): Promise<Worker> {
  const worker = page.workers().find((w) => ENGINE_WORKER.test(w.url()));
  expect(
    worker,
    page
      .workers()
      .map((w) => w.url())
      .join(', '),
  ).toBeDefined();
  await worker!.evaluate(() => {
    const counts = ((self as unknown as { frameCounts: { read: number; closed: number } }).frameCounts = {
      read: 0,
      closed: 0,
    });
    const read = Object.getOwnPropertyDescriptor(ReadableStreamDefaultReader.prototype, 'read')!.value as (
      this: ReadableStreamDefaultReader,
    ) => Promise<ReadableStreamReadResult<unknown>>;
    ReadableStreamDefaultReader.prototype.read = function (this: ReadableStreamDefaultReader) {
      return read.call(this).then((r) => {
        if (!r.done && r.value instanceof VideoFrame) counts.read += 1;
        return r;
      });
    } as typeof ReadableStreamDefaultReader.prototype.read;
    const close = Object.getOwnPropertyDescriptor(VideoFrame.prototype, 'close')!.value as (this: VideoFrame) => void;
    VideoFrame.prototype.close = function (this: VideoFrame) {
      if (this.format !== null) counts.closed += 1; // a frame closed twice counts once
      close.call(this);
    };
  });
  return worker!;
}

describe('the camera read in the worker', () => {
  test('a worker slower than the camera: every frame read is closed, skipped ones at once, and the camera never stalls', async () => {
    const page = await session('cpu');
    const worker = await countWorkerFrames(page);
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await page.waitForTimeout(10_000);
    const during = await worker.evaluate(
      () => (self as unknown as { frameCounts: { read: number; closed: number } }).frameCounts,
    );
    const r = await page.evaluate(async () => {
      const s = window.path;
      s.pipe.stop();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the frame being inferred finishes
      const now = performance.now();
      // The camera's rate over the run's last 5 s (before the stop above).
      const videoFps = s.videoFrames.filter((t) => t > now - 6500 && t <= now - 1500).length / 5;
      return { metrics: s.metrics, predictions: s.predictions, bitmaps: s.bitmaps, videoFps };
    });
    const after = await worker.evaluate(
      () => (self as unknown as { frameCounts: { read: number; closed: number } }).frameCounts,
    );
    const last = r.metrics.at(-1)!;
    const report = JSON.stringify({
      during,
      after,
      last,
      predictions: r.predictions,
      bitmaps: r.bitmaps,
      videoFps: r.videoFps,
    });
    console.info(`frame path, worker: ${report}`);
    expect(last.ingest, report).toBe('worker');
    // Slower than the camera: most frames are skipped (the newest is taken), and metrics$ says so...
    expect(r.predictions, report).toBeGreaterThan(5);
    expect(last.droppedFrames, report).toBeGreaterThan(r.predictions);
    expect(last.inputFps, report).toBeGreaterThan(20);
    // ...and the camera keeps its rate to the end: a frame left open would have run its pool dry.
    expect(r.videoFps, report).toBeGreaterThan(20);
    expect(during.read, report).toBeGreaterThanOrEqual(r.predictions);
    expect(during.read - during.closed, report).toBeLessThanOrEqual(2); // the one being inferred, the newest
    expect(after.closed, report).toBe(after.read);
    // Nothing per frame on the page.
    expect(r.bitmaps.created, report).toBe(0);
    expect(last.mainThreadMsPerFrame, report).toBeLessThan(1);
    await page.close();
  });
});

describe('a source that changes kind mid-run', () => {
  test('a camera, then a video file in the same element (as the source picker does): the run follows it and goes on', async () => {
    const page = await session('wasm');
    const r = await page.evaluate(async () => {
      const s = window.path;
      const errors: string[] = [];
      s.pipe.errors$.subscribe((e) => errors.push(`${e.name}: ${e.message}`));
      s.pipe.start(s.video);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const onCamera = { predictions: s.predictions, ingest: s.metrics.at(-1)?.ingest };
      // A short clip of a moving square, as a file.
      const file = await window.harness.recordWebm(320, 240, 1000, (g) => {
        g.fillStyle = '#246';
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = '#fc0';
        g.fillRect((performance.now() / 5) % 300, 100, 20, 20);
      });
      window.tw.closeCamera(s.video);
      await window.tw.openVideo(file, { video: s.video });
      const before = s.predictions;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const onFile = { predictions: s.predictions - before, ingest: s.metrics.at(-1)?.ingest };
      const running = s.pipe.running;
      s.pipe.stop();
      return { onCamera, onFile, errors, running };
    });
    const report = JSON.stringify(r);
    console.info(`frame path, camera then file: ${report}`);
    expect(r.onCamera.ingest, report).toBe('worker');
    expect(r.onCamera.predictions, report).toBeGreaterThan(20);
    expect(r.onFile.ingest, report).toBe('page');
    expect(r.onFile.predictions, report).toBeGreaterThan(20);
    expect(r.running, report).toBe(true);
    expect(r.errors, report).toEqual([]);
    await page.close();
  });
});

describe('the camera read on the page', () => {
  test('every ImageBitmap the page makes is handed to the worker, none kept or leaked', async () => {
    const page = await session('wasm');
    const r = await page.evaluate(async () => {
      const s = window.path;
      s.pipe.start(s.video, { workerCamera: false });
      await new Promise((resolve) => setTimeout(resolve, 5000));
      s.pipe.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { last: s.metrics.at(-1)!, predictions: s.predictions, bitmaps: s.bitmaps };
    });
    const report = JSON.stringify(r);
    console.info(`frame path, page: ${report}`);
    expect(r.last.ingest, report).toBe('page');
    expect(r.predictions, report).toBeGreaterThan(50);
    // Each picture taken was transferred (a transferred bitmap is 0×0 here) or closed when dropped.
    expect(r.bitmaps.created, report).toBeGreaterThanOrEqual(r.predictions);
    expect(r.bitmaps.created - r.bitmaps.closed, report).toBeLessThanOrEqual(r.predictions + 1);
    await page.close();
  });
});
