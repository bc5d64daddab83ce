/**
 * Live numbers for the pipeline: input and prediction rates, drops, latency percentiles over a
 * sliding window, backend and tensor count. Recorded on the hot path with O(1) work per event;
 * summarised only when a snapshot is asked for.
 */
import type { Backend } from '../protocol/engine-options';
import type { Milliseconds } from '../protocol/units';
import type { Prediction } from '../protocol/engine-api';
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
  /**
   * Where the frames are read: `worker` (a camera's frames streamed to the worker: no main-thread work per
   * frame) or `page` (the element drawn on the main thread when the worker is free).
   */
  ingest: Ingest;
  /** The main thread's own work per source frame (taking and sending it, taking the result), over the window. */
  mainThreadMsPerFrame: Milliseconds;
  /**
   * How old the picture was when its inference started (latency less the worker's own time), over the window:
   * the price of keeping the worker busy, beside the throughput it buys.
   */
  frameAgeMs: { p50: Milliseconds; p95: Milliseconds };
}

export type Ingest = 'worker' | 'page';

export class MetricsRecorder {
  #frames: Milliseconds[] = [];
  #predictions: { at: Milliseconds; latency: Milliseconds; age: Milliseconds }[] = [];
  #mainThread: { at: Milliseconds; ms: Milliseconds }[] = [];
  #ingest: Ingest = 'page';
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
    // A new run's rates are its own, not the last 3 s of the one before.
    this.#frames = [];
    this.#predictions = [];
    this.#mainThread = [];
  }

  /** Where frames are read from now on: told by the intake as a run starts, and when its source changes kind. */
  ingestNow(ingest: Ingest): void {
    this.#ingest = ingest;
  }

  /** Time the main thread spent on the live path (taking a frame, sending it, taking a result). */
  mainThread(ms: Milliseconds, at: Milliseconds = performance.now()): void {
    this.#mainThread.push({ at, ms });
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
    this.#predictions.push({ at, latency: p.latencyMs, age: Math.max(0, p.latencyMs - p.timings.total) });
    this.#tensors = p.tensors;
  }

  snapshot(now: Milliseconds): Metrics {
    const since = now - this.windowMs;
    this.#frames = this.#frames.filter((t) => t >= since);
    this.#predictions = this.#predictions.filter((p) => p.at >= since);
    this.#mainThread = this.#mainThread.filter((m) => m.at >= since);
    const seconds = Math.max(1, Math.min(this.windowMs, now - this.#startedAt)) / 1000;
    const latencies = this.#predictions.map((p) => p.latency);
    const ages = this.#predictions.map((p) => p.age);
    const mainMs = this.#mainThread.reduce((sum, m) => sum + m.ms, 0);
    return {
      inputFps: this.#frames.length / seconds,
      predictionsPerSecond: this.#predictions.length / seconds,
      droppedFrames: this.#dropped,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
      backend: this.backend,
      tensors: this.#tensors,
      workerRestarts: this.#restarts,
      ingest: this.#ingest,
      mainThreadMsPerFrame: this.#frames.length > 0 ? mainMs / this.#frames.length : 0,
      frameAgeMs: { p50: percentile(ages, 50), p95: percentile(ages, 95) },
    };
  }
}
