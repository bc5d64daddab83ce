/**
 * A small multilayer perceptron trained on embeddings: dense(hidden, relu) → dense(outputs).
 * The dense (classification) and regression heads are this with a different last layer and loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlpSpec, MlpWeights } from '../../protocol/project-record';
import type { TrainOptions } from '../../protocol/engine-options';
import type { TrainProgress } from '../../protocol/engine-api';

/** One row of training data; `group` keeps the validation split per label. */
export interface Row {
  /** The example's id, so the held-out ones can be told. */
  id: number;
  embedding: Float32Array;
  target: number[];
  group: string;
}

/**
 * Holds out every n-th row of each group, n = round(1 / split), once every group has at least n
 * rows (so each keeps at least one). Spread over time rather than random: recorded examples come
 * in runs of near-identical frames, and a random pick would validate on twins of training rows less
 * often than this does across a run.
 */
export function splitRows(rows: readonly Row[], split: number): { train: Row[]; validation: Row[] } {
  if (split <= 0) return { train: [...rows], validation: [] };
  const n = Math.max(2, Math.round(1 / split));
  const byGroup = new Map<string, Row[]>();
  for (const r of rows) {
    if (!byGroup.has(r.group)) byGroup.set(r.group, []);
    byGroup.get(r.group)!.push(r);
  }
  if ([...byGroup.values()].some((g) => g.length < n)) return { train: [...rows], validation: [] };
  const train: Row[] = [];
  const validation: Row[] = [];
  for (const group of byGroup.values()) group.forEach((r, i) => ((i + 1) % n === 0 ? validation : train).push(r));
  return { train, validation };
}

function tensors(rows: readonly Row[]): [tf.Tensor2D, tf.Tensor2D] {
  const width = rows[0]!.embedding.length;
  const xs = new Float32Array(rows.length * width);
  rows.forEach((r, i) => xs.set(r.embedding, i * width));
  return [tf.tensor2d(xs, [rows.length, width]), tf.tensor2d(rows.map((r) => r.target))];
}

/** What one training leaves: the final epoch's numbers and which rows were held out. */
export interface MlpTraining {
  final: TrainProgress | undefined;
  validationIds: number[];
}

export class Mlp {
  #weights: MlpWeights | null = null;

  constructor(readonly spec: MlpSpec) {}

  /** A trained network from weights kept earlier (a restored project). */
  static fromWeights(spec: MlpSpec, weights: MlpWeights): Mlp {
    const mlp = new Mlp(spec);
    if (weights.b2.length !== spec.outputs || weights.w2.length !== weights.b1.length * spec.outputs) {
      throw new RangeError(`The stored head's weights do not fit ${spec.outputs} outputs; train again.`);
    }
    mlp.#weights = weights;
    return mlp;
  }

  get weights(): MlpWeights | null {
    return this.#weights;
  }

  /**
   * Trains a fresh network and keeps only its weights: the model and optimizer are disposed here, so
   * the head holds no tensors at all.
   */
  async train(rows: readonly Row[], o: TrainOptions, onProgress: (p: TrainProgress) => void): Promise<MlpTraining> {
    const { train, validation } = splitRows(rows, o.validationSplit);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [rows[0]!.embedding.length],
          units: o.hiddenUnits,
          activation: 'relu',
          kernelInitializer: 'varianceScaling',
        }),
        tf.layers.dense({
          units: this.spec.outputs,
          activation: this.spec.activation,
          kernelInitializer: 'varianceScaling',
        }),
      ],
    });
    const optimizer = tf.train.adam(o.learningRate);
    model.compile({ optimizer, loss: this.spec.loss, metrics: this.spec.accuracy ? ['accuracy'] : [] });
    const [xs, ys] = tensors(train);
    const val = validation.length > 0 ? tensors(validation) : undefined;
    let last: TrainProgress | undefined;
    try {
      await model.fit(xs, ys, {
        epochs: o.epochs,
        batchSize: o.batchSize,
        shuffle: true,
        ...(val ? { validationData: val } : {}),
        callbacks: {
          onEpochEnd: (epoch, logs = {}) => {
            last = {
              epoch: epoch + 1,
              epochs: o.epochs,
              loss: logs.loss!,
              ...(logs.acc !== undefined ? { accuracy: logs.acc } : {}),
              ...(logs.val_acc !== undefined ? { valAccuracy: logs.val_acc } : {}),
              ...(logs.val_loss !== undefined ? { valLoss: logs.val_loss } : {}),
            };
            onProgress(last);
          },
        },
      });
      const [w1, b1, w2, b2] = await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>));
      this.#weights = { w1: w1!, b1: b1!, w2: w2!, b2: b2! };
    } finally {
      tf.dispose([xs, ys, ...(val ?? [])]);
      model.dispose();
      optimizer.dispose();
    }
    return { final: last, validationIds: validation.map((r) => r.id) };
  }

  /**
   * relu(x·W1 + b1)·W2 + b2, then softmax or sigmoid — about 27k multiply-adds for 256→100→3, far
   * less than the cost of a GPU round trip (26 ms per prediction on software WebGL).
   */
  predict(embedding: Float32Array): Float32Array {
    const { w1, b1, w2, b2 } = this.#weights!;
    const hidden = b1.length;
    const outputs = b2.length;
    const h = Float32Array.from(b1);
    for (let i = 0; i < embedding.length; i++) {
      const x = embedding[i]!;
      if (x === 0) continue; // MobileNet's pooled features are post-ReLU: many are zero
      const row = i * hidden;
      for (let j = 0; j < hidden; j++) h[j]! += x * w1[row + j]!;
    }
    const out = Float32Array.from(b2);
    for (let j = 0; j < hidden; j++) {
      const a = h[j]! > 0 ? h[j]! : 0;
      if (a === 0) continue;
      const row = j * outputs;
      for (let k = 0; k < outputs; k++) out[k]! += a * w2[row + k]!;
    }
    if (this.spec.activation === 'sigmoid') return out.map((v) => 1 / (1 + Math.exp(-v)));
    const max = Math.max(...out);
    const exp = out.map((v) => Math.exp(v - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    return exp.map((v) => v / sum);
  }

  dispose(): void {
    this.#weights = null;
  }
}
