/**
 * MobileNet's pooled embedding (`infer(x, true)`) as the feature vector: 256 numbers for v1 α0.25.
 */
import type * as tf from '@tensorflow/tfjs';
import type { MobileNet } from '@tensorflow-models/mobilenet';
import type { FeatureIdentity } from '../../protocol/project';
import type { ModelReport } from '../../protocol/types';
import type { FeatureExtractor } from './feature-extractor';

export class MobileNetFeatures implements FeatureExtractor {
  readonly identity: FeatureIdentity;

  constructor(
    private readonly model: MobileNet,
    readonly report: ModelReport,
  ) {
    this.identity = { model: report.name, size: report.embeddingSize };
  }

  async extract(square: tf.Tensor3D): Promise<Float32Array> {
    const out = this.model.infer(square, true);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    (this.model as unknown as { model?: tf.GraphModel }).model?.dispose();
  }
}
