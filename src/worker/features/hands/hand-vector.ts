/**
 * Hands → the feature vector the heads learn from: the *shape* of each hand, not where it is or how near.
 * Each hand gives 21 × (dx, dy, dz), its keypoints' offsets from its wrist divided by its size (wrist to the
 * base of the middle finger), then 1: 64 numbers. Orientation is kept (a thumb up is not a thumb down).
 *
 * Two hands make 128: two slots of 64. Without `mirror`, the first slot is the person's right hand and the
 * second their left (two hands called the same side: see handsBySide); with `mirror`, a left hand is flipped into a right hand's shape (the same shape made with
 * either hand gives the same numbers) and the larger hand takes the first slot. A slot with no hand in it holds
 * 64 zeros: its last number, 1 for a hand, says whether the hand is there, so "one hand" and "both hands" are
 * told apart by the heads.
 */
import { handsBySide, type Hand } from '../../../protocol/hand';

export const HAND_VECTOR = 21 * 3 + 1;
export const HANDS_VECTOR = 2 * HAND_VECTOR;

const size = (h: Hand) => {
  const [w, m] = [h.keypoints[0]!, h.keypoints[9]!];
  return Math.max(1e-3, Math.hypot(m.x - w.x, m.y - w.y));
};

/** One hand's 64 numbers; `flip` turns a left hand's shape into a right hand's. */
function oneHand(hand: Hand, flip: boolean): Float32Array {
  const v = new Float32Array(HAND_VECTOR);
  const wrist = hand.keypoints[0]!;
  const s = size(hand);
  hand.keypoints.forEach((k, i) => {
    v[i * 3] = ((k.x - wrist.x) / s) * (flip ? -1 : 1);
    v[i * 3 + 1] = (k.y - wrist.y) / s;
    v[i * 3 + 2] = (k.z - wrist.z) / s;
  });
  v[HAND_VECTOR - 1] = 1;
  return v;
}

/** The 128 numbers of up to two hands (see above). */
export function handsVector(hands: readonly Hand[], mirror = false, mirroredInput = false): Float32Array {
  const out = new Float32Array(HANDS_VECTOR);
  if (mirror) {
    const bySize = [...hands].sort((a, b) => size(b) - size(a)).slice(0, 2);
    bySize.forEach((h, slot) => out.set(oneHand(h, h.handedness === 'Left'), slot * HAND_VECTOR));
    return out;
  }
  handsBySide(hands, mirroredInput).forEach((hand, slot) => {
    if (hand) out.set(oneHand(hand, false), slot * HAND_VECTOR);
  });
  return out;
}
