/**
 * The One Euro filter on keypoints: still keypoints with camera-like jitter come out steady, a fast move
 * comes through without the lag a plain low-pass filter of the same steadiness has, and frames with nobody
 * in view pass as they are.
 */
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { oneEuro } from '../../src/streams/operators/one-euro';
import { KEYPOINT_NAMES } from '../../src/protocol/pose';
import type { Prediction } from '../../src/protocol/engine-api';
import { rng } from '../support/augment';

const FRAME_MS = 1000 / 30;
const timings = { fromPixels: 0, infer: 0, head: 0, total: 0 };

/** A prediction whose every keypoint is at (x, y). */
const at = (t: number, x: number, y = 0.5, noPerson = false): Prediction => ({
  label: '',
  confidences: {},
  t,
  latencyMs: 0,
  timings,
  tensors: 0,
  pose: { noPerson, keypoints: KEYPOINT_NAMES.map((name) => ({ name, x, y, score: 0.9 })) },
});

const run = (input: Prediction[], options?: Parameters<typeof oneEuro>[0]) =>
  firstValueFrom(from(input).pipe(oneEuro(options), toArray()));
const xs = (ps: Prediction[]) => ps.map((p) => p.pose!.keypoints[9]!.x); // left wrist
const std = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

describe('oneEuro', () => {
  const noise = rng(3);
  const gauss = () => Math.sqrt(-2 * Math.log(noise() + 1e-12)) * Math.cos(2 * Math.PI * noise());

  test('a still keypoint with jitter comes out at least 2.5× steadier', async () => {
    const input = Array.from({ length: 90 }, (_, i) => at(i * FRAME_MS, 0.5 + 0.01 * gauss()));
    const out = xs(await run(input)).slice(15);
    expect(std(out)).toBeLessThan(std(xs(input).slice(15)) / 2.5);
    expect(Math.abs(out.reduce((a, b) => a + b, 0) / out.length - 0.5)).toBeLessThan(0.005);
  });

  test('a fast move comes through within a few frames, where a low-pass of the same steadiness lags', async () => {
    // Still at 0.2, then across to 0.7 in 6 frames (a hand flung across the frame), then still.
    const path = (i: number) => (i < 30 ? 0.2 : i < 36 ? 0.2 + (0.5 * (i - 30)) / 6 : 0.7);
    const input = Array.from({ length: 60 }, (_, i) => at(i * FRAME_MS, path(i) + 0.004 * gauss()));
    const filtered = xs(await run(input));
    const settled = (v: number[]) => v.findIndex((x, i) => i >= 36 && Math.abs(x - 0.7) < 0.03) - 36;
    // A plain exponential low-pass at the One Euro's own cut-off when still (1 Hz): as steady, much slower.
    const a = 1 / (1 + 1 / (2 * Math.PI * 1 * (FRAME_MS / 1000)));
    const lowPass: number[] = [];
    for (const x of xs(input)) lowPass.push(lowPass.length ? lowPass.at(-1)! + a * (x - lowPass.at(-1)!) : x);
    expect(settled(filtered)).toBeLessThanOrEqual(3);
    expect(settled(lowPass) === -37 || settled(lowPass) > 10).toBe(true); // -37: never within 0.03 at all
  });

  test('frames with nobody pass unchanged and start the filter afresh; options are checked', async () => {
    const out = await run([at(0, 0.2), at(FRAME_MS, 0.9, 0.5, true), at(2 * FRAME_MS, 0.8)]);
    expect(xs(out)).toEqual([0.2, 0.9, 0.8]); // after nobody, the first frame is taken as it is
    expect(() => oneEuro({ minCutoff: 0 })).toThrow(/minCutoff must be > 0/);
    expect(() => oneEuro({ beta: -1 })).toThrow(/beta must be ≥ 0/);
  });
});
