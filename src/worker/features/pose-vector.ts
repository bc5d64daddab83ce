/**
 * Keypoints → the feature vector the heads learn from, built so that it does not change when the person
 * moves across the frame or nearer to the camera:
 *
 * - origin: the shoulders' midpoint (the hips' when the shoulders are not seen, else the mean of what is);
 * - scale: the torso, shoulders' midpoint to hips' midpoint (else twice the shoulder width, else the
 *   spread of what is seen), so a person twice as near gives the same numbers;
 * - each keypoint gives (dx, dy, w/2): its offset from the origin in torso lengths, and how sure MoveNet is
 *   of it, w, rising smoothly from 0 at a score of 0.15 to 1 at 0.45.
 * - Low scores are handled explicitly: an unsure keypoint is pulled towards its parent in the skeleton in
 *   proportion (an unseen wrist sits on its elbow, an unseen elbow on its shoulder), so a hidden wrist
 *   cannot drag a pose towards wherever MoveNet guessed, and a keypoint whose score wavers near a
 *   threshold moves the vector a little, not from one end of the body to the other.
 *   (Measured on the footballer photo moved around the frame: 0.07–0.09 RMS between placements, 0.12–0.16
 *   nearer or further, 0.42 to another person's pose.)
 *
 * With `mirror`, a pose and its mirror image give the same vector: [v + M(v), |v − M(v)|], where M flips x
 * and swaps left for right. That keeps everything but which side is which.
 */
import type { Keypoint } from '../../protocol/pose';

/** Below this score a keypoint counts as not seen (for noPerson). MoveNet's own demos draw from 0.3. */
export const MIN_SCORE = 0.3;
/** Fewer confident keypoints than this (of 17) and it is not a person. */
export const MIN_KEYPOINTS = 5;

const L_SHOULDER = 5;
const R_SHOULDER = 6;
const L_HIP = 11;
const R_HIP = 12;

/** Index of the other side's keypoint (left ↔ right), for mirroring. */
const MIRROR = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15];

const seen = (k: Keypoint | undefined) => k !== undefined && k.score >= MIN_SCORE;
const mid = (a: Keypoint, b: Keypoint) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const dist = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

/** Where the body is and how big: the frame of reference of the features. */
function reference(kp: readonly Keypoint[]): { x: number; y: number; scale: number } {
  const [ls, rs, lh, rh] = [kp[L_SHOULDER]!, kp[R_SHOULDER]!, kp[L_HIP]!, kp[R_HIP]!];
  const shoulders = seen(ls) && seen(rs) ? mid(ls, rs) : null;
  const hips = seen(lh) && seen(rh) ? mid(lh, rh) : null;
  const visible = kp.filter(seen);
  const centre = visible.length
    ? {
        x: visible.reduce((s, k) => s + k.x, 0) / visible.length,
        y: visible.reduce((s, k) => s + k.y, 0) / visible.length,
      }
    : { x: 0.5, y: 0.5 };
  const origin = shoulders ?? hips ?? centre;
  let scale = shoulders && hips ? dist(shoulders, hips) : 0;
  if (!(scale > 0.02) && shoulders) scale = 2 * dist(ls, rs);
  if (!(scale > 0.02)) scale = Math.max(0.05, ...visible.map((k) => dist(k, centre)));
  return { ...origin, scale };
}

/** How much a keypoint counts, from its score: 0 below 0.15, 1 above 0.45, smooth in between. */
export function weight(score: number): number {
  const t = Math.min(1, Math.max(0, (score - 0.15) / 0.3));
  return t * t * (3 - 2 * t);
}

/**
 * Each keypoint's parent in the skeleton (towards the torso): an unsure wrist is pulled to its elbow, an
 * unsure elbow to its shoulder, the face to the nose. Shoulders and hips have none (they anchor the body).
 */
const PARENT = [-1, 0, 0, 1, 2, -1, -1, 5, 6, 7, 8, -1, -1, 11, 12, 13, 14];

/** 17 × (dx, dy, w/2): 51 numbers (102 with `mirror`). */
export function poseVector(keypoints: readonly Keypoint[], mirror = false): Float32Array {
  const { x, y, scale } = reference(keypoints);
  const v = new Float32Array(keypoints.length * 3);
  // Parents come before their children in KEYPOINT_NAMES' order, so one pass pulls along whole limbs.
  const at: { x: number; y: number }[] = [];
  keypoints.forEach((k, i) => {
    const w = weight(k.score);
    const parent = at[PARENT[i]!];
    const p = parent ? { x: w * k.x + (1 - w) * parent.x, y: w * k.y + (1 - w) * parent.y } : { x: k.x, y: k.y };
    at.push(p);
    v[i * 3] = (p.x - x) / scale;
    v[i * 3 + 1] = (p.y - y) / scale;
    v[i * 3 + 2] = w / 2;
  });
  if (!mirror) return v;
  const out = new Float32Array(v.length * 2);
  for (let i = 0; i < keypoints.length; i++) {
    const m = MIRROR[i]!;
    const mirrored = [-v[m * 3]!, v[m * 3 + 1]!, v[m * 3 + 2]!]; // x is an offset from the body's middle
    for (let c = 0; c < 3; c++) {
      out[i * 3 + c] = v[i * 3 + c]! + mirrored[c]!;
      out[v.length + i * 3 + c] = Math.abs(v[i * 3 + c]! - mirrored[c]!);
    }
  }
  return out;
}

/** True when fewer than MIN_KEYPOINTS keypoints are seen. */
export function isNoPerson(keypoints: readonly Keypoint[]): boolean {
  return keypoints.filter(seen).length < MIN_KEYPOINTS;
}
