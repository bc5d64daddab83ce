/**
 * Classification as ml5's featureExtractor and Teachable Machine do it:
 * dense(100, relu) → dense(labels, softmax), Adam, categorical cross-entropy.
 */
import type { TrainOptions, TrainProgress, TrainReport } from '../protocol';
import type { Example } from '../examples';
import { NotTrainedError, type Head } from './head';
import { Mlp } from './mlp';

/** Throws a RangeError when examples cannot train a classifier, before anything is changed. */
export function checkClassificationExamples(examples: readonly Example[], labels: readonly string[]): void {
  if (labels.length < 2) {
    const have = labels.length === 0 ? 'none' : `only '${labels[0]}' (${examples.length} examples)`;
    throw new RangeError(
      `Training needs examples of at least 2 labels; there are ${have}. Add examples of another label — even "background", the scene without the object.`,
    );
  }
}

export class DenseHead implements Head {
  readonly kind = 'dense' as const;
  #mlp: Mlp | null = null;
  #names: string[] = [];

  constructor(
    private readonly options: TrainOptions,
    private readonly labelsNow: () => string[],
  ) {}

  get names(): readonly string[] {
    return this.#names;
  }

  ready(): boolean {
    return this.#mlp?.trained ?? false;
  }

  notReadyReason(): string {
    return "The dense head has not been trained yet: add examples of 2 or more labels, then call train(). (head: 'knn' predicts without training.)";
  }

  async train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    const labels = this.labelsNow();
    checkClassificationExamples(examples, labels);
    const start = performance.now();
    const rows = examples.map((e) => ({
      embedding: e.embedding,
      target: labels.map((l) => (l === e.label ? 1 : 0)),
      group: e.label,
    }));
    const mlp = new Mlp({ outputs: labels.length, activation: 'softmax', loss: 'categoricalCrossentropy', accuracy: true });
    const final = await mlp.train(rows, this.options, onProgress);
    this.#mlp?.dispose();
    this.#mlp = mlp;
    this.#names = labels;
    return { head: this.kind, epochs: this.options.epochs, examples: examples.length, ms: performance.now() - start, ...(final ? { final } : {}) };
  }

  predict(embedding: Float32Array): Promise<Float32Array> {
    if (!this.#mlp) throw new NotTrainedError(this.notReadyReason());
    return this.#mlp.predict(embedding);
  }

  dispose(): void {
    this.#mlp?.dispose();
    this.#mlp = null;
  }
}
