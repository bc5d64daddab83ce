/**
 * One interface for the three trainable heads that sit on the feature vector.
 */
import type { HeadKind } from '../../protocol/engine-options';
import type { TrainProgress, TrainReport } from '../../protocol/engine-api';
import type { Example } from '../examples';
import type { HeadState } from '../../protocol/project-record';

export interface Head {
  readonly kind: HeadKind;
  /** What each predicted number refers to: labels (classification) or output names (regression). */
  readonly names: readonly string[];
  /** Examples held out of the last training (none for kNN, which does not train). */
  readonly validationIds: readonly number[];
  /** Whether `predict` can answer now. */
  ready(): boolean;
  /** Why `predict` cannot answer yet, and what to do about it. */
  notReadyReason(): string;
  /** Learns from the examples. Throws before changing anything when the examples cannot train it. */
  train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport>;
  /** Confidences in `names` order (classification) or output values (regression). */
  predict(embedding: Float32Array): Float32Array;
  /** The trained state, or null when there is nothing to keep (untrained, or kNN). */
  state(): HeadState | null;
  restore(state: HeadState): void;
  /** Follows a renamed label; true when the trained state changed (and should be stored again). */
  rename(from: string, to: string): boolean;
  dispose(): void;
}
