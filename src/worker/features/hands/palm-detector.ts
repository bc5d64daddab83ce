/**
 * MediaPipe's palm detector (256×256, 2,944 SSD anchors): where the palms are, each as a box and 7 palm
 * keypoints (0: the wrist's middle, 2: the middle finger's base), decoded and de-duplicated the way
 * MediaPipe's palm detection does (its anchors, a sigmoid score, non-maximum suppression).
 */
import * as tf from '@tensorflow/tfjs';
import { centred, overlap } from '../overlap';

export const PALM_SIZE = 256;
/** A palm scoring below this is not one (MediaPipe's `min_score_thresh`). */
export const PALM_MIN_SCORE = 0.5;
/** Palms overlapping more than this are the same palm (MediaPipe's `min_suppression_threshold`). */
const PALM_OVERLAP = 0.3;

/** A point in 0..1 of the square the detector saw. */
export interface Point {
  x: number;
  y: number;
}

export interface Palm {
  /** Centre and size, in 0..1 of the square. */
  box: { cx: number; cy: number; w: number; h: number };
  /** The 7 palm keypoints: 0 the wrist, 1 the index finger's base, 2 the middle finger's base, … */
  keypoints: Point[];
  score: number;
}

/**
 * The anchors' centres, in MediaPipe's order: layers of strides 8, 16 and 32 (the last three of its five
 * layers share stride 32), 2 anchors a cell (6 where layers merge), all of size 1 (`fixed_anchor_size`).
 */
export const ANCHORS: readonly Point[] = (() => {
  const anchors: Point[] = [];
  for (const [stride, perCell] of [
    [8, 2],
    [16, 2],
    [32, 6],
  ] as const) {
    const cells = Math.ceil(PALM_SIZE / stride);
    for (let y = 0; y < cells; y++)
      for (let x = 0; x < cells; x++)
        for (let a = 0; a < perCell; a++) anchors.push({ x: (x + 0.5) / cells, y: (y + 0.5) / cells });
  }
  return anchors;
})();

const boxOf = ({ box: b }: Palm) => centred(b.cx, b.cy, b.w, b.h);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, v))));

/** Decodes the detector's [2944, 19] rows into palms, best first, duplicates suppressed. */
export function decodePalms(raw: Float32Array | Int32Array | Uint8Array, maxPalms: number): Palm[] {
  const row = 19;
  const found: Palm[] = [];
  for (let i = 0; i < ANCHORS.length; i++) {
    const at = i * row;
    // Each row: the score's logit, the box (centre offset from the anchor, and size, in input pixels), then
    // the 7 keypoints' offsets.
    const score = sigmoid(raw[at]!);
    if (score < PALM_MIN_SCORE) continue;
    const anchor = ANCHORS[i]!;
    const keypoints: Point[] = [];
    for (let k = 0; k < 7; k++)
      keypoints.push({
        x: raw[at + 5 + 2 * k]! / PALM_SIZE + anchor.x,
        y: raw[at + 6 + 2 * k]! / PALM_SIZE + anchor.y,
      });
    found.push({
      box: {
        cx: raw[at + 1]! / PALM_SIZE + anchor.x,
        cy: raw[at + 2]! / PALM_SIZE + anchor.y,
        w: raw[at + 3]! / PALM_SIZE,
        h: raw[at + 4]! / PALM_SIZE,
      },
      keypoints,
      score,
    });
  }
  found.sort((a, b) => b.score - a.score);
  const kept: Palm[] = [];
  for (const palm of found) {
    if (kept.length === maxPalms) break;
    if (kept.every((k) => overlap(boxOf(k), boxOf(palm)) <= PALM_OVERLAP)) kept.push(palm);
  }
  return kept;
}

/** Finds up to `maxPalms` palms in a square RGB tensor [s, s, 3] (0..255, any s); the tensor stays the caller's. */
export async function detectPalms(model: tf.GraphModel, square: tf.Tensor3D, maxPalms: number): Promise<Palm[]> {
  const input = tf.tidy(() =>
    tf.image.resizeBilinear(square.toFloat(), [PALM_SIZE, PALM_SIZE], true).div(127.5).sub(1).expandDims(0),
  );
  const out = model.execute(input) as tf.Tensor;
  try {
    return decodePalms(await out.data(), maxPalms);
  } finally {
    input.dispose();
    out.dispose();
  }
}
