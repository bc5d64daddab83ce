/**
 * Body pose, as both threads see it: MoveNet's 17 COCO keypoints in snake case ("left" is the person's
 * left), x and y in 0..1 of the square frame the model saw.
 */
import type { NormalRange } from './units';

export const KEYPOINT_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;

export type KeypointName = (typeof KEYPOINT_NAMES)[number];

export interface Keypoint {
  name: KeypointName;
  /** 0 (left edge of the square) .. 1 (right edge), as the camera sees it. */
  x: NormalRange;
  /** 0 (top) .. 1 (bottom). */
  y: NormalRange;
  /** MoveNet's confidence that this keypoint is where it says. */
  score: NormalRange;
}

export interface Pose {
  /** All 17, always in KEYPOINT_NAMES order. */
  keypoints: Keypoint[];
  /** True when too few keypoints are confident to call it a body: the prediction then says nothing useful. */
  noPerson: boolean;
}

/** A person's box, in the same 0..1 coordinates of the square as the keypoints. */
export interface Box {
  xMin: NormalRange;
  yMin: NormalRange;
  xMax: NormalRange;
  yMax: NormalRange;
}

/**
 * One person of several (features: 'people'), followed from frame to frame: `id` stays theirs while they stay
 * in view (through a short occlusion too) and is never given to anyone else.
 */
export interface Person {
  /** 1, 2, 3…: a new person gets the next number, never one used before in this run. */
  id: number;
  /** All 17, in KEYPOINT_NAMES order. */
  keypoints: Keypoint[];
  box: Box;
  /** MoveNet MultiPose's confidence that this is a person. */
  score: NormalRange;
  /** What the trained head makes of this person's pose (classification); absent before training. */
  label?: string;
  /** The confidence of `label`. */
  confidence?: NormalRange;
}

/** The skeleton's bones, for drawing: pairs of KEYPOINT_NAMES indices. */
export const BONES: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 3],
  [2, 4],
  [5, 6],
  [5, 7],
  [7, 9],
  [6, 8],
  [8, 10],
  [5, 11],
  [6, 12],
  [11, 12],
  [11, 13],
  [13, 15],
  [12, 14],
  [14, 16],
];
