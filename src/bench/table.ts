/**
 * The benchmark's tables, defined once: the per-backend columns that the app's Benchmark panel shows and
 * that `npm run bench` prints, writes to bench/results/latest.md and the README shows. The page sees latency
 * only up to the main thread; the runner sees it at the UDP receiver, and marks each goal ✓/✗.
 */
import type { FeatureKind } from '../protocol/engine-options';
import type { Summary } from '../protocol/stats';
import {
  CAMERA_RATE_GOAL,
  EFFICIENCY_GOAL,
  GESTURE_GOAL_MS,
  MAIN_THREAD_GOAL_MS,
  cameraRateGoals,
  isMeasured,
  overallGoals,
  runGoals,
  type RunGoals,
} from './goals';
import type {
  BackendRun,
  BenchResult,
  GestureRun,
  ProjectScaleRun,
  RunnerCameraRateRun,
  RunnerRun,
  ScaleMainThread,
  SkippedRun,
} from './types';

/** A number with `digits` decimals, or a dash where there is none. */
export const f = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
const mark = (ok: boolean) => (ok ? '✓' : '✗');

/**
 * Where latency was measured: `page` (capture → prediction on the main thread, the app's panel) or `udp`
 * (capture → arrival at a UDP receiver through the bridge, `npm run bench`).
 */
export type LatencyAt = 'page' | 'udp';

/** One measured run as a row is drawn: its latency where it was measured, and its goals (none on the page). */
interface Row {
  run: BackendRun;
  latency: Summary;
  goals: RunGoals | null;
}

interface Column {
  header: string;
  cell: (row: Row) => string;
  /** Only in the runner's table. */
  udpOnly?: boolean;
}

const marked = (text: string, ok: boolean | undefined) => (ok === undefined ? text : `${text} ${mark(ok)}`);

const COLUMNS: Column[] = [
  { header: 'backend', cell: ({ run: r }) => r.backend },
  { header: 'features', cell: ({ run: r }) => featuresName(r) },
  { header: 'raw fps', cell: ({ run: r }) => f(r.rawFps) },
  { header: 'pipeline fps', cell: ({ run: r }) => f(r.pipelineFps) },
  { header: 'efficiency', cell: ({ run: r, goals: g }) => marked(f(r.efficiency, 2), g?.efficiency) },
  {
    header: 'latency p50 / p95 / p99 (ms)',
    cell: ({ latency: l, goals: g }) => marked(`${f(l.p50, 0)} / ${f(l.p95, 0)} / ${f(l.p99, 0)}`, g?.latency),
  },
  {
    header: 'camera: predictions/s (in)',
    cell: ({ run: r, goals: g }) => marked(`${f(r.cameraFps)} (${f(r.cameraInputFps)})`, g?.cameraRate),
  },
  { header: 'dropped', cell: ({ run: r }) => String(r.droppedFrames) },
  {
    header: 'frames read',
    cell: ({ run: r }) =>
      `${r.ingest === 'worker' ? 'in the worker' : 'on the page'}; wasm threads ${r.wasmThreads}${r.crossOriginIsolated ? ' (isolated)' : ''}`,
  },
  {
    header: 'main thread ms/frame',
    cell: ({ run: r, goals: g }) => marked(f(r.mainThreadMsPerFrame, 2), g?.mainThreadPerFrame),
  },
  {
    header: 'frame age p50 / p95 (ms)',
    cell: ({ run: r }) => `${f(r.frameAgeMs.p50, 0)} / ${f(r.frameAgeMs.p95, 0)}`,
  },
  { header: 'long tasks', cell: ({ run: r, goals: g }) => marked(String(r.longTasks), g?.mainThread) },
  { header: 'max rAF gap (ms)', cell: ({ run: r }) => f(r.maxFrameGapMs, 0) },
  { header: 'baseline fps', cell: ({ run: r }) => (r.baseline ? f(r.baseline.fps) : '—') },
  { header: 'baseline long tasks', cell: ({ run: r }) => (r.baseline ? String(r.baseline.longTasks) : '—') },
  { header: 'baseline max gap (ms)', cell: ({ run: r }) => (r.baseline ? f(r.baseline.maxFrameGapMs, 0) : '—') },
  {
    header: 'tensors before → after',
    cell: ({ run: r, goals: g }) => marked(`${r.tensorsBefore} → ${r.tensorsAfter}`, g?.tensors),
  },
  { header: 'frames (raw / pipeline)', cell: ({ run: r }) => `${r.rawFrames} / ${r.pipelineFrames}`, udpOnly: true },
];

const columns = (at: LatencyAt) => COLUMNS.filter((c) => at === 'udp' || !c.udpOnly);

/** The header cells of the per-backend table. */
export function headerCells(at: LatencyAt): string[] {
  return columns(at).map((c) =>
    c.header.startsWith('latency') && at === 'udp' ? c.header.replace('latency', 'latency to UDP') : c.header,
  );
}

/**
 * One row of cells for a measured backend, or its name and why it was not measured. At the UDP receiver
 * (`npm run bench`) the latency is the runner's and the goals are marked; on the page (the app's panel), the
 * latency is the camera phase's up to the main thread, without goals.
 */
export function rowCells(run: RunnerRun | SkippedRun, at: 'udp'): string[];
export function rowCells(run: BackendRun | SkippedRun, at: 'page'): string[];
export function rowCells(run: BackendRun | RunnerRun | SkippedRun, at: LatencyAt): string[] {
  if (!isMeasured(run)) return [run.backend, featuresName(run), `not measured: ${run.skipped}`];
  const shown: Row =
    at === 'udp' && 'latencyMs' in run
      ? { run, latency: run.latencyMs, goals: runGoals(run) }
      : { run, latency: run.cameraLatencyMs, goals: null };
  return columns(at).map((c) => c.cell(shown));
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
/** What a run learns from, as its table shows it: `image`, `pose`…, or `Teachable Machine` for an imported model. */
const featuresName = (r: Pick<BackendRun, 'features' | 'teachableMachine'> | SkippedRun): string =>
  r.teachableMachine !== undefined ? 'Teachable Machine' : (r.features ?? 'image');

const runName = (r: BackendRun) => runLabel(r.backend, r.features, r.teachableMachine !== undefined);

/** A run's name in the tables and the log: `wasm`, `wasm (pose)`, `wasm (people)`, `wasm (Teachable Machine)`. */
export const runLabel = (backend: string, features: FeatureKind = 'image', teachableMachine = false): string =>
  teachableMachine ? `${backend} (Teachable Machine)` : features === 'image' ? backend : `${backend} (${features})`;

/** The per-backend tables: the results with their goals, and where a prediction's milliseconds go. */
function backendTables(result: BenchResult): string[] {
  const lines: string[] = [];
  const header = headerCells('udp');
  lines.push(row(header));
  lines.push(row(Array<string>(header.length).fill('---')));
  for (const r of result.runs) {
    const cells = rowCells(r, 'udp');
    lines.push(row([...cells, ...Array<string>(header.length - cells.length).fill('')]));
  }
  lines.push('');
  lines.push(
    'Where a prediction\'s milliseconds go (means over the pipeline phase; "queue + transfer" is capture → result on the main thread minus the worker\'s own time, and includes the wait in the one-frame slot):',
  );
  lines.push('');
  lines.push(
    row([
      'backend',
      'bitmap (main)',
      'fromPixels',
      'inference + readback',
      'head',
      'worker total',
      'queue + transfer',
      'raw ms/frame (mean)',
      'pipeline latency to UDP p50 / p99',
      'heap MB before → after',
    ]),
  );
  lines.push(row(Array<string>(10).fill('---')));
  const measured = result.runs.filter(isMeasured);
  for (const r of measured) {
    const d = r.breakdownMs;
    lines.push(
      row([
        runName(r),
        f(d.bitmap),
        f(d.fromPixels),
        f(d.infer),
        f(d.head),
        f(d.worker),
        f(d.overhead),
        f(r.rawMsPerFrame.mean),
        `${f(r.pipelineLatencyMs.p50, 0)} / ${f(r.pipelineLatencyMs.p99, 0)}`,
        `${f(r.heapMbBefore)} → ${f(r.heapMbAfter)}`,
      ]),
    );
  }
  lines.push('');
  const compared = measured.filter((r) => r.pageIngest);
  if (compared.length > 0) {
    lines.push(
      'The camera read in the worker (the default where the browser can) against the same camera read on the page (`workerCamera: false`), same run: main thread ms per frame, frame age at inference start p50 / p95, predictions/s (camera fps in):',
    );
    lines.push('');
    for (const r of compared) {
      const p = r.pageIngest!;
      lines.push(
        `- ${runName(r)}: worker ${f(r.mainThreadMsPerFrame, 2)} ms, ` +
          `${f(r.frameAgeMs.p50, 0)} / ${f(r.frameAgeMs.p95, 0)} ms, ${f(r.cameraFps)} (${f(r.cameraInputFps)}); ` +
          `page ${f(p.mainThreadMsPerFrame, 2)} ms, ${f(p.frameAgeMs.p50, 0)} / ${f(p.frameAgeMs.p95, 0)} ms, ` +
          `${f(p.cameraFps)} (${f(p.cameraInputFps)}).`,
      );
    }
    lines.push('');
  }
  const pose = measured.filter((r) => r.features === 'pose');
  if (pose.length > 0) {
    lines.push(
      `- Pose (MoveNet Lightning in the worker): raw ${pose.map((r) => `${r.backend} ${f(r.rawFps)} fps`).join(', ')}; ` +
        `at the camera's rate ${pose.map((r) => `${r.backend} ${f(r.cameraFps)} of ${f(r.cameraInputFps)} fps ${mark(runGoals(r).cameraRate)}`).join(', ')}. ` +
        "Published anchor: 104 fps on WebGL, 2019 MacBook Pro, on the main thread; the goal here is the camera's 30 fps, from a worker, wherever raw MoveNet runs faster than that.",
    );
    lines.push('');
  }
  const hands = measured.filter((r) => r.features === 'hands');
  if (hands.length > 0) {
    lines.push(
      `- Hands (MediaPipe Hands in the worker, the two-hands photo as the camera): raw ${hands.map((r) => `${r.backend} ${f(r.rawFps)} fps`).join(', ')} ` +
        '(the raw loop runs on a frame with no hand: the palm detector alone); each model alone: ' +
        `${hands.map((r) => `${r.backend} ${(r.rawModels ?? []).map((m) => `${m.name} ${f(m.fps)} fps`).join(', ')}`).join('; ')}; ` +
        `at the camera's rate, two hands tracked, ${hands.map((r) => `${r.backend} ${f(r.cameraFps)} of ${f(r.cameraInputFps)} fps ${mark(runGoals(r).cameraRate)}`).join(', ')}; ` +
        `the palm detector on ${hands.map((r) => `${r.backend} ${detectorShare(r)}`).join(', ')} (goal under 10 %).`,
    );
    lines.push('');
  }
  const teachable = measured.filter((r) => r.teachableMachine !== undefined);
  if (teachable.length > 0) {
    lines.push(
      `- A Teachable Machine model imported as the features (the real export in ../shared/fixtures, "${teachable[0]!.teachableMachine}": a tiny model, 96×96 grey), in the worker: ` +
        `raw ${teachable.map((r) => `${r.backend} ${f(r.rawFps)} fps`).join(', ')}; in the pipeline, frames offered as fast as it takes them, ${teachable.map((r) => `${r.backend} ${f(r.pipelineFps)} fps`).join(', ')}; ` +
        `at the camera's rate ${teachable.map((r) => `${r.backend} ${f(r.cameraFps)} of ${f(r.cameraInputFps)} fps ${mark(runGoals(r).cameraRate)}`).join(', ')}.`,
    );
    lines.push('');
  }
  const people = measured.filter((r) => r.features === 'people');
  if (people.length > 0) {
    lines.push(
      `- Several people (MoveNet MultiPose Lightning in the worker, the three-people photo as the camera): raw ${people.map((r) => `${r.backend} ${f(r.rawFps)} fps`).join(', ')}; ` +
        `at the camera's rate ${people.map((r) => `${r.backend} ${f(r.cameraFps)} of ${f(r.cameraInputFps)} fps ${mark(runGoals(r).cameraRate)}`).join(', ')}.`,
    );
    lines.push('');
  }
  return lines;
}

/** "3 of 120 frames (2.5 %) ✓": how often the palm detector ran in a hands run's camera phase. */
function detectorShare(r: BackendRun): string {
  const d = r.palmDetector;
  if (!d || d.frames === 0) return 'no frames';
  const share = d.runs / d.frames;
  return `${d.runs} of ${d.frames} frames (${f(share * 100, 1)} %) ${mark(share < 0.1)}`;
}

/** The gesture line: the DTW head matching its templates against the stream, per frame, in a worker. */
export function gestureLine(g: GestureRun): string {
  const m = g.msPerFrame;
  return (
    `- Gestures (the DTW head in a worker): ${g.templates} templates × ${g.framesPerTemplate} frames of ${g.features} pose features, ` +
    `matched against the live stream: **${f(m.mean, 3)} ms** a frame (p95 ${f(m.p95, 3)}, p99 ${f(m.p99, 3)}, over ${g.streamFrames} frames) ` +
    `${mark(m.mean < GESTURE_GOAL_MS)} (goal < ${GESTURE_GOAL_MS} ms); building the matchers ${f(g.setupMs, 1)} ms; ${g.matches} of ${g.performances} performances recognised.`
  );
}

/** The whole of bench/results/latest.md. */
export function markdown(result: BenchResult): string {
  const lines: string[] = [];
  lines.push(
    `Benchmark of ${result.date} — ${result.mode} run${result.phases ? ` (phases: ${result.phases.join(', ')})` : ''}; ${result.machine.cpus} CPU cores (${result.machine.cpuModel}), ` +
      `GPU: ${result.machine.gpu ?? 'none'}; ${result.browser}; load average at start ${result.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}.`,
  );
  lines.push('');
  if (result.runs.length > 0) lines.push(...backendTables(result)); // a run of other phases only has none
  const o = overallGoals(result);
  const t = result.training;
  if (t) {
    lines.push(
      `- Training (${t.backend}): dense head on ${t.examples} examples, ${t.epochs} epochs: **${f(t.denseMs, 0)} ms** ${mark(o.denseUnder1s)} (goal < 1 s); kNN from the last example to its first prediction: **${f(t.knnFirstPredictionMs, 0)} ms**.`,
    );
    lines.push(
      `- \`auto\` picked **${t.auto.picked}** (${t.auto.reason}); the raw runs' fastest: ${o.fastestRaw === null ? 'none in this run' : `${o.fastestRaw} ${mark(o.autoPicksFastest)}`}.`,
    );
  }
  if (result.gestures) lines.push(gestureLine(result.gestures));
  const c = result.coldStartMs;
  if (c)
    lines.push(
      `- Cold start, page load → first prediction (wasm, kNN): **${f(c.uncached, 0)} ms** without the IndexedDB model cache, **${f(c.cached, 0)} ms** with it.`,
    );
  if (result.camera120) {
    if (lines.at(-1) !== '') lines.push('');
    lines.push(...cameraRateLines(result.camera120));
  }
  if (result.projectScale) {
    if (lines.at(-1) !== '') lines.push('');
    lines.push(...projectScaleLines(result.projectScale));
  }
  lines.push('');
  lines.push(
    `✓/✗: the goals — efficiency ≥ ${EFFICIENCY_GOAL}; main thread ≤ ${MAIN_THREAD_GOAL_MS} ms a camera frame; latency p99 ≤ raw ms/frame + 33 ms; the camera rate in full where raw fps ≥ 30; 0 long tasks and no rAF gap over 50 ms; no tensor growth — for pose features too (issue 9), and gestures matched in under ${GESTURE_GOAL_MS} ms a frame` +
      (result.camera120 ? `; the fast camera's predictions/s ≥ ${CAMERA_RATE_GOAL} × min(raw fps, its fps).` : '.'),
  );
  return lines.join('\n') + '\n';
}

/**
 * The fast-camera phase (src/bench/camera-rate.ts): what the camera was asked for and delivered, what came of
 * it, against the model alone; and a word where the camera delivered less than it was asked for.
 */
export function cameraRateLines(c: RunnerCameraRateRun | SkippedRun): string[] {
  if (!isMeasured(c)) return [`- Fast camera (${c.backend}): not measured: ${c.skipped}`];
  const w = c.workerMs;
  const l = c.latencyMs;
  const lines = [
    `A fast camera (phase \`camera120\`): the fake camera playing a ${c.requestedFps} fps clip, opened with \`openCamera({ frameRate: ${c.requestedFps} })\`, ` +
      `\`pipe.start(video)\` on ${c.backend} for ${f(c.seconds, 0)} s; ratio = predictions/s ÷ min(raw fps, ${c.requestedFps}, fps delivered):`,
    '',
    row([
      'backend',
      'camera fps: asked / track / delivered alone / delivered in the run',
      'predictions/s',
      'raw fps',
      'ratio',
      `ratio to min(raw, ${c.requestedFps})`,
      'dropped',
      'frame age p50 / p95 (ms)',
      'latency to UDP p50 / p95 / p99 (ms)',
      'worker ms/prediction (fromPixels + infer + head)',
      'main thread ms/frame',
      'frames read',
    ]),
    row(Array<string>(12).fill('---')),
    row([
      c.backend,
      `${c.requestedFps} / ${f(c.trackFrameRate, 0)} / ${f(c.idleInputFps)} / ${f(c.cameraInputFps)}`,
      f(c.cameraFps),
      f(c.rawFps),
      `${f(c.ratio, 2)} ${mark(cameraRateGoals(c).ratio)}`,
      f(c.ratioToRequested, 2),
      String(c.droppedFrames),
      `${f(c.frameAgeMs.p50, 0)} / ${f(c.frameAgeMs.p95, 0)}`,
      `${f(l.p50, 0)} / ${f(l.p95, 0)} / ${f(l.p99, 0)}`,
      `${f(w.total)} (${f(w.fromPixels)} + ${f(w.infer)} + ${f(w.head)})`,
      f(c.mainThreadMsPerFrame, 2),
      `${c.ingest === 'worker' ? 'in the worker' : 'on the page'}; wasm threads ${c.wasmThreads}${c.crossOriginIsolated ? ' (isolated)' : ''}`,
    ]),
    '',
  ];
  if (c.cameraInputFps < 0.95 * c.requestedFps)
    lines.push(
      `- The fake camera delivered ${f(c.cameraInputFps)} fps of the ${c.requestedFps} asked for during the run (${f(c.idleInputFps)} with no pipeline running), ` +
        `so the ratio is taken against min(raw, delivered) = ${f(c.limitFps)} fps.`,
    );
  if (c.workerMs.total > 0 && 1000 / c.workerMs.total < c.limitFps)
    lines.push(
      `- The worker's own time per prediction (${f(w.total)} ms: fromPixels, the model, the head) allows at most ${f(1000 / w.total)} predictions/s, ` +
        `below the limit of ${f(c.limitFps)}: raw fps counts the model alone.`,
    );
  return lines;
}

const seconds = (ms: number | null | undefined) => `${f(ms === null || ms === undefined ? ms : ms / 1000, 1)} s`;

/** The main thread during a phase: long tasks over 50 ms (the longest), and the worst rAF gap. */
const mainCells = (m: ScaleMainThread | undefined) => [
  m ? `${m.longTasks}${m.longTasks ? ` (longest ${f(m.longestTaskMs, 0)} ms)` : ''}` : '—',
  m ? `${m.tasksOver100Ms} ${mark(m.tasksOver100Ms === 0)}` : '—',
  m ? f(m.maxFrameGapMs, 0) : '—',
];

/** The project-scale run (src/bench/project-scale.ts): one row per phase, then storage, file and heap. */
export function projectScaleLines(p: ProjectScaleRun): string[] {
  const perClass = Math.round(p.examples / p.classes);
  const r = p.restore;
  const rows = [
    [
      'add examples',
      seconds(p.addMs),
      `${f(p.addPerSecond)} examples/s (first tenth ${f(p.addPerSecondFirstTenth)}, last tenth ${f(p.addPerSecondLastTenth)})`,
      ...mainCells(p.mainThread.add),
    ],
    ['persist (last example → `flush()`)', seconds(p.persistMs), '', ...mainCells(p.mainThread.persist)],
    [
      `train (dense, ${p.epochs} epochs)`,
      seconds(p.trainMs),
      `${p.trainProgressEvents} progress events; accuracy ${f(p.finalAccuracy, 3)}`,
      ...mainCells(p.mainThread.train),
    ],
    ['save (`saveProject()` → Blob)', seconds(p.saveMs), `${f(p.fileMb)} MB file`, ...mainCells(p.mainThread.save)],
    [
      'open (`openProject(blob)`, fresh project)',
      seconds(p.openMs),
      `${p.openedExamples} examples (${Object.entries(p.openPhaseMs ?? {})
        .map(([phase, ms]) => `${phase} ${seconds(ms)}`)
        .join(', ')}); predicts ${mark(p.predictsAfterOpen)}`,
      ...mainCells(p.mainThread.open),
    ],
  ];
  if (r)
    rows.push([
      'restore (new page → ready)',
      seconds(r.readyMs),
      `${r.examples} examples, trained ${mark(r.trained)}; first prediction ${f(r.firstPredictionMs, 0)} ms`,
      ...mainCells(r.mainThread),
    ]);
  const s = p.storageMb;
  const h = p.heapMb;
  return [
    `Projects at scale (${p.backend}): ${p.examples} examples, ${p.classes} classes × ${perClass}, from the fake camera through \`pipe.addExample\`, kept in IndexedDB:`,
    '',
    row(['phase', 'time', '', 'long tasks > 50 ms', 'tasks > 100 ms', 'max rAF gap (ms)']),
    row(Array<string>(6).fill('---')),
    ...rows.map(row),
    '',
    '- The main-thread columns are wall-clock: where the load average is over the core count, a task of little work waits for a core and counts as long (bench/README.md, `projectScale`).',
    `- IndexedDB (\`storage.estimate()\`): ${f(s.before)} MB before, ${f(s.afterRecord)} MB once recorded, ${f(s.afterOpen)} MB with the opened copy too. Page JS heap: ${f(h.before)} → ${f(h.recorded)} (recorded) → ${f(h.after)} MB (opened)${r ? `; restoring page ${f(r.heapMb.before)} → ${f(r.heapMb.after)} MB` : ''}.`,
  ];
}
