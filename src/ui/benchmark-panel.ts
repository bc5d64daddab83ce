/**
 * The app's Benchmark panel: the measurements of `npm run bench`, run on the user's own machine with
 * their own camera or video — each backend in its own worker, then training — shown as a table.
 * Latency here ends at the main thread; `npm run bench` follows it to a UDP receiver through the bridge.
 */
import type { Backend } from '../protocol/engine-options';
import { measureBaseline } from '../bench/baseline';
import { BackendUnavailable, measureBackend } from '../bench/measure-backend';
import { rowCells } from '../bench/table';
import { renderTable, trainingLine } from './benchmark-table';
import { measureTraining } from '../bench/training';

const BACKENDS: Backend[] = ['wasm', 'webgl', 'cpu', 'webgpu'];
/** Short phases: the whole panel run takes about a minute on a laptop. */
const PHASES = { rawMs: 3000, pipelineFrames: 2000, pipelineMaxMs: 5000, cameraMs: 5000, baselineMs: 3000 };

export interface BenchmarkPanelOptions {
  /** Called before measuring, to stop the app's own predictions (they would share the CPU). */
  beforeRun?: () => void;
  onError?: (e: Error) => void;
}

/** Mounts the panel into `#benchmark-panel`; measures from `video` (camera or file) when the user asks. */
export function benchmarkPanel(video: HTMLVideoElement, options: BenchmarkPanelOptions = {}): void {
  const root = document.getElementById('benchmark-panel');
  if (!root) return;
  const button = root.querySelector<HTMLButtonElement>('#bench-run')!;
  const baseline = root.querySelector<HTMLInputElement>('#bench-baseline')!;
  const status = root.querySelector<HTMLElement>('#bench-status')!;
  const table = root.querySelector<HTMLTableElement>('#bench-table')!;
  const training = root.querySelector<HTMLElement>('#bench-training')!;

  const run = async () => {
    if (video.readyState < 2)
      return options.onError?.(
        new Error('Choose a camera or a video file first: the benchmark measures with its frames.'),
      );
    options.beforeRun?.();
    button.disabled = true;
    root.dataset.state = 'running';
    const rows: string[][] = [];
    training.textContent = '';
    try {
      for (const backend of BACKENDS) {
        status.textContent = `Measuring ${backend}…`;
        try {
          const run = await measureBackend(backend, video, {
            ...PHASES,
            log: (line) => (status.textContent = `${line}…`),
          });
          if (baseline.checked) {
            status.textContent = `${backend}: the same model on the main thread (the page will stutter)…`;
            run.baseline = await measureBaseline(backend, video, PHASES.baselineMs);
          }
          rows.push(rowCells(run, 'page'));
        } catch (e) {
          if (!(e instanceof BackendUnavailable)) options.onError?.(e as Error);
          rows.push(rowCells({ backend, skipped: (e as Error).message }, 'page'));
        }
        renderTable(table, rows);
      }
      status.textContent = 'Training on wasm (3 labels × 50 examples)…';
      training.textContent = trainingLine(await measureTraining(video, 50));
      status.textContent =
        'Done. Latency here is capture → prediction on this page; npm run bench also follows it through the bridge to a UDP receiver.';
      root.dataset.state = 'done';
    } catch (e) {
      options.onError?.(e as Error);
      status.textContent = 'The benchmark stopped with an error.';
      root.dataset.state = 'error';
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', () => void run());
}
