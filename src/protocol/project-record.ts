/**
 * A project as plain data: the one shape of its examples, its description and its trained head, which the
 * engine holds, IndexedDB keeps (project-db.ts adds its keys) and a project file carries (the worker's
 * project-file.ts lays it out in a zip). Types only.
 */
import type { HeadKind, HeadSettings } from './engine-options';
import type { PixelData } from './frame';
import type { NamedFile } from './teachable';

/**
 * Which feature model made a project's embeddings. Examples made by another one are re-embedded from
 * their stored crops when the project is opened.
 */
export interface FeatureIdentity {
  /** e.g. `mobilenet-v1-0.25` */
  model: string;
  /** Length of each feature vector. */
  size: number;
}

/**
 * One example: its embedding (not its frame), a small thumbnail and, where the platform can encode one, a
 * JPEG of the model's crop (so another feature model can re-embed it later).
 */
export interface ExampleRecord {
  id: number;
  /** Classification label; '' for regression examples. */
  label: string;
  /** Regression targets by output name. */
  values?: Record<string, number>;
  /** Gestures: the hold of Record this frame belongs to (its frames, in id order, are one template). */
  sequence?: number;
  embedding: Float32Array;
  thumbnail: PixelData;
  /** The 224×224 picture the model saw, as JPEG; null where it could not be encoded (Node). */
  crop: Blob | null;
}

/** Everything about a project except its examples and trained head. */
export interface ProjectMeta {
  name: string;
  createdAt: number;
  updatedAt: number;
  features: FeatureIdentity;
  settings: HeadSettings;
  /** Classes in order, including those with no examples yet. */
  labels: string[];
  nextId: number;
  /** Whether it was predicting when last used: a restored project that was, starts again by itself. */
  running: boolean;
  /** Whatever the app keeps with the project (`setAppSettings`): JSON-like data, null when nothing. */
  appSettings: unknown;
}

/** The shape of the small network the dense and regression heads train: dense(hidden, relu) → dense(outputs). */
export interface MlpSpec {
  outputs: number;
  activation: 'softmax' | 'sigmoid';
  loss: 'categoricalCrossentropy' | 'meanSquaredError';
  /** Report accuracy per epoch (classification). */
  accuracy: boolean;
}

/** The trained weights, read back once: the head then predicts in plain JS. */
export interface MlpWeights {
  w1: Float32Array; // [inputs, hidden], row-major
  b1: Float32Array;
  w2: Float32Array; // [hidden, outputs]
  b2: Float32Array;
}

/** A trained head as plain data: kept with the project, restored without training. */
export interface HeadState {
  kind: Extract<HeadKind, 'dense' | 'regression'>;
  /** Labels (dense) or output names (regression), in the order of the network's outputs. */
  names: string[];
  spec: MlpSpec;
  weights: MlpWeights;
  /** Examples held out of the training, for the evaluation. */
  validationIds: number[];
}

/** A whole project: what a project file holds, and what a store loads. */
export interface ProjectRecord {
  meta: ProjectMeta;
  examples: ExampleRecord[];
  head: HeadState | null;
  /** The Teachable Machine export whose base makes its features, as it was given; absent for the built-in models. */
  base?: NamedFile[] | null;
}
