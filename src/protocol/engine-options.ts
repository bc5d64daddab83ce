/**
 * The engine's options: what each one means (the interfaces), and the one place each default is written
 * (DEFAULT_ENGINE_OPTIONS, as Tone.js keeps its `getDefaults()`). The interfaces name no default value, so
 * that none can drift from the constant; the README's options table is checked against it by a test.
 */
import type { NamedFile } from './teachable';
import type { Milliseconds, NormalRange } from './units';

/** Where inference runs. */
export type Backend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** A backend, or `auto`: measure the usable ones on a few frames and keep the fastest. */
export type BackendChoice = Backend | 'auto';

/** Which trainable head sits on top of the features: classes, classes by nearest examples, values, or gestures. */
export type HeadKind = 'dense' | 'knn' | 'regression' | 'dtw';

/**
 * What the heads learn from: MobileNet's picture embedding, MoveNet's body keypoints (one person), MoveNet
 * MultiPose's (several people, each followed by an id and predicted on their own), or MediaPipe Hands' hand
 * shapes (up to two hands).
 */
export type FeatureKind = 'image' | 'pose' | 'people' | 'hands';

/** Whether the features are a body's keypoints (one person, or several). */
export const isBody = (features: FeatureKind): boolean => features === 'pose' || features === 'people';

/** Whether the features are keypoints (a body, several, or hands): they answer before training, and see the whole picture. */
export const isKeypoints = (features: FeatureKind): boolean => features !== 'image';

/**
 * What a pipeline sees besides its features, from the same frame, as plain data in each prediction and to the
 * outputs; the heads do not learn from it. `hands`: MediaPipe Hands beside image, pose or people features.
 */
export type AlsoKind = 'hands';

/** Whether a pipeline sees hands: as its features, or beside them (`also: ['hands']`). */
export const seesHands = (o: { features: FeatureKind; also: readonly AlsoKind[] }): boolean =>
  o.features === 'hands' || o.also.includes('hands');

/** MobileNet variant. v1 α0.25 is what ml5's featureExtractor used. */
export interface ModelSpec {
  version: 1 | 2;
  /** Width multiplier. v1: 0.25 | 0.5 | 0.75 | 1.0; v2: 0.5 | 0.75 | 1.0. */
  alpha: 0.25 | 0.5 | 0.75 | 1.0;
}

/** Options for the dense (classification) and regression heads. */
export interface TrainOptions {
  /** Passes over the examples. */
  epochs: number;
  /** Adam's learning rate (ml5's 1e-4 underfits in 20 epochs: see the README). */
  learningRate: number;
  /** Examples per gradient step. */
  batchSize: number;
  /** Units in the hidden layer. */
  hiddenUnits: number;
  /**
   * Share of each label's examples held out for validation, once every label has at least
   * `1 / validationSplit` examples (so at least one held out each).
   */
  validationSplit: NormalRange;
}

/** Options for the k-nearest-neighbour head. */
export interface KnnOptions {
  /** Neighbours that vote. */
  k: number;
}

/** Options for the gesture head (`head: 'dtw'`). */
export interface GestureOptions {
  /**
   * A match counts below this normalised DTW distance: RMS difference of pose features (torso lengths), or
   * cosine distance of image features. null: the features' own (DEFAULT_GESTURE_THRESHOLD).
   */
  threshold: number | null;
  /** After a gesture, no other for this long, so one performance gives one event. */
  refractoryMs: Milliseconds;
  /** How much faster or slower than taught a gesture may be performed. */
  band: { minRatio: number; maxRatio: number };
}

/** Pose features' options. */
export interface PoseOptions {
  /** A pose and its mirror image count as the same (left and right forgotten). */
  mirror: boolean;
}

/** Several people's options (features: 'people'); `pose.mirror` applies to each person too. */
export interface PeopleOptions {
  /** A detection scoring below this is not a person. */
  minScore: NormalRange;
  /** A person unseen this long has left (their id is not given again); a shorter occlusion keeps the id. */
  forgetMs: Milliseconds;
}

/** Hand features' options (features: 'hands'). */
export interface HandsOptions {
  /** Hands followed at most (1 or 2). */
  maxHands: 1 | 2;
  /**
   * A hand newly found counts from this presence score; once followed, it stays until MediaPipe's 0.5. Real
   * hands score 0.97–1.0 here, a cat's paws 0.74.
   */
  minScore: NormalRange;
  /** MediaPipe's landmark model: `full` (more precise) or `lite` (faster). */
  model: 'full' | 'lite';
  /** A hand shape and its mirror image (the same shape made with the other hand) count as the same. */
  mirror: boolean;
  /** The frames are mirrored already (a sketch that flips its canvas): handedness is swapped back, so it stays the person's. */
  mirroredInput: boolean;
}

/** A choice remembered by an earlier `auto` run on this device. */
export interface RememberedBackend {
  deviceKey: string;
  backend: Backend;
}

/** Every engine option. Defaults: DEFAULT_ENGINE_OPTIONS. */
export interface EngineOptions {
  backend: BackendChoice;
  features: FeatureKind;
  /**
   * Seen besides the features, from the same frame (`['hands']`: `prediction.hands`, for the outputs); the
   * heads learn from `features` alone. Hands beside image features make the frame the whole picture, as for keypoints.
   */
  also: AlsoKind[];
  pose: PoseOptions;
  people: PeopleOptions;
  hands: HandsOptions;
  head: HeadKind;
  model: ModelSpec;
  /** Output names for the regression head (each a value in [0, 1]). */
  outputs: string[];
  train: TrainOptions;
  knn: KnnOptions;
  gestures: GestureOptions;
  /**
   * Where the model folders are, as `npm run models` lays them out: the engine loads
   * `<modelBaseUrl>/mobilenet_v1_025_224_graph/model.json`. A relative URL is relative to the page.
   */
  modelBaseUrl: string;
  /** A model.json to load instead of `modelBaseUrl`'s (relative to the page); the official URL stays the fallback. */
  modelUrl: string;
  /** Try the official TF Hub URL when the local folder has no weights. */
  allowRemoteModel: boolean;
  /** Cache the model in IndexedDB after the first load so the next start works offline. */
  cacheModel: boolean;
  /** Used instead of measuring when its `deviceKey` matches this device. */
  rememberedBackend?: RememberedBackend;
  /** Upper bound for the whole `auto` measurement. */
  autoBudgetMs: Milliseconds;
}

/** Every engine option's default, and the only place each is written. */
export const DEFAULT_ENGINE_OPTIONS: Readonly<EngineOptions> = Object.freeze<EngineOptions>({
  backend: 'auto',
  features: 'image',
  also: [],
  pose: { mirror: false },
  people: { minScore: 0.25, forgetMs: 500 },
  hands: { maxHands: 2, minScore: 0.85, model: 'full', mirror: false, mirroredInput: false },
  head: 'dense',
  model: { version: 1, alpha: 0.25 },
  outputs: ['value'],
  train: {
    epochs: 20,
    learningRate: 0.001,
    batchSize: 16, // as Teachable Machine
    hiddenUnits: 100,
    validationSplit: 0.15,
  },
  knn: { k: 3 },
  gestures: { threshold: null, refractoryMs: 600, band: { minRatio: 0.5, maxRatio: 2 } },
  modelBaseUrl: 'models/', // beside the page
  modelUrl: '',
  allowRemoteModel: true,
  cacheModel: true,
  autoBudgetMs: 2500,
});

/** Options whose groups (`train`, `knn`…) may be given in part: what a user passes, merged over the defaults. */
export type OptionsPatch<T> = {
  [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? Partial<T[K]> : T[K];
};

/** Some of the engine options; the rest come from the defaults (or a restored project's own settings). */
export type PartialEngineOptions = OptionsPatch<EngineOptions>;

/** What the engine starts from: the options given, and the project to keep them in. */
export type EngineInit = PartialEngineOptions & {
  /** Keep the project under this name in IndexedDB, and restore it from there at start. */
  project?: string;
  /**
   * A Teachable Machine image export (the zip, or its three files): its base makes the image features instead
   * of MobileNet, its classes become the project's and its head predicts until the project trains its own.
   * The project keeps it, so it need not be given again.
   */
  teachableMachine?: NamedFile[];
};

/** The head and how it trains: everything `configure()` may change without restarting the worker. */
export type HeadSettings = Pick<EngineOptions, 'head' | 'outputs' | 'train' | 'knn' | 'gestures'>;

/** A change to some of the head's settings. */
export type HeadSettingsPatch = OptionsPatch<HeadSettings>;
