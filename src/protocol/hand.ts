/**
 * Hands, as both threads see them: MediaPipe Hands' 21 keypoints in its order and with its names (snake
 * case), x and y in 0..1 of the square frame the model saw (as pose keypoints are), z relative.
 */
import type { NormalRange } from './units';

export const HAND_KEYPOINT_NAMES = [
  'wrist',
  'thumb_cmc',
  'thumb_mcp',
  'thumb_ip',
  'thumb_tip',
  'index_finger_mcp',
  'index_finger_pip',
  'index_finger_dip',
  'index_finger_tip',
  'middle_finger_mcp',
  'middle_finger_pip',
  'middle_finger_dip',
  'middle_finger_tip',
  'ring_finger_mcp',
  'ring_finger_pip',
  'ring_finger_dip',
  'ring_finger_tip',
  'pinky_mcp',
  'pinky_pip',
  'pinky_dip',
  'pinky_tip',
] as const;

export type HandKeypointName = (typeof HAND_KEYPOINT_NAMES)[number];

export interface HandKeypoint {
  name: HandKeypointName;
  /** 0 (left edge of the square) .. 1 (right edge), as the camera sees it. */
  x: NormalRange;
  /** 0 (top) .. 1 (bottom). */
  y: NormalRange;
  /** Depth relative to the wrist (0), in the same scale as x: smaller is nearer the camera. */
  z: number;
  /** How sure the model is of the hand (MediaPipe gives one score for the whole hand). */
  score: NormalRange;
}

export interface Hand {
  /** 1, 2, 3…: a hand newly found gets the next number, kept while it stays tracked. */
  id: number;
  /** Which hand, from the person's point of view (see `hands.mirroredInput`). */
  handedness: 'Left' | 'Right';
  /** How sure the model is that a hand is there. */
  score: NormalRange;
  /** All 21, in HAND_KEYPOINT_NAMES order. */
  keypoints: HandKeypoint[];
}

/** The hand's bones, for drawing: pairs of HAND_KEYPOINT_NAMES indices. */
export const HAND_BONES: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [0, 5],
  [5, 6],
  [6, 7],
  [7, 8],
  [5, 9],
  [9, 10],
  [10, 11],
  [11, 12],
  [9, 13],
  [13, 14],
  [14, 15],
  [15, 16],
  [13, 17],
  [0, 17],
  [17, 18],
  [18, 19],
  [19, 20],
];

/**
 * The person's right hand, then their left, either missing when not in view. Two hands called the same side
 * (MediaPipe can be unsure of a hand seen from the back, or they are two people's) are both kept: the one on
 * the picture's left takes the right hand's place, as on a camera's own frames of someone facing it (the other
 * way round on mirrored frames). The hand vector's slots and the OSC's `/hand/right` and `/hand/left` follow it.
 */
export function handsBySide(hands: readonly Hand[], mirroredInput = false): [Hand | undefined, Hand | undefined] {
  const right = hands.find((h) => h.handedness === 'Right');
  const left = hands.find((h) => h.handedness === 'Left');
  const one = right ?? left;
  const same = one && !(right && left) ? hands.filter((h) => h.handedness === one.handedness) : [];
  if (same.length < 2) return [right, left];
  const [a, b] = [...same].sort((p, q) => p.keypoints[0]!.x - q.keypoints[0]!.x) as [Hand, Hand];
  return mirroredInput ? [b, a] : [a, b];
}
