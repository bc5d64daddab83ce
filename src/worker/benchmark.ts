/**
 * The model alone on the active backend, timed: `measure` for `auto`'s choice of backend, `rawBenchmark` for
 * `npm run bench` and the app's Benchmark panel (the speed limit the pipeline is judged against).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelRate, RawBenchmark } from '../protocol/engine-api';
import type { Backend } from '../protocol/engine-options';
import { FRAME_SIZE } from '../protocol/frame';
import { percentile } from '../protocol/stats';
import type { Milliseconds } from '../protocol/units';
import type { ExtractorModel, FeatureExtractor } from './features/feature-extractor';

/** Mean ms per frame on the active backend: one warm-up, then frames until `deadline` (at most 5). */
export async function measure(features: FeatureExtractor, deadline: Milliseconds): Promise<Milliseconds> {
  const probe = tf.zeros<tf.Rank.R3>([FRAME_SIZE, FRAME_SIZE, 3], 'int32');
  try {
    const run = async () => {
      const t0 = performance.now();
      await features.extract(probe);
      return performance.now() - t0;
    };
    const first = await run();
    const times: number[] = [];
    while (times.length < 5 && performance.now() < deadline) times.push(await run());
    return times.length ? times.reduce((a, b) => a + b, 0) / times.length : first;
  } finally {
    probe.dispose();
  }
}

/**
 * The model for `durationMs` (at least 3 frames) on one frame already a tensor: `extract` + readback in a
 * loop; where the features take several models (hands), each one alone too, for as long again.
 */
export async function rawBenchmark(features: FeatureExtractor, durationMs: Milliseconds): Promise<RawBenchmark> {
  const frame = tf.tidy(() => tf.randomUniform<tf.Rank.R3>([FRAME_SIZE, FRAME_SIZE, 3], 0, 255, 'int32'));
  try {
    const { frames, fps, msPerFrame } = await timed(() => features.extract(frame), durationMs);
    const models: ModelRate[] = [];
    for (const m of features.models ?? []) models.push(await timeModel(m, durationMs / features.models!.length));
    return { backend: tf.getBackend() as Backend, frames, fps, msPerFrame, ...(models.length ? { models } : {}) };
  } finally {
    frame.dispose();
  }
}

/** One graph model alone on a `size`² input of zeros, for `durationMs` (at least 3 runs): execute + readback. */
async function timeModel({ name, model, size }: ExtractorModel, durationMs: Milliseconds): Promise<ModelRate> {
  const input = tf.zeros<tf.Rank.R4>([1, size, size, 3]);
  try {
    const run = async () => {
      const out = model.execute(input);
      const outs = Array.isArray(out) ? out : [out];
      try {
        await Promise.all(outs.map((o) => o.data()));
      } finally {
        tf.dispose(outs);
      }
    };
    const { fps, msPerFrame } = await timed(run, durationMs);
    return { name, fps, msPerFrame };
  } finally {
    input.dispose();
  }
}

/** `run` once to warm up (shader compilation is not the steady state), then timed for `durationMs`, at least 3 times. */
async function timed(run: () => Promise<unknown>, durationMs: Milliseconds) {
  await run();
  const times: number[] = [];
  const start = performance.now();
  while (performance.now() - start < durationMs || times.length < 3) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  const elapsed = performance.now() - start;
  return {
    frames: times.length,
    fps: (times.length / elapsed) * 1000,
    msPerFrame: { mean: elapsed / times.length, p50: percentile(times, 50), p95: percentile(times, 95) },
  };
}
