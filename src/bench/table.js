// @ts-check
/**
 * The benchmark's tables, defined once: the per-backend columns that the app's Benchmark panel shows and
 * that `npm run bench` prints, writes to bench/results/latest.md and the README shows. The page sees latency
 * only up to the main thread; the runner sees it at the UDP receiver, and marks each goal ✓/✗.
 */
import { overallGoals, runGoals } from './goals.js';

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
  if (run.skipped) return [run.backend, `not measured: ${run.skipped}`];
  const goals = at === 'udp' ? runGoals(run) : null;
  return columns(at).map((c) => c.cell(run, goals));
}

/** @param {string[]} cells */
const row = (cells) => `| ${cells.join(' | ')} |`;

/** @param {any} result the whole latest.json */
export function markdown(result) {
  const lines = [];
  lines.push(
    `Benchmark of ${result.date} — ${result.mode} run; ${result.machine.cpus} CPU cores (${result.machine.cpuModel}), ` +
      `GPU: ${result.machine.gpu ?? 'none'}; ${result.browser}; load average at start ${result.machine.loadAverage.map((/** @type {number} */ l) => l.toFixed(2)).join(' ')}.`,
  );
  lines.push('');
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
        r.backend,
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
  const c = result.coldStartMs;
  if (c)
    lines.push(
      `- Cold start, page load → first prediction (wasm, kNN): **${f(c.uncached, 0)} ms** without the IndexedDB model cache, **${f(c.cached, 0)} ms** with it.`,
    );
  lines.push('');
  lines.push(
    '✓/✗: the goals of issue 4 — efficiency ≥ 0.95; latency p99 ≤ raw ms/frame + 33 ms; the camera rate in full where raw fps ≥ 30; 0 long tasks and no rAF gap over 50 ms; no tensor growth.',
  );
  return lines.join('\n') + '\n';
}
