/**
 * Examples for the benchmark, taken from the live source. Their labels are arbitrary: training time
 * depends on how many examples there are, not on what they show.
 */
import type { Pipeline } from '../streams/pipeline';
import type { ImageInput } from '../streams/sources/picture';

export const BENCH_LABELS = ['a', 'b', 'c'] as const;

/**
 * Adds `perLabel` examples to each of the three labels, one frame each. One frame per label is in
 * flight at a time, so the main thread makes the next bitmaps while the worker embeds.
 */
export async function addExamples(pipe: Pipeline, image: ImageInput, perLabel: number): Promise<number> {
  for (let i = 0; i < perLabel; i++) {
    await Promise.all(BENCH_LABELS.map((label) => pipe.addExample(label, image)));
  }
  return perLabel * BENCH_LABELS.length;
}
