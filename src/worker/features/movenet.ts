/**
 * MoveNet SinglePose Lightning: 17 body keypoints from a 192×192 square, and from them the feature
 * vector of pose-vector.ts, which does not change when the person moves across the frame or nearer.
 */
import * as tf from '@tensorflow/tfjs';
import { KEYPOINT_NAMES, type Keypoint, type Pose } from '../../protocol/pose';
import type { FeatureIdentity } from '../../protocol/project-record';
import type { EngineOptions } from '../../protocol/engine-options';
import type { LoadProgress, ModelReport } from '../../protocol/engine-api';
import { loadModel, type Loaded } from '../model-loader';
import type { Analysis, FeatureExtractor } from './feature-extractor';
import { isNoPerson, poseVector } from './pose-vector';

export const MOVENET_SIZE = 192;

const SOURCE = {
  name: 'movenet-lightning',
  folder: 'movenet_singlepose_lightning',
  file: 'movenet-lightning.json',
  official: 'https://tfhub.dev/google/tfjs-model/movenet/singlepose/lightning/4',
  featureSize: KEYPOINT_NAMES.length * 3,
};

export class MoveNetFeatures implements FeatureExtractor {
  readonly identity: FeatureIdentity;

  constructor(
    private readonly model: tf.GraphModel,
    readonly report: ModelReport,
    /** A pose and its mirror image give the same features. */
    private readonly mirror: boolean,
  ) {
    this.identity = {
      model: mirror ? `${report.name}-mirror` : report.name,
      size: KEYPOINT_NAMES.length * 3 * (mirror ? 2 : 1),
    };
  }

  /** The keypoints of a square RGB int32 tensor [s, s, 3] (any s), x and y in 0..1 of that square. */
  async pose(square: tf.Tensor3D): Promise<Pose> {
    const input = tf.tidy(() =>
      tf.image.resizeBilinear(square, [MOVENET_SIZE, MOVENET_SIZE], true).round().toInt().expandDims(0),
    );
    const out = this.model.execute(input) as tf.Tensor;
    try {
      const raw = await out.data();
      const keypoints: Keypoint[] = KEYPOINT_NAMES.map((name, i) => ({
        name,
        y: raw[i * 3]!,
        x: raw[i * 3 + 1]!,
        score: raw[i * 3 + 2]!,
      }));
      return { keypoints, noPerson: isNoPerson(keypoints) };
    } finally {
      input.dispose();
      out.dispose();
    }
  }

  async analyse(square: tf.Tensor3D): Promise<Analysis & { pose: Pose }> {
    const pose = await this.pose(square);
    return { features: poseVector(pose.keypoints, this.mirror), pose };
  }

  async extract(square: tf.Tensor3D): Promise<Float32Array> {
    return (await this.analyse(square)).features;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Loads MoveNet (cache, `models/movenet_singlepose_lightning/`, official URL) as a feature extractor. */
export async function loadMoveNetFeatures(
  o: EngineOptions,
  mirror: boolean,
  onProgress: (p: LoadProgress) => void,
  handler?: tf.io.IOHandler,
): Promise<Loaded<MoveNetFeatures>> {
  const loaded = await loadModel(SOURCE, o, onProgress, (h) => tf.loadGraphModel(h), { handler, useModelUrl: false });
  return { ...loaded, model: new MoveNetFeatures(loaded.model, loaded.report, mirror) };
}
