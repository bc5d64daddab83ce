/**
 * README claims about the pipeline, through the public API in real Chromium with the real worker and
 * weights: `metrics$` (and that a dropped frame is closed and counted), `close()` completing every
 * Observable, `record`'s rate limit, and the regression head.
 */
import type { Browser } from 'playwright-core';
import type { Observable } from 'rxjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Metrics } from '../../src/index';
import { launch, open } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launch({ camera: false, webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

declare global {
  interface Window {
    /** Every ImageBitmap whose close() was called, installed before the page's own scripts run. */
    closedBitmaps: WeakSet<ImageBitmap>;
  }
}

test('metrics$ reports the rates, latency and drops of a source faster than the worker; each dropped frame is closed', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.closedBitmaps = new WeakSet();
    const close = Object.getOwnPropertyDescriptor(ImageBitmap.prototype, 'close')!.value as (this: ImageBitmap) => void;
    ImageBitmap.prototype.close = function (this: ImageBitmap) {
      window.closedBitmaps.add(this);
      close.call(this);
    };
  });
  const { page } = await open(context, 'tests/browser/harness.html');
  const r = await page.evaluate(async () => {
    const { tw, harness } = window;
    const { Observable } = harness;
    // Frames of our own at about 100 a second, against the cpu backend's 5–10 predictions a second here.
    const canvas = new OffscreenCanvas(224, 224);
    const g = canvas.getContext('2d')!;
    const draw = (n: number) => {
      g.fillStyle = n % 2 ? '#fc3' : '#136';
      g.fillRect(0, 0, 224, 224);
    };
    const pipe = await tw.createPipeline({ backend: 'cpu', head: 'knn', metricsIntervalMs: 250 });
    for (const [n, label] of [
      [0, 'dark'],
      [1, 'light'],
    ] as const) {
      draw(n);
      await pipe.addExample(label, canvas);
    }
    const emitted: { bitmap: ImageBitmap; t: number }[] = [];
    const source = new Observable<{ bitmap: ImageBitmap; t: number }>((subscriber) => {
      let n = 0;
      const timer = setInterval(() => {
        draw(n++);
        const frame = { bitmap: canvas.transferToImageBitmap(), t: performance.now() };
        emitted.push(frame);
        subscriber.next(frame);
      }, 10);
      return () => clearInterval(timer);
    });
    const predictions: { at: number; latency: number }[] = [];
    pipe.predictions$.subscribe((p) => predictions.push({ at: performance.now(), latency: p.latencyMs }));
    const closedOf = () => emitted.filter((f) => window.closedBitmaps.has(f.bitmap)).length;
    // At every emission: the metrics, and our own count of the same things at the same moment.
    const seen: {
      m: Metrics;
      closed: number;
      since: number;
      input: number;
      predicted: number;
      /** Where a median of the window's latencies lies (one prediction more or less at the window's edge). */
      median: [number, number];
      slowest: number;
    }[] = [];
    const startedAt = performance.now();
    pipe.metrics$.subscribe((m) => {
      const now = performance.now();
      const windowStart = now - 3000;
      const latencies = predictions
        .filter((p) => p.at >= windowStart)
        .map((p) => p.latency)
        .sort((a, b) => a - b);
      seen.push({
        m,
        closed: closedOf(),
        since: now - startedAt,
        input: emitted.filter((f) => f.t >= windowStart).length / Math.min(3, (now - startedAt) / 1000),
        predicted: latencies.length / Math.min(3, (now - startedAt) / 1000),
        median: [
          latencies[Math.max(0, Math.ceil(latencies.length / 2) - 2)] ?? NaN,
          latencies[Math.min(latencies.length - 1, Math.floor(latencies.length / 2) + 1)] ?? NaN,
        ],
        slowest: Math.max(...predictions.filter((p) => p.at >= windowStart - 100).map((p) => p.latency)),
      });
    });
    // Until four emissions have a whole 3 s window behind them (or a generous timeout).
    let enough = () => {};
    const inWindow = new Promise<void>((resolve) => (enough = resolve));
    pipe.metrics$.subscribe(() => seen.filter((s) => s.since >= 3000).length >= 4 && enough());
    pipe.start(source);
    await Promise.race([inWindow, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    pipe.stop();
    const emissions = seen.length;
    // The frame in flight at the stop comes back (or is closed) and then every frame is accounted for; and in
    // two metrics intervals after that, metrics$ says nothing more (nothing arriving is seen only by waiting).
    const settle = performance.now();
    while (emitted.some((f) => f.bitmap.width !== 0) && performance.now() - settle < 5000)
      await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const end = {
      emitted: emitted.length,
      closed: closedOf(),
      // A frame is gone from the page once transferred to the worker or closed: either way its size reads 0×0.
      leftOpen: emitted.filter((f) => f.bitmap.width !== 0).length,
      predictions: predictions.length,
      emissionsAfterStop: seen.length - emissions,
    };
    await pipe.close();
    return { seen, end, backend: pipe.info.backend.backend };
  });
  const last = r.seen.at(-1)!;
  const summary = JSON.stringify({ end: r.end, last });
  console.info(`metrics: ${summary}`);
  expect(r.backend).toBe('cpu');
  // Every 250 ms while running, and not after stop().
  expect(r.seen.length, summary).toBeGreaterThanOrEqual(12);
  expect(r.end.emissionsAfterStop, summary).toBe(0);
  // "A dropped frame is closed and counted": at every emission, the bitmaps closed so far are the drops counted.
  for (const s of r.seen) expect(s.m.droppedFrames, JSON.stringify(s)).toBe(s.closed);
  expect(last.m.droppedFrames, summary).toBeGreaterThan(50);
  // Nothing leaks: every frame was transferred (and predicted, but for the one in flight at stop) or closed.
  expect(r.end.leftOpen, summary).toBe(0);
  const transferred = r.end.emitted - r.end.closed;
  expect(r.end.predictions, summary).toBeGreaterThanOrEqual(transferred - 1);
  expect(r.end.predictions, summary).toBeLessThanOrEqual(transferred);
  // The rates and latency agree with our own counts over the same 3 s window, once a whole window has passed.
  for (const s of r.seen.filter((s) => s.since >= 3000)) {
    expect(Math.abs(s.m.inputFps - s.input), JSON.stringify(s)).toBeLessThanOrEqual(0.05 * s.input + 1);
    expect(Math.abs(s.m.predictionsPerSecond - s.predicted), JSON.stringify(s)).toBeLessThanOrEqual(
      0.05 * s.predicted + 0.5,
    );
    expect(s.m.latencyMs.p50, JSON.stringify(s)).toBeGreaterThanOrEqual(s.median[0]);
    expect(s.m.latencyMs.p50, JSON.stringify(s)).toBeLessThanOrEqual(s.median[1]);
    expect(s.m.latencyMs.p95, JSON.stringify(s)).toBeGreaterThanOrEqual(s.m.latencyMs.p50);
    expect(s.m.latencyMs.p95, JSON.stringify(s)).toBeLessThanOrEqual(s.slowest);
  }
  // The source really was faster than the worker, which is what the drops are for.
  expect(last.m.inputFps, summary).toBeGreaterThan(2 * last.m.predictionsPerSecond);
  expect(last.m.predictionsPerSecond, summary).toBeGreaterThan(0);
  expect(last.m).toMatchObject({ backend: 'cpu', tensors: expect.any(Number) as number });
  await context.close();
});

test('close() completes every Observable, ends a run and a recording, and late subscribers complete at once', async () => {
  const { page } = await open(browser, 'tests/browser/harness.html');
  const r = await page.evaluate(async () => {
    const { tw } = window;
    const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
    const g = canvas.getContext('2d')!;
    let n = 0;
    const draw = () => {
      g.fillStyle = `hsl(${n++ % 360} 80% 50%)`;
      g.fillRect(0, 0, 160, 120);
      requestAnimationFrame(draw);
    };
    draw();
    const pipe = await tw.createPipeline({ backend: 'wasm', head: 'dense', metricsIntervalMs: 100 });
    const streams = {
      predictions$: pipe.predictions$,
      training$: pipe.training$,
      counts$: pipe.counts$,
      metrics$: pipe.metrics$,
      errors$: pipe.errors$,
    };
    const log: Record<string, { values: number; completed: boolean; error: boolean }> = {};
    for (const [name, stream] of Object.entries(streams)) {
      const entry = { values: 0, completed: false, error: false };
      log[name] = entry;
      (stream as Observable<unknown>).subscribe({
        next: () => entry.values++,
        complete: () => (entry.completed = true),
        error: () => (entry.error = true),
      });
    }
    // Every stream has something to say before the close: examples, training, a live run, its metrics.
    await pipe.addExample('a', canvas);
    await pipe.addExample('b', canvas);
    await pipe.train();
    pipe.start(canvas);
    const recording = pipe.record('a', canvas);
    let countDone = false;
    let recorded = 0;
    recording.count$.subscribe({ next: (n) => (recorded = n), complete: () => (countDone = true) });
    // Until each stream has said something and the recording has an example (or a generous timeout).
    const said = () =>
      ['predictions$', 'training$', 'counts$', 'metrics$'].every((name) => log[name]!.values > 0) && recorded > 0;
    const since = performance.now();
    while (!said() && performance.now() - since < 30_000)
      await new Promise((resolve) => requestAnimationFrame(resolve));
    const before = Object.fromEntries(Object.entries(log).map(([k, v]) => [k, { ...v }]));
    await pipe.close();
    const stopped = await recording.stop();
    const after = Object.fromEntries(Object.entries(log).map(([k, v]) => [k, { ...v }]));
    // Nothing more arrives: seen only by waiting, five metrics intervals.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = Object.fromEntries(Object.entries(log).map(([k, v]) => [k, v.values]));
    const late: Record<string, boolean> = {};
    for (const [name, stream] of Object.entries(streams)) {
      late[name] = false;
      (stream as Observable<unknown>).subscribe({ complete: () => (late[name] = true) });
    }
    return { before, after, later, late, running: pipe.running, countDone, recorded: stopped };
  });
  const names = ['predictions$', 'training$', 'counts$', 'metrics$', 'errors$'];
  for (const name of names) {
    expect(r.before[name], `${name} before close`).toMatchObject({ completed: false, error: false });
    expect(r.after[name], `${name} after close`).toMatchObject({ completed: true, error: false });
    // Nothing more arrives once closed.
    expect(r.later[name], name).toBe(r.after[name]!.values);
    expect(r.late[name], `${name} subscribed after close`).toBe(true);
  }
  for (const name of ['predictions$', 'training$', 'counts$', 'metrics$'])
    expect(r.before[name]!.values, `${name} emitted before close`).toBeGreaterThan(0);
  expect(r.running).toBe(false);
  expect(r.countDone).toBe(true);
  expect(r.recorded).toBeGreaterThan(0);
  await page.close();
});

test("record's maxFps: examples a second over a measured hold, from a canvas, at most maxFps plus one; a tap adds one", async () => {
  const { page } = await open(browser, 'tests/browser/harness.html');
  const r = await page.evaluate(async () => {
    const { tw } = window;
    // A canvas draws a new picture on every animation frame (about 60 a second), faster than any limit here.
    const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
    const g = canvas.getContext('2d')!;
    let n = 0;
    const draw = () => {
      g.fillStyle = `hsl(${n++ % 360} 80% 50%)`;
      g.fillRect(0, 0, 160, 120);
      requestAnimationFrame(draw);
    };
    draw();
    const pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn' });
    const holds: { maxFps: number | undefined; examples: number; live: number; ms: number; drawn: number }[] = [];
    for (const maxFps of [5, undefined]) {
      const drawnBefore = n;
      const t0 = performance.now();
      const recording = pipe.record('x', canvas, maxFps === undefined ? {} : { maxFps });
      let live = 0;
      // The hold lasts until it has 8 examples: a limit that stalled would never get there.
      const eight = new Promise((resolve) =>
        recording.count$.subscribe((c) => {
          live = c;
          if (c >= 8) resolve(c);
        }),
      );
      await Promise.race([eight, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      const examples = await recording.stop();
      holds.push({ maxFps, examples, live, ms: performance.now() - t0, drawn: n - drawnBefore });
    }
    // A tap: stopped in the same task it started, before any frame came. It still takes the picture showing.
    const tap = await pipe.record('tap', canvas).stop();
    const tapped = (await pipe.counts()).perLabel.tap;
    const total = (await pipe.counts()).total - (tapped ?? 0);
    await pipe.close();
    return { holds, total, tap, tapped };
  });
  console.info(`record: ${JSON.stringify(r)}`);
  expect(r.tap, 'a tap of record adds one example').toBe(1);
  expect(r.tapped).toBe(1);
  for (const hold of r.holds) {
    const maxFps = hold.maxFps ?? 10; // the default
    const context = JSON.stringify(hold);
    // The source offered far more frames than the limit lets through…
    expect(hold.drawn / (hold.ms / 1000), context).toBeGreaterThan(2 * maxFps);
    // …at most one per 1/maxFps s, counting from the first: ≤ maxFps × seconds + 1…
    expect(hold.examples, context).toBeLessThanOrEqual((hold.ms / 1000) * maxFps + 1);
    // …and the limit is a rate, not a stall: the hold got its 8 examples.
    expect(hold.examples, context).toBeGreaterThanOrEqual(8);
    expect(hold.live, 'count$ counted them live').toBe(hold.examples);
  }
  expect(r.total).toBe(r.holds.reduce((sum, h) => sum + h.examples, 0));
  await page.close();
});

// The README gives record() both kinds of source; maxFps must hold for an Observable<Frame> too (it once
// applied to elements only: 68 examples in 2 s at maxFps 5).
test("record's maxFps holds for an Observable<Frame> source too", async () => {
  const { page } = await open(browser, 'tests/browser/harness.html');
  const hold = await page.evaluate(async () => {
    const { tw } = window;
    const canvas = Object.assign(document.createElement('canvas'), { width: 160, height: 120 });
    const g = canvas.getContext('2d')!;
    let n = 0;
    const draw = () => {
      g.fillStyle = `hsl(${n++ % 360} 80% 50%)`;
      g.fillRect(0, 0, 160, 120);
      requestAnimationFrame(draw);
    };
    draw();
    const pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn' });
    const t0 = performance.now();
    const recording = pipe.record('x', tw.frames(canvas, { maxFps: 60 }), { maxFps: 5 });
    // Until 6 examples: over a second at 5 a second (it once took 68 in 2 s).
    await Promise.race([
      new Promise((resolve) => recording.count$.subscribe((c) => c >= 6 && resolve(c))),
      new Promise((resolve) => setTimeout(resolve, 30_000)),
    ]);
    const examples = await recording.stop();
    const ms = performance.now() - t0;
    await pipe.close();
    return { examples, ms };
  });
  await page.close();
  expect(hold.examples, JSON.stringify(hold)).toBeGreaterThanOrEqual(6);
  expect(hold.examples, JSON.stringify(hold)).toBeLessThanOrEqual((hold.ms / 1000) * 5 + 1);
});

test('the regression head through the worker: targets as values, predictions$ carries values that follow the canvas', async () => {
  const { page } = await open(browser, 'tests/browser/harness.html');
  const r = await page.evaluate(async () => {
    const { tw } = window;
    const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240 });
    document.body.append(canvas);
    const g = canvas.getContext('2d')!;
    let scene: 'day' | 'night' = 'day';
    const drawn: [number, string][] = [];
    const draw = () => {
      g.fillStyle = scene === 'day' ? '#8cf' : '#113';
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = scene === 'day' ? '#fd2' : '#eee';
      if (scene === 'day') g.fillRect(120, 60, 80, 80);
      else for (let i = 0; i < 40; i++) g.fillRect((i * 73) % 320, (i * 37) % 240, 4, 4);
      drawn.push([performance.now(), scene]);
      requestAnimationFrame(draw);
    };
    draw();
    const shownAt = (t: number) => drawn.reduce((last, d) => (d[0] <= t ? d : last))[1];
    const show = async (s: typeof scene) => {
      scene = s;
      while (drawn.at(-1)![1] !== s) await new Promise((resolve) => requestAnimationFrame(resolve));
    };
    const pipe = await tw.createPipeline({
      backend: 'wasm',
      head: 'regression',
      outputs: ['brightness', 'stars'],
    });
    const targets = { day: { brightness: 1, stars: 0 }, night: { brightness: 0, stars: 1 } };
    /** Resolves once `check` passes, checked at every animation frame (or after a generous timeout). */
    const until = async (check: () => boolean) => {
      const since = performance.now();
      while (!check() && performance.now() - since < 30_000)
        await new Promise((resolve) => requestAnimationFrame(resolve));
    };
    for (const s of ['day', 'night', 'day', 'night'] as const) {
      await show(s);
      const recording = pipe.record(targets[s], canvas);
      let count = 0;
      recording.count$.subscribe((c) => (count = c));
      await until(() => count >= 3);
      await recording.stop();
    }
    const examples = (await pipe.examples()).map((e) => ({ label: e.label, values: e.values }));
    const counts = await pipe.counts();
    const losses: number[] = [];
    pipe.training$.subscribe((p) => losses.push(p.loss));
    const report = await pipe.train();
    const seen: { scene: string; label: string; confidences: object; values?: Record<string, number> }[] = [];
    pipe.predictions$.subscribe((p) =>
      seen.push({
        scene: shownAt(p.t),
        label: p.label,
        confidences: p.confidences,
        ...(p.values ? { values: p.values } : {}),
      }),
    );
    pipe.start(canvas);
    // Each scene until it has had eight predictions after its first (the one at the change may go either way).
    for (const s of ['day', 'night', 'day', 'night'] as const) {
      await show(s);
      const from = seen.length;
      await until(() => seen.length >= from + 9);
    }
    pipe.stop();
    await pipe.close();
    return { info: { head: pipe.info.head, outputs: pipe.info.outputs }, examples, counts, report, losses, seen };
  });
  expect(r.info).toEqual({ head: 'regression', outputs: ['brightness', 'stars'] });
  // The examples carry their targets as values, under the label ''.
  expect(r.examples.length).toBeGreaterThanOrEqual(8);
  for (const e of r.examples) {
    expect(e.label).toBe('');
    expect([
      { brightness: 1, stars: 0 },
      { brightness: 0, stars: 1 },
    ]).toContainEqual(e.values);
  }
  expect(r.counts).toEqual({ perLabel: { '': r.examples.length }, total: r.examples.length });
  expect(r.report).toMatchObject({ head: 'regression', epochs: 20, examples: r.examples.length });
  expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
  // Predictions carry values (and no label or confidences), each judged against the scene in its frame.
  const settled = r.seen.filter((s, i, all) => i > 0 && all[i - 1]!.scene === s.scene);
  expect(settled.length, JSON.stringify(r.seen)).toBeGreaterThan(20);
  for (const s of r.seen) {
    expect(s.label).toBe('');
    expect(s.confidences).toEqual({});
    expect(Object.keys(s.values ?? {})).toEqual(['brightness', 'stars']);
  }
  const right = settled.filter((s) => {
    const want = s.scene === 'day' ? { brightness: 1, stars: 0 } : { brightness: 0, stars: 1 };
    return Math.abs(s.values!.brightness! - want.brightness) < 0.3 && Math.abs(s.values!.stars! - want.stars) < 0.3;
  }).length;
  console.info(
    `regression: ${right}/${settled.length} predictions within 0.3 of the scene's targets; loss ${r.losses[0]} → ${r.losses.at(-1)}`,
  );
  expect(right / settled.length, JSON.stringify(settled)).toBeGreaterThanOrEqual(0.9);
  await page.close();
});
