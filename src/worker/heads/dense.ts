/**
 * Classification as ml5's featureExtractor and Teachable Machine do it:
 * dense(100, relu) → dense(labels, softmax), Adam, categorical cross-entropy.
 */
import type { TrainOptions } from '../../protocol/engine-options';
import type { TrainProgress, TrainReport } from '../../protocol/engine-api';
import type { Example } from '../examples';
import { classification, type HeadAnswer } from './head';
import { MlpHead } from './mlp-head';

/** Throws a RangeError when examples cannot train a classifier, before anything is changed. */
export function checkClassificationExamples(examples: readonly Example[], labels: readonly string[]): void {
  if (labels.length < 2) {
    const have = labels.length === 0 ? 'none' : `only '${labels[0]}' (${examples.length} examples)`;
    throw new RangeError(
      `Training needs examples of at least 2 labels; there are ${have}. Add examples of another label — even "background", the scene without the object.`,
    );
  }
}

export class DenseHead extends MlpHead {
  readonly kind = 'dense' as const;
  #names: string[] = [];

  constructor(
    options: TrainOptions,
    private readonly labelsNow: () => string[],
  ) {
    super(options);
  }

  /** The labels of the last training, in order; a label added since needs another train(). */
  get names(): readonly string[] {
    return this.#names;
  }

  notReadyReason(): string {
    return "The dense head has not been trained yet: add examples of 2 or more labels, then call train(). (head: 'knn' predicts without training.)";
  }

  async train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    const labels = this.labelsNow();
    checkClassificationExamples(examples, labels);
    const rows = examples.map((e) => ({
      id: e.id,
      embedding: e.embedding,
      target: labels.map((l) => (l === e.label ? 1 : 0)),
      group: e.label,
    }));
    const report = await this.fit(
      { outputs: labels.length, activation: 'softmax', loss: 'categoricalCrossentropy', accuracy: true },
      rows,
      onProgress,
    );
    this.#names = labels;
    return report;
  }

  protected read(scores: Float32Array): HeadAnswer {
    return classification(this.#names, scores);
  }

  protected override renameName(from: string, to: string): boolean {
    if (!this.#names.includes(from)) return false;
    this.#names = this.#names.map((n) => (n === from ? to : n));
    return true;
  }

  protected restoreNames(names: readonly string[]): void {
    this.#names = [...names];
  }
}
