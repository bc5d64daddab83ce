/**
 * The gesture benchmark's worker (bench/gestures.ts starts it): the engine's own gesture head (`makeHead`
 * with head 'dtw' and pose features, as the engine builds it) holding 20 templates of 60 frames, matching a
 * live stream frame by frame — timed here, in a worker, as the engine's `predict` runs it. The frames are
 * made up (src/bench/gesture-data.ts): matching costs the same whatever poses the numbers stand for.
 */
import { gestureData, POSE_FEATURES } from '../src/bench/gesture-data';
import type { GestureRun } from '../src/bench/types';
import { DEFAULT_ENGINE_OPTIONS } from '../src/protocol/engine-options';
import { summarise } from '../src/protocol/stats';
import { ExampleStore } from '../src/worker/examples';
import { DtwHead } from '../src/worker/heads/dtw';
import { makeHead } from '../src/worker/heads/make-head';

export interface GestureTask {
  templates: number;
  frames: number;
  streamFrames: number;
  /** Frames matched before timing starts (the JIT's warm-up). */
  warmup: number;
}

function measure(task: GestureTask): GestureRun {
  const data = gestureData({
    templates: task.templates,
    frames: task.frames,
    streamFrames: task.warmup + task.streamFrames,
  });
  const store = new ExampleStore();
  const thumbnail = { width: 1, height: 1, data: new Uint8ClampedArray(4) };
  for (const [sequence, t] of data.templates.entries())
    for (const embedding of t.frames) store.add({ label: t.name, embedding, thumbnail, crop: null, sequence });
  const { head: _, ...defaults } = DEFAULT_ENGINE_OPTIONS;
  const head = makeHead({ ...defaults, head: 'dtw', outputs: [] }, store, 'pose');
  if (!(head instanceof DtwHead)) throw new Error('makeHead did not make a gesture head.');
  const setup = performance.now();
  head.ready(); // builds the matchers, as the first prediction after a change does
  const setupMs = performance.now() - setup;
  const FRAME_MS = 1000 / 30;
  const times: number[] = [];
  let matches = 0;
  for (const [i, frame] of data.stream.entries()) {
    const t0 = performance.now();
    const step = head.step(frame, i * FRAME_MS);
    const ms = performance.now() - t0;
    if (i >= task.warmup) times.push(ms);
    if (step.match && i >= task.warmup) matches += 1;
  }
  return {
    templates: task.templates,
    framesPerTemplate: task.frames,
    features: POSE_FEATURES,
    streamFrames: times.length,
    msPerFrame: summarise(times),
    setupMs,
    matches,
    performances: data.performances,
  };
}

self.onmessage = (e: MessageEvent<GestureTask>) => {
  try {
    self.postMessage({ ok: true, value: measure(e.data) });
  } catch (err) {
    self.postMessage({ ok: false, error: `${(err as Error).name}: ${(err as Error).message}` });
  }
};
