/**
 * Live numbers for the pipeline: input and prediction rates, drops, latency percentiles over a
 * sliding window, backend and tensor count. Recorded on the hot path with O(1) work per event;
 * summarised only when a snapshot is asked for.
 */
import type { Backend, Milliseconds, Prediction } from '../protocol/types';
import { percentile } from '../protocol/stats';

export interface Metrics {
  /** Frames the source delivered per second, over the window. */
  inputFps: number;
  /** Predictions back from the worker per second, over the window. */
  predictionsPerSecond: number;
  /** Frames dropped since start because a newer one arrived while the worker was busy. */
  droppedFrames: number;
  /** Capture → prediction on the main thread, over the window. */
  latencyMs: { p50: Milliseconds; p95: Milliseconds };
  backend: Backend;
  /** `tf.memory().numTensors` in the worker, as of the latest prediction. */
  tensors: number;
  /** Times the engine's worker crashed (or stopped answering) and was restarted. */
  workerRestarts: number;
}

export class MetricsRecorder {
  #frames: Milliseconds[] = [];
  #predictions: { at: Milliseconds; latency: Milliseconds }[] = [];
  #dropped = 0;
  #restarts = 0;
  #tensors = 0;
  #startedAt = 0;

  constructor(
    private readonly backend: Backend,
    /** Length of the sliding window. */
    private readonly windowMs: Milliseconds = 3000,
  ) {}

  /** Rates count from here until a whole window has passed. */
  start(at: Milliseconds): void {
    this.#startedAt = at;
  }

  frame(at: Milliseconds): void {
    this.#frames.push(at);
  }

  drop(): void {
    this.#dropped += 1;
  }

  workerRestarted(): void {
    this.#restarts += 1;
  }

  prediction(p: Prediction, at: Milliseconds): void {
    this.#predictions.push({ at, latency: p.latencyMs });
    this.#tensors = p.tensors;
  }

  snapshot(now: Milliseconds): Metrics {
    const since = now - this.windowMs;
    this.#frames = this.#frames.filter((t) => t >= since);
    this.#predictions = this.#predictions.filter((p) => p.at >= since);
    const seconds = Math.max(1, Math.min(this.windowMs, now - this.#startedAt)) / 1000;
    const latencies = this.#predictions.map((p) => p.latency);
    return {
      inputFps: this.#frames.length / seconds,
      predictionsPerSecond: this.#predictions.length / seconds,
      droppedFrames: this.#dropped,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
      backend: this.backend,
      tensors: this.#tensors,
      workerRestarts: this.#restarts,
    };
  }
}
