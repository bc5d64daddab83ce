/** The live numbers while predicting: input fps, predictions/s, dropped frames, latency, backend, tensors. */
import { interval } from 'rxjs';
import type { Metrics } from '../streams/metrics';
import type { Pipeline } from '../streams/pipeline';
import type { Scope } from './dom';

export function metricsText(m: Metrics): string {
  return (
    `${m.inputFps.toFixed(0)} fps in · ${m.predictionsPerSecond.toFixed(1)} predictions/s · ` +
    `latency p50 ${m.latencyMs.p50.toFixed(0)} ms, p95 ${m.latencyMs.p95.toFixed(0)} ms · ` +
    `${m.droppedFrames} dropped · ${m.backend} · ${m.tensors} tensors · ` +
    `frames read ${m.ingest === 'worker' ? 'in the worker' : 'on the page'}, main thread ` +
    `${m.mainThreadMsPerFrame.toFixed(1)} ms/frame`
  );
}

export function metricsHud(el: HTMLElement, pipe: Pipeline, scope: Scope): void {
  el.textContent = `Not predicting · ${pipe.info.backend.backend}`;
  scope.add(
    pipe.metrics$.subscribe((m) => {
      el.textContent = metricsText(m);
      el.dataset.ingest = m.ingest;
    }),
  );
  // metrics$ is quiet while stopped: say so rather than show the last numbers as if live.
  scope.add(
    interval(1000).subscribe(() => {
      if (!pipe.running) el.textContent = `Not predicting · ${pipe.info.backend.backend}`;
    }),
  );
}
