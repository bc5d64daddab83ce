/**
 * A Teachable Machine image model, loaded from its checked export (tm-export.ts) as the layers model it is: an
 * outer Sequential of the base (MobileNet, then global average pooling: the features) and the head (dense
 * layers: the classes). Pictures are prepared as `@teachablemachine/image` 0.8 prepares them: the centre square
 * at the model's size, grey where the model takes one channel (its weights 0.2989, 0.5870, 0.1140), then
 * `x / 127 − 1`.
 */
import * as tf from '@tensorflow/tfjs';
import { TeachableMachineError } from '../../protocol/errors';
import type { HeadState } from '../../protocol/project-record';
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
  #input(square: tf.Tensor3D): tf.Tensor4D {
    const { imageSize, grayscale } = this.metadata;
    return tf.tidy(() => {
      let x: tf.Tensor3D = tf.image.resizeBilinear(square.toFloat(), [imageSize, imageSize]);
      if (grayscale) x = tf.sum(tf.mul(x, tf.tensor1d([0.2989, 0.587, 0.114])), -1, true);
      return x.div(127).sub(1).expandDims(0);
    });
  }

  /** The base's features of a square picture. */
  async features(square: tf.Tensor3D): Promise<Float32Array> {
    const out = tf.tidy(() => this.base.predict(this.#input(square)) as tf.Tensor);
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

  /**
   * The model's own head as this project keeps a trained dense head (dense(hidden, relu) → dense(classes,
   * softmax)): it predicts as Teachable Machine's until the user trains one of their own. Teachable Machine's
   * last layer has no bias: its biases are zeros.
   */
  headState(): HeadState {
    const dense = this.head.layers.filter((l) => l.getClassName() === 'Dense');
    const activation = (l: tf.layers.Layer) => (l.getConfig() as { activation?: string }).activation;
    if (dense.length !== 2 || activation(dense[0]!) !== 'relu' || activation(dense[1]!) !== 'softmax') {
      throw new TeachableMachineError(
        `This model's head is not Teachable Machine's dense(relu) → dense(softmax) (it has ${this.head.layers.map((l) => l.getClassName()).join(', ')}): it cannot open here.`,
      );
    }
    // Each layer's kernel, then its bias where it has one.
    const [first, second] = dense.map((l) => l.getWeights().map((t) => (t.dataSync() as Float32Array).slice()));
    const outputs = this.metadata.labels.length;
    const hidden = first![0]!.length / this.featureSize;
    return {
      kind: 'dense',
      names: [...this.metadata.labels],
      spec: { outputs, activation: 'softmax', loss: 'categoricalCrossentropy', accuracy: true },
      weights: {
        w1: first![0]!,
        b1: first![1] ?? new Float32Array(hidden),
        w2: second![0]!,
        b2: second![1] ?? new Float32Array(outputs),
      },
      validationIds: [],
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}
