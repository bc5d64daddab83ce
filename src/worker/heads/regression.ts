/**
 * Continuous outputs in [0, 1] (ml5 `regression()`, Wekinator "continuous"):
 * dense(100, relu) → dense(outputs, sigmoid), Adam, mean squared error.
 */
import type { TrainOptions, TrainProgress, TrainReport } from '../protocol';
import type { Example } from '../examples';
import { NotTrainedError, type Head } from './head';
import { Mlp } from './mlp';

/** Checks one example's targets against the output names; says what was expected. */
export function checkRegressionTarget(values: unknown, outputs: readonly string[]): asserts values is Record<string, number> {
  const expected = `{ ${outputs.map((o) => `${o}: 0..1`).join(', ')} }`;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new TypeError(`A regression example needs target values ${expected}, not ${JSON.stringify(values)}.`);
  }
  const v = values as Record<string, unknown>;
  for (const name of outputs) {
    const x = v[name];
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) {
      throw new RangeError(`Output '${name}' needs a number in [0, 1] (got ${JSON.stringify(x)}). Expected ${expected}.`);
    }
  }
  const extra = Object.keys(v).filter((k) => !outputs.includes(k));
  if (extra.length) throw new RangeError(`Unknown output ${extra.map((e) => `'${e}'`).join(', ')}. The outputs are ${expected}; set them with the 'outputs' option.`);
}

export class RegressionHead implements Head {
  readonly kind = 'regression' as const;
  #mlp: Mlp | null = null;

  constructor(
    private readonly options: TrainOptions,
    readonly names: readonly string[],
  ) {}

  ready(): boolean {
    return this.#mlp?.trained ?? false;
  }

  notReadyReason(): string {
    return 'The regression head has not been trained yet: add examples with target values, then call train().';
  }

  async train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    if (examples.length < 2) {
      throw new RangeError(`Regression training needs at least 2 examples (there are ${examples.length}), ideally at different target values.`);
    }
    const start = performance.now();
    const rows = examples.map((e) => ({ embedding: e.embedding, target: this.names.map((n) => e.values![n]!), group: '' }));
    const mlp = new Mlp({ outputs: this.names.length, activation: 'sigmoid', loss: 'meanSquaredError', accuracy: false });
    const final = await mlp.train(rows, this.options, onProgress);
    this.#mlp?.dispose();
    this.#mlp = mlp;
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
