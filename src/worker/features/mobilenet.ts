/**
 * MobileNet's pooled embedding (`infer(x, true)`) as the feature vector: 256 numbers for v1 α0.25.
 */
import type * as tf from '@tensorflow/tfjs';
import * as mobilenet from '@tensorflow-models/mobilenet';
import type { FeatureIdentity } from '../../protocol/project-record';
import { modelFolder, modelName } from '../../protocol/options';
import type { EngineOptions } from '../../protocol/engine-options';
import type { LoadProgress, ModelReport } from '../../protocol/engine-api';
import { loadModel, type Loaded } from '../model-loader';
import type { Analysis, FeatureExtractor } from './feature-extractor';

/** The official TF Hub addresses, as @tensorflow-models/mobilenet 2.1.1 fetches them. */
const OFFICIAL: Record<string, string> = {
  'mobilenet-v1-0.25': 'https://tfhub.dev/google/imagenet/mobilenet_v1_025_224/classification/1',
  'mobilenet-v1-0.5': 'https://tfhub.dev/google/imagenet/mobilenet_v1_050_224/classification/1',
  'mobilenet-v1-0.75': 'https://tfhub.dev/google/imagenet/mobilenet_v1_075_224/classification/1',
  'mobilenet-v1-1': 'https://tfhub.dev/google/imagenet/mobilenet_v1_100_224/classification/1',
  'mobilenet-v2-0.5': 'https://tfhub.dev/google/imagenet/mobilenet_v2_050_224/classification/2',
  'mobilenet-v2-0.75': 'https://tfhub.dev/google/imagenet/mobilenet_v2_075_224/classification/2',
  'mobilenet-v2-1': 'https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/2',
};

export class MobileNetFeatures implements FeatureExtractor {
  readonly identity: FeatureIdentity;

  constructor(
    private readonly model: mobilenet.MobileNet,
    readonly report: ModelReport,
  ) {
    this.identity = { model: report.name, size: report.embeddingSize };
  }

  async extract(square: tf.Tensor3D): Promise<Float32Array> {
    const out = this.model.infer(square, true);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  async analyse(square: tf.Tensor3D): Promise<Analysis> {
    return { features: await this.extract(square) };
  }

  dispose(): void {
    (this.model as unknown as { model?: tf.GraphModel }).model?.dispose();
  }
}

/** Loads the MobileNet of `o.model` (cache, `models/`, official URL) as a feature extractor. */
export async function loadMobileNetFeatures(
  o: EngineOptions,
  onProgress: (p: LoadProgress) => void,
  handler?: tf.io.IOHandler,
): Promise<Loaded<MobileNetFeatures>> {
  const spec = o.model;
  const name = modelName(spec);
  const source = {
    name,
    folder: modelFolder(spec),
    featureSize: spec.version === 1 ? Math.round(1024 * spec.alpha) : 1280,
    ...(OFFICIAL[name] ? { official: OFFICIAL[name] } : {}),
  };
  // inputRange: the graph model expects [0, 1]; the package assumes [-1, 1] for a custom URL.
  const build = (modelUrl: tf.io.IOHandler) =>
    mobilenet.load({ version: spec.version, alpha: spec.alpha, modelUrl, inputRange: [0, 1] });
  const loaded = await loadModel(source, o, onProgress, build, { handler, useModelUrl: true });
  return { ...loaded, model: new MobileNetFeatures(loaded.model, loaded.report) };
}
