/**
 * What the engine tells of a project: the project now, its evaluation after training, its progress when
 * opened, the projects kept, and the copy of it the main thread keeps. Types only.
 */
import type { HeadKind, HeadSettings } from './engine-options';
import type { ExampleRecord, FeatureIdentity, HeadState, ProjectMeta, ProjectRecord } from './project-record';
import type { Milliseconds, NormalRange } from './units';

/** A project as the engine holds it now. */
export interface ProjectInfo {
  /** The name it is kept under in IndexedDB; null when nothing is persisted (no `project` option). */
  name: string | null;
  /** True when this start found the project in IndexedDB and restored it. */
  restored: boolean;
  /** Whether it was predicting when last used: a restored project that was, starts again by itself. */
  running: boolean;
  /** Whatever the app stored with `setAppSettings` (outputs, operators…); null when nothing was. */
  appSettings: unknown;
  features: FeatureIdentity;
  /** The head and its training settings. */
  settings: HeadSettings;
  /** Classes (or, for regression, output names) in order, including those with no examples yet. */
  labels: string[];
  examples: number;
  /** Whether the head can predict now (trained, or kNN with 2 labels). */
  trained: boolean;
  /** Examples whose embeddings were recomputed from their crops because another feature model made them. */
  reembedded: number;
}

/** Which examples an evaluation judged. */
export type EvaluationSet = 'validation' | 'training' | 'leave-one-out';

/** How well the head does on its own examples: Teachable Machine's "Under the hood", and the wrong ones. */
export interface Evaluation {
  head: HeadKind;
  /**
   * `validation`: the examples held out from the last training; `training`: every example (too few to hold
   * any out); `leave-one-out`: kNN, each example judged by the others (at most `LEAVE_ONE_OUT_MAX` of them).
   */
  on: EvaluationSet;
  /** Examples judged. */
  examples: number;
  /** Classes in order: the rows and columns of `confusion`. Empty for regression. */
  labels: string[];
  perClass: { label: string; examples: number; correct: number; accuracy: NormalRange }[];
  /** `confusion[i][j]`: examples of labels[i] predicted as labels[j]. */
  confusion: number[][];
  /** Share of judged examples predicted right (classification). */
  accuracy: NormalRange;
  /** The examples the head gets wrong, most confidently wrong first (at most 200). */
  misclassified: { id: number; label: string; predicted: string; confidence: NormalRange }[];
  /** Regression: mean absolute error per output. */
  meanAbsoluteError?: Record<string, number>;
  /** Regression: the examples furthest from their targets (largest error over the outputs), at most 200. */
  worst?: { id: number; error: number }[];
  ms: Milliseconds;
}

/** Progress of opening a project (or restoring one made by another feature model). */
export interface ProjectProgress {
  phase: 'read' | 'decode' | 'reembed' | 'store';
  fraction: NormalRange;
}

/** A page of examples, for thumbnail strips that show only what is on screen. */
export interface ExampleQuery {
  /** Only this label's examples (classification). */
  label?: string;
  /** Skip this many. @default 0 */
  offset?: number;
  /** At most this many. @default all */
  limit?: number;
}

/** A project kept in IndexedDB, as `listProjects()` tells. */
export interface StoredProject {
  name: string;
  head: HeadKind;
  labels: string[];
  examples: number;
  features: FeatureIdentity;
  updatedAt: number;
}

/** Something the worker tells on its own, not as the answer to a call. */
export type EngineNotice = { kind: 'storage-error'; message: string } | { kind: 'storage-ok' };

/**
 * A copy of a project the main thread keeps when nothing is persisted (no `project` option), so a worker
 * that crashes can be restarted with everything the user taught. The worker writes to it as it changes.
 */
export interface ProjectMirror {
  /** Everything kept, or null when there is nothing yet. */
  load(): ProjectRecord | null;
  saveMeta(meta: ProjectMeta): void;
  putExamples(examples: ExampleRecord[]): void;
  deleteExamples(ids: number[]): void;
  putHead(state: HeadState | null): void;
  replace(record: ProjectRecord): void;
}
