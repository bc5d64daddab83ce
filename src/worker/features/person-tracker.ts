/**
 * Ids for several people across frames, as the pose-detection package's trackers give them: each frame's
 * people are matched to those already followed by how alike they are (their boxes' overlap and their
 * keypoints' distance), best pair first. Someone unmatched for `forgetMs` has left; until then a short
 * occlusion keeps their id. Ids count up from 1 and are never given twice.
 */
import type { Box, Keypoint } from '../../protocol/pose';
import type { Milliseconds } from '../../protocol/units';
import { overlap } from './overlap';

/** One person of several, as the model sees them in one frame. */
export interface DetectedPerson {
  keypoints: Keypoint[];
  box: Box;
  score: number;
}

export interface TrackedPerson extends DetectedPerson {
  id: number;
}

/** One frame's people with their ids, and who came and went. */
export interface TrackerUpdate {
  people: TrackedPerson[];
  entered: number[];
  left: number[];
}

/** Below this similarity a person is someone new. The pose-detection package's box tracker uses 0.15. */
export const MIN_SIMILARITY = 0.15;
/** Keypoints below this score are left out of the keypoint distance. */
const KEYPOINT_SCORE = 0.3;
/** How fast keypoint similarity falls with distance, relative to the person's size (COCO's OKS, about 0.1). */
const FALLOFF = 0.1;

/**
 * Object keypoint similarity (COCO's OKS): 1 when the keypoints seen in both coincide, falling with their
 * distance relative to the person's size; null when no keypoint is seen in both.
 */
export function keypointSimilarity(a: readonly Keypoint[], b: readonly Keypoint[], box: Box): number | null {
  const area = Math.max(1e-4, (box.xMax - box.xMin) * (box.yMax - box.yMin));
  let sum = 0;
  let n = 0;
  a.forEach((k, i) => {
    const o = b[i];
    if (!o || k.score < KEYPOINT_SCORE || o.score < KEYPOINT_SCORE) return;
    const d2 = (k.x - o.x) ** 2 + (k.y - o.y) ** 2;
    sum += Math.exp(-d2 / (2 * area * FALLOFF ** 2));
    n++;
  });
  return n === 0 ? null : sum / n;
}

/** How alike a person followed and a person seen now are: box overlap and keypoint similarity, equally. */
export function similarity(followed: DetectedPerson, seen: DetectedPerson): number {
  const boxes = overlap(followed.box, seen.box);
  const keypoints = keypointSimilarity(followed.keypoints, seen.keypoints, followed.box);
  return keypoints === null ? boxes : (boxes + keypoints) / 2;
}

/** @example const tracker = new PersonTracker(500); const { people, entered, left } = tracker.update(seen, t); */
export class PersonTracker {
  #followed: { id: number; last: DetectedPerson; seenAt: Milliseconds }[] = [];
  #nextId = 1;

  constructor(private readonly forgetMs: Milliseconds) {}

  /** The people seen at time `t`, each with the id of whom they match, or a new one. */
  update(seen: readonly DetectedPerson[], t: Milliseconds): TrackerUpdate {
    // A frame older than what was followed (another run, a still after a live run) starts afresh: gone is gone.
    const left = this.#followed.filter((f) => t - f.seenAt > this.forgetMs || t < f.seenAt).map((f) => f.id);
    this.#followed = this.#followed.filter((f) => !left.includes(f.id));
    const pairs = this.#followed
      .flatMap((f, i) => seen.map((s, j) => ({ i, j, score: similarity(f.last, s) })))
      .filter((p) => p.score >= MIN_SIMILARITY)
      .sort((a, b) => b.score - a.score);
    const idOf = new Map<number, number>();
    const taken = new Set<number>();
    for (const { i, j } of pairs) {
      if (taken.has(i) || idOf.has(j)) continue;
      taken.add(i);
      idOf.set(j, this.#followed[i]!.id);
      Object.assign(this.#followed[i]!, { last: seen[j]!, seenAt: t });
    }
    const entered: number[] = [];
    const people = seen.map((person, j) => {
      let id = idOf.get(j);
      if (id === undefined) {
        id = this.#nextId++;
        entered.push(id);
        this.#followed.push({ id, last: person, seenAt: t });
      }
      return { ...person, id };
    });
    return { people: people.sort((a, b) => a.id - b.id), entered, left };
  }
}
