/**
 * Continuous outputs in [0, 1] (ml5 `regression()`, Wekinator "continuous"):
 * dense(100, relu) → dense(outputs, sigmoid), Adam, mean squared error.
 */
import type { TrainOptions } from '../../protocol/engine-options';
import type { TrainProgress, TrainReport } from '../../protocol/engine-api';
import type { Example } from '../examples';
import { regression, type HeadAnswer } from './head';
import { MlpHead } from './mlp-head';

/** Checks one example's targets against the output names; says what was expected. */
export function checkRegressionTarget(
  values: unknown,
  outputs: readonly string[],
): asserts values is Record<string, number> {
  const expected = `{ ${outputs.map((o) => `${o}: 0..1`).join(', ')} }`;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new TypeError(`A regression example needs target values ${expected}, not ${JSON.stringify(values)}.`);
  }
  const v = values as Record<string, unknown>;
  for (const name of outputs) {
    const x = v[name];
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) {
      throw new RangeError(
        `Output '${name}' needs a number in [0, 1] (got ${JSON.stringify(x)}). Expected ${expected}.`,
      );
    }
  }
  const extra = Object.keys(v).filter((k) => !outputs.includes(k));
  if (extra.length)
    throw new RangeError(
      `Unknown output ${extra.map((e) => `'${e}'`).join(', ')}. The outputs are ${expected}; set them with the 'outputs' option.`,
    );
}

export class RegressionHead extends MlpHead {
  readonly kind = 'regression' as const;

  constructor(
    options: TrainOptions,
    readonly names: readonly string[],
  ) {
    super(options);
  }

  notReadyReason(): string {
    return 'The regression head has not been trained yet: add examples with target values, then call train().';
  }

  async train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    if (examples.length < 2) {
      throw new RangeError(
        `Regression training needs at least 2 examples (there are ${examples.length}), ideally at different target values.`,
      );
    }
    const rows = examples.map((e) => ({
      id: e.id,
      embedding: e.embedding,
      target: this.names.map((n) => e.values![n]!),
      group: '',
    }));
    return this.fit(
      { outputs: this.names.length, activation: 'sigmoid', loss: 'meanSquaredError', accuracy: false },
      rows,
      onProgress,
    );
  }

  protected read(scores: Float32Array): HeadAnswer {
    return regression(this.names, scores);
  }

  protected restoreNames(names: readonly string[]): void {
    if (names.join('\u0000') !== this.names.join('\u0000')) {
      throw new RangeError(
        `The stored head was trained for outputs ${names.join(', ')}, not ${this.names.join(', ')}.`,
      );
    }
  }
}
