/**
 * What turns a frame into the vector the heads learn from. MobileNet's embedding is one; each extractor
 * names itself, so a project made with one can be re-embedded by another.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Hand } from '../../protocol/hand';
import type { Pose } from '../../protocol/pose';
import type { Milliseconds } from '../../protocol/units';
import type { TrackedPerson } from './person-tracker';
import type { FeatureIdentity } from '../../protocol/project-record';
import type { ModelReport } from '../../protocol/engine-api';
import type { FrameShape } from '../../protocol/frame';
import type { NamedFile } from '../../protocol/teachable';

export interface Analysis {
  /** The features the heads learn from; with several people, the most prominent person's. */
  features: Float32Array;
  /** Pose extractors: the keypoints, and whether anyone is there; with several people, the most prominent. */
  pose?: Pose;
  /** Extractors of several people, on a live frame (`t` given): everyone seen, each with their id. */
  people?: TrackedPerson[];
  /** …and who came into view with this frame, and who left (by id). */
  peopleChanged?: { entered: number[]; left: number[] };
  /** Hand extractors: the hands seen ([] when none). */
  hands?: Hand[];
  /** Hand extractors: frames read, and how many of them the palm detector ran on, so far. */
  palmDetector?: { frames: number; runs: number };
}

/** One model of an extractor that takes several: its name for the benchmark (`palm detector (256²)`), itself, its input's side. */
export interface ExtractorModel {
  name: string;
  model: tf.GraphModel;
  size: number;
}

export interface FeatureExtractor {
  readonly identity: FeatureIdentity;
  /** Where its weights came from, for the init report. */
  readonly report: ModelReport;
  /** Features of a square RGB int32 tensor [s, s, 3] (any s: the extractor resizes); the tensor stays the caller's. */
  extract(square: tf.Tensor3D): Promise<Float32Array>;
  /**
   * The features and whatever else the model sees on the way (a pose's keypoints). `t`, a live frame's time,
   * lets an extractor that follows what it saw (hands) go on from the frame before; without it, a still.
   */
  analyse(square: tf.Tensor3D, t?: Milliseconds): Promise<Analysis>;
  /** The square its frames are drawn to, where the extractor has its own (a Teachable Machine model); else its kind's (`frameShapeFor`). */
  readonly frame?: FrameShape;
  /** The Teachable Machine export it was loaded from, as given: kept with the project. */
  readonly files?: readonly NamedFile[];
  /** Where the features take more than one model: each, with the side of its square input, for the benchmark to time alone. */
  readonly models?: readonly ExtractorModel[];
  dispose(): void;
}
