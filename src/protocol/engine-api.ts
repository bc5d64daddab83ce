/**
 * The worker boundary: the engine's API, as the main thread calls it through comlink, and the reports and
 * results that come back. Types only — both threads import this file, and it must never pull in runtime code.
 */
import type {
  AlsoKind,
  Backend,
  EngineInit,
  FeatureKind,
  HeadKind,
  HeadSettings,
  HeadSettingsPatch,
} from './engine-options';
import type { SerializedError } from './errors';
import type { EngineImage, FrameShape, PixelData } from './frame';
import type { Hand } from './hand';
import type { Person, Pose } from './pose';
import type { EngineNotice, Evaluation, ExampleQuery, ProjectInfo, ProjectMirror, ProjectProgress } from './project';
import type { ExportProgress, TeachableMachineReport } from './teachable';
import type { Milliseconds, NormalRange } from './units';

/** One recognised gesture, on `gestures$` (and `/tw/gesture ,sf` over OSC). */
export interface GestureEvent {
  /** The gesture's name (its class). */
  name: string;
  /** Its normalised DTW distance: lower is a closer match. */
  distance: number;
  /** When it ended: the capture time of the frame that completed it. */
  t: Milliseconds;
  /** How long the performance took. */
  durationMs: Milliseconds;
}

/** One measured candidate of an `auto` run (or why it was not measured). */
export interface BackendTrial {
  backend: Backend;
  /** Mean inference time per frame, when measured. */
  msPerFrame?: Milliseconds;
  /** Why the backend was not measured or not usable. */
  skipped?: string;
}

export interface BackendReport {
  backend: Backend;
  /** One sentence a user can read: why this backend is running. */
  reason: string;
  trials: BackendTrial[];
  /** Identifies this browser + GPU, so a remembered choice is not reused on another device. */
  deviceKey: string;
  /** WebGPU adapter description, when there is one. */
  gpu: string | null;
  /** Whether the page is cross-origin isolated (COOP + COEP): the wasm backend can then run threads. */
  crossOriginIsolated: boolean;
  /** Threads the wasm backend runs (1 without isolation); 0 on other backends. */
  wasmThreads: number;
}

export type LoadPhase = 'backend' | 'cache' | 'local' | 'remote' | 'ready';

export interface LoadProgress {
  phase: LoadPhase;
  /** Fraction loaded in this phase. */
  fraction: NormalRange;
  /** Where the weights are coming from in this phase. */
  url?: string;
}

export interface ModelReport {
  /** e.g. `mobilenet-v1-0.25` */
  name: string;
  /** Where the weights came from. */
  source: 'cache' | 'local' | 'remote';
  url: string;
  embeddingSize: number;
  cached: boolean;
}

export interface InitReport {
  backend: BackendReport;
  /** What the heads learn from: MobileNet's embedding (`image`), MoveNet's keypoints (`pose`, `people`) or MediaPipe Hands' (`hands`). */
  features: FeatureKind;
  /** What the pipeline sees besides (`['hands']`), for the outputs. */
  also: AlsoKind[];
  model: ModelReport;
  /** The square each frame is drawn to on its way to the worker: how the picture fits it, and its side. */
  frame: FrameShape;
  /** The Teachable Machine model whose base gives the features, when there is one. */
  teachableMachine: TeachableMachineReport | null;
  head: HeadKind;
  /** Regression output names (empty for classification heads). */
  outputs: string[];
  /** The head and its training settings, as the project has them now. */
  settings: HeadSettings;
  /** The project: restored or new, its labels and counts, whether it was predicting. */
  project: ProjectInfo;
  /** Warnings a user should see (fallbacks, cache failures). */
  warnings: string[];
}

/** What an example teaches: a label (classification) or output values (regression). */
export type Target = string | Record<string, number>;

export interface ExampleInfo {
  id: number;
  /** Classification label, or '' for regression. */
  label: string;
  /** Regression targets by output name. */
  values?: Record<string, number>;
  /** Gestures (head 'dtw'): the hold of Record it came from; the examples sharing one are one template. */
  sequence?: number;
  /** A small RGBA preview of the frame. */
  thumbnail: PixelData;
}

export interface ExampleCounts {
  /** Examples per label, in label order (regression examples count under ''). */
  perLabel: Record<string, number>;
  total: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
  /** Training accuracy (classification only). */
  accuracy?: NormalRange;
  /** Accuracy on held-out examples, when there are enough of them. */
  valAccuracy?: NormalRange;
  /** Validation loss, when there are enough held-out examples. */
  valLoss?: number;
}

export interface TrainReport {
  head: HeadKind;
  epochs: number;
  examples: number;
  ms: Milliseconds;
  final?: TrainProgress;
}

export interface Timings {
  /** Pixels → tensor (fromPixels, resize, normalise). */
  fromPixels: Milliseconds;
  /** MobileNet forward pass including reading the embedding back. */
  infer: Milliseconds;
  /** The trainable head. */
  head: Milliseconds;
  /** Everything inside the worker. */
  total: Milliseconds;
}

/** One prediction: plain, serialisable, carrying its frame's timestamp. */
export interface Prediction {
  /**
   * A pose pipeline's keypoints (features: 'pose'), always: before training and with nobody in view too. With
   * features: 'people', the most prominent person's (the largest box), whom `label` is about.
   */
  pose?: Pose;
  /** Features 'people': everyone in view, each with their id and, once trained, their own label. [] when nobody. */
  people?: Person[];
  /** Features 'people': who came into view with this frame, and who left it (unseen for `people.forgetMs`), by id. */
  peopleChanged?: { entered: number[]; left: number[] };
  /** Features 'hands', or `also: ['hands']`: the hands in view, each with its id, handedness and 21 keypoints. [] when none. */
  hands?: Hand[];
  /**
   * With hands: the frames the hand tracker has read since the start, and on how many the palm detector ran
   * (tracking keeps it to a few: the rest were followed by the landmark model alone).
   */
  palmDetector?: { frames: number; runs: number };
  /** Winning label (classification); the gesture under way, if any (dtw); '' for regression. */
  label: string;
  /** Confidence per label, in label order (classification). */
  confidences: Record<string, NormalRange>;
  /** Output values by name (regression). */
  values?: Record<string, NormalRange>;
  /** Gestures (head 'dtw'): each gesture's distance now, the nearest, and the gesture this frame completed. */
  gesture?: { nearest: string; distances: Record<string, number>; match: GestureEvent | null };
  /** Capture time of the frame (`performance.now()` on the main thread). */
  t: Milliseconds;
  /** Capture → result back on the main thread; 0 until the main thread fills it in. */
  latencyMs: Milliseconds;
  timings: Timings;
  /** `tf.memory().numTensors` after this prediction. */
  tensors: number;
}

/** The engine the worker exposes through comlink. Every method may be awaited from the main thread. */
export interface EngineApi {
  init(
    init: EngineInit,
    onProgress?: (p: LoadProgress | ProjectProgress) => void,
    onNotice?: (n: EngineNotice) => void,
    mirror?: ProjectMirror,
  ): Promise<InitReport>;
  /** Answers at once: the heartbeat that tells a live worker from a dead or stuck one. */
  ping(): Promise<true>;
  addLabel(label: string): Promise<ExampleCounts>;
  addExample(target: Target, image: EngineImage, options?: { sequence?: number }): Promise<ExampleInfo>;
  beginSequence(): Promise<number>;
  endSequence(sequence: number): Promise<ExampleCounts>;
  removeExample(id: number): Promise<ExampleCounts>;
  clearLabel(label: string): Promise<ExampleCounts>;
  renameLabel(from: string, to: string): Promise<ExampleCounts>;
  clearExamples(): Promise<ExampleCounts>;
  counts(): Promise<ExampleCounts>;
  examples(query?: ExampleQuery): Promise<ExampleInfo[]>;
  exampleCrop(id: number): Promise<Blob | null>;
  configure(patch: HeadSettingsPatch): Promise<HeadSettings>;
  train(onProgress?: (p: TrainProgress) => void): Promise<TrainReport>;
  evaluate(): Promise<Evaluation>;
  predict(image: EngineImage, t: Milliseconds): Promise<Prediction>;
  /**
   * Predicts every frame of a camera track's stream (a transferred MediaStreamTrackProcessor readable), the
   * newest first, until `stopStream()` or the stream's end: no main-thread work per frame.
   */
  stream(readable: ReadableStream<VideoFrame>, onReport: (r: StreamReport) => void): Promise<'stopped' | 'ended'>;
  stopStream(): Promise<void>;
  embed(image: EngineImage): Promise<Float32Array>;
  setRunning(running: boolean): Promise<void>;
  setAppSettings(appSettings: unknown): Promise<void>;
  project(): Promise<ProjectInfo>;
  flush(): Promise<void>;
  saveProject(): Promise<Blob>;
  openProject(file: Blob, onProgress?: (p: ProjectProgress) => void): Promise<ProjectInfo>;
  /**
   * The project's classifier as a Teachable Machine export (a zip: model.json, weights.bin, metadata.json), for
   * `@teachablemachine/image`, ml5 and p5 sketches. Image features and a trained dense head only; others are
   * refused (TeachableMachineError) saying why.
   */
  exportModel(onProgress?: (p: ExportProgress) => void): Promise<Blob>;
  /**
   * tfjs's tensors and bytes, and the VideoFrames the worker has taken in and closed (every one taken must be
   * closed: `received - closed` are held now).
   */
  memory(): Promise<{ numTensors: number; numBytes: number; videoFrames: { received: number; closed: number } }>;
  /** The model alone on the active backend, frames already on hand: `infer` + `await data()` in a loop. */
  rawBenchmark(durationMs: Milliseconds): Promise<RawBenchmark>;
  dispose(): Promise<void>;
}

/** What the worker says of each frame of a streamed camera track (`stream()`), with its prediction. */
export interface StreamReport {
  /** The prediction (its `t` in the worker's clock: add `timeOrigin` − the page's), or the error it met. */
  prediction: Prediction | null;
  /** The error it met, as data: `reviveError` makes it the error it was. */
  error: SerializedError | null;
  /** Frames that arrived since the last report, and those closed unread for a newer one. */
  received: number;
  dropped: number;
  /** From the frame's arrival in the worker to the start of its inference. */
  frameAgeMs: Milliseconds;
  /** The worker's `performance.timeOrigin`, to bring its times into the page's clock. */
  timeOrigin: number;
}

export interface RawBenchmark {
  backend: Backend;
  frames: number;
  fps: number;
  msPerFrame: { mean: Milliseconds; p50: Milliseconds; p95: Milliseconds };
  /** Where the features take more than one model (hands): each model alone, on its own input. */
  models?: ModelRate[];
}

/** One model alone on the active backend, on its own input size. */
export interface ModelRate {
  /** e.g. `palm detector (256²)` */
  name: string;
  fps: number;
  msPerFrame: { mean: Milliseconds; p50: Milliseconds; p95: Milliseconds };
}
