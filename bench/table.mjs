// @ts-check
/** The results as Markdown: what the terminal prints, bench/results/latest.md holds and the README shows. */
import { overallGoals, runGoals } from './goals.mjs';

/** @param {number | null | undefined} x @param {number} [digits] */
const f = (x, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));
/** @param {boolean} ok */
const mark = (ok) => (ok ? '✓' : '✗');

/** @param {string[]} cells */
const row = (cells) => `| ${cells.join(' | ')} |`;

/** @param {any} result the whole latest.json */
export function markdown(result) {
  const lines = [];
  lines.push(`Benchmark of ${result.date} — ${result.mode} run; ${result.machine.cpus} CPU cores (${result.machine.cpuModel}), ` +
    `GPU: ${result.machine.gpu ?? 'none'}; ${result.browser}; load average at start ${result.machine.loadAverage.map((/** @type {number} */ l) => l.toFixed(2)).join(' ')}.`);
  lines.push('');
  lines.push(row(['backend', 'raw fps', 'pipeline fps', 'efficiency', 'latency to UDP p50 / p95 / p99 (ms)', 'camera: predictions/s (in)', 'dropped', 'long tasks', 'max rAF gap (ms)', 'baseline fps', 'baseline long tasks', 'baseline max gap (ms)', 'tensors before → after', 'frames (raw / pipeline)']));
  lines.push(row(Array(14).fill('---')));
  for (const r of result.runs) {
    if (r.skipped) {
      lines.push(row([r.backend, `not measured: ${r.skipped}`, ...Array(12).fill('')]));
      continue;
    }
    const g = runGoals(r);
    const b = r.baseline;
    lines.push(row([
      r.backend, f(r.rawFps), f(r.pipelineFps), `${f(r.efficiency, 2)} ${mark(g.efficiency)}`,
      `${f(r.latencyMs.p50, 0)} / ${f(r.latencyMs.p95, 0)} / ${f(r.latencyMs.p99, 0)} ${mark(g.latency)}`,
      `${f(r.cameraFps)} (${f(r.cameraInputFps)}) ${mark(g.cameraRate)}`, String(r.droppedFrames),
      `${r.longTasks} ${mark(g.mainThread)}`, f(r.maxFrameGapMs, 0),
      b ? f(b.fps) : '—', b ? String(b.longTasks) : '—', b ? f(b.maxFrameGapMs, 0) : '—',
      `${r.tensorsBefore} → ${r.tensorsAfter} ${mark(g.tensors)}`, `${r.rawFrames} / ${r.pipelineFrames}`,
    ]));
  }
  lines.push('');
  lines.push('Where a prediction\'s milliseconds go (means over the pipeline phase; "queue + transfer" is capture → result on the main thread minus the worker\'s own time, and includes the wait in the one-frame slot):');
  lines.push('');
  lines.push(row(['backend', 'bitmap (main)', 'fromPixels', 'inference + readback', 'head', 'worker total', 'queue + transfer', 'raw ms/frame (mean)', 'pipeline latency to UDP p50 / p99', 'heap MB before → after']));
  lines.push(row(Array(10).fill('---')));
  for (const r of result.runs) {
    if (r.skipped) continue;
    const d = r.breakdownMs;
    lines.push(row([r.backend, f(d.bitmap), f(d.fromPixels), f(d.infer), f(d.head), f(d.worker), f(d.overhead), f(r.rawMsPerFrame.mean),
      `${f(r.pipelineLatencyMs.p50, 0)} / ${f(r.pipelineLatencyMs.p99, 0)}`, `${f(r.heapMbBefore)} → ${f(r.heapMbAfter)}`]));
  }
  lines.push('');
  const o = overallGoals(result);
  const t = result.training;
  if (t) {
    lines.push(`- Training (${t.backend}): dense head on ${t.examples} examples, ${t.epochs} epochs: **${f(t.denseMs, 0)} ms** ${mark(o.denseUnder1s)} (goal < 1 s); kNN from the last example to its first prediction: **${f(t.knnFirstPredictionMs, 0)} ms**.`);
    lines.push(`- \`auto\` picked **${t.auto.picked}** (${t.auto.reason}); the raw runs' fastest: ${o.fastestRaw} ${mark(o.autoPicksFastest)}.`);
  }
  const c = result.coldStartMs;
  if (c) lines.push(`- Cold start, page load → first prediction (wasm, kNN): **${f(c.uncached, 0)} ms** without the IndexedDB model cache, **${f(c.cached, 0)} ms** with it.`);
  lines.push('');
  lines.push('✓/✗: the goals of issue 4 — efficiency ≥ 0.95; latency p99 ≤ raw ms/frame + 33 ms; the camera rate in full where raw fps ≥ 30; 0 long tasks and no rAF gap over 50 ms; no tensor growth.');
  return lines.join('\n') + '\n';
}
