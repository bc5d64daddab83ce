/**
 * The frame path of a live camera, in real Chromium with the fake camera. Read in the worker (its track's
 * frames streamed there), every VideoFrame is closed on every path — counted, not inferred from the absence
 * of Chromium's warning: the frames the page puts into each stream bound for the worker (an init script,
 * track-frames.ts) against the worker's own count of frames received and closed (`memory().videoFrames`).
 * A worker slower than the camera never makes the camera stall, and the main thread takes no picture. Read on
 * the page instead (`workerCamera: false`), every ImageBitmap the page makes is handed over or closed. A run
 * follows its <video> from a camera to a file.
 *
 * How fast any of it goes is `npm run test:stress`'s (tests/stress/frame-path.test.ts).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launch, open } from './browser';
import { crash, engineWorker, nextEngineWorker, workerMemory } from './engine-worker';
import { countTrackFrames } from './track-frames';

let browser: Browser;
beforeAll(async () => {
  // gc(): frames left open are collected (and Chromium warns of them) while the test still listens.
  browser = await launch({ webgpu: false, args: ['--js-flags=--expose-gc'] });
});
afterAll(async () => {
  await browser?.close();
});

const GC_WARNING = /VideoFrame was garbage collected without being closed/;

interface FramePath {
  pipe: Awaited<ReturnType<typeof window.tw.createPipeline>>;
  video: HTMLVideoElement;
  /** Predictions so far, and the errors told on errors$. */
  predictions: number;
  errors: string[];
  /** ImageBitmaps the page made, and what became of them: closed here, or transferred to the worker. */
  bitmaps: { created: number; closed: number; transferred: number };
  /** Resolves after `n` more predictions (rejects after 60 s, saying how many came). */
  more(n: number): Promise<void>;
  /** The next metrics$ of the run. */
  nextMetrics(): Promise<{ ingest: string; droppedFrames: number }>;
}
declare global {
  interface Window {
    path: FramePath;
  }
}

/** Counts the page's ImageBitmaps: made, closed, and transferred (to the worker, through comlink). */
function countBitmaps(): void {
  const bitmaps = { created: 0, closed: 0, transferred: 0 };
  (window as unknown as { pageBitmaps: typeof bitmaps }).pageBitmaps = bitmaps;
  const take = Object.getOwnPropertyDescriptor(OffscreenCanvas.prototype, 'transferToImageBitmap')!.value as (
    this: OffscreenCanvas,
  ) => ImageBitmap;
  OffscreenCanvas.prototype.transferToImageBitmap = function (this: OffscreenCanvas) {
    bitmaps.created += 1;
    return take.call(this);
  };
  const create = window.createImageBitmap.bind(window) as (...a: unknown[]) => Promise<ImageBitmap>;
  window.createImageBitmap = (...a: unknown[]) => create(...a).then((b) => ((bitmaps.created += 1), b));
  const close = Object.getOwnPropertyDescriptor(ImageBitmap.prototype, 'close')!.value as (this: ImageBitmap) => void;
  ImageBitmap.prototype.close = function (this: ImageBitmap) {
    if (this.width > 0) bitmaps.closed += 1; // a bitmap closed twice, or after its transfer, counts once
    close.call(this);
  };
  for (const Target of [Worker, MessagePort]) {
    const post = Object.getOwnPropertyDescriptor(Target.prototype, 'postMessage')!.value as (
      this: Worker | MessagePort,
      message: unknown,
      transfer?: Transferable[] | StructuredSerializeOptions,
    ) => void;
    Target.prototype.postMessage = function (
      this: Worker | MessagePort,
      message: unknown,
      transfer?: Transferable[] | StructuredSerializeOptions,
    ) {
      const list = (Array.isArray(transfer) ? transfer : transfer?.transfer) ?? [];
      bitmaps.transferred += list.filter((t) => t instanceof ImageBitmap && t.width > 0).length;
      post.call(this, message, transfer);
    };
  }
}

/** A context whose pages count the frames bound for the worker and the bitmaps the page makes. */
async function counted(): Promise<{ context: BrowserContext; page: Page; logs: string[] }> {
  const context = await browser.newContext();
  await context.addInitScript(countTrackFrames);
  await context.addInitScript(countBitmaps);
  const { page, logs } = await open(context, 'tests/browser/harness.html');
  return { context, page, logs };
}

/** The camera open in #camera and a kNN pipeline on `backend` taught two examples of it, not running yet. */
async function session(page: Page, backend: 'cpu' | 'wasm'): Promise<void> {
  await page.evaluate(async (backend) => {
    const { tw } = window;
    const s = (window.path = { predictions: 0, errors: [] } as unknown as FramePath);
    s.video = await tw.openCamera({ video: document.getElementById('camera') as HTMLVideoElement });
    s.pipe = await tw.createPipeline({ backend, head: 'knn' });
    await s.pipe.addExample('a', s.video);
    await s.pipe.addExample('b', s.video);
    s.bitmaps = (window as unknown as { pageBitmaps: FramePath['bitmaps'] }).pageBitmaps;
    s.pipe.errors$.subscribe((e) => s.errors.push(`${e.name}: ${e.message}`));
    s.nextMetrics = () =>
      new Promise((resolve) => {
        const sub = s.pipe.metrics$.subscribe((m) => {
          queueMicrotask(() => sub.unsubscribe());
          resolve(m);
        });
      });
    const waiting = new Set<() => void>();
    s.pipe.predictions$.subscribe(() => {
      s.predictions += 1;
      for (const check of [...waiting]) check();
    });
    s.more = (n) =>
      new Promise((resolve, reject) => {
        const until = s.predictions + n;
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`${s.predictions - until + n} of ${n} more predictions in 60 s`));
        }, 60_000);
        const check = () => {
          if (s.predictions < until) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve();
        };
        waiting.add(check);
      });
  }, backend);
}

/**
 * The page's and the live worker's frame counts: frames put into the streams made since page time `since`
 * (the streams this worker was given), against what the worker received and closed.
 */
async function frameCounts(page: Page, since = 0) {
  const [page_, worker] = await Promise.all([
    page.evaluate((since) => {
      const streams = window.trackFrames.streams.filter((s) => s.at >= since);
      return {
        created: streams.reduce((n, s) => n + s.created, 0),
        streams: streams.length,
        streamsOpen: streams.filter((s) => !s.ended && !s.cancelled).length,
        pageCopies: window.trackFrames.pageCopies,
      };
    }, since),
    workerMemory(engineWorker(page)),
  ]);
  return { ...page_, received: worker.videoFrames.received, closed: worker.videoFrames.closed };
}

/**
 * Waits until the frame path is quiet: every stream made since `since` has ended, the page holds no frame,
 * and every frame put in them reached the live worker and was closed there. Fails (with the counts) if a
 * frame stays open or lost.
 */
async function settled(page: Page, since = 0) {
  let last: Awaited<ReturnType<typeof frameCounts>> | null = null;
  await expect
    .poll(
      async () => {
        last = await frameCounts(page, since);
        return {
          streamsOpen: last.streamsOpen,
          pageCopies: last.pageCopies,
          notReceived: last.created - last.received,
          notClosed: last.received - last.closed,
        };
      },
      { timeout: 30_000, interval: 200 },
    )
    .toEqual({ streamsOpen: 0, pageCopies: 0, notReceived: 0, notClosed: 0 });
  return last!;
}

/** Collects garbage on the page and in the engine's worker: a frame nobody closed draws Chromium's warning. */
async function collect(page: Page): Promise<void> {
  const gc = () => (globalThis as unknown as { gc: () => void }).gc();
  await page.evaluate(gc);
  await engineWorker(page).evaluate(gc);
}

describe('the camera read in the worker', () => {
  test('every VideoFrame is closed: stop, restart, late frames, a worker restart, the camera gone and reopened, close()', async () => {
    const { context, page, logs } = await counted();
    await session(page, 'wasm');
    const run = (n = 5) => page.evaluate((n) => window.path.more(n), n);
    const report: Record<string, unknown> = {};

    // Stop and start again.
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await run();
    await page.evaluate(() => window.path.pipe.stop());
    report.stop = await settled(page);
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await run();

    // The run restarted while running (start() stops the run before).
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await run();
    await page.evaluate(() => window.path.pipe.stop());
    report.restart = await settled(page);
    expect(await page.evaluate(() => window.trackFrames.streams.length)).toBe(3);

    // Frames that arrive late: two held in the page, sent on only after the stop ended the stream.
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await run();
    await page.evaluate(() => (window.trackFrames.hold = 2));
    await page.waitForFunction(() => window.trackFrames.hold === 0);
    const beforeLate = await frameCounts(page);
    await page.evaluate(() => window.path.pipe.stop());
    const late = await settled(page);
    report.late = late;
    // The held frames reached the worker after its reading was stopped, and were closed there.
    expect(late.received - beforeLate.received, JSON.stringify({ beforeLate, late })).toBeGreaterThanOrEqual(2);

    // The worker crashes mid-run: the new worker gets a new stream. The old worker took its frames with it;
    // the new one must account for every frame of the streams made since.
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await run();
    const old = engineWorker(page);
    const crashedAt = await page.evaluate(() => performance.now());
    await crash(old);
    await nextEngineWorker(page, old);
    await page.waitForFunction(() => window.path.errors.some((e) => e.startsWith('WorkerRestartedError')));
    await run();
    await page.evaluate(() => window.path.pipe.stop());
    report.workerRestart = await settled(page, crashedAt);
    await collect(page);

    // The camera's stream torn down from its end (the camera unplugged: its track ends), then a camera switch
    // (reopened into the same element while running: a new track, a new stream).
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await run();
    await page.evaluate(() => {
      const track = (window.path.video.srcObject as MediaStream).getVideoTracks()[0]!;
      track.stop();
      track.dispatchEvent(new Event('ended'));
    });
    report.cameraGone = await settled(page, crashedAt);
    await page.evaluate(() => window.tw.reopenCamera(window.path.video));
    await run();
    await page.evaluate(() => window.tw.reopenCamera(window.path.video));
    await run();
    await page.evaluate(() => window.path.pipe.stop());
    report.cameraSwitch = await settled(page, crashedAt);
    await collect(page);

    // close() while running: every stream is let go; the worker ends, and its frames with it.
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    await run();
    await page.evaluate(() => window.path.pipe.close());
    await expect
      .poll(() =>
        page.evaluate(() => ({
          streamsOpen: window.trackFrames.streams.filter((s) => !s.ended && !s.cancelled).length,
          pageCopies: window.trackFrames.pageCopies,
        })),
      )
      .toEqual({ streamsOpen: 0, pageCopies: 0 });
    await page.evaluate(() => (globalThis as unknown as { gc: () => void }).gc());

    const errors = await page.evaluate(() => window.path.errors);
    console.info(`frame path, every VideoFrame closed: ${JSON.stringify(report)}`);
    // The run's only errors: the restart, and the camera that ended.
    expect(errors.map((e) => e.replace(/:.*/s, ''))).toEqual(['WorkerRestartedError', 'CameraError']);
    expect(logs.filter((l) => GC_WARNING.test(l))).toEqual([]);
    await context.close();
  });

  test('a worker slower than the camera: every frame it takes is closed, and the camera never stalls', async () => {
    // The real path, as Chromium hands a processor's stream over (no counting wrapper): what stalls a camera.
    // cpu: each inference holds the worker's thread for a few hundred ms here, the camera sending 30 frames a
    // second meanwhile; the processor keeps the newest and closes the rest, the worker closes what it takes.
    const { page, logs } = await open(browser, 'tests/browser/harness.html');
    await page.evaluate(countBitmaps);
    await session(page, 'cpu');
    const bitmapsBefore = await page.evaluate(() => window.path.bitmaps.created);
    await page.evaluate(() => window.path.pipe.start(window.path.video));
    const worker = engineWorker(page);
    // Until the camera has sent 30 frames the worker had no time for (the track's own count, through
    // metrics$): more than its frame pool holds, so had the frames taken been left open, it would have stalled.
    const held: number[] = [];
    await expect
      .poll(
        async () => {
          const { videoFrames } = await workerMemory(worker);
          held.push(videoFrames.received - videoFrames.closed);
          return (await page.evaluate(() => window.path.nextMetrics())).droppedFrames;
        },
        { timeout: 120_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(30);
    await page.evaluate(() => window.path.more(2)); // and the run goes on
    const r = await page.evaluate(() => {
      const s = window.path;
      s.pipe.stop();
      return { predictions: s.predictions, bitmaps: s.bitmaps.created };
    });
    const after = await settledWorker(page);
    await collect(page);
    const report = JSON.stringify({ ...r, after, maxHeld: Math.max(...held) });
    console.info(`frame path, a slow worker: ${report}`);
    // At any moment the worker holds at most the frame being inferred and the newest one waiting.
    expect(Math.max(...held), report).toBeLessThanOrEqual(2);
    // Nothing per frame on the page.
    expect(r.bitmaps - bitmapsBefore, report).toBe(0);
    expect(logs.filter((l) => GC_WARNING.test(l))).toEqual([]);
    await page.close();
  });
});

/** Waits until the live worker has closed every VideoFrame it received (the run stopped); its counts. */
async function settledWorker(page: Page) {
  const worker = engineWorker(page);
  await expect
    .poll(async () => {
      const { received, closed } = (await workerMemory(worker)).videoFrames;
      return received - closed;
    })
    .toBe(0);
  return (await workerMemory(worker)).videoFrames;
}

describe('a source that changes kind mid-run', () => {
  test('a camera, then a video file in the same element (as the source picker does): the run follows it and goes on', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    await page.evaluate(countBitmaps);
    await session(page, 'wasm');
    const r = await page.evaluate(async () => {
      const s = window.path;
      s.pipe.start(s.video);
      await s.more(5);
      const onCamera = (await s.nextMetrics()).ingest;
      // A short clip of a moving square, as a file.
      const file = await window.harness.recordWebm(320, 240, 600, (g) => {
        g.fillStyle = '#246';
        g.fillRect(0, 0, 320, 240);
        g.fillStyle = '#fc0';
        g.fillRect((performance.now() / 5) % 300, 100, 20, 20);
      });
      window.tw.closeCamera(s.video);
      await window.tw.openVideo(file, { video: s.video });
      const taken = s.bitmaps.created;
      await s.more(10);
      const onFile = { ingest: (await s.nextMetrics()).ingest, pictures: s.bitmaps.created - taken };
      const running = s.pipe.running;
      s.pipe.stop();
      return { onCamera, onFile, errors: s.errors, running };
    });
    const report = JSON.stringify(r);
    console.info(`frame path, camera then file: ${report}`);
    expect(r.onCamera, report).toBe('worker');
    // The file's frames are read on the page: its pictures were taken there.
    expect(r.onFile.ingest, report).toBe('page');
    expect(r.onFile.pictures, report).toBeGreaterThanOrEqual(8);
    expect(r.running, report).toBe(true);
    expect(r.errors, report).toEqual([]);
    await page.close();
  });
});

describe('the camera read on the page', () => {
  test('every ImageBitmap the page makes is handed to the worker or closed, none kept or leaked', async () => {
    const { page } = await open(browser, 'tests/browser/harness.html');
    await page.evaluate(countBitmaps);
    await session(page, 'wasm');
    const before = await page.evaluate(() => ({ ...window.path.bitmaps, predictions: window.path.predictions }));
    const ingest = await page.evaluate(async () => {
      window.path.pipe.start(window.path.video, { workerCamera: false });
      await window.path.more(30);
      const { ingest } = await window.path.nextMetrics();
      window.path.pipe.stop();
      return ingest;
    });
    // Once the frame in flight at the stop is back: every bitmap made is accounted for.
    const delta = () =>
      page.evaluate((before) => {
        const { bitmaps, predictions } = window.path;
        return {
          created: bitmaps.created - before.created,
          accounted: bitmaps.closed - before.closed + bitmaps.transferred - before.transferred,
          transferred: bitmaps.transferred - before.transferred,
          predictions: predictions - before.predictions,
        };
      }, before);
    await expect.poll(async () => (await delta()).created - (await delta()).accounted).toBe(0);
    const r = { ...(await delta()), ingest };
    const report = JSON.stringify(r);
    console.info(`frame path, page: ${report}`);
    expect(r.ingest, report).toBe('page');
    expect(r.predictions, report).toBeGreaterThanOrEqual(30);
    // Each prediction's picture went to the worker by transfer (never copied); a picture dropped was closed.
    expect(r.transferred, report).toBeGreaterThanOrEqual(r.predictions);
    expect(r.created, report).toBe(r.accounted);
    await page.close();
  });
});
