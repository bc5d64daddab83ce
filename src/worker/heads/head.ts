/**
 * One interface for the trainable heads that sit on the feature vector, and the answer each gives a frame.
 */
import type { Prediction, TrainProgress, TrainReport } from '../../protocol/engine-api';
import type { HeadKind } from '../../protocol/engine-options';
import type { HeadState } from '../../protocol/project-record';
import type { Milliseconds } from '../../protocol/units';
import type { Example } from '../examples';

/** What a head makes of one frame: the part of a prediction that is its own. */
export type HeadAnswer = Pick<Prediction, 'label' | 'confidences' | 'values' | 'gesture'>;

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
  /** Confidences in `names` order (classification) or output values (regression), for one frame alone. */
  predict(embedding: Float32Array): Float32Array;
  /** A live frame's answer: `t` is its time, for the heads that follow a stream (gestures). */
  answer(embedding: Float32Array, t: Milliseconds): HeadAnswer;
  /**
   * The answer for a frame with nothing to see (nobody in view): no label, every score 0, never the last
   * answer; a gesture under way is forgotten.
   */
  blank(): HeadAnswer;
  /** The trained state, or null when there is nothing to keep (untrained, or kNN). */
  state(): HeadState | null;
  restore(state: HeadState): void;
  /** Follows a renamed label; true when the trained state changed (and should be stored again). */
  rename(from: string, to: string): boolean;
  dispose(): void;
}

/** Scores in `names` order as a classification: the best label and every label's confidence. */
export function classification(names: readonly string[], scores: Float32Array): HeadAnswer {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return { label: names[best] ?? '', confidences: byName(names, scores) };
}

/** Scores in `names` order as regression outputs. */
export function regression(names: readonly string[], scores: Float32Array): HeadAnswer {
  return { label: '', confidences: {}, values: byName(names, scores) };
}

/** Each of `names` at 0: a classification with no label, or (for regression) every output at 0. */
export function blankAnswer(kind: HeadKind, names: readonly string[]): HeadAnswer {
  const zeros = byName(names, new Float32Array(names.length));
  return kind === 'regression' ? { label: '', confidences: {}, values: zeros } : { label: '', confidences: zeros };
}

export function byName(names: readonly string[], scores: Float32Array): Record<string, number> {
  return Object.fromEntries(names.map((n, i) => [n, scores[i]!]));
}
