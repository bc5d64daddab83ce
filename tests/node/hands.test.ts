/**
 * Hands (features: 'hands') with the real MediaPipe Hands weights on wasm, on the real photo of two hands
 * (../shared/fixtures/hands/hands.jpg): both found, every keypoint where MediaPipe's own test expects it; no
 * hand in the cat photo, said so; a clip panning across the hands followed without the palm detector; the
 * shape vector holding still when the hands move or come nearer, and (with `mirror`) when the other hand
 * makes the shape; no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PixelData } from '../../src/protocol/frame';
import { HAND_KEYPOINT_NAMES, handsBySide, type Hand } from '../../src/protocol/hand';
import { freshMemory, toOscMessages } from '../../src/outputs/osc-messages';
import type { Prediction } from '../../src/protocol/engine-api';
import type { Engine } from '../../src/worker/engine';
import { HandTracker } from '../../src/worker/features/hands/hand-tracker';
import { HAND_VECTOR, handsVector } from '../../src/worker/features/hands/hand-vector';
import { place } from '../support/augment';
import { loadFixture } from '../support/clip';
import { folderHandler, handsEngine } from '../support/engine';
import { SHARED } from '../support/paths';

const photo = loadFixture('hands/hands.jpg'); // 720×382: two open hands, one pointing up, one down

/**
 * MediaPipe's own expected keypoints for this photo, in its pixels (mediapipe/python/solutions/hands_test.py,
 * as tfjs-models' hand-pose-detection tests them, within 12 px).
 */
const EXPECTED = [
  [
    [580, 34],
    [504, 50],
    [459, 94],
    [429, 146],
    [397, 182],
    [507, 167],
    [479, 245],
    [469, 292],
    [464, 330],
    [545, 180],
    [534, 265],
    [533, 319],
    [536, 360],
    [581, 172],
    [587, 252],
    [593, 304],
    [599, 346],
    [615, 168],
    [628, 223],
    [638, 258],
    [648, 288],
  ],
  [
    [138, 343],
    [211, 330],
    [257, 286],
    [289, 237],
    [322, 203],
    [219, 216],
    [238, 138],
    [249, 90],
    [253, 51],
    [177, 204],
    [184, 115],
    [187, 60],
    [185, 19],
    [138, 208],
    [131, 127],
    [124, 77],
    [117, 36],
    [106, 222],
    [92, 159],
    [79, 124],
    [68, 93],
  ],
] as const;
/** tfjs-models' tolerance for this test, in pixels. */
const EPSILON = 12;

/** A keypoint of the engine's square (the picture letterboxed) in the picture's pixels. */
function inPicture(k: { x: number; y: number }, picture: PixelData): [number, number] {
  const side = Math.max(picture.width, picture.height);
  return [k.x * side - (side - picture.width) / 2, k.y * side - (side - picture.height) / 2];
}

/** An untrained prediction, for the OSC messages of its hands. */
const prediction: Prediction = {
  label: '',
  confidences: {},
  t: 0,
  latencyMs: 0,
  timings: { fromPixels: 0, infer: 0, head: 0, total: 0 },
  tensors: 0,
};

const rms = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length);

let engine: Engine;
beforeAll(async () => {
  engine = await handsEngine({ head: 'knn' });
});
afterAll(() => engine.dispose());

describe('MediaPipe Hands', () => {
  test('two hands in the photo: every keypoint within 12 px of where MediaPipe expects it, each hand with its id and handedness', async () => {
    const p = await engine.predict(photo, 1000);
    const hands = p.hands!;
    expect(hands).toHaveLength(2);
    expect(hands.map((h) => h.id).sort()).toEqual([1, 2]);
    for (const expected of EXPECTED) {
      // The hand whose wrist is nearest the expected wrist.
      const hand = [...hands].sort(
        (a, b) =>
          Math.hypot(...inPicture(a.keypoints[0]!, photo).map((v, i) => v - expected[0][i]!)) -
          Math.hypot(...inPicture(b.keypoints[0]!, photo).map((v, i) => v - expected[0][i]!)),
      )[0]!;
      expect(hand.keypoints.map((k) => k.name)).toEqual([...HAND_KEYPOINT_NAMES]);
      const off = hand.keypoints.map((k, i) =>
        Math.round(Math.hypot(...inPicture(k, photo).map((v, c) => v - expected[i]![c]!))),
      );
      expect(Math.max(...off), `pixels off, keypoint by keypoint: ${off.join(' ')}`).toBeLessThanOrEqual(EPSILON);
      expect(hand.score).toBeGreaterThan(0.9);
      // Both are left hands seen from the back (the thumb on the right when the fingers point up): the model,
      // which assumes a mirrored picture, calls them right; the person's is left.
      expect(hand.handedness).toBe('Left');
    }
    expect(p.label).toBe('');
  });

  test('the cat photo: no hand, no label; a frame without a hand teaches nothing and says so', async () => {
    const cat = loadFixture('chelsea.png');
    const p = await engine.predict(cat, 5000);
    expect(p.hands).toEqual([]);
    expect(p.label).toBe('');
    await expect(engine.addExample('open', cat)).rejects.toMatchObject({
      name: 'NoHandError',
      message: expect.stringMatching(/^No hand is in view/),
    });
  });

  test('the raw benchmark times each model alone as well: the palm detector and the landmark model', async () => {
    const raw = await engine.rawBenchmark(100);
    expect(raw.models?.map((m) => m.name)).toEqual(['palm detector (256²)', 'landmark model, full (224²)']);
    for (const m of raw.models!) expect(m.fps).toBeGreaterThan(0);
  });

  test('a clip panning across the hands: both followed with their ids, the palm detector on the first frame only, no tensor left behind', async () => {
    await tf.setBackend('wasm');
    const load = (dir: string, file: string) => tf.loadGraphModel(folderHandler(join(SHARED, 'models', dir), file));
    const palm = await load('hand_detector_palm', 'handdetect.json');
    const landmarks = await load('hand_landmark_full', 'handlandmark-full.json');
    const tracker = new HandTracker(palm, landmarks, 2, 0.85);
    try {
      const ids: number[][] = [];
      const tensors: number[] = [];
      for (let step = 0; step < 20; step++) {
        // 640 of the 720 px, moving right 4 px a frame at 30 fps.
        const x0 = step * 4;
        const square = tf.tidy(() => {
          const t = tf.tensor3d(
            Uint8Array.from(photo.data.filter((_, i) => i % 4 !== 3)),
            [photo.height, photo.width, 3],
            'int32',
          );
          const part = t.slice([0, x0, 0], [photo.height, 640, 3]);
          return part.pad<tf.Tensor3D>([
            [129, 129],
            [0, 0],
            [0, 0],
          ]);
        });
        const hands = await tracker.hands(square, 1000 + step * 33);
        square.dispose();
        ids.push(hands.map((h) => h.id));
        tensors.push(tf.memory().numTensors);
      }
      expect(ids, JSON.stringify(ids)).toEqual(Array(20).fill([1, 2]));
      expect(tracker.counts).toEqual({ frames: 20, runs: 1 });
      expect(new Set(tensors.slice(1)).size, JSON.stringify(tensors)).toBe(1);
    } finally {
      palm.dispose();
      landmarks.dispose();
    }
  });
});

describe('pictures that do not follow each other', () => {
  test('a hand elsewhere in the very next frame is found there, not looked for where the last hand was', async () => {
    const run = await handsEngine();
    try {
      const up = place(photo, { size: 480, scale: 0.5, cx: 0.3, cy: 0.5, region: [0, 0, 360, 382] });
      const down = place(photo, { size: 480, scale: 0.5, cx: 0.7, cy: 0.5, region: [360, 0, 360, 382] });
      const first = await run.predict(up, 1000);
      const next = await run.predict(down, 1033);
      expect(first.hands).toHaveLength(1);
      expect(next.hands, 'the next frame, 33 ms on').toHaveLength(1);
      // The hand pointing down: its wrist above its middle fingertip, on the right of the frame.
      const [wrist, tip] = [next.hands![0]!.keypoints[0]!, next.hands![0]!.keypoints[12]!];
      expect(wrist.y).toBeLessThan(tip.y);
      expect(wrist.x).toBeGreaterThan(0.5);
    } finally {
      await run.dispose();
    }
  });
});

describe('the shape vector', () => {
  test('holds still when the hands move across the frame or come nearer; the two hands differ', async () => {
    // Two stills (more than a second apart: each read afresh).
    const base = (await engine.predict(photo, 20_000)).hands!;
    const moved = (await engine.predict(place(photo, { size: 600, scale: 0.8, cx: 0.45, cy: 0.55 }), 22_000)).hands!;
    expect(moved).toHaveLength(2);
    // Each hand (the photo's two are both called left: by their place, handsBySide) against itself.
    const [m0, m1] = handsBySide(moved);
    for (const [i, hand] of handsBySide(base).entries()) {
      expect(rms(handsVector([hand!]), handsVector([[m0, m1][i]!]))).toBeLessThan(0.1);
    }
    // The two hands (one pointing up, one down) are far apart as shapes.
    const [a, b] = base.map((h) => handsVector([h]));
    expect(rms(a!, b!)).toBeGreaterThan(0.3);
  });

  test('a missing hand is a slot of zeros; with mirror, the same shape made with the other hand gives the same numbers', async () => {
    const hands = (await engine.predict(photo, 30_000)).hands!;
    const left = hands.filter((h) => h.handedness === 'Left').slice(0, 1);
    const v = handsVector(left);
    // Not mirrored: the right hand's slot first, empty; the left's second, with its presence 1.
    expect([...v.subarray(0, HAND_VECTOR)].every((x) => x === 0)).toBe(true);
    expect(v[2 * HAND_VECTOR - 1]).toBe(1);
    // The photo flipped: the same shapes made with right hands.
    const flipped = (await engine.predict(place(photo, { size: 720, scale: 1, cx: 0.5, cy: 0.5, flip: true }), 40_000))
      .hands!;
    expect(flipped.map((h) => h.handedness)).toEqual(['Right', 'Right']);
    const match = (h: Hand) => flipped.find((f) => Math.abs(f.keypoints[0]!.y - h.keypoints[0]!.y) < 0.05)!;
    for (const h of hands) {
      expect(rms(handsVector([h], true), handsVector([match(h)], true))).toBeLessThan(0.05);
      expect(rms(handsVector([h]), handsVector([match(h)]))).toBeGreaterThan(0.3);
    }
  });

  test("two hands called the same side (the photo's two left hands) both count: the one on the picture's left in the right hand's slot, and over OSC", async () => {
    const hands = (await engine.predict(photo, 60_000)).hands!;
    expect(hands.map((h) => h.handedness)).toEqual(['Left', 'Left']);
    const [first, second] = handsBySide(hands);
    expect(first!.keypoints[0]!.x).toBeLessThan(second!.keypoints[0]!.x);
    const v = handsVector(hands);
    expect(v[HAND_VECTOR - 1]).toBe(1);
    expect(v[2 * HAND_VECTOR - 1]).toBe(1);
    expect(rms(v.subarray(0, HAND_VECTOR), handsVector([first!]).subarray(HAND_VECTOR))).toBeLessThan(1e-6);
    // Mirrored frames: the other way round.
    expect(handsBySide(hands, true)).toEqual([second, first]);
    const sent = toOscMessages({ ...prediction, hands }, freshMemory(), {
      prefix: '/tw',
      mode: 'tw',
      labelEveryFrame: false,
      perLabel: false,
      hands: true,
    }).map((m) => m.address);
    expect(sent.filter((a) => a === '/tw/hand/right' || a === '/tw/hand/left')).toEqual([
      '/tw/hand/right',
      '/tw/hand/left',
    ]);
  });
});

describe('at the edge of the picture, and over a long run', () => {
  test('a hand cut by the edge is still followed, its keypoints beyond the edge where the model puts them; one almost out of the picture teaches nothing, says why, and loses nothing', async () => {
    const edge = await handsEngine({ head: 'knn' });
    try {
      const up = (cx: number) => place(photo, { size: 480, scale: 0.6, cx, cy: 0.5, region: [0, 0, 360, 382] });
      await edge.addExample('up', up(0.5));
      // A third of the hand beyond the right edge: found, the fingers' x past 1.
      const cut = await edge.predict(up(0.9), 1000);
      expect(cut.hands).toHaveLength(1);
      const xs = cut.hands![0]!.keypoints.map((k) => k.x);
      expect(Math.max(...xs)).toBeGreaterThan(1);
      expect(Math.min(...xs)).toBeGreaterThan(0.6);
      await edge.addExample('up', up(0.9));
      // Its centre on the edge: no hand; as an example, NoHandError, and the examples are as they were.
      const before = await edge.counts();
      const tensors = (await edge.memory()).numTensors;
      expect((await edge.predict(up(1), 3000)).hands).toEqual([]);
      await expect(edge.addExample('up', up(1))).rejects.toMatchObject({
        name: 'NoHandError',
        message: expect.stringMatching(/clear of the edges of the picture/),
      });
      expect(await edge.counts()).toEqual(before);
      expect(before.perLabel).toEqual({ up: 2 });
      expect((await edge.memory()).numTensors).toBe(tensors);
    } finally {
      await edge.dispose();
    }
  });

  test('hands coming and going, trained and not: no tensor left behind, an id for each hand found, never given twice', async () => {
    const run = await handsEngine({ head: 'knn', knn: { k: 1 } });
    try {
      const cat = loadFixture('chelsea.png');
      const one = place(photo, { size: 480, scale: 0.6, cx: 0.5, cy: 0.5, region: [0, 0, 360, 382] });
      const frames = [photo, photo, cat, one, one, cat, photo, one, cat, photo];
      const tensors: number[] = [];
      const detector: { frames: number; runs: number }[] = [];
      const ids: number[] = [];
      let t = 0;
      for (const [i, frame] of [...frames, ...frames].entries()) {
        // Trained half way through: labels from then on.
        if (i === frames.length) {
          await run.addExample('two', photo);
          await run.addExample('one', one);
        }
        t += 40;
        const p = await run.predict(frame, t);
        tensors.push(p.tensors);
        detector.push(p.palmDetector!);
        expect(p.hands, `frame ${i}`).toHaveLength(frame === cat ? 0 : frame === one ? 1 : 2);
        for (const h of p.hands!) if (!ids.includes(h.id)) ids.push(h.id);
        if (i >= frames.length) expect(p.label, `frame ${i}`).toBe(frame === cat ? '' : frame === one ? 'one' : 'two');
      }
      expect(new Set(tensors.slice(2)).size, JSON.stringify(tensors)).toBe(1);
      // Each prediction says how often the palm detector ran: on every frame with no hand followed, else seldom.
      expect(detector.at(-1)!.frames - detector[0]!.frames).toBe(2 * frames.length - 1 + 2); // and 2 examples
      expect(detector[1]!.runs).toBe(detector[0]!.runs); // both hands followed from the frame before
      expect(detector[2]!.runs).toBe(detector[1]!.runs + 1); // both lost to the cat: looked for again
      // Ids only grow: a hand back after the cat is a new one.
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(ids.length).toBeGreaterThanOrEqual(8);
    } finally {
      await run.dispose();
    }
  });
});

describe('hand shapes taught', () => {
  test('a hand pointing up and one pointing down, taught from one placement each, are told apart wherever they are', async () => {
    const taught = await handsEngine({ head: 'knn', knn: { k: 1 } });
    try {
      // Each hand alone: the left half of the photo has the hand pointing up, the right half the one pointing
      // down (its forearm cut by the photo's top edge: the palm detector loses it when it is drawn much larger).
      const up = (scale: number, cx: number, cy: number) =>
        place(photo, { size: 480, scale, cx, cy, region: [0, 0, 360, 382] });
      const down = (scale: number, cx: number, cy: number) =>
        place(photo, { size: 480, scale, cx, cy, region: [360, 0, 360, 382] });
      await taught.addExample('up', up(0.55, 0.5, 0.5));
      await taught.addExample('down', down(0.55, 0.5, 0.5));
      await taught.train();
      const seen: string[] = [];
      for (const [label, picture] of [
        ['up', up(0.5, 0.35, 0.6)],
        ['down', down(0.5, 0.65, 0.4)],
        ['up', up(0.6, 0.6, 0.45)],
        ['down', down(0.6, 0.4, 0.55)],
      ] as const) {
        const p = await taught.predict(picture, 50_000 + seen.length * 1000);
        expect(p.hands, label).toHaveLength(1);
        seen.push(`${label}→${p.label}`);
      }
      expect(seen).toEqual(['up→up', 'down→down', 'up→up', 'down→down']);
    } finally {
      await taught.dispose();
    }
  });
});
