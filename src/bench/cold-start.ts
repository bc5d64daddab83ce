/**
 * Cold start as a user meets it: from the page's navigation to the first prediction — model load
 * (IndexedDB cache or network), worker start, backend warm-up, two kNN examples and one prediction.
 */
import { createPipeline } from '../streams/pipeline';
import type { Backend } from '../protocol/engine-options';
import type { Milliseconds } from '../protocol/units';

export interface ColdStart {
  /** Since navigation start (`performance.timeOrigin`). */
  firstPredictionMs: Milliseconds;
  /** Where the weights came from: `cache` (IndexedDB) or `local`/`remote` (network). */
  modelSource: string;
  backend: Backend;
}

/** Call as early as the page can, with the camera opening in parallel (as the app does). */
export async function measureColdStart(
  camera: Promise<HTMLVideoElement>,
  backend: Backend = 'wasm',
): Promise<ColdStart> {
  const pipe = await createPipeline({ backend, head: 'knn', rememberBackend: false });
  try {
    const video = await camera;
    await pipe.addExample('a', video);
    await pipe.addExample('b', video);
    await pipe.classify(video);
    return {
      firstPredictionMs: performance.now(),
      modelSource: pipe.info.model.source,
      backend: pipe.info.backend.backend,
    };
  } finally {
    await pipe.close();
  }
}
