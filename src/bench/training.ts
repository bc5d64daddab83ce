/**
 * Training on wasm: the dense head on 3 labels × N examples with the default epochs, and kNN — which
 * has no training step — from the last example added to its first prediction. Also what `auto` picks.
 */
import { createPipeline } from '../streams/pipeline';
import { DEFAULT_ENGINE_OPTIONS } from '../protocol/engine-options';
import { addExamples } from './add-examples';
import type { TrainingRun } from './types';

/** @example const t = await measureTraining(video, 50) */
export async function measureTraining(video: HTMLVideoElement, perLabel = 50): Promise<TrainingRun> {
  const dense = await createPipeline({ backend: 'wasm', head: 'dense', rememberBackend: false });
  let denseMs: number;
  let examples: number;
  try {
    examples = await addExamples(dense, video, perLabel);
    const t0 = performance.now();
    await dense.train();
    denseMs = performance.now() - t0;
  } finally {
    await dense.close();
  }

  const knn = await createPipeline({ backend: 'wasm', head: 'knn', rememberBackend: false });
  let knnFirstPredictionMs: number;
  try {
    await addExamples(knn, video, perLabel);
    const t0 = performance.now();
    await knn.classify(video);
    knnFirstPredictionMs = performance.now() - t0;
  } finally {
    await knn.close();
  }

  const auto = await createPipeline({ backend: 'auto', rememberBackend: false });
  const picked = { picked: auto.info.backend.backend, reason: auto.info.backend.reason };
  await auto.close();
  return {
    backend: 'wasm',
    examples,
    epochs: DEFAULT_ENGINE_OPTIONS.train.epochs,
    denseMs,
    knnFirstPredictionMs,
    auto: picked,
  };
}
