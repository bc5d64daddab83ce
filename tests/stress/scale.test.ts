/**
 * The README's "5,000-example scale", through the public API in real Chromium: that many examples recorded
 * from a canvas into a kept project, trained, saved, opened into another project, and restored after a
 * reload. The counts must hold, predictions must keep coming (even while it trains again), the page's heap
 * must not grow with the examples, and no main-thread task may take over 100 ms while it trains, saves, opens
 * or restores (both figures the README's: tests/stress/claims.ts). How long each phase takes is
 * `npm run bench`'s (bench/README.md, `projectScale`).
 *
 * The 100 ms check reads the main thread's CPU time per task from a Chromium trace, not the wall-clock
 * `longtask` entries: on 2 loaded cores those stretched tasks of about 1 ms of work to 60–400 ms (the
 * thread waiting for a core), which says nothing about this code. The `longtask` entries are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { CLAIMS } from './claims';

const CLASSES = 5;
const EXAMPLES = CLAIMS.scaleExamples.bound;
const PER_CLASS = EXAMPLES / CLASSES;
/** A main-thread task of more CPU time than this fails the test. */
const LONGEST_TASK_MS = CLAIMS.scaleLongestTaskMs.bound;
/** A 48×48 RGBA thumbnail: what each example would cost the page if it held them. */
const THUMBNAIL_BYTES = 48 * 48 * 4;

let profile: string;
let context: BrowserContext;
beforeAll(async () => {
  // A profile on disk, as a user's: an in-memory (incognito) profile keeps IndexedDB in RAM with a small quota.
  profile = mkdtempSync(join(os.tmpdir(), 'tw-scale-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--disable-quic', '--no-first-run', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
  });
});
afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

type Pipe = Awaited<ReturnType<typeof window.tw.createPipeline>>;
interface ScalePage {
  scene: number;
  pipe: Pipe;
  heapMb: () => number;
  longTasks: number[];
  show: (scene: number) => Promise<void>;
}

/**
 * The harness with a 320×240 canvas showing one of five scenes (each moving a little every frame), the
 * page's heap after a collection, and the wall-clock long tasks as PerformanceObserver sees them.
 */
async function open(page: Page, reload = false): Promise<void> {
  if (reload) await page.reload();
  else await page.goto(new URL('tests/browser/harness.html', inject('baseUrl')).href);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  await page.evaluate(() => {
    const w = window as unknown as ScalePage;
    const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240, id: 'scene' });
    document.body.append(canvas);
    const g = canvas.getContext('2d')!;
    const colours = ['#fc3', '#136', '#0a6', '#c24', '#eee'];
    w.scene = 0;
    let t = 0;
    const draw = () => {
      t += 1;
      const s = w.scene;
      const wobble = Math.sin(t / 7) * 12;
      g.fillStyle = colours[s]!;
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = colours[(s + 2) % 5]!;
      if (s === 0) g.fillRect(110 + wobble, 70, 100, 100);
      else if (s === 1) for (let i = 0; i < 40; i++) g.fillRect((i * 73 + wobble) % 320, (i * 37) % 240, 6, 6);
      else if (s === 2) for (let y = 0; y < 240; y += 30) g.fillRect(0, y + wobble / 2, 320, 12);
      else if (s === 3) for (let x = 0; x < 320; x += 40) g.fillRect(x + wobble / 2, 0, 16, 240);
      else {
        g.beginPath();
        g.arc(160 + wobble, 120, 80, 0, 7);
        g.fill();
      }
      requestAnimationFrame(draw);
    };
    draw();
    w.show = async (scene) => {
      w.scene = scene;
      for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
    };
    w.heapMb = () => {
      const { gc } = window as unknown as { gc: () => void };
      gc(); // twice: what the first collection finalised goes in the second
      gc();
      return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 2 ** 20;
    };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
}

/** Main-thread tasks of the page's renderer, with their wall-clock and CPU time (ms), while `work` runs. */
async function traced<T>(cdp: CDPSession, work: () => Promise<T>): Promise<{ value: T; cpuOverBound: string[] }> {
  type TraceEvent = {
    ph: string;
    name: string;
    pid: number;
    tid: number;
    dur?: number;
    tdur?: number;
    args?: { name?: string };
  };
  const events: TraceEvent[] = [];
  const collect = (d: { value: object[] }) => void events.push(...(d.value as TraceEvent[]));
  cdp.on('Tracing.dataCollected', collect);
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel'] }, transferMode: 'ReportEvents' });
  let value: T;
  try {
    value = await work();
  } finally {
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', collect);
  }
  const main = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = events.filter(
    (e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && main.has(`${e.pid}:${e.tid}`),
  );
  expect(tasks.length, 'the trace saw the main thread').toBeGreaterThan(0);
  const cpuOverBound = tasks
    .filter((e) => (e.tdur ?? 0) > LONGEST_TASK_MS * 1000)
    .map((e) => `${Math.round((e.dur ?? 0) / 1000)} ms (CPU ${Math.round((e.tdur ?? 0) / 1000)} ms)`);
  return { value, cpuOverBound };
}

/** Waits for `n` predictions from the running pipeline (at most 20 s); resolves with their labels. */
function predictions(page: Page, n: number): Promise<string[]> {
  return page.evaluate(
    (n) =>
      new Promise<string[]>((resolve, reject) => {
        const w = window as unknown as ScalePage;
        const labels: string[] = [];
        const timer = setTimeout(() => reject(new Error(`only ${labels.length} predictions in 20 s`)), 20_000);
        const sub = w.pipe.predictions$.subscribe((p) => {
          labels.push(p.label);
          if (labels.length < n) return;
          clearTimeout(timer);
          sub.unsubscribe();
          resolve(labels);
        });
      }),
    n,
  );
}

/** What the pipeline classifies each scene as. */
function classifyEach(page: Page): Promise<string[]> {
  return page.evaluate(async (classes) => {
    const w = window as unknown as ScalePage;
    const canvas = document.getElementById('scene') as HTMLCanvasElement;
    const out: string[] = [];
    for (let s = 0; s < classes; s++) {
      await w.show(s);
      out.push((await w.pipe.classify(canvas)).label);
    }
    return out;
  }, CLASSES);
}

const LABELS = Array.from({ length: CLASSES }, (_, i) => `scene ${i + 1}`);

test(
  `${EXAMPLES} examples are recorded, kept, trained, saved, opened and restored, with the page free and its heap flat`,
  { timeout: 1_500_000 },
  async () => {
    const page = await context.newPage();
    await open(page);
    const cdp = await context.newCDPSession(page);

    // Record: one class after the other, five examples in flight, as a held Record button keeps the worker busy.
    const recorded = await page.evaluate(
      async ({ labels, perClass }) => {
        const w = window as unknown as ScalePage;
        const canvas = document.getElementById('scene') as HTMLCanvasElement;
        w.pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'scale', train: { epochs: 5 } });
        for (const label of labels) await w.pipe.addLabel(label);
        const heap: number[] = [w.heapMb()];
        for (const [s, label] of labels.entries()) {
          await w.show(s);
          let left = perClass;
          const lane = async () => {
            while (left > 0) {
              left -= 1;
              await w.pipe.addExample(label, canvas);
            }
          };
          await Promise.all([lane(), lane(), lane(), lane(), lane()]);
          if (s === 1) heap.push(w.heapMb());
        }
        heap.push(w.heapMb());
        await w.pipe.flush();
        return { heap, counts: await w.pipe.counts(), listed: await window.tw.listProjects() };
      },
      { labels: LABELS, perClass: PER_CLASS },
    );
    expect(recorded.counts.total).toBe(EXAMPLES);
    expect(recorded.counts.perLabel).toEqual(Object.fromEntries(LABELS.map((l) => [l, PER_CLASS])));
    expect(recorded.listed).toEqual([expect.objectContaining({ name: 'scale', examples: EXAMPLES })]);
    // The page keeps no example: from 2 classes to 5 its heap grows by far less than a thumbnail each.
    const [, atTwo, atFive] = recorded.heap as [number, number, number];
    expect((atFive - atTwo) * 2 ** 20, `heap MB ${recorded.heap.join(' → ')}`).toBeLessThan(
      (3 * PER_CLASS * THUMBNAIL_BYTES) / 8,
    );

    // Train, predicting live meanwhile; train again (predictions must not stop), then save.
    const trainedAndSaved = await traced(cdp, () =>
      page.evaluate(async () => {
        const w = window as unknown as ScalePage;
        const canvas = document.getElementById('scene') as HTMLCanvasElement;
        let epochs = 0;
        const sub = w.pipe.training$.subscribe(() => (epochs += 1));
        const first = await w.pipe.train();
        w.pipe.start(canvas);
        await new Promise<void>((resolve) => {
          const first = w.pipe.predictions$.subscribe(() => (first.unsubscribe(), resolve()));
        });
        let during = 0;
        const counting = w.pipe.predictions$.subscribe(() => (during += 1));
        const again = await w.pipe.train();
        counting.unsubscribe();
        sub.unsubscribe();
        const file = await w.pipe.saveProject();
        (window as unknown as { file: Blob }).file = file;
        return { examples: first.examples, again: again.examples, epochs, during, fileBytes: file.size };
      }),
    );
    const trained = trainedAndSaved.value;
    expect(trained).toMatchObject({ examples: EXAMPLES, again: EXAMPLES, epochs: 10 });
    expect(trained.during, 'predictions while training again').toBeGreaterThan(0);
    expect(trained.fileBytes).toBeGreaterThan(EXAMPLES * 1000); // a JPEG of each example, at least
    expect(await predictions(page, 3)).toHaveLength(3);
    expect(await classifyEach(page)).toEqual(LABELS);

    // Open the file into a fresh project (the first one closed, as switching projects does).
    const opened = await traced(cdp, () =>
      page.evaluate(async () => {
        const w = window as unknown as ScalePage;
        const canvas = document.getElementById('scene') as HTMLCanvasElement;
        await w.pipe.close();
        w.pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'scale-opened', source: canvas });
        const heapBefore = w.heapMb();
        const phases = new Set<string>();
        const project = await w.pipe.openProject((window as unknown as { file: Blob }).file, {
          onProgress: (p) => phases.add(p.phase),
        });
        return {
          project,
          running: w.pipe.running,
          counts: await w.pipe.counts(),
          phases: [...phases],
          heap: [heapBefore, w.heapMb()],
        };
      }),
    );
    expect(opened.value.project).toMatchObject({ name: 'scale-opened', examples: EXAMPLES, trained: true });
    expect(opened.value.counts.total).toBe(EXAMPLES);
    expect(opened.value.phases).toEqual(['read', 'decode', 'store']);
    expect(opened.value.running).toBe(true); // saved while predicting
    expect(await predictions(page, 3)).toHaveLength(3);
    expect(await classifyEach(page)).toEqual(LABELS);
    const [openBefore, openAfter] = opened.value.heap as [number, number];
    expect((openAfter - openBefore) * 2 ** 20, `heap MB ${opened.value.heap.join(' → ')}`).toBeLessThan(
      (EXAMPLES * THUMBNAIL_BYTES) / 8,
    );

    // Reload: the kept project comes back whole, and predicts by itself as it did.
    const wallBeforeReload = await page.evaluate(() => (window as unknown as ScalePage).longTasks);
    await open(page, true);
    const restored = await traced(cdp, () =>
      page.evaluate(async (examples) => {
        const w = window as unknown as ScalePage;
        const canvas = document.getElementById('scene') as HTMLCanvasElement;
        const heapBefore = w.heapMb();
        w.pipe = await window.tw.createPipeline({ backend: 'wasm', project: 'scale', source: canvas });
        const tail = await w.pipe.examples({ offset: examples - 10, limit: 10 });
        return {
          project: w.pipe.project,
          running: w.pipe.running,
          counts: await w.pipe.counts(),
          lastPage: tail.map((e) => e.thumbnail.width),
          heap: [heapBefore, w.heapMb()],
          wall: w.longTasks,
        };
      }, EXAMPLES),
    );
    expect(restored.value.project).toMatchObject({ name: 'scale', restored: true, trained: true, examples: EXAMPLES });
    expect(restored.value.counts.perLabel).toEqual(Object.fromEntries(LABELS.map((l) => [l, PER_CLASS])));
    expect(restored.value.lastPage).toEqual(Array(10).fill(48));
    expect(restored.value.running).toBe(true);
    expect(await predictions(page, 3)).toHaveLength(3);
    const [restoreBefore, restoreAfter] = restored.value.heap as [number, number];
    expect((restoreAfter - restoreBefore) * 2 ** 20, `heap MB ${restored.value.heap.join(' → ')}`).toBeLessThan(
      (EXAMPLES * THUMBNAIL_BYTES) / 8,
    );
    await page.evaluate(() => (window as unknown as ScalePage).pipe.close());

    const wall = [...wallBeforeReload, ...restored.value.wall].filter((ms) => ms > LONGEST_TASK_MS);
    const mb = (heap: number[]) => heap.map((h) => h.toFixed(1)).join(' → ');
    console.log(
      `scale: heap MB recording ${mb(recorded.heap)}, opening ${mb(opened.value.heap)}, restoring ${mb(restored.value.heap)}; ` +
        `${trained.during} predictions while training again; main-thread long tasks over ${LONGEST_TASK_MS} ms by the wall clock ` +
        `(load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores): ${wall.join(', ') || 'none'}`,
    );
    expect(trainedAndSaved.cpuOverBound, 'main-thread tasks over the bound in CPU while training and saving').toEqual(
      [],
    );
    expect(opened.cpuOverBound, 'main-thread tasks over the bound in CPU while opening').toEqual([]);
    expect(restored.cpuOverBound, 'main-thread tasks over the bound in CPU while restoring').toEqual([]);
  },
);
