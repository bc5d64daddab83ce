/**
 * The worker boundary: every type that crosses between the main thread and the engine worker.
 * Types only — both sides import this file, and it must never pull in runtime code (tfjs above all).
 */
import type { Pose } from './pose';
import type {
  EngineNotice,
  Evaluation,
  ExampleQuery,
  HeadSettings,
  HeadSettingsPatch,
  ProjectInfo,
  ProjectMirror,
  ProjectProgress,
} from './project';

/** Milliseconds, as from `performance.now()` or a duration. */
export type Milliseconds = number;
/** A number in [0, 1]. */
export type NormalRange = number;

/** Where inference runs. `auto` measures the available ones and picks the fastest. */
export type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = Backend | 'auto';

/** Which trainable head sits on top of the features: classes, classes by nearest examples, values, or gestures. */
export type HeadKind = 'dense' | 'knn' | 'regression' | 'dtw';

/** MobileNet variant. v1 α0.25 is what ml5's featureExtractor used, and the default. */
export interface ModelSpec {
  /** @default 1 */
  version: 1 | 2;
  /** Width multiplier. v1: 0.25 | 0.5 | 0.75 | 1.0; v2: 0.5 | 0.75 | 1.0. @default 0.25 */
  alpha: 0.25 | 0.5 | 0.75 | 1.0;
}

/** Pixels in plain form (what `ImageData` is, and what Node tests can build without a DOM). */
export interface PixelData {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row-major. */
  data: Uint8Array | Uint8ClampedArray;
}

/** What the engine accepts as a frame: a transferred bitmap or video frame (the fast paths) or plain pixels. */
export type EngineImage = ImageBitmap | VideoFrame | PixelData;

/** Options for the dense (classification) and regression heads. */
export interface TrainOptions {
  /** Passes over the examples. @default 20 */
  epochs: number;
  /** Adam learning rate. @default 0.001 (see README: ml5's 1e-4 underfits in 20 epochs) */
  learningRate: number;
  /** Examples per gradient step. @default 16 (as Teachable Machine) */
  batchSize: number;
  /** Units in the hidden layer. @default 100 */
  hiddenUnits: number;
  /** Fraction of each label's examples held out for validation, once every label has at least
   * `1 / validationSplit` examples (so at least one held out each). @default 0.15 */
  validationSplit: NormalRange;
}

/** Options for the gesture head (`head: 'dtw'`). */
export interface GestureOptions {
  /**
   * A match counts below this normalised DTW distance: RMS difference of pose features (torso lengths), or
   * cosine distance of image features. null: the default for the features. @default null (0.18 pose, 0.06 image)
   */
  threshold: number | null;
  /** After a gesture, no other for this long, so one performance gives one event. @default 600 ms */
  refractoryMs: Milliseconds;
  /** How much faster or slower than taught a gesture may be performed. @default { minRatio: 0.5, maxRatio: 2 } */
  band: { minRatio: number; maxRatio: number };
}

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

/** Options for the k-nearest-neighbour head. */
export interface KnnOptions {
  /** Neighbours that vote. @default 3 */
  k: number;
}

/** What the heads learn from: MobileNet's picture embedding, or MoveNet's body keypoints. */
export type FeatureKind = 'image' | 'pose';

export interface PoseOptions {
  /** A pose and its mirror image count as the same (left and right forgotten). @default false */
  mirror: boolean;
}

export interface EngineOptions {
  /** @default 'auto' */
  backend: BackendChoice;
  /** @default 'image' */
  features: FeatureKind;
  /** Pose features' options. */
  pose: PoseOptions;
  /** @default 'dense' */
  head: HeadKind;
  /** @default { version: 1, alpha: 0.25 } */
  model: ModelSpec;
  /** Output names for the regression head (each a value in [0, 1]). @default ['value'] */
  outputs: string[];
  train: TrainOptions;
  knn: KnnOptions;
  gestures: GestureOptions;
  /**
   * Where the model folders are, as `npm run models` lays them out: the engine loads
   * `<modelBaseUrl>/mobilenet_v1_025_224_graph/model.json`. A relative URL is relative to the page.
   * @default 'models/' (beside the page)
   */
  modelBaseUrl: string;
  /** A model.json to load instead of `modelBaseUrl`'s (relative to the page); the official URL stays the fallback. @default '' */
  modelUrl: string;
  /** Try the official TF Hub URL when the local folder has no weights. @default true */
  allowRemoteModel: boolean;
  /** Cache the model in IndexedDB after the first load so the next start works offline. @default true */
  cacheModel: boolean;
  /** A choice remembered by an earlier `auto` run on this device; used when its `deviceKey` matches. */
  rememberedBackend?: RememberedBackend;
  /** Upper bound for the whole `auto` measurement. @default 2500 */
  autoBudgetMs: Milliseconds;
}

/**
 * What the engine starts from: the user's options (only those given: a restored project's own head
 * settings fill the rest) and the project to keep them in.
 */
export type EngineInit = Partial<Omit<EngineOptions, 'model' | 'train' | 'knn' | 'pose' | 'gestures'>> & {
  model?: Partial<ModelSpec>;
  pose?: Partial<PoseOptions>;
  gestures?: Partial<GestureOptions>;
  train?: Partial<TrainOptions>;
  knn?: Partial<KnnOptions>;
  /** Keep the project under this name in IndexedDB, and restore it from there at start. */
  project?: string;
};

export interface RememberedBackend {
  deviceKey: string;
  backend: Backend;
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
  /** What the heads learn from: MobileNet's embedding (`image`) or MoveNet's keypoints (`pose`). */
  features: FeatureKind;
  model: ModelReport;
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
  /** A pose pipeline's keypoints (features: 'pose'), always: before training and with nobody in view too. */
  pose?: Pose;
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
  memory(): Promise<{ numTensors: number; numBytes: number }>;
  /** The model alone on the active backend, frames already on hand: `infer` + `await data()` in a loop. */
  rawBenchmark(durationMs: Milliseconds): Promise<RawBenchmark>;
  dispose(): Promise<void>;
}

/** What the worker says of each frame of a streamed camera track (`stream()`), with its prediction. */
export interface StreamReport {
  /** The prediction (its `t` in the worker's clock: add `timeOrigin` − the page's), or the error it met. */
  prediction: Prediction | null;
  error: Error | null;
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
}
