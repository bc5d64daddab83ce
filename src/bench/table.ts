// @ts-check
/**
 * The benchmark's tables, defined once: the per-backend columns that the app's Benchmark panel shows and
 * that `npm run bench` prints, writes to bench/results/latest.md and the README shows. The page sees latency
 * only up to the main thread; the runner sees it at the UDP receiver, and marks each goal ✓/✗.
 */
import { EFFICIENCY_GOAL, GESTURE_GOAL_MS, MAIN_THREAD_GOAL_MS, overallGoals, runGoals } from './goals.js';

/** @param {number | null | undefined} x @param {number} [digits] */
export const f = (x, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
/** @param {boolean} ok */
const mark = (ok) => (ok ? '✓' : '✗');

/**
 * Where latency was measured: `page` (capture → prediction on the main thread, the app's panel) or `udp`
 * (capture → arrival at a UDP receiver through the bridge, `npm run bench`).
 * @typedef {'page' | 'udp'} LatencyAt
 */

/**
 * @typedef {object} Column
 * @property {string} header
 * @property {(run: any, goals: ReturnType<typeof runGoals> | null) => string} cell `goals` is null on the page.
 * @property {boolean} [udpOnly] Only in the runner's table.
 */

/** @param {string} text @param {boolean | undefined} ok */
const marked = (text, ok) => (ok === undefined ? text : `${text} ${mark(ok)}`);

/** @type {Column[]} */
const COLUMNS = [
  { header: 'backend', cell: (r) => r.backend },
  { header: 'features', cell: (r) => r.features ?? 'image' },
  { header: 'raw fps', cell: (r) => f(r.rawFps) },
  { header: 'pipeline fps', cell: (r) => f(r.pipelineFps) },
  { header: 'efficiency', cell: (r, g) => marked(f(r.efficiency, 2), g?.efficiency) },
  {
    header: 'latency p50 / p95 / p99 (ms)',
    cell: (r, g) => {
      const l = g ? r.latencyMs : r.cameraLatencyMs;
      return marked(`${f(l.p50, 0)} / ${f(l.p95, 0)} / ${f(l.p99, 0)}`, g?.latency);
    },
  },
  {
    header: 'camera: predictions/s (in)',
    cell: (r, g) => marked(`${f(r.cameraFps)} (${f(r.cameraInputFps)})`, g?.cameraRate),
  },
  { header: 'dropped', cell: (r) => String(r.droppedFrames) },
  {
    header: 'frames read',
    cell: (r) =>
      r.ingest === undefined
        ? '—'
        : `${r.ingest === 'worker' ? 'in the worker' : 'on the page'}; wasm threads ${r.wasmThreads ?? '—'}${r.crossOriginIsolated ? ' (isolated)' : ''}`,
  },
  {
    header: 'main thread ms/frame',
    cell: (r, g) => marked(f(r.mainThreadMsPerFrame, 2), g?.mainThreadPerFrame),
  },
  {
    header: 'frame age p50 / p95 (ms)',
    cell: (r) => (r.frameAgeMs ? `${f(r.frameAgeMs.p50, 0)} / ${f(r.frameAgeMs.p95, 0)}` : '—'),
  },
  { header: 'long tasks', cell: (r, g) => marked(String(r.longTasks), g?.mainThread) },
  { header: 'max rAF gap (ms)', cell: (r) => f(r.maxFrameGapMs, 0) },
  { header: 'baseline fps', cell: (r) => (r.baseline ? f(r.baseline.fps) : '—') },
  { header: 'baseline long tasks', cell: (r) => (r.baseline ? String(r.baseline.longTasks) : '—') },
  { header: 'baseline max gap (ms)', cell: (r) => (r.baseline ? f(r.baseline.maxFrameGapMs, 0) : '—') },
  { header: 'tensors before → after', cell: (r, g) => marked(`${r.tensorsBefore} → ${r.tensorsAfter}`, g?.tensors) },
  { header: 'frames (raw / pipeline)', cell: (r) => `${r.rawFrames} / ${r.pipelineFrames}`, udpOnly: true },
];

/** @param {LatencyAt} at */
const columns = (at) => COLUMNS.filter((c) => at === 'udp' || !c.udpOnly);

/**
 * The header cells of the per-backend table.
 * @param {LatencyAt} at
 */
export function headerCells(at) {
  return columns(at).map((c) =>
    c.header.startsWith('latency') && at === 'udp' ? c.header.replace('latency', 'latency to UDP') : c.header,
  );
}

/**
 * One row of cells for a measured backend, or its name and why it was not measured.
 * @param {any} run a result row (BackendRun, plus the runner's UDP latency when `at` is `udp`)
 * @param {LatencyAt} at
 * @returns {string[]}
 */
export function rowCells(run, at) {
  if (run.skipped) return [run.backend, run.features ?? 'image', `not measured: ${run.skipped}`];
  const goals = at === 'udp' ? runGoals(run) : null;
  return columns(at).map((c) => c.cell(run, goals));
}

/** @param {string[]} cells */
const row = (cells) => `| ${cells.join(' | ')} |`;

/**
 * The per-backend tables: the results with their goals, and where a prediction's milliseconds go.
 * @param {any} result the whole latest.json
 * @returns {string[]}
 */
function backendTables(result) {
  const lines = [];
  const header = headerCells('udp');
  lines.push(row(header));
  lines.push(row(Array(header.length).fill('---')));
  for (const r of result.runs) {
    const cells = rowCells(r, 'udp');
    lines.push(row(r.skipped ? [...cells, ...Array(header.length - cells.length).fill('')] : cells));
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
  lines.push(row(Array(10).fill('---')));
  for (const r of result.runs) {
    if (r.skipped) continue;
    const d = r.breakdownMs;
    lines.push(
      row([
        r.features === 'pose' ? `${r.backend} (pose)` : r.backend,
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
  const compared = result.runs.filter((/** @type {any} */ r) => r.pageIngest && !r.skipped);
  if (compared.length > 0) {
    lines.push(
      'The camera read in the worker (the default where the browser can) against the same camera read on the page (`workerCamera: false`), same run: main thread ms per frame, frame age at inference start p50 / p95, predictions/s (camera fps in):',
    );
    lines.push('');
    for (const r of compared) {
      const p = r.pageIngest;
      lines.push(
        `- ${r.features === 'pose' ? `${r.backend} (pose)` : r.backend}: worker ${f(r.mainThreadMsPerFrame, 2)} ms, ` +
          `${f(r.frameAgeMs.p50, 0)} / ${f(r.frameAgeMs.p95, 0)} ms, ${f(r.cameraFps)} (${f(r.cameraInputFps)}); ` +
          `page ${f(p.mainThreadMsPerFrame, 2)} ms, ${f(p.frameAgeMs.p50, 0)} / ${f(p.frameAgeMs.p95, 0)} ms, ` +
          `${f(p.cameraFps)} (${f(p.cameraInputFps)}).`,
      );
    }
    lines.push('');
  }
  const pose = result.runs.filter((/** @type {any} */ r) => r.features === 'pose' && !r.skipped);
  if (pose.length > 0) {
    lines.push(
      `- Pose (MoveNet Lightning in the worker): raw ${pose.map((/** @type {any} */ r) => `${r.backend} ${f(r.rawFps)} fps`).join(', ')}; ` +
        `at the camera's rate ${pose.map((/** @type {any} */ r) => `${r.backend} ${f(r.cameraFps)} of ${f(r.cameraInputFps)} fps ${mark(runGoals(r).cameraRate)}`).join(', ')}. ` +
        "Published anchor: 104 fps on WebGL, 2019 MacBook Pro, on the main thread; the goal here is the camera's 30 fps, from a worker, wherever raw MoveNet runs faster than that.",
    );
    lines.push('');
  }
  return lines;
}

/**
 * The gesture line: the DTW head matching its templates against the stream, per frame, in a worker.
 * @param {any} g result.gestures
 */
export function gestureLine(g) {
  const m = g.msPerFrame;
  return (
    `- Gestures (the DTW head in a worker): ${g.templates} templates × ${g.framesPerTemplate} frames of ${g.features} pose features, ` +
    `matched against the live stream: **${f(m.mean, 3)} ms** a frame (p95 ${f(m.p95, 3)}, p99 ${f(m.p99, 3)}, over ${g.streamFrames} frames) ` +
    `${mark(m.mean < GESTURE_GOAL_MS)} (goal < ${GESTURE_GOAL_MS} ms); building the matchers ${f(g.setupMs, 1)} ms; ${g.matches} of ${g.performances} performances recognised.`
  );
}

/** @param {any} result the whole latest.json */
export function markdown(result) {
  const lines = [];
  lines.push(
    `Benchmark of ${result.date} — ${result.mode} run${result.phases ? ` (phases: ${result.phases.join(', ')})` : ''}; ${result.machine.cpus} CPU cores (${result.machine.cpuModel}), ` +
      `GPU: ${result.machine.gpu ?? 'none'}; ${result.browser}; load average at start ${result.machine.loadAverage.map((/** @type {number} */ l) => l.toFixed(2)).join(' ')}.`,
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
      `- \`auto\` picked **${t.auto.picked}** (${t.auto.reason}); the raw runs' fastest: ${o.fastestRaw} ${mark(o.autoPicksFastest)}.`,
    );
  }
  if (result.gestures) lines.push(gestureLine(result.gestures));
  const c = result.coldStartMs;
  if (c)
    lines.push(
      `- Cold start, page load → first prediction (wasm, kNN): **${f(c.uncached, 0)} ms** without the IndexedDB model cache, **${f(c.cached, 0)} ms** with it.`,
    );
  if (result.projectScale) {
    if (lines.at(-1) !== '') lines.push('');
    lines.push(...projectScaleLines(result.projectScale));
  }
  lines.push('');
  lines.push(
    `✓/✗: the goals — efficiency ≥ ${EFFICIENCY_GOAL}; main thread ≤ ${MAIN_THREAD_GOAL_MS} ms a camera frame; latency p99 ≤ raw ms/frame + 33 ms; the camera rate in full where raw fps ≥ 30; 0 long tasks and no rAF gap over 50 ms; no tensor growth — for pose features too (issue 9), and gestures matched in under ${GESTURE_GOAL_MS} ms a frame.`,
  );
  return lines.join('\n') + '\n';
}

/** @param {number | null | undefined} ms */
const seconds = (ms) => `${f(ms === null || ms === undefined ? ms : ms / 1000, 1)} s`;

/**
 * The main thread during a phase: long tasks over 50 ms (the longest), and the worst rAF gap.
 * @param {any} m a ScaleMainThread
 */
const mainCells = (m) => [
  m ? `${m.longTasks}${m.longTasks ? ` (longest ${f(m.longestTaskMs, 0)} ms)` : ''}` : '—',
  m ? `${m.tasksOver100Ms} ${mark(m.tasksOver100Ms === 0)}` : '—',
  m ? f(m.maxFrameGapMs, 0) : '—',
];

/**
 * The project-scale run (src/bench/project-scale.ts): one row per phase, then storage, file and heap.
 * @param {any} p result.projectScale
 * @returns {string[]}
 */
export function projectScaleLines(p) {
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
    row(Array(6).fill('---')),
    ...rows.map(row),
    '',
    '- The main-thread columns are wall-clock: where the load average is over the core count, a task of little work waits for a core and counts as long (bench/README.md, `projectScale`).',
    `- IndexedDB (\`storage.estimate()\`): ${f(s.before)} MB before, ${f(s.afterRecord)} MB once recorded, ${f(s.afterOpen)} MB with the opened copy too. Page JS heap: ${f(h.before)} → ${f(h.recorded)} (recorded) → ${f(h.after)} MB (opened)${r ? `; restoring page ${f(r.heapMb.before)} → ${f(r.heapMb.after)} MB` : ''}.`,
  ];
}
