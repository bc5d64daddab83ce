/**
 * Hands beside other features (`also: ['hands']`): the heads learn from the first extractor's features (image,
 * pose, people), and each analysis of a frame carries the hands MediaPipe sees in that same frame, for the
 * outputs. A project's features stay the first extractor's: its identity, its re-embedding, its benchmark.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Milliseconds } from '../../protocol/units';
import type { Analysis, FeatureExtractor } from './feature-extractor';
import type { HandsFeatures } from './hands/hands-features';

export class WithHands implements FeatureExtractor {
  constructor(
    private readonly main: FeatureExtractor,
    private readonly hands: HandsFeatures,
  ) {}

  get identity() {
    return this.main.identity;
  }

  get report() {
    return this.main.report;
  }

  async analyse(square: tf.Tensor3D, t?: Milliseconds): Promise<Analysis> {
    // Both models from the one square, side by side (a GPU backend overlaps them).
    const [analysis, seen] = await Promise.all([this.main.analyse(square, t), this.hands.analyse(square, t)]);
    return { ...analysis, hands: seen.hands, palmDetector: seen.palmDetector };
  }

  /** The hands' models (the main model's rate is the raw benchmark's own). */
  get models() {
    return this.hands.models;
  }

  extract(square: tf.Tensor3D): Promise<Float32Array> {
    return this.main.extract(square);
  }

  dispose(): void {
    this.main.dispose();
    this.hands.dispose();
  }
}
