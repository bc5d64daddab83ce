/**
 * Instant classification: cosine k-nearest-neighbours over the stored embeddings.
 * No training step — it predicts as soon as two labels have an example each. Plain arrays: a few
 * hundred 256-wide dot products cost well under a millisecond, and no tensors need an owner.
 */
import type { KnnOptions } from '../../protocol/engine-options';
import type { TrainProgress, TrainReport } from '../../protocol/engine-api';
import type { ExampleStore } from '../examples';
import { checkClassificationExamples } from './dense';
import { NotTrainedError } from '../../protocol/errors';
import { blankAnswer, classification, type Head, type HeadAnswer } from './head';
import { type HeadState } from '../../protocol/project-record';

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s) || 1;
}

export class KnnHead implements Head {
  readonly kind = 'knn' as const;
  /** Norms by example id, so each example's norm is computed once. */
  #norms = new Map<number, number>();

  constructor(
    private readonly options: KnnOptions,
    private readonly store: ExampleStore,
  ) {}

  get names(): readonly string[] {
    return this.store.labels;
  }

  ready(): boolean {
    return this.store.labels.length >= 2;
  }

  notReadyReason(): string {
    return 'The kNN head needs at least one example of 2 or more labels before it can predict.';
  }

  /** Nothing to learn; checks the examples so train() fails the same way for every head. */
  train(_examples: unknown, onProgress: (p: TrainProgress) => void): Promise<TrainReport> {
    checkClassificationExamples(this.store.all, this.store.labels);
    onProgress({ epoch: 1, epochs: 1, loss: 0 });
    return Promise.resolve({ head: this.kind, epochs: 0, examples: this.store.all.length, ms: 0 });
  }

  /**
   * Confidences per label from the k most similar examples; `except` leaves one example out (to judge
   * that example by the others).
   */
  predict(embedding: Float32Array, except?: number): Float32Array {
    if (!this.ready()) throw new NotTrainedError(this.notReadyReason());
    const labels = this.store.labels;
    if (this.#norms.size > 2 * this.store.all.length + 16) this.#norms.clear(); // forget removed examples
    const q = norm(embedding);
    const k = Math.min(this.options.k, this.store.all.length);
    // The k best so far, most similar first: a sorted insert beats sorting thousands of examples per frame.
    const best: { label: string; similarity: number }[] = [];
    for (const e of this.store.all) {
      if (e.id === except) continue;
      let n = this.#norms.get(e.id);
      if (n === undefined) this.#norms.set(e.id, (n = norm(e.embedding)));
      let dot = 0;
      for (let i = 0; i < embedding.length; i++) dot += embedding[i]! * e.embedding[i]!;
      const similarity = dot / (q * n);
      if (best.length === k && similarity <= best[k - 1]!.similarity) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.similarity < similarity) at--;
      best.splice(at, 0, { label: e.label, similarity });
      if (best.length > k) best.pop();
    }
    // Votes weighted by similarity: with fewer than k examples of a label the nearest still wins,
    // and the confidences say how clear the choice was.
    const votes = new Float32Array(labels.length);
    let total = 0;
    for (const s of best) {
      const w = Math.max(s.similarity, 1e-6);
      votes[labels.indexOf(s.label)]! += w;
      total += w;
    }
    return votes.map((v) => v / total);
  }

  answer(embedding: Float32Array): HeadAnswer {
    return classification(this.names, this.predict(embedding));
  }

  blank(): HeadAnswer {
    return blankAnswer(this.kind, this.ready() ? this.names : []);
  }

  /** kNN has no learned state: its examples are its model. */
  readonly validationIds: readonly number[] = [];

  state(): HeadState | null {
    return null;
  }

  restore(): void {}

  /** Its names are the store's labels, renamed there. */
  rename(): boolean {
    return false;
  }

  dispose(): void {
    this.#norms.clear();
  }
}
