/**
 * The benchmark runner's pure parts: reading an OSC bundle's timetag at the UDP receiver, the
 * percentiles, the goals, the Markdown table and the SVG chart. No timing is asserted here.
 */
import { createSocket } from 'node:dgram';
import OSC from 'osc-js';
import { describe, expect, test } from 'vitest';
import { phaseOf, readBundle, startOscReceiver } from '../../bench/osc-receiver.mjs';
import { percentile, summarise } from '../../src/protocol/stats';
import { gestureData, POSE_FEATURES } from '../../src/bench/gesture-data';
import { cameraRateGoals, overallGoals, runGoals } from '../../src/bench/goals';
import { cameraRateLines, gestureLine, markdown, projectScaleLines } from '../../src/bench/table';
import type {
  BenchResult,
  GestureRun,
  ProjectScaleRun,
  RunnerCameraRateRun,
  RunnerRun,
  ScaleMainThread,
} from '../../src/bench/types';
import { chart } from '../../bench/chart.mjs';
import { pack } from '../../src/outputs/osc-messages';

const run = {
  backend: 'wasm',
  features: 'image',
  model: 'mobilenet-v1-0.25',
  started: 'wasm',
  rawFps: 120,
  rawFrames: 600,
  rawMsPerFrame: { mean: 8.3, p50: 8, p95: 10 },
  pipelineFps: 118,
  pipelineFrames: 2000,
  efficiency: 118 / 120,
  latencyMs: { n: 120, mean: 22, p50: 20, p95: 30, p99: 40 },
  pipelineLatencyMs: { n: 2000, mean: 20, p50: 20, p95: 25, p99: 30 },
  pipelineLatencyAtUdpMs: { n: 2000, mean: 21, p50: 21, p95: 26, p99: 31 },
  cameraLatencyMs: { n: 120, mean: 19, p50: 18, p95: 28, p99: 38 },
  cameraFps: 30,
  cameraInputFps: 30,
  cameraFrames: 120,
  droppedFrames: 0,
  longTasks: 0,
  maxFrameGapMs: 20,
  baseline: { fps: 25, frames: 250, longTasks: 12, maxFrameGapMs: 180 },
  tensorsBefore: 86,
  tensorsAfter: 86,
  breakdownMs: { bitmap: 1, fromPixels: 2, infer: 8, head: 0.5, worker: 10.5, overhead: 3 },
  heapMbBefore: 2,
  heapMbAfter: 2.1,
  ingest: 'worker',
  mainThreadMsPerFrame: 0.2,
  frameAgeMs: { n: 120, mean: 3, p50: 2, p95: 6, p99: 8 },
  pageIngest: {
    cameraFps: 30,
    cameraInputFps: 30,
    latencyMs: { n: 60, mean: 25, p50: 24, p95: 30, p99: 35 },
    mainThreadMsPerFrame: 2.5,
    frameAgeMs: { n: 60, mean: 5, p50: 4, p95: 9, p99: 12 },
  },
  crossOriginIsolated: true,
  wasmThreads: 1,
  oscSent: { pipeline: 2000, camera: 120 },
  oscReceived: { pipeline: 2000, camera: 120 },
  oscPrefix: { pipeline: '/bench/wasm/pipeline', camera: '/bench/wasm/camera' },
  warnings: [],
} satisfies RunnerRun;
const result = {
  date: '2026-11-28T18:00:00.000Z',
  mode: 'quick',
  machine: { cpus: 2, cpuModel: 'test cpu', gpu: null, memoryGb: 8, loadAverage: [0.5, 0.6, 0.7] },
  browser: 'Chromium 156',
  runs: [run, { backend: 'webgpu', skipped: 'no adapter' }],
  training: {
    denseMs: 800,
    knnFirstPredictionMs: 20,
    examples: 150,
    epochs: 20,
    backend: 'wasm',
    auto: { picked: 'wasm', reason: 'fastest' },
  },
  coldStartMs: { cached: 2000, uncached: 2500, sources: { cached: 'cache', uncached: 'local' } },
  projectScale: null,
  gestures: null,
  durationS: 180,
} satisfies BenchResult;

describe('the UDP receiver', () => {
  test('reads the capture time from the timetag of a bundle that osc-output packs', () => {
    const message = new OSC.TypedMessage('/bench/wasm/camera/confidences', [{ type: 'f', value: 0.5 }] as never);
    const captured = Date.UTC(2026, 10, 28, 18, 0, 0, 123);
    const [bytes] = pack([message], captured);
    const bundle = readBundle(Buffer.from(bytes!))!;
    expect(bundle.address).toBe('/bench/wasm/camera/confidences');
    expect(Math.abs(bundle.timetagMs - captured)).toBeLessThan(0.001);
    expect(phaseOf(bundle.address)).toBe('wasm/camera');
  });

  test("waits for a phase's bundles, or gives what came when time is up", async () => {
    const receiver = await startOscReceiver();
    const socket = createSocket('udp4');
    try {
      const message = new OSC.TypedMessage('/bench/wasm/camera/label', [{ type: 's', value: 'a' }] as never);
      const [bytes] = pack([message], Date.now());
      const two = receiver.arrivals('wasm/camera', 2, 10_000);
      for (let i = 0; i < 2; i++) socket.send(Buffer.from(bytes!), receiver.port, '127.0.0.1');
      expect(await two).toHaveLength(2);
      expect(await receiver.arrivals('wasm/pipeline', 1, 50)).toEqual([]);
    } finally {
      socket.close();
      await receiver.close();
    }
  });

  test('ignores what is not a bundle, and addresses outside /bench', () => {
    expect(readBundle(Buffer.from(new OSC.Message('/tw/label', 'a').pack()))).toBeNull();
    expect(phaseOf('/tw/label')).toBeNull();
  });
});

test('percentiles by nearest rank, as the pipeline metrics compute them', () => {
  expect(percentile([], 50)).toBe(0);
  expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  expect(
    percentile(
      [...Array(100).keys()].map((i) => i + 1),
      99,
    ),
  ).toBe(99);
  expect(summarise([1, 2, 3, 4])).toEqual({ n: 4, mean: 2.5, p50: 2, p95: 4, p99: 4 });
});

test('goals: met and missed are told apart', () => {
  const met = { efficiency: true, latency: true, cameraRate: true, mainThread: true, mainThreadPerFrame: true };
  expect(runGoals(run)).toEqual({ ...met, tensors: true });
  expect(
    runGoals({
      ...run,
      efficiency: 0.5,
      longTasks: 3,
      droppedFrames: 4,
      tensorsAfter: 90,
      latencyMs: { n: 120, mean: 55, p50: 50, p95: 60, p99: 70 },
      mainThreadMsPerFrame: 1.5,
    }),
  ).toEqual({
    efficiency: false,
    latency: false,
    cameraRate: false,
    mainThread: false,
    mainThreadPerFrame: false,
    tensors: false,
  });
  // Efficiency: 0.9 is enough (issue 11); a run from before the main thread was measured misses that goal.
  expect(runGoals({ ...run, efficiency: 0.91 }).efficiency).toBe(true);
  expect(runGoals({ ...run, mainThreadMsPerFrame: undefined }).mainThreadPerFrame).toBe(false);
  // Drops are expected where the model is slower than the camera.
  expect(runGoals({ ...run, rawFps: 10, droppedFrames: 200 }).cameraRate).toBe(true);
  expect(overallGoals(result)).toEqual({
    autoPicksFastest: true,
    fastestRaw: 'wasm',
    denseUnder1s: true,
    gesturesUnder2ms: false, // not measured
  });
  // auto is judged against the image runs only: a faster pose run on another backend does not count.
  const fasterPose = { ...run, backend: 'webgl', features: 'pose', rawFps: 500 } satisfies RunnerRun;
  expect(overallGoals({ ...result, runs: [...result.runs, fasterPose] }).fastestRaw).toBe('wasm');
});

test('the table has a row per backend, skipped ones with their reason', () => {
  const md = markdown(result);
  expect(md).toContain('| wasm | image | 120.0 | 118.0 | 0.98 ✓ | 20 / 30 / 40 ✓ |');
  expect(md).toContain('| in the worker; wasm threads 1 (isolated) | 0.20 ✓ | 2 / 6 |');
  expect(md).toContain('- wasm: worker 0.20 ms, 2 / 6 ms, 30.0 (30.0); page 2.50 ms, 4 / 9 ms, 30.0 (30.0).');
  expect(md).toContain('| webgpu | image | not measured: no adapter |');
  expect(md).toContain('**800 ms** ✓');
  expect(md).not.toContain('Pose (MoveNet');
});

const poseRun = {
  ...run,
  features: 'pose',
  model: 'movenet-lightning',
  rawFps: 45,
  pipelineFps: 40,
  efficiency: 40 / 45,
  cameraFps: 29.5,
  cameraInputFps: 30,
} satisfies RunnerRun;
const gestures = {
  templates: 20,
  framesPerTemplate: 60,
  features: 51,
  streamFrames: 3000,
  msPerFrame: { n: 3000, mean: 0.42, p50: 0.4, p95: 0.61, p99: 0.9 },
  setupMs: 3.2,
  matches: 41,
  performances: 43,
} satisfies GestureRun;

test('pose runs: a row of their own (features: pose), the camera-rate goal, the published anchor', () => {
  const md = markdown({ ...result, runs: [run, poseRun] });
  expect(md).toContain('| wasm | pose | 45.0 | 40.0 | 0.89 ✗ |');
  expect(md).toContain('| wasm (pose) |');
  expect(md).toMatch(
    /- Pose \(MoveNet Lightning in the worker\): raw wasm 45\.0 fps; at the camera's rate wasm 29\.5 of 30\.0 fps ✓\./,
  );
  expect(md).toContain('104 fps on WebGL');
});

test('the gesture line: ms a frame against the 2 ms goal, ✓ or ✗', () => {
  expect(gestureLine(gestures)).toBe(
    '- Gestures (the DTW head in a worker): 20 templates × 60 frames of 51 pose features, matched against the live stream: ' +
      '**0.420 ms** a frame (p95 0.610, p99 0.900, over 3000 frames) ✓ (goal < 2 ms); building the matchers 3.2 ms; 41 of 43 performances recognised.',
  );
  expect(gestureLine({ ...gestures, msPerFrame: { ...gestures.msPerFrame, mean: 2.5 } })).toContain('✗ (goal < 2 ms)');
  expect(markdown({ ...result, gestures })).toContain('- Gestures (the DTW head in a worker)');
  expect(overallGoals({ ...result, gestures }).gesturesUnder2ms).toBe(true);
});

test('gesture data: templates of the asked shape, a stream that performs them, the same every time', () => {
  const data = gestureData({ templates: 20, frames: 60, streamFrames: 500 });
  expect(data.templates).toHaveLength(20);
  expect(data.templates.every((t) => t.frames.length === 60 && t.frames.every((f) => f.length === POSE_FEATURES))).toBe(
    true,
  );
  expect(data.stream).toHaveLength(500);
  expect(data.performances).toBeGreaterThan(3);
  expect(gestureData({ templates: 20, frames: 60, streamFrames: 500 }).stream[123]).toEqual(data.stream[123]);
  // Each template is a movement: its last frame is well away from its first.
  const rms = (a: Float32Array, b: Float32Array) =>
    Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0) / a.length);
  for (const t of data.templates) expect(rms(t.frames[0]!, t.frames.at(-1)!)).toBeGreaterThan(0.2);
});

const main = (longTasks = 0, longestTaskMs = 0, tasksOver100Ms = 0): ScaleMainThread => ({
  longTasks,
  longestTaskMs,
  tasksOver100Ms,
  maxFrameGapMs: 33,
});
const projectScale = {
  backend: 'wasm',
  examples: 5000,
  classes: 5,
  addMs: 125_000,
  addPerSecond: 40,
  addPerSecondFirstTenth: 41,
  addPerSecondLastTenth: 39.5,
  persistMs: 12,
  trainMs: 24_500,
  epochs: 20,
  trainProgressEvents: 20,
  finalAccuracy: 0.95,
  saveMs: 1800,
  fileMb: 47.2,
  openMs: 13_100,
  openedExamples: 5000,
  openPhaseMs: { read: 500, decode: 8100, store: 4500 },
  predictsAfterOpen: true,
  storageMb: { before: 0, afterRecord: 95.9, afterOpen: 189.9 },
  mainThread: { add: main(), persist: main(), train: main(2, 135, 1), save: main(), open: main() },
  heapMb: { before: 1.1, recorded: 2.7, after: 1.4 },
  restore: {
    readyMs: 2100,
    examples: 5000,
    restored: true,
    trained: true,
    firstPredictionMs: 22,
    predicts: true,
    mainThread: main(),
    heapMb: { before: 1, after: 1.1 },
  },
} satisfies ProjectScaleRun;

test('the project-scale lines: a row per phase with its main thread, then storage, file and heap', () => {
  const lines = projectScaleLines(projectScale);
  expect(lines[0]).toContain('5000 examples, 5 classes × 1000');
  expect(lines).toContain(
    '| add examples | 125.0 s | 40.0 examples/s (first tenth 41.0, last tenth 39.5) | 0 | 0 ✓ | 33 |',
  );
  expect(lines).toContain(
    '| train (dense, 20 epochs) | 24.5 s | 20 progress events; accuracy 0.950 | 2 (longest 135 ms) | 1 ✗ | 33 |',
  );
  expect(lines.join('\n')).toContain('5000 examples (read 0.5 s, decode 8.1 s, store 4.5 s); predicts ✓');
  expect(lines.join('\n')).toContain(
    '| restore (new page → ready) | 2.1 s | 5000 examples, trained ✓; first prediction 22 ms |',
  );
  expect(lines.at(-1)).toContain('0.0 MB before, 95.9 MB once recorded, 189.9 MB with the opened copy too');
  // In the whole table only when measured; a run of some phases only has no backend rows.
  expect(markdown(result)).not.toContain('Projects at scale');
  expect(markdown({ ...result, projectScale })).toContain('Projects at scale (wasm)');
});

test('the chart is an SVG with a bar and its value for each measured backend', () => {
  const svg = chart(result);
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('>wasm<');
  expect(svg).not.toContain('>webgpu<');
  expect(chart({ ...result, runs: [run, poseRun] })).toContain('>wasm (pose)<');
  expect(svg).toContain('>118<');
  expect(svg.match(/<rect /g)!.length).toBeGreaterThan(7);
});

const camera120 = {
  backend: 'wasm',
  model: 'mobilenet-v1-0.25',
  requestedFps: 120,
  trackFrameRate: 120,
  idleInputFps: 118.2,
  cameraInputFps: 96.5,
  cameraFps: 80.2,
  rawFps: 125.9,
  rawMsPerFrame: { mean: 7.9, p50: 7.6, p95: 9.8 },
  limitFps: 96.5,
  ratio: 80.2 / 96.5,
  ratioToRequested: 80.2 / 120,
  droppedFrames: 160,
  cameraFrames: 965,
  frameAgeMs: { n: 802, mean: 2, p50: 1, p95: 6, p99: 9 },
  cameraLatencyMs: { n: 802, mean: 14, p50: 13, p95: 20, p99: 26 },
  workerMs: { fromPixels: 3.1, infer: 8.4, head: 0.1, total: 11.7 },
  mainThreadMsPerFrame: 0.02,
  ingest: 'worker',
  crossOriginIsolated: true,
  wasmThreads: 1,
  tensorsBefore: 72,
  tensorsAfter: 72,
  oscSent: 802,
  oscPrefix: '/bench/wasm-120fps/camera',
  seconds: 10,
  latencyMs: { n: 802, mean: 16, p50: 15, p95: 22, p99: 30 },
  oscReceived: 802,
} satisfies RunnerCameraRateRun;

test('the fast camera: delivered and asked-for rates, the ratio against min(raw, camera) with its goal, and why it falls short', () => {
  expect(cameraRateGoals(camera120).ratio).toBe(false);
  expect(cameraRateGoals({ ratio: 0.9 }).ratio).toBe(true);
  const lines = cameraRateLines(camera120);
  expect(lines).toContain(
    '| wasm | 120 / 120 / 118.2 / 96.5 | 80.2 | 125.9 | 0.83 ✗ | 0.67 | 160 | 1 / 6 | 15 / 22 / 30 | 11.7 (3.1 + 8.4 + 0.1) | 0.02 | in the worker; wasm threads 1 (isolated) |',
  );
  // The camera gave less than asked: said, and the ratio is taken against what it gave.
  expect(lines.join('\n')).toContain(
    'delivered 96.5 fps of the 120 asked for during the run (118.2 with no pipeline running)',
  );
  // The worker's own time allows fewer predictions than the limit: said too.
  expect(lines.join('\n')).toContain('allows at most 85.5 predictions/s, below the limit of 96.5');
  const full = cameraRateLines({
    ...camera120,
    cameraInputFps: 119.5,
    limitFps: 119.5,
    workerMs: { ...camera120.workerMs, total: 8 },
  });
  expect(full.join('\n')).not.toContain('asked for during the run');
  expect(full.join('\n')).not.toContain('allows at most');
  expect(cameraRateLines({ backend: 'wasm', skipped: 'no camera' })).toEqual([
    '- Fast camera (wasm): not measured: no camera',
  ]);
  // In the whole table only when measured, with its goal in the legend.
  expect(markdown(result)).not.toContain('A fast camera');
  const md = markdown({ ...result, camera120 });
  expect(md).toContain('A fast camera (phase `camera120`)');
  expect(md).toContain("the fast camera's predictions/s ≥ 0.9 × min(raw fps, its fps)");
});
