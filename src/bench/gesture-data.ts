/**
 * Pose-feature sequences for the gesture benchmark, made up but shaped like the real ones: templates are
 * smooth movements (each of the 51 numbers drifts from a shared rest pose along its own smooth curve), and
 * the live stream rests, performs one template or another at 0.7–1.4× its speed with jitter, and rests
 * again — so the matcher meets near-misses and real matches, as it does live. Seeded: every run matches the
 * same frames. No DOM, no tfjs: the benchmark's worker imports it.
 */
import { rng } from './random';

/** Numbers per frame: 17 keypoints × (dx, dy, weight), as pose-vector.ts makes them. */
export const POSE_FEATURES = 51;

export interface GestureData {
  /** `templates` sequences of `frames` frames each, named `g0`, `g1`, … */
  templates: { name: string; frames: Float32Array[] }[];
  /** The live stream, frame by frame. */
  stream: Float32Array[];
  /** How many performances of a template the stream holds. */
  performances: number;
}

/**
 * @example const data = gestureData({ templates: 20, frames: 60, streamFrames: 3000 }); // 20 × 60 × 51
 */
export function gestureData(o: {
  templates: number;
  frames: number;
  streamFrames: number;
  seed?: number;
}): GestureData {
  const next = rng(o.seed ?? 9);
  const rest = Float32Array.from({ length: POSE_FEATURES }, (_, i) => (i % 3 === 2 ? 0.5 : next() * 2 - 1));
  /** Each template: per feature, an amplitude and a phase of a half-period sine, so it moves away and on. */
  const shapes = Array.from({ length: o.templates }, () =>
    Array.from({ length: POSE_FEATURES }, (_, i) => ({
      amplitude: i % 3 === 2 ? 0 : (next() - 0.5) * 1.2,
      phase: next() * Math.PI,
    })),
  );
  /** Template `k` at `u` (0 start … 1 end) of its movement. */
  const at = (k: number, u: number, jitter = 0) =>
    Float32Array.from(rest, (r, i) => {
      const { amplitude, phase } = shapes[k]![i]!;
      return r + amplitude * (Math.sin(phase + u * Math.PI) - Math.sin(phase)) + (next() - 0.5) * jitter;
    });
  const templates = shapes.map((_, k) => ({
    name: `g${k}`,
    frames: Array.from({ length: o.frames }, (_, j) => at(k, j / (o.frames - 1), 0.02)),
  }));
  const stream: Float32Array[] = [];
  let performances = 0;
  while (stream.length < o.streamFrames) {
    const still = 10 + Math.floor(next() * 30);
    for (let i = 0; i < still; i++) stream.push(at(0, 0, 0.03));
    const k = Math.floor(next() * o.templates);
    const length = Math.round(o.frames * (0.7 + 0.7 * next()));
    for (let j = 0; j < length; j++) stream.push(at(k, j / (length - 1), 0.04));
    performances += 1;
  }
  return { templates, stream: stream.slice(0, o.streamFrames), performances };
}
