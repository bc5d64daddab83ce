/**
 * What the dense and regression heads share: a network trained with `fit`, which keeps answering
 * with the previous one until the new one is done, and predict/dispose/state around it.
 */
import type { HeadKind, TrainOptions } from '../../protocol/engine-options';
import type { TrainProgress, TrainReport } from '../../protocol/engine-api';
import type { Example } from '../examples';
import { NotTrainedError } from '../../protocol/errors';
import { blankAnswer, type Head, type HeadAnswer } from './head';
import type { HeadState, MlpSpec } from '../../protocol/project-record';
import { Mlp, type Row } from './mlp';

export abstract class MlpHead implements Head {
  abstract readonly kind: 'dense' | 'regression';
  abstract get names(): readonly string[];
  #mlp: Mlp | null = null;
  #validationIds: number[] = [];

  constructor(protected readonly options: TrainOptions) {}

  ready(): boolean {
    return this.#mlp !== null;
  }

  get validationIds(): readonly number[] {
    return this.#validationIds;
  }

  abstract notReadyReason(): string;
  abstract train(examples: readonly Example[], onProgress: (p: TrainProgress) => void): Promise<TrainReport>;
  /** Takes the names of a restored state (the labels or outputs it was trained on). */
  protected abstract restoreNames(names: readonly string[]): void;

  protected async fit(spec: MlpSpec, rows: Row[], onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    const start = performance.now();
    const mlp = new Mlp(spec);
    const { final, validationIds } = await mlp.train(rows, this.options, onProgress);
    this.#mlp?.dispose();
    this.#mlp = mlp;
    this.#validationIds = validationIds;
    return {
      head: this.kind as HeadKind,
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

  /** The network's outputs as this head's answer: a classification, or regression values. */
  protected abstract read(scores: Float32Array): HeadAnswer;

  answer(embedding: Float32Array): HeadAnswer {
    return this.read(this.predict(embedding));
  }

  blank(): HeadAnswer {
    return blankAnswer(this.kind, this.ready() ? this.names : []);
  }

  state(): HeadState | null {
    const weights = this.#mlp?.weights;
    if (!this.#mlp || !weights) return null;
    return {
      kind: this.kind,
      names: [...this.names],
      spec: this.#mlp.spec,
      weights,
      validationIds: [...this.#validationIds],
    };
  }

  restore(state: HeadState): void {
    if (state.kind !== this.kind)
      throw new RangeError(`A ${state.kind} head's state cannot restore a ${this.kind} head.`);
    const mlp = Mlp.fromWeights(state.spec, state.weights);
    this.#mlp?.dispose();
    this.#mlp = mlp;
    this.#validationIds = [...state.validationIds];
    this.restoreNames(state.names);
  }

  rename(from: string, to: string): boolean {
    return this.renameName(from, to);
  }

  /** Dense heads rename the label they were trained on; regression outputs are not labels. */
  protected renameName(_from: string, _to: string): boolean {
    return false;
  }

  dispose(): void {
    this.#mlp?.dispose();
    this.#mlp = null;
  }
}
