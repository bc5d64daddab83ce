/**
 * How well the head does on the user's own examples, after training: per-class accuracy, the confusion
 * matrix (Teachable Machine's "Under the hood") and the examples it gets wrong, so bad ones can be found
 * and deleted. Plain JS over the stored embeddings: the heads predict without tensors.
 */
import type { Evaluation } from '../protocol/project';
import type { Example, ExampleStore } from './examples';
import { DtwHead } from './heads/dtw';
import type { Head } from './heads/head';
import { KnnHead } from './heads/knn';

/** kNN judges each example by all the others; beyond this many it judges an even sample. */
export const LEAVE_ONE_OUT_MAX = 300;
const LISTED_MAX = 200;

/** Every n-th example, so that a sample covers every label and the whole recording. */
function sample(examples: readonly Example[], max: number): Example[] {
  if (examples.length <= max) return [...examples];
  const step = examples.length / max;
  return Array.from({ length: max }, (_, i) => examples[Math.floor(i * step)]!);
}

function judged(head: Head, store: ExampleStore): { on: Evaluation['on']; examples: Example[] } {
  if (head instanceof KnnHead) return { on: 'leave-one-out', examples: sample(store.all, LEAVE_ONE_OUT_MAX) };
  const held = head.validationIds.map((id) => store.get(id)).filter((e): e is Example => e !== undefined);
  return held.length > 0 ? { on: 'validation', examples: held } : { on: 'training', examples: [...store.all] };
}

/**
 * Gestures: each recorded template judged by the others (the gesture of its nearest other template, by
 * whole-sequence DTW): the confusion matrix counts templates, and `misclassified` lists the first frame of
 * each template that resembles another gesture more than its own, the nearest to it first. A gesture with one
 * template has none of its own to be compared with: it counts as wrong (the app says so).
 */
function evaluateGestures(head: DtwHead, store: ExampleStore, start: number): Evaluation {
  const names = [...head.names];
  const index = new Map(names.map((n, i) => [n, i]));
  const confusion = names.map(() => names.map(() => 0));
  const wrong: Evaluation['misclassified'] = [];
  let count = 0;
  for (const t of head.nearestOther()) {
    const [truth, judged] = [index.get(t.name), index.get(t.nearest)];
    if (truth === undefined || judged === undefined) continue; // a gesture with one template has no other to judge it
    confusion[truth]![judged]! += 1;
    count += 1;
    const first = store.all.find((e) => e.sequence === t.sequence);
    if (judged !== truth && first)
      wrong.push({ id: first.id, label: t.name, predicted: t.nearest, confidence: 1 / (1 + t.distance) });
  }
  const perClass = names.map((label, i) => {
    const row = confusion[i]!;
    const total = row.reduce((a, b) => a + b, 0);
    return { label, examples: total, correct: row[i]!, accuracy: total ? row[i]! / total : 0 };
  });
  const correct = perClass.reduce((a, c) => a + c.correct, 0);
  return {
    head: head.kind,
    on: 'leave-one-out',
    examples: count,
    labels: names,
    perClass,
    confusion,
    accuracy: count ? correct / count : 0,
    misclassified: wrong.sort((a, b) => b.confidence - a.confidence).slice(0, LISTED_MAX),
    ms: performance.now() - start,
  };
}

/** @example const report = evaluate(head, store) */
export function evaluate(head: Head, store: ExampleStore): Evaluation {
  const start = performance.now();
  if (head instanceof DtwHead) return evaluateGestures(head, store, start);
  const { on, examples } = judged(head, store);
  const names = [...head.names];
  const predict = (e: Example) =>
    head instanceof KnnHead ? head.predict(e.embedding, e.id) : head.predict(e.embedding);
  if (head.kind === 'regression') {
    const sums = new Float64Array(names.length);
    const errors = examples.map((e) => {
      const out = predict(e);
      let worst = 0;
      names.forEach((n, i) => {
        const error = Math.abs(out[i]! - (e.values?.[n] ?? 0));
        sums[i]! += error;
        worst = Math.max(worst, error);
      });
      return { id: e.id, error: worst };
    });
    const meanAbsoluteError = Object.fromEntries(
      names.map((n, i) => [n, examples.length ? sums[i]! / examples.length : 0]),
    );
    return {
      head: head.kind,
      on,
      examples: examples.length,
      labels: [],
      perClass: [],
      confusion: [],
      accuracy: 0,
      misclassified: [],
      meanAbsoluteError,
      worst: errors.sort((a, b) => b.error - a.error).slice(0, LISTED_MAX),
      ms: performance.now() - start,
    };
  }
  const index = new Map(names.map((n, i) => [n, i]));
  const confusion = names.map(() => names.map(() => 0));
  const wrong: Evaluation['misclassified'] = [];
  let count = 0;
  for (const e of examples) {
    const truth = index.get(e.label);
    if (truth === undefined) continue; // a label added since the last training
    const scores = predict(e);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
    confusion[truth]![best]! += 1;
    count += 1;
    if (best !== truth) wrong.push({ id: e.id, label: e.label, predicted: names[best]!, confidence: scores[best]! });
  }
  const perClass = names.map((label, i) => {
    const row = confusion[i]!;
    const total = row.reduce((a, b) => a + b, 0);
    return { label, examples: total, correct: row[i]!, accuracy: total ? row[i]! / total : 0 };
  });
  const correct = perClass.reduce((a, c) => a + c.correct, 0);
  return {
    head: head.kind,
    on,
    examples: count,
    labels: names,
    perClass,
    confusion,
    accuracy: count ? correct / count : 0,
    misclassified: wrong.sort((a, b) => b.confidence - a.confidence).slice(0, LISTED_MAX),
    ms: performance.now() - start,
  };
}
