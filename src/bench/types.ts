/**
 * What the benchmark measures, as plain data: the page fills these in, the Node runner adds what only
 * it can see (arrival of each OSC bundle at a UDP receiver) and writes them out as JSON.
 */
import type { Backend, FeatureKind } from '../protocol/engine-options';
import type { Milliseconds } from '../protocol/units';
import type { ModelRate } from '../protocol/engine-api';

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
  /** Centre crop (image) or letterbox (pose) + resize to 224 on the main thread. */
  bitmap: Milliseconds;
  /** ImageBitmap → tensor in the worker. */
  fromPixels: Milliseconds;
  /** The feature model's forward pass (MobileNet or MoveNet) + reading its output back. */
  infer: Milliseconds;
  /** The trained head. */
  head: Milliseconds;
  /** Everything in the worker for one frame. */
  worker: Milliseconds;
  /** Capture → prediction on the main thread, minus the worker's part: transfer, queueing, comlink. */
  overhead: Milliseconds;
}

/** One backend with one feature model, as measured in the page. */
export interface BackendRun {
  backend: Backend;
  /** What the pipeline learns from: MobileNet's embedding (`image`) or MoveNet's keypoints (`pose`). */
  features: FeatureKind;
  model: string;
  /** Image features from an imported Teachable Machine model (its name), instead of MobileNet. */
  teachableMachine?: string;
  /** What the worker actually started (a requested backend may fall back). */
  started: Backend;
  rawFps: number;
  rawFrames: number;
  rawMsPerFrame: { mean: Milliseconds; p50: Milliseconds; p95: Milliseconds };
  /** Where the features take several models (hands): each one alone. */
  rawModels?: ModelRate[];
  /** Hands, camera phase: frames the hand tracker read, and how many the palm detector ran on (goal: under 10 %). */
  palmDetector?: { frames: number; runs: number } | null;
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
  /** Where the camera phase read its frames: in the worker (streamed there) or on the page. */
  ingest: 'worker' | 'page';
  /** The main thread's own work per camera frame (the pipeline's metrics): taking, sending, receiving. */
  mainThreadMsPerFrame: Milliseconds;
  /** How old the picture was when its inference started (latency less the worker's time), camera phase. */
  frameAgeMs: Summary;
  /** The same camera read on the page (`workerCamera: false`), where the run read it in the worker. */
  pageIngest: {
    cameraFps: number;
    cameraInputFps: number;
    latencyMs: Summary;
    mainThreadMsPerFrame: Milliseconds;
    frameAgeMs: Summary;
  } | null;
  /** Whether the page was cross-origin isolated, and the threads the wasm backend runs (1: not threaded). */
  crossOriginIsolated: boolean;
  wasmThreads: number;
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

/**
 * A fast camera (a PS3 Eye at 120 fps) as an app runs it: `pipe.start(video)` on a camera opened with
 * `openCamera({ frameRate })`, its frames read in the worker, for a fixed time (bench/README.md, `camera120`).
 */
export interface CameraRateRun {
  backend: Backend;
  model: string;
  /** The rate the camera was opened at (`openCamera({ frameRate })`). */
  requestedFps: number;
  /** The rate the track says it runs at (`getSettings().frameRate`); null where the browser does not say. */
  trackFrameRate: number | null;
  /** Frames per second the camera delivered with no pipeline running (`MediaStreamTrack.stats`); null where unknown. */
  idleInputFps: number | null;
  /** Frames per second the camera delivered during the run (`metrics$.inputFps`). */
  cameraInputFps: number;
  /** Predictions per second during the run. */
  cameraFps: number;
  /** The model alone on the same backend, in the same worker (`pipe.rawBenchmark`). */
  rawFps: number;
  rawMsPerFrame: { mean: Milliseconds; p50: Milliseconds; p95: Milliseconds };
  /** What the pipeline could at best predict: min(raw fps, requested fps, delivered fps). */
  limitFps: number;
  /** `cameraFps / limitFps`. Goal ≥ 0.9. */
  ratio: number;
  /** `cameraFps / min(rawFps, requestedFps)`: against the rate asked for, whatever the camera delivered. */
  ratioToRequested: number;
  droppedFrames: number;
  cameraFrames: number;
  /** How old the picture was when its inference started, every prediction of the run. */
  frameAgeMs: Summary;
  /** Capture (arrival in the worker) → prediction on the main thread. */
  cameraLatencyMs: Summary;
  /** The worker's time per prediction during the run, means: what bounds the prediction rate. */
  workerMs: { fromPixels: Milliseconds; infer: Milliseconds; head: Milliseconds; total: Milliseconds };
  mainThreadMsPerFrame: Milliseconds;
  ingest: 'worker' | 'page';
  crossOriginIsolated: boolean;
  wasmThreads: number;
  tensorsBefore: number;
  tensorsAfter: number;
  /** OSC bundles handed to the bridge during the run, and their address prefix. */
  oscSent: number;
  oscPrefix: string;
  /** The run's length. */
  seconds: number;
}

/** The 120 fps camera phase as the runner writes it: with each OSC bundle's arrival at the UDP receiver. */
export type RunnerCameraRateRun = CameraRateRun & {
  /** Capture → arrival at the UDP receiver. */
  latencyMs: Summary;
  oscReceived: number;
};

/** What only the runner sees of a backend run: each OSC bundle's arrival at its UDP receiver. */
export interface UdpArrivals {
  /** Capture (the bundle's timetag) → arrival at the UDP receiver, camera phase. */
  latencyMs: Summary;
  /** The same during the pipeline phase. */
  pipelineLatencyAtUdpMs: Summary;
  /** Bundles that reached the receiver, per phase. */
  oscReceived: { pipeline: number; camera: number };
}

/** A row of bench/results/*.json: a backend run as the page measured it, with its UDP arrivals. */
export type RunnerRun = BackendRun & UdpArrivals;

/** A backend that could not be measured, and why. */
export interface SkippedRun {
  backend: Backend;
  /** @default 'image' */
  features?: FeatureKind;
  /** Image features from an imported Teachable Machine model. */
  teachableMachine?: string;
  skipped: string;
}

/** Everything one `npm run bench` writes to bench/results/*.json (bench/README.md says what each is). */
export interface BenchResult {
  /** When the run ended, ISO 8601. */
  date: string;
  mode: 'quick' | 'full';
  machine: { cpus: number; cpuModel: string; gpu: string | null; memoryGb: number; loadAverage: number[] };
  /** Chromium's version, as the runner launched it. */
  browser: string;
  runs: (RunnerRun | SkippedRun)[];
  /** The phases run, where `--phases` picked some. */
  phases?: string[];
  training: TrainingRun | null;
  coldStartMs: { cached: Milliseconds; uncached: Milliseconds; sources: { cached: string; uncached: string } } | null;
  projectScale: ProjectScaleRun | null;
  gestures: GestureRun | null;
  /** The 120 fps camera phase (older results have none). */
  camera120?: RunnerCameraRateRun | SkippedRun | null;
  durationS: number;
}

/** Gestures: the engine's DTW head matching its templates against a live stream, in a worker. */
export interface GestureRun {
  templates: number;
  framesPerTemplate: number;
  /** Numbers per frame (51: pose features). */
  features: number;
  /** Frames of the stream timed (after a warm-up). */
  streamFrames: number;
  /** One frame matched against every template (`DtwHead.step`). */
  msPerFrame: Summary;
  /** Building the matchers from the templates (once per change of the examples). */
  setupMs: Milliseconds;
  /** Gestures recognised in the timed stream, of the `performances` it held. */
  matches: number;
  performances: number;
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

/** The main thread during one phase of the project-scale run. */
export interface ScaleMainThread {
  /** Tasks over 50 ms. */
  longTasks: number;
  /** The longest task (0 when there was none over 50 ms). */
  longestTaskMs: Milliseconds;
  /** Tasks over 100 ms: a freeze a user notices. */
  tasksOver100Ms: number;
  /** The longest time between two animation frames. */
  maxFrameGapMs: Milliseconds;
}

/** A project of thousands of examples recorded, kept, trained, saved and opened (bench/README.md, `projectScale`). */
export interface ProjectScaleRun {
  backend: Backend;
  /** Examples added (classes × per class). */
  examples: number;
  classes: number;
  /** From the first `addExample` to the last one's answer. */
  addMs: Milliseconds;
  addPerSecond: number;
  /** The rate over the first and the last tenth of the examples: work that grows with the examples held shows as a gap. */
  addPerSecondFirstTenth: number;
  addPerSecondLastTenth: number;
  /** From the last example's answer until `flush()` resolved: what IndexedDB still had to write. */
  persistMs: Milliseconds;
  /** `train()` of the dense head with the default settings, seen from the main thread. */
  trainMs: Milliseconds;
  epochs: number;
  /** `training$` events seen during `train()` (one per epoch). */
  trainProgressEvents: number;
  finalAccuracy: number | null;
  /** `saveProject()` until the Blob is in hand. */
  saveMs: Milliseconds;
  fileMb: number;
  /** `openProject(file)` into a fresh kept project, until it resolved. */
  openMs: Milliseconds;
  openedExamples: number;
  /** Each progress phase `openProject` reported (read, decode, store…), from its first event to the next phase's. */
  openPhaseMs: Record<string, Milliseconds>;
  /** Whether a prediction of a known label came after opening. */
  predictsAfterOpen: boolean;
  /** `navigator.storage.estimate().usage` in MB: before, after the recording was flushed, after the open. */
  storageMb: { before: number | null; afterRecord: number | null; afterOpen: number | null };
  mainThread: Record<'add' | 'persist' | 'train' | 'save' | 'open', ScaleMainThread>;
  /** The page's JS heap (MB) after a collection: before, once recorded, after the open. */
  heapMb: { before: number | null; recorded: number | null; after: number | null };
  /** Filled in by the runner from the restore task in a new page. */
  restore?: ProjectRestoreRun;
}

/** The kept project restored in a new page: `createPipeline({ project })` until ready. */
export interface ProjectRestoreRun {
  readyMs: Milliseconds;
  examples: number;
  restored: boolean;
  trained: boolean;
  /** One `classify()` right after. */
  firstPredictionMs: Milliseconds;
  predicts: boolean;
  mainThread: ScaleMainThread;
  heapMb: { before: number | null; after: number | null };
}
