/**
 * MoveNet MultiPose Lightning: up to 6 people, each with 17 keypoints, a box and a score, from a 256×256
 * square. On a live frame each is followed by an id (person-tracker.ts). The features the heads learn from are
 * the most prominent person's (the largest box), as pose-vector.ts builds them; the engine predicts each person
 * on their own from theirs.
 */
import * as tf from '@tensorflow/tfjs';
import { KEYPOINT_NAMES, type Keypoint, type Pose } from '../../protocol/pose';
import type { FeatureIdentity } from '../../protocol/project-record';
import type { EngineOptions } from '../../protocol/engine-options';
import type { LoadProgress, ModelReport } from '../../protocol/engine-api';
import { loadModel, type Loaded } from '../model-loader';
import type { Milliseconds } from '../../protocol/units';
import type { Analysis, FeatureExtractor } from './feature-extractor';
import { PersonTracker, type DetectedPerson } from './person-tracker';
import { isNoPerson, poseVector } from './pose-vector';

export const MULTIPOSE_SIZE = 256;
/** People the model reports at most. */
export const MULTIPOSE_PEOPLE = 6;
/** Each person's row: 17 × (y, x, score), a box (yMin, xMin, yMax, xMax), a score. */
const ROW = KEYPOINT_NAMES.length * 3 + 5;

const SOURCE = {
  name: 'movenet-multipose',
  folder: 'movenet_multipose_lightning',
  file: 'movenet-multipose.json',
  official: 'https://tfhub.dev/google/tfjs-model/movenet/multipose/lightning/1',
  featureSize: KEYPOINT_NAMES.length * 3,
};

const clamp = (v: number) => Math.min(1, Math.max(0, v));
const area = (p: DetectedPerson) => (p.box.xMax - p.box.xMin) * (p.box.yMax - p.box.yMin);

/** Nobody's pose: every keypoint at 0 with score 0. */
const NOBODY: Pose = { keypoints: KEYPOINT_NAMES.map((name) => ({ name, x: 0, y: 0, score: 0 })), noPerson: true };

export class MultiPoseFeatures implements FeatureExtractor {
  readonly identity: FeatureIdentity;
  readonly #tracker: PersonTracker;

  constructor(
    private readonly model: tf.GraphModel,
    readonly report: ModelReport,
    /** A pose and its mirror image give the same features. */
    private readonly mirror: boolean,
    /** A detection scoring below this is not a person. */
    private readonly minScore: number,
    /** Someone unseen this long has left (`people.forgetMs`). */
    forgetMs: Milliseconds,
  ) {
    this.#tracker = new PersonTracker(forgetMs);
    this.identity = {
      model: mirror ? `${report.name}-mirror` : report.name,
      size: KEYPOINT_NAMES.length * 3 * (mirror ? 2 : 1),
    };
  }

  /**
   * Everyone in a square RGB int32 tensor [s, s, 3] (any s), x and y in 0..1 of it; most prominent first
   * (with body enough to be a pose, then by the size of the box).
   */
  async people(square: tf.Tensor3D): Promise<DetectedPerson[]> {
    const input = tf.tidy(() =>
      tf.image.resizeBilinear(square, [MULTIPOSE_SIZE, MULTIPOSE_SIZE], true).round().toInt().expandDims(0),
    );
    const out = this.model.execute(input) as tf.Tensor;
    try {
      const raw = await out.data();
      const people: DetectedPerson[] = [];
      for (let p = 0; p < MULTIPOSE_PEOPLE; p++) {
        const at = p * ROW;
        const score = raw[at + ROW - 1]!;
        if (!(score >= this.minScore)) continue;
        const keypoints: Keypoint[] = KEYPOINT_NAMES.map((name, i) => ({
          name,
          y: raw[at + i * 3]!,
          x: raw[at + i * 3 + 1]!,
          score: raw[at + i * 3 + 2]!,
        }));
        const b = at + KEYPOINT_NAMES.length * 3;
        const box = {
          yMin: clamp(raw[b]!),
          xMin: clamp(raw[b + 1]!),
          yMax: clamp(raw[b + 2]!),
          xMax: clamp(raw[b + 3]!),
        };
        people.push({ keypoints, box, score });
      }
      // Most prominent first: whole enough to be a body (see pose-vector.ts), then the largest.
      const rank = (p: DetectedPerson) => (isNoPerson(p.keypoints) ? 0 : 1);
      return people.sort((a, b) => rank(b) - rank(a) || area(b) - area(a));
    } finally {
      input.dispose();
      out.dispose();
    }
  }

  /** With `t` (a live frame), everyone by id and who came and went; without it (a still), the pose alone. */
  async analyse(square: tf.Tensor3D, t?: Milliseconds): Promise<Analysis & { pose: Pose }> {
    const people = await this.people(square);
    const main = people[0];
    const pose = main ? { keypoints: main.keypoints, noPerson: isNoPerson(main.keypoints) } : NOBODY;
    const features = poseVector(pose.keypoints, this.mirror);
    if (t === undefined) return { features, pose };
    const seen = this.#tracker.update(people, t);
    return { features, pose, people: seen.people, peopleChanged: { entered: seen.entered, left: seen.left } };
  }

  async extract(square: tf.Tensor3D): Promise<Float32Array> {
    return (await this.analyse(square)).features;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Loads MoveNet MultiPose (cache, `models/movenet_multipose_lightning/`, official URL) as a feature extractor. */
export async function loadMultiPoseFeatures(
  o: EngineOptions,
  onProgress: (p: LoadProgress) => void,
  handler?: tf.io.IOHandler,
): Promise<Loaded<MultiPoseFeatures>> {
  const loaded = await loadModel(SOURCE, o, onProgress, (h) => tf.loadGraphModel(h), { handler, useModelUrl: false });
  return {
    ...loaded,
    model: new MultiPoseFeatures(loaded.model, loaded.report, o.pose.mirror, o.people.minScore, o.people.forgetMs),
  };
}
