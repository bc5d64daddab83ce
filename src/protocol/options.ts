/**
 * Engine options merged over the defaults, and checked. No tfjs here: the main thread imports this file too.
 */
import {
  DEFAULT_ENGINE_OPTIONS,
  type EngineOptions,
  type HeadSettings,
  type HeadSettingsPatch,
  type ModelSpec,
  type PartialEngineOptions,
} from './engine-options';

/** User options deep-merged over the defaults (one level deep, as the option groups are). */
export function mergeEngineOptions(options: PartialEngineOptions = {}): EngineOptions {
  const d = DEFAULT_ENGINE_OPTIONS;
  return {
    ...d,
    ...options,
    model: { ...d.model, ...options.model },
    pose: { ...d.pose, ...options.pose },
    people: { ...d.people, ...options.people },
    hands: { ...d.hands, ...options.hands },
    train: { ...d.train, ...options.train },
    knn: { ...d.knn, ...options.knn },
    gestures: { ...d.gestures, ...options.gestures },
    outputs: [...(options.outputs ?? d.outputs)],
    also: [...(options.also ?? d.also)],
  };
}

/** The head settings within a full set of options. */
export function headSettingsOf(o: EngineOptions): HeadSettings {
  return {
    head: o.head,
    outputs: [...o.outputs],
    train: { ...o.train },
    knn: { ...o.knn },
    gestures: { ...o.gestures },
  };
}

/** `patch` over `base`: what it gives replaces, the rest stays. */
export function mergeHeadSettings(base: HeadSettings, patch: HeadSettingsPatch): HeadSettings {
  return {
    head: patch.head ?? base.head,
    outputs: [...(patch.outputs ?? base.outputs)],
    train: { ...base.train, ...patch.train },
    knn: { ...base.knn, ...patch.knn },
    // Older stored projects have no gesture settings: the defaults fill them.
    gestures: { ...DEFAULT_ENGINE_OPTIONS.gestures, ...base.gestures, ...patch.gestures },
  };
}

const VALID_ALPHAS: Record<ModelSpec['version'], number[]> = { 1: [0.25, 0.5, 0.75, 1.0], 2: [0.5, 0.75, 1.0] };

/** `mobilenet-v1-0.25` */
export function modelName(spec: ModelSpec): string {
  return `mobilenet-v${spec.version}-${spec.alpha}`;
}

/** The folder `npm run models` fills: `mobilenet_v1_025_224_graph`. */
export function modelFolder(spec: ModelSpec): string {
  const alpha = String(Math.round(spec.alpha * 100)).padStart(3, '0');
  return `mobilenet_v${spec.version}_${alpha}_224_graph`;
}

/** Throws a RangeError naming the valid choices when an option cannot work. */
export function validateEngineOptions(o: EngineOptions): void {
  const backends = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
  if (!backends.includes(o.backend)) {
    throw new RangeError(`Unknown backend '${o.backend}'. Valid backends are: ${backends.join(', ')}.`);
  }
  if (!['image', 'pose', 'people', 'hands'].includes(o.features)) {
    throw new RangeError(
      `Unknown features '${o.features}'. Valid features are: image (MobileNet), pose (MoveNet, one person), people (MoveNet MultiPose, up to 6), hands (MediaPipe Hands, up to 2).`,
    );
  }
  if (!Array.isArray(o.also) || o.also.some((a) => a !== 'hands')) {
    throw new RangeError(
      `Unknown also ${JSON.stringify(o.also)}: it takes ['hands'] (hands beside image, pose or people features), or [].`,
    );
  }
  if (o.features === 'hands' && o.also.includes('hands')) {
    throw new RangeError(
      `also: ['hands'] is for image, pose or people features; features: 'hands' sees the hands already.`,
    );
  }
  if (!['dense', 'knn', 'regression', 'dtw'].includes(o.head)) {
    throw new RangeError(`Unknown head '${o.head}'. Valid heads are: dense, knn, regression, dtw.`);
  }
  if (!(o.people.minScore >= 0 && o.people.minScore <= 1))
    throw new RangeError(`people.minScore must be in 0..1 (got ${o.people.minScore}).`);
  if (!(o.people.forgetMs >= 0)) throw new RangeError(`people.forgetMs must be ≥ 0 (got ${o.people.forgetMs}).`);
  if (o.hands.maxHands !== 1 && o.hands.maxHands !== 2)
    throw new RangeError(`hands.maxHands must be 1 or 2 (got ${String(o.hands.maxHands)}).`);
  if (!(o.hands.minScore >= 0 && o.hands.minScore <= 1))
    throw new RangeError(`hands.minScore must be in 0..1 (got ${o.hands.minScore}).`);
  if (o.hands.model !== 'full' && o.hands.model !== 'lite')
    throw new RangeError(`hands.model must be 'full' or 'lite' (got '${String(o.hands.model)}').`);
  const g = o.gestures;
  if (!(g.threshold === null || g.threshold > 0))
    throw new RangeError(`gestures.threshold must be > 0 or null (got ${g.threshold}).`);
  if (!(g.refractoryMs >= 0)) throw new RangeError(`gestures.refractoryMs must be ≥ 0 (got ${g.refractoryMs}).`);
  if (!(g.band.minRatio > 0 && g.band.maxRatio >= 1 && g.band.minRatio <= 1)) {
    throw new RangeError(`gestures.band needs 0 < minRatio ≤ 1 ≤ maxRatio (got ${JSON.stringify(g.band)}).`);
  }
  const alphas = VALID_ALPHAS[o.model.version];
  if (!alphas) throw new RangeError(`Invalid MobileNet version ${o.model.version}. Valid versions are: 1, 2.`);
  if (!alphas.includes(o.model.alpha)) {
    throw new RangeError(
      `MobileNet v${o.model.version} has no alpha ${o.model.alpha}. Valid alphas for this version are: ${alphas.join(', ')}.`,
    );
  }
  if (o.head === 'regression' && (o.outputs.length === 0 || new Set(o.outputs).size !== o.outputs.length)) {
    throw new RangeError(`Regression needs one or more distinct output names (got ${JSON.stringify(o.outputs)}).`);
  }
  const t = o.train;
  if (!(Number.isInteger(t.epochs) && t.epochs >= 1))
    throw new RangeError(`train.epochs must be a whole number ≥ 1 (got ${t.epochs}).`);
  if (!(t.learningRate > 0)) throw new RangeError(`train.learningRate must be > 0 (got ${t.learningRate}).`);
  if (!(Number.isInteger(t.batchSize) && t.batchSize >= 1))
    throw new RangeError(`train.batchSize must be a whole number ≥ 1 (got ${t.batchSize}).`);
  if (!(Number.isInteger(t.hiddenUnits) && t.hiddenUnits >= 1))
    throw new RangeError(`train.hiddenUnits must be a whole number ≥ 1 (got ${t.hiddenUnits}).`);
  if (!(t.validationSplit >= 0 && t.validationSplit < 1))
    throw new RangeError(`train.validationSplit must be in [0, 1) (got ${t.validationSplit}).`);
  if (!(Number.isInteger(o.knn.k) && o.knn.k >= 1))
    throw new RangeError(`knn.k must be a whole number ≥ 1 (got ${o.knn.k}).`);
}
