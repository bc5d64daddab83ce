/**
 * The gesture line of the benchmark: matching 20 templates of 60 frames (51 pose features each) against
 * the live stream, in a worker (bench/gesture-worker.ts). Goal: under 2 ms a frame, so that gestures add
 * next to nothing to a pose pipeline's 30 fps.
 */
import type { GestureRun } from '../src/bench/types';
import type { GestureTask } from './gesture-worker';

export function measureGestures(task: GestureTask): Promise<GestureRun> {
  const worker = new Worker(new URL('./gesture-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<GestureRun>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ ok: true; value: GestureRun } | { ok: false; error: string }>) =>
      e.data.ok ? resolve(e.data.value) : reject(new Error(e.data.error));
    worker.onerror = (e) => reject(new Error(`The gesture benchmark's worker failed: ${e.message}`));
    worker.postMessage(task);
  }).finally(() => worker.terminate());
}
