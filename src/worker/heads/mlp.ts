/**
 * A small multilayer perceptron trained on embeddings: dense(hidden, relu) → dense(outputs).
 * The dense (classification) and regression heads are this with a different last layer and loss.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainOptions, TrainProgress } from '../protocol';

export interface MlpSpec {
  outputs: number;
  activation: 'softmax' | 'sigmoid';
  loss: 'categoricalCrossentropy' | 'meanSquaredError';
  /** Report accuracy per epoch (classification). */
  accuracy: boolean;
}

/** One row of training data; `group` keeps the validation split per label. */
export interface Row {
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

export class Mlp {
  #model: tf.LayersModel | null = null;
  #optimizer: tf.Optimizer | null = null;

  constructor(private readonly spec: MlpSpec) {}

  /** Trains a fresh network; the previous one keeps answering until this one is done. */
  async train(rows: readonly Row[], o: TrainOptions, onProgress: (p: TrainProgress) => void): Promise<TrainProgress | undefined> {
    const { train, validation } = splitRows(rows, o.validationSplit);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [rows[0]!.embedding.length], units: o.hiddenUnits, activation: 'relu', kernelInitializer: 'varianceScaling' }),
        tf.layers.dense({ units: this.spec.outputs, activation: this.spec.activation, kernelInitializer: 'varianceScaling' }),
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
        validationData: val,
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
    } catch (e) {
      model.dispose();
      optimizer.dispose();
      throw e;
    } finally {
      tf.dispose([xs, ys, ...(val ?? [])]);
    }
    this.dispose();
    this.#model = model;
    this.#optimizer = optimizer;
    return last;
  }

  async predict(embedding: Float32Array): Promise<Float32Array> {
    const model = this.#model!;
    const out = tf.tidy(() => model.predict(tf.tensor2d(embedding, [1, embedding.length])) as tf.Tensor);
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return data;
  }

  dispose(): void {
    this.#model?.dispose();
    this.#optimizer?.dispose();
    this.#model = null;
    this.#optimizer = null;
  }
}
