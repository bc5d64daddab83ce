/**
 * MediaPipe's hand-landmark model (224×224): 21 keypoints of one hand, from a square crop around it turned so
 * that the hand points up, plus how sure it is that a hand is there and which hand it is. The crop follows
 * MediaPipe's hand tracking: from a palm the first time (its box grown 2.6×), then from the last frame's
 * steadier keypoints (their box grown 2×), so the palm detector need not run again while the hand stays in view.
 */
import * as tf from '@tensorflow/tfjs';
import type { Palm, Point } from './palm-detector';

export const LANDMARK_SIZE = 224;

/** A square region of the picture, turned by `rotation` (radians; 0: the hand points up). */
export interface HandRegion {
  /** Centre, in 0..1 of the square picture. */
  cx: number;
  cy: number;
  /** Side, in 0..1 of the square picture. */
  size: number;
  rotation: number;
}

/** One hand as the landmark model sees it. */
export interface HandReading {
  /** 21 points in 0..1 of the square picture; z relative (MediaPipe's: the wrist's depth is 0, in the crop's scale). */
  keypoints: { x: number; y: number; z: number }[];
  /** How sure the model is that a hand is in the region (0..1). */
  presence: number;
  /**
   * The model's handedness score (0..1): above 0.5, its "Left", which assumes a mirrored picture; on a camera's
   * own frames, the person's right hand (hands-features.ts turns it into the person's).
   */
  handedness: number;
}

const normalise = (a: number) => a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));

/** The turn that makes a hand point up, from its wrist to the base of its middle finger (MediaPipe's). */
export function rotationOf(wrist: Point, middle: Point): number {
  return normalise(Math.PI / 2 - Math.atan2(-(middle.y - wrist.y), middle.x - wrist.x));
}

/** MediaPipe's rect transformation: shifted along the hand's own axis, then squared on its longer side and grown. */
function transformed(cx: number, cy: number, w: number, h: number, rotation: number, scale: number, shiftY: number) {
  const [sin, cos] = [Math.sin(rotation), Math.cos(rotation)];
  return {
    cx: cx - h * shiftY * sin,
    cy: cy + h * shiftY * cos,
    size: Math.max(w, h) * scale,
    rotation,
  };
}

/** The region of a palm the detector found (MediaPipe: scale 2.6, shift −0.5). */
export function regionFromPalm(palm: Palm): HandRegion {
  const rotation = rotationOf(palm.keypoints[0]!, palm.keypoints[2]!);
  return transformed(palm.box.cx, palm.box.cy, palm.box.w, palm.box.h, rotation, 2.6, -0.5);
}

/** The keypoints that move least with the fingers: the wrist, the thumb's first three, each finger's base and next joint. */
const STEADY = [0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18];

/**
 * The region for the next frame, from this frame's keypoints (MediaPipe's HandLandmarksToRect): the steady
 * keypoints' box in the hand's own frame, turned from the wrist towards the middle of the finger bases, grown
 * 2× and shifted −0.1 along the hand.
 */
export function regionFromKeypoints(keypoints: readonly Point[]): HandRegion {
  const [wrist, index, middle, ring] = [keypoints[0]!, keypoints[5]!, keypoints[9]!, keypoints[13]!];
  const towards = {
    x: ((index.x + ring.x) / 2 + middle.x) / 2,
    y: ((index.y + ring.y) / 2 + middle.y) / 2,
  };
  const rotation = rotationOf(wrist, towards);
  const [sin, cos] = [Math.sin(rotation), Math.cos(rotation)];
  // The keypoints in the hand's own frame (turned back by the rotation), their box there, its centre turned again.
  const local = STEADY.map((i) => keypoints[i]!).map((p) => ({ x: p.x * cos + p.y * sin, y: -p.x * sin + p.y * cos }));
  const xs = local.map((p) => p.x);
  const ys = local.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return transformed(mx * cos - my * sin, mx * sin + my * cos, x1 - x0, y1 - y0, rotation, 2, -0.1);
}

/**
 * Reads one hand from `square` [S, S, 3] (0..255) in `region`: the crop turned upright, the model, and its
 * keypoints mapped back into the picture. The tensor stays the caller's.
 */
export async function readHand(model: tf.GraphModel, square: tf.Tensor3D, region: HandRegion): Promise<HandReading> {
  const side = square.shape[0];
  const k = (region.size * side) / LANDMARK_SIZE;
  const [sin, cos] = [Math.sin(region.rotation), Math.cos(region.rotation)];
  const [cx, cy] = [region.cx * side, region.cy * side];
  // Output pixel (u, v) of the crop samples the picture at centre + R(rotation)·((u, v)·k − size/2).
  const half = (region.size * side) / 2;
  const transform = tf.tensor2d(
    [[cos * k, -sin * k, cx - (cos - sin) * half, sin * k, cos * k, cy - (sin + cos) * half, 0, 0]],
    [1, 8],
  );
  const input = tf.tidy(() =>
    tf.image
      .transform(square.toFloat().expandDims<tf.Tensor4D>(0), transform, 'bilinear', 'constant', 0, [
        LANDMARK_SIZE,
        LANDMARK_SIZE,
      ])
      .div(255),
  );
  const outputs = model.execute(input, ['Identity', 'Identity_1', 'Identity_2']) as tf.Tensor[];
  try {
    const [points, presence, handedness] = await Promise.all(outputs.map((o) => o.data()));
    const keypoints = [];
    for (let i = 0; i < 21; i++) {
      const [u, v, z] = [points![i * 3]!, points![i * 3 + 1]!, points![i * 3 + 2]!];
      const [dx, dy] = [u * k - half, v * k - half];
      keypoints.push({
        x: (cx + cos * dx - sin * dy) / side,
        y: (cy + sin * dx + cos * dy) / side,
        z: (z * k) / side,
      });
    }
    return { keypoints, presence: presence![0]!, handedness: handedness![0]! };
  } finally {
    for (const t of [transform, input, ...outputs]) t.dispose();
  }
}
