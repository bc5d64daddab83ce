/**
 * What the benchmark measures, as plain data: the page fills these in, the Node runner adds what only
 * it can see (arrival of each OSC bundle at a UDP receiver) and writes them out as JSON.
 */
import type { Backend, Milliseconds } from '../protocol/types';

/** How long each phase runs. Quick mode keeps slow backends to a few frames. */
export interface BenchSettings {
  /** The model alone in the worker, per backend. */
  rawMs: Record<Backend, Milliseconds>;
  /** Frames offered as fast as the pipeline accepts them: stop at `frames` or at `maxMs`, whichever is first. */
  pipeline: Record<Backend, { frames: number; maxMs: Milliseconds }>;
  /** The fake camera at its own rate. */
  cameraMs: Record<Backend, Milliseconds>;
  /** The same model and head on the main thread, in a requestAnimationFrame loop. */
  baselineMs: Record<Backend, Milliseconds>;
  /** Examples per label for the training measurement (3 labels). @default 50 */
  trainingExamplesPerLabel: number;
}

/** The main thread while something runs: PerformanceObserver long tasks and requestAnimationFrame gaps. */
export interface MainThreadReport {
  /** Tasks over 50 ms. */
  longTasks: number;
  /** Their total duration. */
  longTaskMs: Milliseconds;
  /** The longest time between two animation frames. */
  maxFrameGapMs: Milliseconds;
  /** Animation frames seen. */
  frames: number;
}

export type { Summary } from '../protocol/stats';
import type { Summary } from '../protocol/stats';

/** Where a prediction's milliseconds go, as means over the pipeline phase. */
export interface Breakdown {
  /** Centre crop + resize to 224 on the main thread (`createImageBitmap`). */
  bitmap: Milliseconds;
  /** ImageBitmap → tensor in the worker. */
  fromPixels: Milliseconds;
  /** MobileNet forward pass + reading the embedding back. */
  infer: Milliseconds;
  /** The trained head. */
  head: Milliseconds;
  /** Everything in the worker for one frame. */
  worker: Milliseconds;
  /** Capture → prediction on the main thread, minus the worker's part: transfer, queueing, comlink. */
  overhead: Milliseconds;
}

/** One backend, as measured in the page. */
export interface BackendRun {
  backend: Backend;
  model: string;
  /** What the worker actually started (a requested backend may fall back). */
  started: Backend;
  rawFps: number;
  rawFrames: number;
  rawMsPerFrame: { mean: Milliseconds; p50: Milliseconds; p95: Milliseconds };
  pipelineFps: number;
  pipelineFrames: number;
  efficiency: number;
  /** Capture → prediction on the main thread, in the pipeline phase (frames wait while the worker is busy). */
  pipelineLatencyMs: Summary;
  /** Capture → prediction on the main thread at the camera's rate. */
  cameraLatencyMs: Summary;
  breakdownMs: Breakdown;
  /** Frames the camera delivered per second during the camera phase. */
  cameraInputFps: number;
  /** Predictions per second at the camera's rate. */
  cameraFps: number;
  droppedFrames: number;
  cameraFrames: number;
  /** The main thread during the pipeline and camera phases together. */
  longTasks: number;
  maxFrameGapMs: Milliseconds;
  baseline: { fps: number; frames: number; longTasks: number; maxFrameGapMs: Milliseconds } | null;
  tensorsBefore: number;
  tensorsAfter: number;
  /** Main-thread JS heap (MB) after a collection, before the pipeline phase and after the camera phase; null where the browser does not tell. */
  heapMbBefore: number | null;
  heapMbAfter: number | null;
  /** OSC bundles the page handed to the bridge, per phase (the runner counts arrivals). */
  oscSent: { pipeline: number; camera: number };
  /** OSC address prefix used per phase, so the UDP receiver can tell them apart. */
  oscPrefix: { pipeline: string; camera: string };
  warnings: string[];
}

export interface TrainingRun {
  backend: Backend;
  examples: number;
  epochs: number;
  /** `train()` of the dense head, seen from the main thread. */
  denseMs: Milliseconds;
  /** kNN with the same examples: from the last example added to the first prediction back. */
  knnFirstPredictionMs: Milliseconds;
  /** What `auto` picked here (not remembered), and why. */
  auto: { picked: Backend; reason: string };
}
