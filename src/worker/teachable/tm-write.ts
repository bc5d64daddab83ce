/**
 * A project's classifier written as Teachable Machine exports one ("Export Model → Tensorflow.js → Download"):
 * a zip of `model.json` (one layers model: an outer Sequential of the base, picture → features, and a Sequential
 * head, features → softmax over the classes), `weights.bin` and `metadata.json` (`packageName`
 * "@teachablemachine/image", the labels, `imageSize`). `tmImage.load(modelURL, metadataURL)` of
 * `@teachablemachine/image` and ml5's `imageClassifier(modelURL)` read it.
 *
 * The base is the project's own when it came from Teachable Machine. Otherwise it is MobileNet v1 α0.25 as a
 * layers model (Teachable Machine's loader takes no graph model, and our graph MobileNet is another checkpoint),
 * truncated at its global average pooling: each example's stored picture is embedded through it, as
 * `@teachablemachine/image` prepares a picture (`x / 127 − 1`), and a dense head with the project's training
 * options learns from those features.
 */
import * as tf from '@tensorflow/tfjs';
import { zipSync, strToU8 } from 'fflate';
import type { LoadProgress } from '../../protocol/engine-api';
import type { EngineOptions, HeadSettings } from '../../protocol/engine-options';
import { NotTrainedError, TeachableMachineError } from '../../protocol/errors';
import type { HeadState } from '../../protocol/project-record';
import type { ExportProgress } from '../../protocol/teachable';
import { ExampleStore, type Example } from '../examples';
import type { FeatureExtractor } from '../features/feature-extractor';
import { TeachableMachineFeatures } from '../features/teachable-machine';
import { DenseHead } from '../heads/dense';
import type { Head } from '../heads/head';
import { toSquarePixels } from '../intake/pixels';
import { loadModel, type ModelSource } from '../model-loader';
import { decodeCrop } from '../project/crops';

/** The version of `@teachablemachine/image` whose export format this writes (and whose loader reads it). */
export const TM_PACKAGE_VERSION = '0.8.5';

/** MobileNet v1 α0.25 as a layers model (224², [-1, 1] in), the base of exports of MobileNet projects. */
export const LAYERS_BASE: ModelSource = {
  name: 'mobilenet-v1-0.25-layers',
  folder: 'mobilenet_v1_025_224_layers',
  officialJson: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
  featureSize: 256,
};
const POOLING = 'global_average_pooling2d_1';
const SIZE = 224;

/** What the export is made from: the project as it is now. */
export interface ExportSource {
  name: string;
  features: FeatureExtractor;
  options: EngineOptions;
  settings: HeadSettings;
  head: Head;
  labels: readonly string[];
  examples: readonly Example[];
  /** The layers base's weights when not from URLs (Node tests). */
  handler?: tf.io.IOHandler | undefined;
}

const refuse = (why: string): never => {
  throw new TeachableMachineError(why);
};

/** Throws, saying why and what to do, for a project that cannot be exported; nothing is loaded before. */
function checkExportable(s: ExportSource): void {
  if (s.options.features !== 'image') {
    refuse(
      `This project learns from ${{ pose: 'body keypoints (MoveNet)', people: 'several bodies (MoveNet MultiPose)', hands: 'hand keypoints (MediaPipe Hands)' }[s.options.features]}; a Teachable Machine image model takes a picture, and @teachablemachine/image and ml5 have no such model. Export an image project.`,
    );
  }
  if (s.options.also.length > 0) {
    refuse(
      'This project follows hands beside its picture, so its examples are the whole frame, not the centre square Teachable Machine sees: turn off "Also follow hands", record again, then export.',
    );
  }
  const why: Record<string, string> = {
    knn: 'A kNN head answers by its nearest examples, which a Teachable Machine model (one network) cannot hold. Choose Model → Classes: neural network, train, then export.',
    regression:
      'A regression head gives values, and Teachable Machine models, @teachablemachine/image and ml5 give classes (a probability each). Export a classifying project.',
    dtw: 'A gesture head recognises movements over time, and a Teachable Machine image model classifies one picture at a time. Export a classifying project.',
  };
  if (s.settings.head !== 'dense') refuse(why[s.settings.head]!);
  if (!s.head.ready()) throw new NotTrainedError('Train the project before exporting its model: press Train.');
}

/** The zip of a project's classifier in Teachable Machine's layout. */
export async function writeTeachableMachine(
  s: ExportSource,
  onProgress: (p: ExportProgress) => void = () => {},
): Promise<Blob> {
  checkExportable(s);
  if (s.features instanceof TeachableMachineFeatures) {
    // Its own base, as imported, under the head trained here (or its own).
    const { imageSize, grayscale } = s.features.teachableMachine;
    const model = classifier(s.features.layersBase(), s.head.state()!);
    try {
      onProgress({ phase: 'write', fraction: 0 });
      return await zipOf(model, s.name, s.head.names, imageSize, grayscale);
    } finally {
      disposeHead(model);
    }
  }
  const missing = s.examples.filter((e) => !e.crop).length;
  if (missing > 0) {
    refuse(
      `${missing} of the examples have no stored picture to learn from again for Teachable Machine's base; record them again, then export.`,
    );
  }
  onProgress({ phase: 'base', fraction: 0 });
  const loaded = await loadModel(
    LAYERS_BASE,
    s.options,
    (p: LoadProgress) => onProgress({ phase: 'base', fraction: p.fraction }),
    (handler) => tf.loadLayersModel(handler),
    { handler: s.handler, useModelUrl: false },
  );
  const mobilenet = loaded.model;
  try {
    const base = tf.model({ inputs: mobilenet.inputs, outputs: mobilenet.getLayer(POOLING).output, name: 'mobilenet' });
    const examples: Example[] = [];
    for (const [i, e] of s.examples.entries()) {
      const pixels = await decodeCrop(e.crop!, `The picture of example ${e.id}`);
      const features = tf.tidy(() => {
        const square = toSquarePixels(pixels, 'teachable-machine', SIZE);
        const x = tf.image.resizeBilinear(square.toFloat(), [SIZE, SIZE]).div(127).sub(1).expandDims(0);
        return base.predict(x) as tf.Tensor;
      });
      examples.push({ ...e, embedding: (await features.data()) as Float32Array });
      features.dispose();
      if (i % 10 === 0 || i === s.examples.length - 1)
        onProgress({ phase: 'reembed', fraction: (i + 1) / s.examples.length });
    }
    const store = ExampleStore.from(s.labels, examples);
    const head = new DenseHead(s.settings.train, () => store.labels);
    try {
      await head.train(store.all, (p) => onProgress({ phase: 'train', fraction: p.epoch / p.epochs }));
      onProgress({ phase: 'write', fraction: 0 });
      const model = classifier(base, head.state()!);
      return await zipOf(model, s.name, head.names, SIZE, false);
    } finally {
      head.dispose();
    }
  } finally {
    mobilenet.dispose();
  }
}

/** `base` (picture → features) then `state`'s network (dense relu → dense softmax), as one layers model. */
function classifier(base: tf.LayersModel, state: HeadState): tf.Sequential {
  const { w1, b1, w2, b2 } = state.weights;
  const [hidden, outputs] = [b1.length, b2.length];
  const inputs = w1.length / hidden;
  const initial = [
    tf.tensor2d(w1, [inputs, hidden]),
    tf.tensor1d(b1),
    tf.tensor2d(w2, [hidden, outputs]),
    tf.tensor1d(b2),
  ] as const;
  try {
    const head = tf.sequential({
      name: 'trainwhistle_head',
      layers: [
        tf.layers.dense({
          name: 'trainwhistle_hidden',
          inputShape: [inputs],
          units: hidden,
          activation: 'relu',
          weights: [initial[0], initial[1]],
        }),
        tf.layers.dense({
          name: 'trainwhistle_classes',
          units: outputs,
          activation: 'softmax',
          weights: [initial[2], initial[3]],
        }),
      ],
    });
    return tf.sequential({ name: 'trainwhistle', layers: [base, head] });
  } finally {
    for (const t of initial) t.dispose(); // the layers hold copies
  }
}

/** Lets go of the head made for the export (the base stays its owner's). */
function disposeHead(model: tf.Sequential): void {
  // Its variables themselves: dispose() counts the outer model's use of the head, and keeps them.
  for (const w of (model.layers[1] as tf.LayersModel).weights) w.read().dispose();
}

async function zipOf(
  model: tf.LayersModel,
  name: string,
  labels: readonly string[],
  imageSize: number,
  grayscale: boolean,
): Promise<Blob> {
  const saved: tf.io.ModelArtifacts[] = [];
  await model.save(
    tf.io.withSaveHandler((a) => {
      saved.push(a);
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  const a = saved[0]!;
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData));
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  const metadata = {
    tfjsVersion: tf.version.tfjs,
    packageVersion: TM_PACKAGE_VERSION,
    packageName: '@teachablemachine/image',
    timeStamp: new Date().toISOString(),
    userMetadata: { exportedBy: 'trainwhistle' },
    modelName: name,
    labels: [...labels],
    imageSize,
    ...(grayscale ? { grayscale: true } : {}),
  };
  const zip = zipSync({
    'model.json': strToU8(JSON.stringify(modelJson)),
    'weights.bin': [weights, { level: 0 }],
    'metadata.json': strToU8(JSON.stringify(metadata, null, 2)),
  });
  return new Blob([zip], { type: 'application/zip' });
}
