/**
 * The One Euro filter on keypoints, against the README's claim: a still body comes out steady (jitter 2.5×
 * smaller or better), and a fast move settles within 3 frames, where a plain low-pass as steady on the still
 * body takes 6 or more. Frames with nobody in view pass as they are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, test } from 'vitest';
import { ONE_EURO_DEFAULTS, oneEuro } from '../../src/streams/operators/one-euro';
import { KEYPOINT_NAMES } from '../../src/protocol/pose';
import { HAND_KEYPOINT_NAMES } from '../../src/protocol/hand';
import type { Prediction } from '../../src/protocol/engine-api';
import { rng } from '../support/augment';
import { REPO } from '../support/paths';

/** The README's numbers: jitter this many times smaller, or better… */
const STEADIER = 2.5;
/** …a fast move settled within this many frames of stopping… */
const SETTLES_WITHIN = 3;
/** …where a plain low-pass as steady takes this many or more. */
const LOW_PASS_TAKES = 6;

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

/** A plain low-pass filter, written here on its own: an exponential moving average, `a` the newest value's weight. */
const lowPass = (v: number[], a: number) => {
  const out: number[] = [];
  for (const x of v) out.push(out.length ? out.at(-1)! + a * (x - out.at(-1)!) : x);
  return out;
};

// Camera-like jitter, seeded: the same sequences every run.
const noise = rng(3);
const gauss = () => Math.sqrt(-2 * Math.log(noise() + 1e-12)) * Math.cos(2 * Math.PI * noise());
/** A still body: the wrist at 0.5, with 0.01 of jitter. The first frames are the filters' warm-up. */
const STILL = Array.from({ length: 90 }, (_, i) => at(i * FRAME_MS, 0.5 + 0.01 * gauss()));
const WARM_UP = 15;
/** Still at 0.2, then across to 0.7 in 6 frames (a hand flung across the frame), then still. */
const MOVE_END = 36;
const path = (i: number) => (i < 30 ? 0.2 : i < MOVE_END ? 0.2 + (0.5 * (i - 30)) / 6 : 0.7);
const MOVE = Array.from({ length: 60 }, (_, i) => at(i * FRAME_MS, path(i) + 0.004 * gauss()));
/** Frames after the move's end until the output stays within 0.03 of where the hand stopped. */
const settles = (v: number[]) => {
  let last = MOVE_END - 1;
  for (let i = MOVE_END; i < v.length; i++) if (Math.abs(v[i]! - 0.7) >= 0.03) last = i;
  return last + 1 - MOVE_END;
};
const jitter = (v: number[]) => std(v.slice(WARM_UP));

describe('oneEuro', () => {
  test(`a still body: jitter ${STEADIER}× smaller or better, and no drift`, async () => {
    const out = xs(await run(STILL)).slice(WARM_UP);
    expect(std(out)).toBeLessThanOrEqual(jitter(xs(STILL)) / STEADIER);
    expect(Math.abs(out.reduce((a, b) => a + b, 0) / out.length - 0.5)).toBeLessThan(0.005);
  });

  test(`a fast move settles within ${SETTLES_WITHIN} frames; a plain low-pass as steady on the still body takes ${LOW_PASS_TAKES} or more`, async () => {
    // The low-pass's weight, found by bisection, that makes it exactly as steady as the One Euro on STILL.
    const steadiness = jitter(xs(await run(STILL)));
    let [lo, hi] = [0, 1];
    for (let i = 0; i < 50; i++) {
      const a = (lo + hi) / 2;
      if (jitter(lowPass(xs(STILL), a)) > steadiness) hi = a;
      else lo = a;
    }
    const a = (lo + hi) / 2;
    expect(jitter(lowPass(xs(STILL), a))).toBeCloseTo(steadiness, 6);

    expect(settles(xs(await run(MOVE)))).toBeLessThanOrEqual(SETTLES_WITHIN);
    expect(settles(lowPass(xs(MOVE), a))).toBeGreaterThanOrEqual(LOW_PASS_TAKES);
  });

  test('frames with nobody pass unchanged and start the filter afresh; options are checked', async () => {
    const out = await run([at(0, 0.2), at(FRAME_MS, 0.9, 0.5, true), at(2 * FRAME_MS, 0.8)]);
    expect(xs(out)).toEqual([0.2, 0.9, 0.8]); // after nobody, the first frame is taken as it is
    expect(() => oneEuro({ minCutoff: 0 })).toThrow(/minCutoff must be > 0/);
    expect(() => oneEuro({ beta: -1 })).toThrow(/beta must be ≥ 0/);
  });

  test("the README's Operators table states these numbers and ONE_EURO_DEFAULTS", () => {
    const row = readFileSync(join(REPO, 'README.md'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('| `oneEuro('))!;
    expect(row).toContain(`| \`${ONE_EURO_DEFAULTS.minCutoff}\` Hz, \`${ONE_EURO_DEFAULTS.beta}\` |`);
    expect(row).toContain(`jitter ${STEADIER}× smaller or better`);
    expect(row).toContain(`settles within ${SETTLES_WITHIN} frames of stopping`);
    expect(row).toContain(`takes ${LOW_PASS_TAKES} or more`);
  });
});

describe('hands', () => {
  /** A prediction with one hand `id` whose every keypoint is at (x, 0.5). */
  const hand = (t: number, id: number, x: number): Prediction => ({
    label: '',
    confidences: {},
    t,
    latencyMs: 0,
    timings,
    tensors: 0,
    hands: [
      {
        id,
        handedness: 'Right',
        score: 0.99,
        keypoints: HAND_KEYPOINT_NAMES.map((name) => ({ name, x, y: 0.5, z: 0, score: 0.99 })),
      },
    ],
  });
  const handX = (ps: Prediction[]) => ps.map((p) => p.hands![0]!.keypoints[8]!.x);

  test("each hand's keypoints are steadied as a pose's are, by the hand's id; a new hand starts afresh", async () => {
    const jittery = Array.from({ length: 90 }, (_, i) => hand(i * FRAME_MS, 1, 0.5 + 0.01 * gauss()));
    const out = await run(jittery);
    const raw = handX(jittery).slice(WARM_UP);
    expect(std(raw) / std(handX(out).slice(WARM_UP))).toBeGreaterThanOrEqual(STEADIER);
    // Another hand (id 2) somewhere else: taken as it is, not pulled from where hand 1 was.
    const [, other] = await run([hand(0, 1, 0.2), hand(FRAME_MS, 2, 0.8)]);
    expect(other!.hands![0]!.keypoints[8]!.x).toBe(0.8);
  });
});

describe('people', () => {
  /** A prediction with person `id` (every keypoint at (x, 0.5)) and, from `withSecond`, person 2 at 0.9. */
  const people = (t: number, id: number, x: number, withSecond = false): Prediction => {
    const person = (pid: number, px: number) => ({
      id: pid,
      keypoints: KEYPOINT_NAMES.map((name) => ({ name, x: px, y: 0.5, score: 0.9 })),
      box: { xMin: px - 0.1, yMin: 0.2, xMax: px + 0.1, yMax: 0.8 },
      score: 0.9,
    });
    return {
      label: '',
      confidences: {},
      t,
      latencyMs: 0,
      timings,
      tensors: 0,
      people: [person(id, x), ...(withSecond ? [person(2, 0.9)] : [])],
      peopleChanged: { entered: [], left: [] },
    };
  };
  const wristX = (ps: Prediction[]) => ps.map((p) => p.people![0]!.keypoints[9]!.x);

  test("each person's keypoints are steadied by their id; someone new starts afresh", async () => {
    const jittery = Array.from({ length: 90 }, (_, i) => people(i * FRAME_MS, 1, 0.5 + 0.01 * gauss(), i >= 60));
    const out = await run(jittery);
    expect(std(wristX(jittery).slice(WARM_UP)) / std(wristX(out).slice(WARM_UP))).toBeGreaterThanOrEqual(STEADIER);
    // Person 2, come into view at frame 60, is taken as they are, not pulled from where person 1 was.
    expect(out[60]!.people![1]!.keypoints[9]!.x).toBe(0.9);
    expect(out[60]!.people![1]!.box).toEqual(jittery[60]!.people![1]!.box);
  });
});
