/**
 * What the dense and regression heads share: a network trained with `fit`, which keeps answering
 * with the previous one until the new one is done, and predict/dispose around it.
 */
import type { HeadKind, TrainOptions, TrainProgress, TrainReport } from '../../protocol/types';
import type { Example } from '../examples';
import { NotTrainedError, type Head } from './head';
import { Mlp, type MlpSpec, type Row } from './mlp';

export abstract class MlpHead implements Head {
  abstract readonly kind: HeadKind;
  abstract get names(): readonly string[];
  #mlp: Mlp | null = null;

  constructor(protected readonly options: TrainOptions) {}

  ready(): boolean {
    return this.#mlp !== null;
  }

  abstract notReadyReason(): string;
  abstract train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport>;

  protected async fit(spec: MlpSpec, rows: Row[], onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    const start = performance.now();
    const mlp = new Mlp(spec);
    const final = await mlp.train(rows, this.options, onProgress);
    this.#mlp?.dispose();
    this.#mlp = mlp;
    return {
      head: this.kind,
      epochs: this.options.epochs,
      examples: rows.length,
      ms: performance.now() - start,
      ...(final ? { final } : {}),
    };
  }

  predict(embedding: Float32Array): Float32Array {
    if (!this.#mlp) throw new NotTrainedError(this.notReadyReason());
    return this.#mlp.predict(embedding);
  }

  dispose(): void {
    this.#mlp?.dispose();
    this.#mlp = null;
  }
}
