/**
 * The engine on the main thread, for the baseline only: the same model, head and backends as the
 * worker (see src/worker/worker.ts), loaded with a dynamic `import()` so the app's own bundle stays
 * free of tfjs until someone runs the benchmark.
 */
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../worker/engine';
import { useBundledBackends } from '../worker/wasm-files';
import { mergeEngineOptions } from '../protocol/options';
import type { Backend, FeatureKind } from '../protocol/engine-options';

useBundledBackends();
// One thread, as the libraries the baseline stands for run it. (On a cross-origin isolated page tfjs would
// pick its threaded wasm, whose helper workers fail to start from this bundle: "e is not defined".)
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/** A started engine on this thread, dense head, a few epochs (the baseline measures prediction, not training). */
export async function mainThreadEngine(backend: Backend, features: FeatureKind = 'image'): Promise<Engine> {
  const engine = new Engine();
  const report = await engine.init(
    mergeEngineOptions({
      backend,
      features,
      head: 'dense',
      train: { epochs: 3 },
      modelBaseUrl: new URL('models/', document.baseURI).href,
    }),
  );
  if (report.backend.backend !== backend) {
    await engine.dispose();
    throw new Error(`${backend} is not available on the main thread: ${report.backend.reason}`);
  }
  return engine;
}
