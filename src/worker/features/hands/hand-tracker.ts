/**
 * Hand tracking the MediaPipe way: the palm detector runs only to find hands, then each hand is followed from
 * frame to frame by the landmark model alone, in a region grown from its keypoints of the frame before. A hand
 * is found when the landmark model is sure of it (`hands.minScore`), and has gone when its presence score drops
 * below MediaPipe's 0.5: then the detector looks again at once (the hand moved, or the picture is another one).
 * While no hand is followed it looks on every frame, as MediaPipe does; while some but fewer than `maxHands` are,
 * every SEARCH_EVERY_MS. A frame that does not
 * follow the last (a still, or a gap in the stream) starts afresh. So an unrelated picture is never answered
 * from regions meant for another: a hand is either found there or looked for. Ids count up and stay with a
 * hand while it is tracked, or found again where it was.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Milliseconds } from '../../../protocol/units';
import { readHand, regionFromKeypoints, regionFromPalm, type HandReading, type HandRegion } from './hand-landmarks';
import { centred, overlap } from '../overlap';
import { detectPalms } from './palm-detector';

/** A hand followed that the landmark model scores below this has gone (MediaPipe's `min_tracking_confidence` 0.5). */
export const HAND_PRESENCE = 0.5;
/** While fewer hands than wanted are followed, the detector looks for more this often. */
export const SEARCH_EVERY_MS = 500;
/** A frame further than this from the last is not its continuation: the hands are found afresh. */
export const CONTINUITY_MS = 1000;

export interface TrackedHand extends HandReading {
  id: number;
}

interface Followed {
  id: number;
  region: HandRegion;
  reading: HandReading;
}

/** Overlap of two regions' upright bounding squares (centre and side suffice for a same-hand test). */
function regionsOverlap(a: HandRegion, b: HandRegion): number {
  const upright = (r: HandRegion) => {
    const side = r.size * (Math.abs(Math.cos(r.rotation)) + Math.abs(Math.sin(r.rotation)));
    return centred(r.cx, r.cy, side, side);
  };
  return overlap(upright(a), upright(b));
}

export class HandTracker {
  #followed: Followed[] = [];
  #lastT: Milliseconds = -Infinity;
  #lastSearch: Milliseconds = -Infinity;
  #nextId = 1;
  /** Frames the detector ran on, of all frames read: tracking keeps it to a few. */
  readonly counts = { frames: 0, runs: 0 };

  constructor(
    private readonly palmModel: tf.GraphModel,
    private readonly landmarkModel: tf.GraphModel,
    private readonly maxHands: number,
    /** A hand newly found counts from this presence score (`hands.minScore`). */
    private readonly minScore: number,
  ) {}

  /**
   * The hands in `square` [S, S, 3] at time `t`; without `t`, a still: found afresh, and nothing is kept for
   * the next frame.
   */
  async hands(square: tf.Tensor3D, t?: Milliseconds): Promise<TrackedHand[]> {
    const live = t !== undefined && t >= this.#lastT && t - this.#lastT <= CONTINUITY_MS;
    const previous = this.#followed;
    let followed: Followed[] = [];
    if (live) {
      for (const f of previous) {
        const reading = await readHand(this.landmarkModel, square, f.region);
        if (reading.presence >= HAND_PRESENCE) followed.push({ ...f, reading });
      }
      followed = distinct(followed);
    }
    // Afresh, when a hand was lost (it moved, or this picture is another), on every frame while none is
    // followed (a hand coming into view is found at once), or now and then for one more.
    const lost = followed.length < previous.length;
    const search =
      !live ||
      lost ||
      followed.length === 0 ||
      (followed.length < this.maxHands && t - this.#lastSearch >= SEARCH_EVERY_MS);
    if (search) {
      if (t !== undefined) this.#lastSearch = t;
      this.counts.runs++;
      for (const palm of await detectPalms(this.palmModel, square, this.maxHands)) {
        if (followed.length >= this.maxHands) break;
        const region = regionFromPalm(palm);
        if (followed.some((f) => regionsOverlap(regionFromKeypoints(f.reading.keypoints), region) > 0.3)) continue;
        const reading = await readHand(this.landmarkModel, square, region);
        if (reading.presence < this.minScore) continue;
        // A hand found again where a hand of the last frame was keeps that hand's id.
        const same = previous.find(
          (p) =>
            !followed.some((f) => f.id === p.id) &&
            regionsOverlap(p.region, regionFromKeypoints(reading.keypoints)) > 0.3,
        );
        followed.push({ id: same?.id ?? this.#nextId++, region, reading });
      }
      followed = distinct(followed);
    }
    this.counts.frames++;
    if (t !== undefined) {
      this.#lastT = t;
      this.#followed = followed.map((f) => ({ ...f, region: regionFromKeypoints(f.reading.keypoints) }));
    }
    return followed.map((f) => ({ id: f.id, ...f.reading })).sort((a, b) => a.id - b.id);
  }
}

/** Two followed regions that ended on the same hand: the surer one is kept. */
function distinct(followed: Followed[]): Followed[] {
  const kept: Followed[] = [];
  for (const f of [...followed].sort((a, b) => b.reading.presence - a.reading.presence)) {
    const region = regionFromKeypoints(f.reading.keypoints);
    if (kept.every((k) => regionsOverlap(regionFromKeypoints(k.reading.keypoints), region) <= 0.5)) kept.push(f);
  }
  return kept;
}
