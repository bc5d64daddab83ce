/**
 * The app's Benchmark panel table: the columns of src/bench/table.js (those of bench/results/latest.md),
 * with latency as the page sees it (up to the prediction's arrival on the main thread; no UDP receiver).
 */
import { f, headerCells } from '../bench/table';
import type { TrainingRun } from '../bench/types';

/** A line about training, for under the table. */
export function trainingLine(t: TrainingRun): string {
  return (
    `Training (${t.backend}): dense head on ${t.examples} examples, ${t.epochs} epochs: ${f(t.denseMs, 0)} ms; ` +
    `kNN, last example → first prediction: ${f(t.knnFirstPredictionMs, 0)} ms. auto picks ${t.auto.picked}: ${t.auto.reason}.`
  );
}

/** Fills `table` with a header and one row per result. */
export function renderTable(table: HTMLTableElement, rows: string[][]): void {
  const head = document.createElement('tr');
  const headers = headerCells('page');
  head.append(...headers.map((c) => Object.assign(document.createElement('th'), { textContent: c })));
  const body = rows.map((cells) => {
    const tr = document.createElement('tr');
    tr.dataset.backend = cells[0];
    for (const [i, c] of cells.entries()) {
      const td = Object.assign(document.createElement('td'), { textContent: c });
      // A backend not measured: its name, its features, and why, across the rest.
      if (cells.length === 3 && i === 2) td.colSpan = headers.length - 2;
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...body);
}
