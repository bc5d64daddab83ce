/**
 * A page that goes to the background while predicting from the camera, in real Chromium: another tab brought
 * to the front (the page is hidden), then hidden and frozen (what Chromium does to a background tab, and
 * what a laptop's closed lid amounts to). Nothing piles up meanwhile (frames, bitmaps, timers, metrics),
 * and predictions resume by themselves when the page comes back, without a burst and without an error. Each
 * test waits for the predictions it needs; the only fixed waits are a hidden page seen taking nothing, and a
 * freeze longer than the heartbeat.
 *
 * Playwright keeps its pages "visible" (its focus emulation counts as a capture), so here Chromium is
 * started by hand and attached over CDP with `noDefaults`: then a tab brought to the front hides the other,
 * as in a user's browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';

let proc: ChildProcess;
let browser: Browser;
let context: BrowserContext;
const profile = mkdtempSync(join(tmpdir(), 'tw-hidden-'));

/** Chromium with browser.ts's flags (the fake camera playing the clip), on a DevTools port of its own. */
async function launchOverCdp(): Promise<void> {
  proc = spawn(
    '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--disable-quic',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${inject('clipPath')}`,
      'about:blank',
    ],
    // A process group of its own: the browser's helpers (GPU, network, renderers) go with it at the end.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Chromium did not open its DevTools port: ${stderr}`)), 30_000);
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  context = browser.contexts()[0]!;
}

beforeAll(launchOverCdp);
afterAll(async () => {
  await browser?.close().catch(() => {});
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }
  // A helper still writing to the profile after the browser left would make its removal fail (ENOTEMPTY).
  if (proc?.pid) await groupGone(proc.pid);
  rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
});

/** Kills what is left of the process group `pid` leads, and resolves once none of it runs. */
async function groupGone(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(-pid, 'SIGKILL');
  // A killed process is gone within milliseconds; there is no event for a whole group, so it is looked at.
  for (let i = 0; i < 200 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

type Pipe = Awaited<ReturnType<typeof window.tw.createPipeline>>;
interface Away {
  pipe: Pipe;
  predictions: number[];
  /** Resolves after `n` more predictions (rejects after 60 s). */
  more(n: number): Promise<void>;
  bitmaps: number[];
  metrics: number[];
  errors: string[];
  visibility: string[];
  /** Timers and animation frames the page has scheduled and not yet run or cancelled. */
  pending: { timeouts: Set<number>; intervals: Set<number>; frames: Set<number> };
}
declare global {
  interface Window {
    away: Away;
  }
}

/** Counts what the page schedules, before any of its own scripts run. */
function countTimers(): void {
  const pending = { timeouts: new Set<number>(), intervals: new Set<number>(), frames: new Set<number>() };
  (window as unknown as { awayPending: typeof pending }).awayPending = pending;
  // The browser's own: ids are numbers (Node's types say Timeout).
  type Timer = (fn: TimerHandler, ms?: number, ...args: unknown[]) => number;
  type Clear = (id?: number) => void;
  const [st, ct, si, ci] = [setTimeout, clearTimeout, setInterval, clearInterval].map((f) =>
    f.bind(window),
  ) as unknown as [Timer, Clear, Timer, Clear];
  const [raf, caf] = [requestAnimationFrame.bind(window), cancelAnimationFrame.bind(window)];
  window.setTimeout = ((fn: TimerHandler, ms?: number, ...args: unknown[]) => {
    const id = st(
      (...a: unknown[]) => {
        pending.timeouts.delete(id);
        if (typeof fn === 'function') (fn as (...x: unknown[]) => void)(...a);
      },
      ms,
      ...args,
    );
    pending.timeouts.add(id);
    return id;
  }) as typeof window.setTimeout;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) pending.timeouts.delete(id);
    ct(id);
  }) as typeof window.clearTimeout;
  window.setInterval = ((fn: TimerHandler, ms?: number, ...args: unknown[]) => {
    const id = si(fn, ms, ...args);
    pending.intervals.add(id);
    return id;
  }) as typeof window.setInterval;
  window.clearInterval = ((id?: number) => {
    if (id !== undefined) pending.intervals.delete(id);
    ci(id);
  }) as typeof window.clearInterval;
  window.requestAnimationFrame = (fn) => {
    const id = raf((t) => {
      pending.frames.delete(id);
      fn(t);
    });
    pending.frames.add(id);
    return id;
  };
  window.cancelAnimationFrame = (id) => {
    pending.frames.delete(id);
    caf(id);
  };
}

/** The harness page, predicting from the camera (kNN on two examples: the labels do not matter here). */
async function session(workerCamera = true): Promise<{ page: Page; cdp: CDPSession }> {
  const page = await context.newPage();
  await page.addInitScript(countTimers);
  await page.goto(new URL('tests/browser/harness.html', inject('baseUrl')).href);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  await page.evaluate(async (workerCamera) => {
    const { tw } = window;
    const s = (window.away = {
      predictions: [],
      bitmaps: [],
      metrics: [],
      errors: [],
      visibility: [],
      pending: (window as unknown as { awayPending: Away['pending'] }).awayPending,
    } as unknown as Away);
    const take = Object.getOwnPropertyDescriptor(OffscreenCanvas.prototype, 'transferToImageBitmap')!.value as (
      this: OffscreenCanvas,
    ) => ImageBitmap;
    OffscreenCanvas.prototype.transferToImageBitmap = function (this: OffscreenCanvas) {
      s.bitmaps.push(performance.now());
      return take.call(this);
    };
    for (const type of ['visibilitychange', 'freeze', 'resume'])
      document.addEventListener(type, () =>
        s.visibility.push(`${type === 'visibilitychange' ? document.visibilityState : type}@${performance.now()}`),
      );
    const video = await tw.openCamera({ video: document.getElementById('camera') as HTMLVideoElement });
    s.pipe = await tw.createPipeline({ backend: 'wasm', head: 'knn', workerCamera });
    await s.pipe.addExample('a', video);
    await s.pipe.addExample('b', video);
    s.pipe.errors$.subscribe((e) => s.errors.push(`${e.name}: ${e.message}`));
    const waiting = new Set<() => void>();
    s.pipe.predictions$.subscribe(() => {
      s.predictions.push(performance.now());
      for (const check of [...waiting]) check();
    });
    s.more = (n) =>
      new Promise((resolve, reject) => {
        const until = s.predictions.length + n;
        const timer = setTimeout(() => reject(new Error(`fewer than ${n} more predictions in 60 s`)), 60_000);
        const check = () => {
          if (s.predictions.length < until) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve();
        };
        waiting.add(check);
      });
    s.pipe.metrics$.subscribe(() => s.metrics.push(performance.now()));
    s.pipe.start(video);
    await s.more(5);
  }, workerCamera);
  return { page, cdp: await context.newCDPSession(page) };
}

const now = (page: Page) => page.evaluate(() => performance.now());
const visibility = (page: Page) => page.evaluate(() => document.visibilityState);

/** Counts in the page between two page times. */
const between = (page: Page, from: number, to = Infinity) =>
  page.evaluate(
    ({ from, to }) => {
      const s = window.away;
      const n = (list: number[]) => list.filter((t) => t > from && t <= to).length;
      return {
        predictions: n(s.predictions),
        bitmaps: n(s.bitmaps),
        metrics: n(s.metrics),
      };
    },
    { from, to },
  );

const pending = (page: Page) =>
  page.evaluate(() => {
    const p = window.away.pending;
    return { timeouts: p.timeouts.size, intervals: p.intervals.size, frames: p.frames.size };
  });

/** Brings another tab to the front and waits until this page says it is hidden. */
async function hide(page: Page): Promise<Page> {
  const other = await context.newPage();
  await other.bringToFront();
  await expect.poll(() => visibility(page)).toBe('hidden');
  return other;
}

async function show(page: Page, other: Page): Promise<void> {
  await page.bringToFront();
  await expect.poll(() => visibility(page)).toBe('visible');
  await other.close();
}

const more = (page: Page, n: number) => page.evaluate((n) => window.away.more(n), n);

/**
 * Back in front (at page time `back.t`, the camera having sent `back.frames` by then): predictions resume by
 * themselves, and without a burst. A backlog let out at once would bring more predictions than the camera sent
 * frames meanwhile (its track's own count); newest-wins allows at most two more (the one in the worker and
 * the one waiting).
 */
async function resumesWithoutBurst(page: Page, back: { t: number; frames: number }) {
  await more(page, 10);
  const after = { ...(await between(page, back.t)), cameraFrames: (await cameraFrames(page)) - back.frames };
  expect(after.predictions, JSON.stringify(after)).toBeLessThanOrEqual(after.cameraFrames + 2);
  return after;
}

/** Frames the camera has sent the page's track so far (`MediaStreamTrack.stats`, Chromium). */
const cameraFrames = (page: Page) =>
  page.evaluate(() => {
    const video = document.getElementById('camera') as HTMLVideoElement;
    const track = (video.srcObject as MediaStream).getVideoTracks()[0] as unknown as { stats: { totalFrames: number } };
    return track.stats.totalFrames;
  });

/** Brings the page back to the front; the page time and the camera's frame count just after. */
async function back(page: Page, other: Page) {
  await show(page, other);
  const [t, frames] = await Promise.all([now(page), cameraFrames(page)]);
  return { t, frames };
}

describe('the page goes to the background while predicting', () => {
  test('camera read on the page, hidden: no frame taken, nothing queued, timers throttled; back in front it resumes, without a burst', async () => {
    const { page } = await session(false);
    const timersBefore = await pending(page);

    const other = await hide(page);
    const hiddenAt = await now(page);
    // A fixed wait, to see that nothing is taken meanwhile: the camera would have sent 60 frames.
    await page.waitForTimeout(2000);
    const hiddenFor = (await now(page)) - hiddenAt;
    const away = await between(page, hiddenAt + 300);
    const timersAway = await pending(page);
    const after = await resumesWithoutBurst(page, await back(page, other));
    const s = await page.evaluate(() => ({ errors: window.away.errors, running: window.away.pipe.running }));
    const report = { hiddenFor, away, timersBefore, timersAway, after, ...s };
    console.info(`hidden page: ${JSON.stringify(report)}`);

    // The camera's frame callbacks stop with the page: no picture is taken, none waits to be predicted.
    expect(away.bitmaps, JSON.stringify(report)).toBeLessThanOrEqual(1);
    expect(away.predictions, JSON.stringify(report)).toBeLessThanOrEqual(1);
    // metrics$ (500 ms) is throttled to once a second at most; no timer or frame callback accumulates.
    expect(away.metrics, JSON.stringify(report)).toBeLessThanOrEqual(Math.ceil(hiddenFor / 1000) + 1);
    for (const kind of ['timeouts', 'intervals', 'frames'] as const)
      expect(timersAway[kind], `${kind}: ${JSON.stringify(report)}`).toBeLessThanOrEqual(timersBefore[kind] + 2);
    expect(s.errors).toEqual([]);
    expect(s.running).toBe(true);
    await page.evaluate(() => window.away.pipe.close());
    await page.close();
  });

  test('camera read in the worker, hidden: it goes on predicting (the patch keeps its input behind other windows), nothing is taken on the page, no burst on return', async () => {
    const { page } = await session(true);
    expect(await page.evaluate(() => new Promise((r) => window.away.pipe.metrics$.subscribe((m) => r(m.ingest))))).toBe(
      'worker',
    );
    const other = await hide(page);
    const hiddenAt = await now(page);
    // Predictions go on behind other windows: ten of them while hidden.
    await more(page, 10);
    expect(await visibility(page)).toBe('hidden');
    const away = await between(page, hiddenAt);
    const after = await resumesWithoutBurst(page, await back(page, other));
    const s = await page.evaluate(() => ({ errors: window.away.errors, running: window.away.pipe.running }));
    const report = { away, after, ...s };
    console.info(`hidden page, camera in the worker: ${JSON.stringify(report)}`);
    expect(away.bitmaps, JSON.stringify(report)).toBe(0);
    expect(s.errors).toEqual([]);
    expect(s.running).toBe(true);
    await page.evaluate(() => window.away.pipe.close());
    await page.close();
  });

  test('hidden and frozen for longer than the heartbeat (a background tab Chromium froze, a closed lid): resumes by itself when it comes back, no restart', async () => {
    const { page, cdp } = await session();
    const other = await hide(page);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    const frozenAt = Date.now();
    // Longer than the engine's heartbeat timeout (5 s): a heartbeat timed before the freeze is overdue at the
    // resume, and must not be taken for a dead worker. (A wait for time to pass, nothing to synchronise on.)
    await new Promise((r) => setTimeout(r, 6000));
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    const frozenMs = Date.now() - frozenAt;
    await show(page, other);
    await more(page, 10);
    const s = await page.evaluate(() => ({
      errors: window.away.errors,
      visibility: window.away.visibility.map((v) => v.replace(/@.*/, '')),
      paused: (document.getElementById('camera') as HTMLVideoElement).paused,
      running: window.away.pipe.running,
    }));
    const report = { frozenMs, ...s };
    console.info(`frozen page: ${JSON.stringify(report)}`);
    expect(s.visibility, JSON.stringify(report)).toEqual(['hidden', 'freeze', 'resume', 'visible']);
    // Chromium paused the camera's <video> when it froze the page; the pipeline played it again.
    expect(s.paused, JSON.stringify(report)).toBe(false);
    expect(s.running).toBe(true);
    expect(s.errors, JSON.stringify(report)).toEqual([]);
    await page.evaluate(() => window.away.pipe.close());
    await page.close();
  });
});
