/**
 * The soak (`npm run soak`, and a one-minute one in `npm run test:stress`): the studio (the built app)
 * taught the fake camera's three photos through its UI, by the names a person reads (as
 * tests/browser/studio.test.ts does), then predicting for N minutes with its OSC going through the real bridge
 * (a child process) to a UDP receiver standing in for Max. On the way the planned faults happen once each: the
 * bridge is killed (SIGKILL) and started again on the same ports, the engine's worker is ended (as a crash ends
 * it), and the receiver goes away and comes back (Max quit and opened again).
 *
 * What it watches, none of it kept per prediction so that an hour's run holds no more than a minute's:
 * - at the receiver: predictions (`/tw/confidences`), the longest gap between two outside the planned
 *   faults, how long each fault took to heal, and what the page sent first after the bridge came back;
 * - in the page: tensors (the live line), the JS heap and event listeners and DOM nodes (CDP), ImageBitmaps
 *   and VideoFrames made and not closed nor transferred (an init script wrapping their constructors and
 *   `close`), long tasks and the longest gap between animation frames, and every error it shows or logs;
 * - the bridge's and this process's own memory.
 *
 * Plain Node and playwright-core, no vitest: bench/soak.mjs loads it through Vite.
 */
import dgram from 'node:dgram';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { startBridge, type BridgeProcess, type Counts } from '../../bridge/spawn.mjs';
import { holdThroughSegment } from '../browser/app-page';
import { CLIP_LABELS } from './clip';

export interface SoakOptions {
  /** How long the app predicts, after it was taught. */
  minutes: number;
  /** The served build, ending with a slash (the app is `index.html` there). */
  base: string;
  /** Chromium with the fake camera playing the clip (tests/support/clip.ts). */
  browser: Browser;
  /** @default 'wasm' */
  backend?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** First and last of a measure over the run. */
export interface Span {
  first: number;
  last: number;
}

export interface SoakResult {
  date: string;
  minutes: number;
  backend: string;
  /** Where the camera's frames were read (metrics$.ingest): in the worker, or drawn on the page. */
  ingest: 'worker' | 'page';
  /** Predictions that reached the UDP receiver (one `/tw/confidences` each). */
  predictions: number;
  /** Their mean rate over the run. */
  oscPerSecond: number;
  /**
   * Their rate outside the planned faults (from each fault's start until a prediction reached the receiver
   * again): the camera's rate where the pipeline keeps up with it.
   */
  oscPerSecondOutsideFaults: number;
  /** The longest time without a prediction at the receiver, outside the planned faults. */
  maxGapMs: number;
  /** Each planned fault: when (s into the run) and how long until a prediction reached the receiver again. */
  faults: Record<'bridge' | 'worker' | 'udpTarget', { atS: number; recoveredMs: number | null }>;
  tensors: Span;
  heapMb: Span;
  /** JS event listeners and DOM nodes in the page (CDP Memory.getDOMCounters). */
  listeners: Span;
  domNodes: Span;
  bridgeRestarts: number;
  /** Predictions at the receiver after the bridge came back. */
  oscAfterRestart: number;
  /** The first address the receiver got after the bridge came back: `/tw/labels` when the state is sent again. */
  firstAfterRestart: string | null;
  /** Predictions in the first second after the bridge came back, against the run's mean rate: no backlog. */
  oscFirstSecondAfterRestart: number;
  workerRestarts: number;
  /** Long tasks (> 50 ms) on the page's main thread while predicting, and the longest gap between frames. */
  longTasks: number;
  maxFrameGapMs: number;
  /** ImageBitmaps on the page: at the end, and (`…First`) when the run started (teaching made some). */
  bitmaps: BitmapCounts & { liveFirst: number; createdFirst: number };
  videoFrames: { created: number; closed: number };
  bridge: { rssMb: Span; counts: Counts | null };
  runnerRssMb: Span;
  /** The measures every so often, for a look at their trend. */
  samples: Sample[];
  /** Errors the page showed or logged that no planned fault explains (at most 50 kept, `errorCount` says how many). */
  errors: string[];
  errorCount: number;
  /** Errors the planned faults explain, by kind. */
  expected: Record<string, number>;
}

interface Sample {
  atS: number;
  tensors: number;
  heapMb: number;
  listeners: number;
  domNodes: number;
  bitmapsLive: number;
  predictions: number;
  bridgeRssMb: number;
  runnerRssMb: number;
}

interface BitmapCounts {
  /** Made on the main thread: createImageBitmap and transferToImageBitmap. */
  created: number;
  closed: number;
  /** Sent to the worker (detached without a close). */
  transferred: number;
  /** Collected by the garbage collector without a close: not kept, but their memory waited for a GC. */
  collected: number;
  /** Neither closed, transferred nor collected: held now. */
  live: number;
}

interface Probe {
  snapshot(): {
    bitmaps: BitmapCounts;
    videoFrames: { created: number; closed: number };
    longTasks: number;
    maxFrameGapMs: number;
  };
  /** Starts the main-thread watch afresh (long tasks, frame gaps). */
  reset(): void;
  notices: { kind: string; error: string; text: string; at: number }[];
  noticeCount: number;
}

declare global {
  interface Window {
    soakProbe: Probe;
  }
}

/**
 * Installed before the app's scripts: counts ImageBitmaps and VideoFrames made and ended, long tasks and frame
 * gaps, and the notices the app shows. Self-contained: it runs as the source text of this function.
 */
function installProbe(): void {
  const bitmaps = { created: 0, closed: 0, transferred: 0, collected: 0, live: 0 };
  const refs = new Set<WeakRef<ImageBitmap>>();
  const refOf = new WeakMap<ImageBitmap, WeakRef<ImageBitmap>>();
  const track = (b: ImageBitmap) => {
    bitmaps.created += 1;
    const ref = new WeakRef(b);
    refs.add(ref);
    refOf.set(b, ref);
    return b;
  };
  const sweep = () => {
    for (const ref of refs) {
      const b = ref.deref();
      if (!b) {
        refs.delete(ref);
        bitmaps.collected += 1;
      } else if (b.width === 0) {
        refs.delete(ref); // detached without a close: transferred some other way
        bitmaps.transferred += 1;
      }
    }
    bitmaps.live = refs.size;
  };
  setInterval(sweep, 5000);
  const create = window.createImageBitmap.bind(window) as (...a: unknown[]) => Promise<ImageBitmap>;
  window.createImageBitmap = (...a: unknown[]) => create(...a).then(track);
  const take = Object.getOwnPropertyDescriptor(OffscreenCanvas.prototype, 'transferToImageBitmap')!.value as (
    this: OffscreenCanvas,
  ) => ImageBitmap;
  OffscreenCanvas.prototype.transferToImageBitmap = function (this: OffscreenCanvas) {
    return track(take.call(this));
  };
  // Sent to a worker: comlink posts on the Worker, or on a MessagePort for its proxies.
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
      for (const t of (Array.isArray(transfer) ? transfer : transfer?.transfer) ?? []) {
        const ref = t instanceof ImageBitmap ? refOf.get(t) : undefined;
        if (ref && refs.delete(ref)) bitmaps.transferred += 1;
      }
      post.call(this, message, transfer);
    };
  }
  const close = Object.getOwnPropertyDescriptor(ImageBitmap.prototype, 'close')!.value as (this: ImageBitmap) => void;
  ImageBitmap.prototype.close = function (this: ImageBitmap) {
    const ref = refOf.get(this);
    if (ref && refs.delete(ref)) bitmaps.closed += 1;
    close.call(this);
  };

  const videoFrames = { created: 0, closed: 0 };
  if (typeof VideoFrame !== 'undefined') {
    const Original = VideoFrame;
    const closeFrame = Object.getOwnPropertyDescriptor(VideoFrame.prototype, 'close')!.value as (
      this: VideoFrame,
    ) => void;
    VideoFrame.prototype.close = function (this: VideoFrame) {
      videoFrames.closed += 1;
      closeFrame.call(this);
    };
    window.VideoFrame = new Proxy(Original, {
      construct(target, args: unknown[]) {
        videoFrames.created += 1;
        return Reflect.construct(target, args) as VideoFrame;
      },
    });
  }

  let longTasks = 0;
  new PerformanceObserver((list) => (longTasks += list.getEntries().length)).observe({ type: 'longtask' });
  let maxGap = 0;
  let last = -1;
  const frame = (t: number) => {
    if (last >= 0 && document.visibilityState === 'visible') maxGap = Math.max(maxGap, t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  const probe: Probe = {
    snapshot: () => {
      sweep();
      return { bitmaps: { ...bitmaps }, videoFrames: { ...videoFrames }, longTasks, maxFrameGapMs: maxGap };
    },
    reset: () => {
      longTasks = 0;
      maxGap = 0;
      last = -1;
    },
    notices: [],
    noticeCount: 0,
  };
  window.soakProbe = probe;
  // The app's notices (#error): each new one, as the person sees it.
  new MutationObserver((records) => {
    for (const r of records)
      for (const node of r.addedNodes) {
        if (!(node instanceof HTMLElement) || !node.matches('#error li')) continue;
        probe.noticeCount += 1;
        if (probe.notices.length < 200)
          probe.notices.push({
            kind: node.dataset.kind ?? '',
            error: node.dataset.error ?? '',
            text: node.dataset.text ?? node.textContent ?? '',
            at: performance.now(),
          });
      }
  }).observe(document, { childList: true, subtree: true });
}

/** A planned fault, from its start until a prediction reaches the receiver again after it was undone. */
interface Fault {
  name: 'bridge' | 'worker' | 'udpTarget';
  at: number;
  undone: boolean;
  recoveredMs: number | null;
}

/**
 * The receiver: Max, Pd or TouchDesigner for the soak. Counts and times what arrives, keeping no message.
 * `fault()` excuses the gap that a planned fault causes.
 */
async function oscTally(port = 0) {
  let socket: dgram.Socket;
  let predictions = 0;
  let last = 0;
  let maxGap = 0;
  let open: Fault | null = null;
  /** Predictions that came while a fault was open, and the time the faults took until they healed. */
  let duringFaults = 0;
  let faultMs = 0;
  /** From the bridge's restart: what arrives first, and the predictions in its first second. */
  let watch: { from: number; first: string | null; firstAt: number; firstSecond: number; count: number } | null = null;
  const onMessage = (packet: Buffer) => {
    const now = performance.now();
    const end = packet.indexOf(0);
    const address = packet.toString('latin1', 0, end < 0 ? packet.length : end);
    if (watch) {
      if (watch.first === null) [watch.first, watch.firstAt] = [address, now];
      if (address === '/tw/confidences') {
        watch.count += 1;
        if (now - watch.firstAt <= 1000) watch.firstSecond += 1;
      }
    }
    if (address !== '/tw/confidences') return;
    predictions += 1;
    if (open) {
      duringFaults += 1;
      if (open.undone) {
        open.recoveredMs = now - open.at;
        faultMs += open.recoveredMs;
        open = null;
      }
    } else if (last > 0) maxGap = Math.max(maxGap, now - last);
    last = now;
  };
  const bind = async (p: number) => {
    socket = dgram.createSocket('udp4');
    socket.on('message', onMessage);
    await new Promise<void>((resolve) => socket.bind(p, '127.0.0.1', resolve));
    return socket.address().port;
  };
  const bound = await bind(port);
  return {
    port: bound,
    predictions: () => predictions,
    /** Starts counting from now: what came before (teaching) is not the run. */
    start() {
      predictions = 0;
      last = performance.now();
      maxGap = 0;
      duringFaults = 0;
      faultMs = 0;
    },
    maxGapMs: () => maxGap,
    /** Predictions outside the faults, and how long the faults lasted (start to healed). */
    outsideFaults: () => ({ predictions: predictions - duringFaults, faultMs }),
    /** A planned fault begins; call `undone()` on what this returns once the soak has undone it. */
    fault(name: Fault['name']): Fault {
      const f: Fault = { name, at: performance.now(), undone: false, recoveredMs: null };
      open = f;
      return f;
    },
    watchFrom() {
      watch = { from: performance.now(), first: null, firstAt: 0, firstSecond: 0, count: 0 };
    },
    watched: () => watch,
    /** Max quits: the port is closed (the bridge's datagrams to it are refused). */
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
    /** Max opens again, on the same port. */
    reopen: async () => void (await bind(bound)),
  };
}

const MB = 2 ** 20;
/** Chromium's word for a camera frame nobody closed (it stalls a real camera's frame pool). */
const GC_WARNING = /A VideoFrame was garbage collected without being closed/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The engine's worker script in the build (tfjs may start threads of its own). */
const ENGINE_WORKER = /\/assets\/worker-[^/]*\.js$/;

/** Teaches the app the clip's photos through its UI, sets the bridge, trains; resolves once it predicts. */
async function teach(page: Page, bridgeUrl: string): Promise<void> {
  await page.waitForSelector('[data-testid="status"][data-backend]', { timeout: 120_000 });
  await page.waitForFunction(() => (document.getElementById('preview') as HTMLVideoElement).readyState >= 2);
  const names = ['Class 1', 'Class 2'];
  for (const [i, label] of CLIP_LABELS.entries()) {
    if (i >= names.length) {
      await page.getByRole('button', { name: 'Add class' }).click();
      await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === 'Class 3');
      await page.keyboard.type(label);
      await page.keyboard.press('Enter');
    } else {
      const input = page.getByRole('region', { name: names[i]! }).getByRole('textbox', { name: 'Class name' });
      await input.fill(label);
      await input.press('Enter');
    }
    await page.getByRole('region', { name: label }).waitFor();
  }
  const bridge = page.getByLabel('Bridge');
  await bridge.fill(bridgeUrl);
  await bridge.press('Tab');
  await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]', { timeout: 30_000 });
  for (const label of CLIP_LABELS)
    await holdThroughSegment(page, label, page.getByRole('button', { name: `Record ${label}` }));
  await sleep(1000); // the last examples of the last hold land
  await page.getByRole('button', { name: 'Train' }).click();
  await page.waitForSelector('[data-testid="train-status"][data-state="trained"]', { timeout: 180_000 });
  await page.waitForSelector('[data-testid="run"][data-running="true"]', { timeout: 30_000 });
}

/** Runs the soak; see the top of this file. */
export async function soak(options: SoakOptions): Promise<SoakResult> {
  const { minutes, base, browser, backend = 'wasm', log = () => {} } = options;
  const runMs = minutes * 60_000;
  const sampleMs = Math.min(30_000, Math.max(5_000, minutes * 1_000));
  const origin = new URL(base).origin;
  const tally = await oscTally();
  const bridgeArgs = ['--send', `127.0.0.1:${tally.port}`, '--allow-origin', origin];
  let bridge: BridgeProcess = await startBridge(bridgeArgs);
  const ports = ['--ws-port', String(bridge.wsPort), '--listen-port', String(bridge.listenPort)];
  const bridgeRss = () => {
    try {
      return bridge.rssBytes() / MB;
    } catch {
      return NaN; // between a kill and the restart
    }
  };
  let context: BrowserContext | null = null;
  let bridgeCounts: Counts | null = null;
  let bridgeRestarts = 0;
  try {
    context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.addInitScript(installProbe);

    // Errors the page logs; the planned faults explain some of them, in their windows.
    const errors: string[] = [];
    let errorCount = 0;
    const expected: Record<string, number> = {};
    let bridgeDown = false;
    /** When the planned worker fault ended the engine's worker (page clock of this process). */
    let workerEndedAt = -Infinity;
    // Before the run, the page logs what any start does here: no favicon, the default bridge (8080) not there.
    let predicting = false;
    let runStart = 0;
    const unexpected = (text: string) => {
      if (!predicting) return void (expected.beforeTheRun = (expected.beforeTheRun ?? 0) + 1);
      errorCount += 1;
      const at = Math.round((performance.now() - runStart) / 1000);
      if (errors.length < 50) errors.push(`${text.slice(0, 500)} (at ${at} s)`);
    };
    page.on('pageerror', (e) => unexpected(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      // The page's WebSocket tries to reconnect while the bridge is down; Chromium logs each refused try.
      if (bridgeDown && /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/' failed/.test(m.text()))
        expected.reconnectTries = (expected.reconnectTries ?? 0) + 1;
      // The worker ended mid-run (self.close()) held camera frames it can no longer close: the frame being
      // predicted, the one waiting. Chromium tells of them once, on a timer of its own (about 10 s), in the
      // page that made the camera's processor. One such warning, within 20 s of the fault, is the fault's;
      // any other is a frame some live code dropped. (A worker ended while not predicting draws none, and
      // a live worker closes every frame it took: tests/browser/frame-path.test.ts counts them.)
      else if (
        GC_WARNING.test(m.text()) &&
        performance.now() - workerEndedAt < 20_000 &&
        expected.framesOfTheEndedWorker === undefined
      )
        expected.framesOfTheEndedWorker = 1;
      else unexpected(`console: ${m.text()}`);
    });
    let engineWorkers = 0;
    page.on('worker', (w) => {
      if (ENGINE_WORKER.test(w.url())) engineWorkers += 1;
    });

    log(`teaching the app at ${base}index.html?backend=${backend} (the clip's three photos, through its UI)`);
    await page.goto(`${base}index.html?backend=${backend}`);
    await teach(page, `ws://127.0.0.1:${bridge.wsPort}`);
    const cdp: CDPSession = await context.newCDPSession(page);
    const tensors = async () =>
      Number(/(\d+) tensors/.exec((await page.textContent('[data-testid="metrics"]')) ?? '')?.[1] ?? NaN);
    const heap = async (collect: boolean) => {
      if (collect) await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize / MB;
    };
    const counters = () => cdp.send('Memory.getDOMCounters');
    const sample = async (atS: number, collect = false): Promise<Sample> => {
      const [t, h, c, probe] = [
        await tensors(),
        await heap(collect),
        await counters(),
        await page.evaluate(() => window.soakProbe.snapshot()),
      ];
      return {
        atS: Math.round(atS),
        tensors: t,
        heapMb: +h.toFixed(2),
        listeners: c.jsEventListeners,
        domNodes: c.nodes,
        bitmapsLive: probe.bitmaps.live,
        predictions: tally.predictions(),
        bridgeRssMb: +bridgeRss().toFixed(1),
        runnerRssMb: +(process.memoryUsage().rss / MB).toFixed(1),
      };
    };

    // Settle, measure the start (a collected heap), then watch the main thread from here.
    await sleep(5000);
    const first = await sample(0, true);
    const bitmapsFirst = (await page.evaluate(() => window.soakProbe.snapshot())).bitmaps;
    const samples: Sample[] = [first];
    const runFrom = await page.evaluate(() => (window.soakProbe.reset(), performance.now()));
    tally.start();
    predicting = true;
    runStart = performance.now();
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const at = [0.3, 0.5, 0.7].map((f) => Math.round(f * minutes * 60)).join(', ');
    log(`predicting for ${minutes} min; faults at ${at} s`);

    const faults: SoakResult['faults'] = {
      bridge: { atS: NaN, recoveredMs: null },
      worker: { atS: NaN, recoveredMs: null },
      udpTarget: { atS: NaN, recoveredMs: null },
    };
    const planned: [number, () => Promise<void>][] = [
      [
        0.3,
        async () => {
          log('fault: the bridge is killed (SIGKILL), and started again on the same ports 3 s later');
          const f = tally.fault('bridge');
          bridgeDown = true;
          bridge.proc.kill('SIGKILL');
          await sleep(3000);
          bridge = await startBridge([...ports, ...bridgeArgs], { ports: false });
          bridgeRestarts += 1;
          tally.watchFrom();
          f.undone = true;
          faults.bridge = { atS: Math.round(elapsed() / 1000), recoveredMs: null };
          await page.waitForSelector('[data-testid="osc-status"][data-status="connected"]', { timeout: 30_000 });
          await sleep(1000);
          bridgeDown = false;
          faults.bridge.recoveredMs = f.recoveredMs;
        },
      ],
      [
        0.5,
        async () => {
          log("fault: the engine's worker is ended (self.close(), as a crash ends it)");
          const worker = page
            .workers()
            .filter((w) => ENGINE_WORKER.test(w.url()))
            .at(-1);
          if (!worker) throw new Error("The engine's worker is not among the page's workers.");
          const f = tally.fault('worker');
          faults.worker = { atS: Math.round(elapsed() / 1000), recoveredMs: null };
          const before = engineWorkers;
          workerEndedAt = performance.now();
          await worker.evaluate(() => self.close()).catch(() => {});
          // Healed once a new worker runs: a prediction that was on its way at the end does not count.
          for (let i = 0; i < 60 && engineWorkers === before; i++) await sleep(500);
          f.undone = true;
          for (let i = 0; i < 60 && f.recoveredMs === null; i++) await sleep(500);
          faults.worker.recoveredMs = f.recoveredMs;
        },
      ],
      [
        0.7,
        async () => {
          log('fault: the UDP receiver goes away for 3 s (Max quit and opened again)');
          const f = tally.fault('udpTarget');
          faults.udpTarget = { atS: Math.round(elapsed() / 1000), recoveredMs: null };
          await tally.close();
          await sleep(3000);
          await tally.reopen();
          f.undone = true;
          for (let i = 0; i < 20 && f.recoveredMs === null; i++) await sleep(500);
          faults.udpTarget.recoveredMs = f.recoveredMs;
        },
      ],
    ];
    let nextSample = sampleMs;
    while (elapsed() < runMs) {
      const due = planned[0];
      if (due && elapsed() >= due[0] * runMs) {
        planned.shift();
        await due[1]();
        continue;
      }
      if (elapsed() >= nextSample) {
        const s = await sample(elapsed() / 1000);
        samples.push(s);
        nextSample += sampleMs;
        log(
          `${s.atS} s: ${s.predictions} predictions, ${s.tensors} tensors, heap ${s.heapMb} MB, ` +
            `${s.listeners} listeners, ${s.bitmapsLive} bitmaps held, bridge ${s.bridgeRssMb} MB`,
        );
      }
      await sleep(Math.max(50, Math.min(1000, nextSample - elapsed())));
    }
    const watch = await page.evaluate(() => window.soakProbe.snapshot());
    const last = await sample(elapsed() / 1000, true);
    samples.push(last);
    const notices = await page.evaluate(() => ({
      list: window.soakProbe.notices,
      count: window.soakProbe.noticeCount,
    }));
    for (const n of notices.list) {
      if (n.at < runFrom) expected.beforeTheRun = (expected.beforeTheRun ?? 0) + 1;
      else if (n.error === 'WorkerRestartedError') expected.workerRestarted = (expected.workerRestarted ?? 0) + 1;
      else if (n.kind === 'error') unexpected(`notice: ${n.error || 'Error'}: ${n.text}`);
    }
    if (notices.count > notices.list.length) unexpected(`notices: ${notices.count - notices.list.length} more`);
    const restarted = tally.watched();
    const result: SoakResult = {
      date: new Date().toISOString(),
      minutes,
      backend,
      ingest: ((await page.getAttribute('[data-testid="metrics"]', 'data-ingest')) ?? 'page') as SoakResult['ingest'],
      predictions: tally.predictions(),
      oscPerSecond: +((tally.predictions() * 1000) / elapsed()).toFixed(1),
      oscPerSecondOutsideFaults: +(
        (tally.outsideFaults().predictions * 1000) /
        (elapsed() - tally.outsideFaults().faultMs)
      ).toFixed(1),
      maxGapMs: Math.round(tally.maxGapMs()),
      faults,
      tensors: { first: first.tensors, last: last.tensors },
      heapMb: { first: first.heapMb, last: last.heapMb },
      listeners: { first: first.listeners, last: last.listeners },
      domNodes: { first: first.domNodes, last: last.domNodes },
      bridgeRestarts,
      oscAfterRestart: restarted?.count ?? 0,
      firstAfterRestart: restarted?.first ?? null,
      oscFirstSecondAfterRestart: restarted?.firstSecond ?? 0,
      workerRestarts: Math.max(0, engineWorkers - 1),
      longTasks: watch.longTasks,
      maxFrameGapMs: Math.round(watch.maxFrameGapMs),
      bitmaps: { ...watch.bitmaps, liveFirst: bitmapsFirst.live, createdFirst: bitmapsFirst.created },
      videoFrames: watch.videoFrames,
      bridge: { rssMb: { first: first.bridgeRssMb, last: last.bridgeRssMb }, counts: null },
      runnerRssMb: { first: first.runnerRssMb, last: last.runnerRssMb },
      samples,
      errors,
      errorCount,
      expected,
    };
    await context.close();
    context = null;
    bridgeCounts = (await bridge.stop()).counts;
    result.bridge.counts = bridgeCounts;
    return result;
  } finally {
    await context?.close().catch(() => {});
    if (bridgeCounts === null && bridge.alive()) await bridge.stop();
    await tally.close().catch(() => {});
  }
}
