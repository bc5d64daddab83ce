/**
 * The baseline the worker pipeline is compared with: the same model and head on the main thread, one
 * prediction per animation frame whenever the last one has finished — the loop ml5's featureExtractor
 * and Teachable Machine's library run. Its fps, long tasks and frame gaps show what the worker saves.
 */
import { frameShapeFor } from '../protocol/frame';
import { toBitmap } from '../streams/sources/picture';
import type { Backend, FeatureKind } from '../protocol/engine-options';
import type { Milliseconds } from '../protocol/units';
import { BENCH_LABELS } from './add-examples';
import { watchMainThread } from './main-thread-monitor';
import type { BackendRun } from './types';

/** @example const b = await measureBaseline('wasm', video, 10_000) */
export async function measureBaseline(
  backend: Backend,
  video: HTMLVideoElement,
  durationMs: Milliseconds,
  features: FeatureKind = 'image',
): Promise<NonNullable<BackendRun['baseline']>> {
  const { mainThreadEngine } = await import('./baseline-engine');
  const engine = await mainThreadEngine(backend, features);
  try {
    const { fit, size } = frameShapeFor(features);
    const frame = () => toBitmap(video, size, fit);
    for (let i = 0; i < 2; i++) for (const label of BENCH_LABELS) await engine.addExample(label, await frame());
    await engine.train();
    await engine.predict(await frame(), performance.now()); // warm-up, as the worker's pipeline was

    const watch = watchMainThread();
    let predictions = 0;
    let busy = false;
    let handle = 0;
    const start = performance.now();
    const tick = () => {
      if (!busy) {
        busy = true;
        const t = performance.now();
        void frame()
          .then((bitmap) => engine.predict(bitmap, t))
          .then(() => (predictions += 1))
          .finally(() => (busy = false));
      }
      handle = requestAnimationFrame(tick);
    };
    handle = requestAnimationFrame(tick);
    await new Promise((r) => setTimeout(r, durationMs));
    cancelAnimationFrame(handle);
    const seconds = (performance.now() - start) / 1000;
    const main = watch.stop();
    while (busy) await new Promise((r) => setTimeout(r, 10));
    return {
      fps: predictions / seconds,
      frames: predictions,
      longTasks: main.longTasks,
      maxFrameGapMs: main.maxFrameGapMs,
    };
  } finally {
    await engine.dispose();
  }
}
