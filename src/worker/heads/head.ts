/**
 * One interface for the three trainable heads that sit on MobileNet's embedding.
 */
import type { HeadKind, TrainProgress, TrainReport } from '../../protocol/types';
import type { Example } from '../examples';

export interface Head {
  readonly kind: HeadKind;
  /** What each predicted number refers to: labels (classification) or output names (regression). */
  readonly names: readonly string[];
  /** Whether `predict` can answer now. */
  ready(): boolean;
  /** Why `predict` cannot answer yet, and what to do about it. */
  notReadyReason(): string;
  /** Learns from the examples. Throws before changing anything when the examples cannot train it. */
  train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport>;
  /** Confidences in `names` order (classification) or output values (regression). */
  predict(embedding: Float32Array): Float32Array;
  dispose(): void;
}

/** Raised by predict before a head can answer. */
export class NotTrainedError extends Error {
  override name = 'NotTrainedError';
}
