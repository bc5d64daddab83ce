/**
 * A Teachable Machine image model, loaded from its checked export (tm-export.ts) as the layers model it is: an
 * outer Sequential of the base (MobileNet, then global average pooling: the features) and the head (dense
 * layers: the classes). Pictures are prepared as `@teachablemachine/image` 0.8 prepares them: the centre square
 * at the model's size, grey where the model takes one channel (its weights 0.2989, 0.5870, 0.1140), then
 * `x / 127 − 1`.
 */
import * as tf from '@tensorflow/tfjs';
import type { TmExport, TmMetadata } from './tm-export';

export class TmModel {
  private constructor(
    private readonly model: tf.LayersModel,
    /** The base: a picture → its features. */
    readonly base: tf.LayersModel,
    /** The head: features → each class's probability. */
    readonly head: tf.LayersModel,
    readonly metadata: TmMetadata,
    /** Length of the base's features (1280 for MobileNetV2, 256 for the tiny model). */
    readonly featureSize: number,
  ) {}

  static async load(tm: TmExport): Promise<TmModel> {
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: tm.model.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
        weightSpecs: tm.model.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
        weightData: tm.weights,
      }),
    );
    const [base, head] = model.layers as [tf.LayersModel, tf.LayersModel];
    const size = base.outputs[0]!.shape.at(-1) ?? 0;
    return new TmModel(model, base, head, tm.metadata, size);
  }

  /** A square RGB int32 picture [s, s, 3] (any s) as the model takes it in: [1, size, size, 1 or 3] in [-1, 1]. */
  input(square: tf.Tensor3D): tf.Tensor4D {
    const { imageSize, grayscale } = this.metadata;
    return tf.tidy(() => {
      let x: tf.Tensor3D = tf.image.resizeBilinear(square.toFloat(), [imageSize, imageSize]);
      if (grayscale) x = tf.sum(tf.mul(x, tf.tensor1d([0.2989, 0.587, 0.114])), -1, true);
      return x.div(127).sub(1).expandDims(0);
    });
  }

  /** The base's features of a square picture. */
  async features(square: tf.Tensor3D): Promise<Float32Array> {
    const out = tf.tidy(() => this.base.predict(this.input(square)) as tf.Tensor);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /** Each class's probability for these features, by the model's own head. */
  classify(features: Float32Array): Float32Array {
    return tf.tidy(
      () => (this.head.predict(tf.tensor2d(features, [1, features.length])) as tf.Tensor).dataSync() as Float32Array,
    );
  }

  dispose(): void {
    this.model.dispose();
  }
}
