/**
 * What a long show meets, in real Chromium: the engine's worker crashing (an uncaught error: its `error`
 * event), hanging (no answer to the heartbeat), crashing during train() and addExample(), twice in a row, and a
 * worker that cannot come back. Each time the pipeline restarts it by itself, with everything it was taught
 * and the backend it had (not `auto` measured again), says so, and predictions resume; a worker busy in a long
 * call is given its longer heartbeat; where it cannot come back, it says so clearly after its back-off.
 *
 * The worker is made to crash or hang from outside, through Playwright's handle on it (engine-worker.ts):
 * nothing in the production bundle is there for the tests.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launch, open } from './browser';
import { ENGINE_WORKER, crash, crashOnCall, engineWorker, hang, nextEngineWorker } from './engine-worker';

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
  /** Each error on errors$, and when it came (ms since 1970: the worker's clock is the same). */
  errors: string[];
  errorsAt: number[];
  predictions: { t: number; label: string; tensors: number }[];
  restarts: number;
  /** Resolves with the labels of the next `n` predictions of frames drawn after now (rejects after 60 s). */
  next(n: number): Promise<string[]>;
}
declare global {
  interface Window {
    s: Session;
  }
}

/** A harness page with a canvas drawing `s.scene` (sun or night) and a pipeline taught both, predicting. */
async function session(
  head: 'knn' | 'dense',
  options: { project?: string; backend?: 'wasm' | 'auto' } = {},
): Promise<Page> {
  const { page } = await open(browser, 'tests/browser/harness.html');
  await page.evaluate(
    async ({ head, project, backend }) => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 240, id: 'scene' });
      document.body.append(canvas);
      const g = canvas.getContext('2d')!;
      const s = (window.s = {
        scene: 'sun',
        errors: [],
        errorsAt: [],
        predictions: [],
        restarts: 0,
      } as unknown as Session);
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
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      s.pipe = await window.tw.createPipeline({
        backend,
        head,
        train: { epochs: 8 },
        rememberBackend: false,
        ...(project ? { project } : {}),
      });
      s.pipe.errors$.subscribe((e) => {
        s.errors.push(`${e.name}: ${e.message}`);
        s.errorsAt.push(performance.timeOrigin + performance.now());
      });
      const waiting = new Set<() => void>();
      s.pipe.predictions$.subscribe((p) => {
        s.predictions.push({ t: p.t, label: p.label, tensors: p.tensors });
        for (const check of [...waiting]) check();
      });
      s.next = (n) =>
        new Promise((resolve, reject) => {
          // A frame is drawn in the animation frame after the scene changes: its capture comes after this.
          const since = performance.now() + 50;
          const timer = setTimeout(() => reject(new Error(`fewer than ${n} predictions in 60 s`)), 60_000);
          const check = () => {
            const seen = s.predictions.filter((p) => p.t > since);
            if (seen.length < n) return;
            waiting.delete(check);
            clearTimeout(timer);
            resolve(seen.slice(0, n).map((p) => p.label));
          };
          waiting.add(check);
        });
      s.pipe.metrics$.subscribe((m) => (s.restarts = m.workerRestarts));
      for (const scene of ['sun', 'night']) {
        s.scene = scene;
        for (let i = 0; i < 4; i++) {
          await frame(); // a new picture each time: the scene wobbles
          await s.pipe.addExample(scene, canvas);
        }
      }
      await s.pipe.train();
      s.pipe.start(canvas);
    },
    { head, backend: options.backend ?? 'wasm', project: options.project },
  );
  return page;
}

/** Shows each scene in turn; the next three predictions of each name it. */
async function followsScenes(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const { s } = window;
    const seen: Record<string, string[]> = {};
    for (const scene of ['sun', 'night']) {
      s.scene = scene;
      seen[scene] = await s.next(3);
    }
    return seen;
  });
}
const BOTH_SCENES = { sun: ['sun', 'sun', 'sun'], night: ['night', 'night', 'night'] };

const state = (page: Page) =>
  page.evaluate(async () => ({
    counts: await window.s.pipe.counts(),
    errors: window.s.errors,
    restarts: window.s.restarts,
    tensors: window.s.predictions.at(-1)?.tensors,
    running: window.s.pipe.running,
    backend: window.s.pipe.info.backend,
  }));

/** Waits until `n` restarts are told on errors$ and counted by metrics$ (which emits every 500 ms while running). */
const restarted = (page: Page, n: number) =>
  page.waitForFunction(
    (n) => window.s.errors.filter((e) => e.startsWith('WorkerRestartedError')).length >= n && window.s.restarts >= n,
    n,
    { timeout: 60_000 },
  );

describe('the engine worker dies while predicting', () => {
  test('kNN without a project, hung outside a long call: restarted on its 5 s heartbeat from the copy kept here; predictions resume, nothing lost', async () => {
    const page = await session('knn');
    expect(await followsScenes(page)).toEqual(BOTH_SCENES);
    const before = await state(page);
    const hungAt = await hang(engineWorker(page), Infinity);
    await restarted(page, 1);
    expect(await followsScenes(page)).toEqual(BOTH_SCENES);
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
    // Not before its 5 s were up. (Less a ping's way to the worker: one sent just before the hang began is
    // timed from its sending; a tenth of the 5 s covers that on a loaded machine. A lower bound cannot flake.)
    const waited = (await page.evaluate(() => window.s.errorsAt[0]!)) - hungAt;
    console.info(`reliability: a hung worker was restarted ${Math.round(waited)} ms after it hung`);
    expect(waited).toBeGreaterThanOrEqual(4500);
    await page.close();
  });

  test('twice in a row, with a project, by an uncaught error (its error event): both restarts restore it and the trained head, on the backend auto chose, not measured again', async () => {
    const page = await session('dense', { project: 'crashing', backend: 'auto' });
    expect(await followsScenes(page)).toEqual(BOTH_SCENES);
    const before = await state(page);
    // auto measured the backends here: which won depends on the machine; it must be the one kept.
    console.info(`reliability: auto chose ${before.backend.backend} (${before.backend.reason})`);
    expect(before.backend.trials.length).toBeGreaterThan(0);
    for (const n of [1, 2]) {
      const old = engineWorker(page);
      await crash(old);
      await nextEngineWorker(page, old);
      await restarted(page, n);
      expect(await followsScenes(page)).toEqual(BOTH_SCENES);
    }
    const after = await state(page);
    expect(after.counts).toEqual(before.counts);
    expect(after.tensors).toBe(before.tensors);
    expect(after.restarts).toBe(2);
    expect(after.errors).toEqual([
      expect.stringMatching(
        /^WorkerRestartedError: The engine's worker stopped \(.*test: an uncaught error in the engine worker\) and was restarted/,
      ),
      expect.stringMatching(/^WorkerRestartedError: .*test: an uncaught error in the engine worker/),
    ]);
    // The same backend, asked for by name: nothing measured again.
    expect(after.backend).toMatchObject({ backend: before.backend.backend, trials: [] });
    expect(after.backend.reason).toMatch(/, as requested$/);
    expect(await page.evaluate(() => window.s.pipe.project)).toMatchObject({ name: 'crashing', trained: true });
    await page.close();
  });
});

describe('calls in flight', () => {
  test('train() held 7 s in the worker is not restarted (a long call has 20 s); at a crash, train() and addExample() in flight reject with WorkerRestartedError, and calls made during the restart wait', async () => {
    const page = await session('dense');
    const before = await state(page);
    interface Training {
      epochs: number;
      result: Promise<string>;
    }
    const training = () => page.evaluate(() => (window as unknown as { training: Training }).training.epochs);
    await page.evaluate(() => {
      const t = { epochs: 0 } as Training;
      (window as unknown as { training: Training }).training = t;
      window.s.pipe.training$.subscribe(() => (t.epochs += 1));
      t.result = window.s.pipe
        .configure({ train: { epochs: 100_000 } }) // still training when the worker crashes below
        .then(() => window.s.pipe.train())
        .then(
          () => 'trained',
          (e: Error) => e.name,
        );
    });
    await page.waitForFunction(() => (window as unknown as { training: Training }).training.epochs > 0);
    const worker = engineWorker(page);
    // Held in train() for 7 s: longer than the 5 s heartbeat, shorter than the 20 s one of a long call.
    await hang(worker, 7000);
    const held = await training();
    await page.waitForFunction(
      (held) => (window as unknown as { training: Training }).training.epochs > held + 1,
      held,
      { timeout: 60_000 },
    );
    // Training went on in the same worker, and nothing was said: it was busy, not dead.
    expect(engineWorker(page)).toBe(worker);
    expect(await state(page)).toMatchObject({ errors: [], restarts: 0 });

    // Now it crashes, training: train() was in flight.
    await crash(worker);
    expect(await page.evaluate(() => (window as unknown as { training: Training }).training.result)).toBe(
      'WorkerRestartedError',
    );
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
    // Six addExample() calls, the worker crashing as the first reaches it: the others are queued behind it.
    await crashOnCall(await nextEngineWorker(page, worker), 'addExample');
    const results = await page.evaluate(() => {
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
    expect(results).toContain('WorkerRestartedError');
    await restarted(page, 2);
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

/** A harness page with a bare pipeline (kNN, nothing taught), its errors collected as `session` does. */
async function bare(): Promise<Page> {
  const { page } = await open(browser, 'tests/browser/harness.html');
  await page.evaluate(async () => {
    const s = (window.s = { errors: [], errorsAt: [] } as unknown as Session);
    s.pipe = await window.tw.createPipeline({ backend: 'wasm', head: 'knn' });
    s.pipe.errors$.subscribe((e) => {
      s.errors.push(`${e.name}: ${e.message}`);
      s.errorsAt.push(performance.timeOrigin + performance.now());
    });
  });
  return page;
}

/** The gaps between successive times, rounded. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => Math.round(t - times[i]!));

// The two wait out the same back-off (7.5 s of it) on pages of their own, side by side: nothing they assert is
// a time's upper bound, so running together cannot make them fail.
describe.concurrent('a worker that cannot come back', () => {
  test('one that dies again at once is retried after 0.5, 2 and 5 s, then the pipeline stops with a clear error instead of looping', async ({
    expect,
  }) => {
    const page = await bare();
    // Every new worker dies of an uncaught error at its first heartbeat, once it has started (as a worker
    // whose every start leads to the same crash would): its script, served with one listener more.
    const starts: number[] = [];
    await page.route(ENGINE_WORKER, async (route) => {
      starts.push(performance.now());
      const response = await route.fetch();
      const body = `${await response.text()}
;self.addEventListener('message', (e) => {
  if (e.data?.type === 'APPLY' && e.data.path?.[0] === 'ping') throw new Error('test: dies at once');
});`;
      await route.fulfill({ response, body });
    });
    await crash(engineWorker(page));
    await page.waitForFunction(() => window.s.errors.some((e) => e.includes('keeps stopping')), null, {
      timeout: 120_000,
    });
    const errors = await page.evaluate(() => window.s.errors);
    console.info(`reliability: workers that die at once started ${gaps(starts).join(', ')} ms apart`);
    // Restarted at once after the first crash; each new worker that died again at once was retried after
    // 0.5, 2 and 5 s (no sooner: each wait began after that worker had started and died); after the third,
    // no more.
    expect(starts).toHaveLength(4);
    const [first, second, third] = gaps(starts);
    expect(first).toBeGreaterThanOrEqual(500);
    expect(second).toBeGreaterThanOrEqual(2000);
    expect(third).toBeGreaterThanOrEqual(5000);
    expect(errors.at(-1)).toMatch(
      /^Error: The engine's worker keeps stopping \(.*test: dies at once.*\)\. Reload the page/,
    );
    expect(errors.slice(0, -1)).toEqual(Array(4).fill(expect.stringMatching(/^WorkerRestartedError: /)));
    // A fixed wait, to see that something does not happen: longer than the first back-off, so a loop would
    // have started another worker meanwhile.
    await page.waitForTimeout(1000);
    expect(starts).toHaveLength(4);
    await page.close();
  });

  test('one that cannot even load is retried after 0.5, 2 and 5 s, then the pipeline stops with a clear error', async ({
    expect,
  }) => {
    const page = await bare();
    const tries: number[] = [];
    // The next worker cannot even load: each try is a request for its script, refused.
    await page.route(ENGINE_WORKER, (route) => {
      tries.push(performance.now());
      return route.abort();
    });
    await crash(engineWorker(page));
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
    console.info(`reliability: tries to load a worker ${gaps(tries).join(', ')} ms apart`);
    expect(result.errors.at(-1)).toMatch(/The engine's worker keeps stopping .*Reload the page/);
    expect(result.counts).toMatch(/keeps stopping/);
    // Four tries: at once, then each no sooner than its back-off after the one before failed (the refusal is
    // answered after its request is seen here, so a gap cannot come out shorter). Then no fifth.
    expect(tries).toHaveLength(4);
    const [first, second, third] = gaps(tries);
    expect(first).toBeGreaterThanOrEqual(500);
    expect(second).toBeGreaterThanOrEqual(2000);
    expect(third).toBeGreaterThanOrEqual(5000);
    await page.waitForTimeout(1000); // as above: no fifth try meanwhile
    expect(tries).toHaveLength(4);
    await page.close();
  });
});
