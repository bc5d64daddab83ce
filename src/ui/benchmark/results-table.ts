/**
 * The in-app Benchmark panel's table: the same columns as bench/results/latest.md, except latency,
 * which the page can only see up to the prediction's arrival on the main thread (no UDP receiver).
 */
import type { BackendRun, TrainingRun } from './types';

const f = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

export const COLUMNS = [
  'backend', 'raw fps', 'pipeline fps', 'efficiency', 'latency p50 / p95 / p99 (ms)', 'camera: predictions/s (in)', 'dropped',
  'long tasks', 'max rAF gap (ms)', 'baseline fps', 'baseline long tasks', 'baseline max gap (ms)', 'tensors before → after',
] as const;

/** One row of cells for a measured backend, or the reason it was not measured. */
export function rowCells(run: BackendRun | { backend: string; skipped: string }): string[] {
  if ('skipped' in run) return [run.backend, `not measured: ${run.skipped}`];
  const l = run.cameraLatencyMs;
  const b = run.baseline;
  return [
    run.backend, f(run.rawFps), f(run.pipelineFps), f(run.efficiency, 2), `${f(l.p50, 0)} / ${f(l.p95, 0)} / ${f(l.p99, 0)}`,
    `${f(run.cameraFps)} (${f(run.cameraInputFps)})`, String(run.droppedFrames), String(run.longTasks), f(run.maxFrameGapMs, 0),
    b ? f(b.fps) : '—', b ? String(b.longTasks) : '—', b ? f(b.maxFrameGapMs, 0) : '—', `${run.tensorsBefore} → ${run.tensorsAfter}`,
  ];
}

/** A line about training, for under the table. */
export function trainingLine(t: TrainingRun): string {
  return `Training (${t.backend}): dense head on ${t.examples} examples, ${t.epochs} epochs: ${f(t.denseMs, 0)} ms; ` +
    `kNN, last example → first prediction: ${f(t.knnFirstPredictionMs, 0)} ms. auto picks ${t.auto.picked}: ${t.auto.reason}.`;
}

/** Fills `table` with a header and one row per result. */
export function renderTable(table: HTMLTableElement, rows: string[][]): void {
  const head = document.createElement('tr');
  head.append(...COLUMNS.map((c) => Object.assign(document.createElement('th'), { textContent: c })));
  const body = rows.map((cells) => {
    const tr = document.createElement('tr');
    tr.dataset.backend = cells[0];
    for (const [i, c] of cells.entries()) {
      const td = Object.assign(document.createElement('td'), { textContent: c });
      if (cells.length === 2 && i === 1) td.colSpan = COLUMNS.length - 1;
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...body);
}
