/** The head a project's settings call for. */
import { isKeypoints, type HeadSettings, type FeatureKind } from '../../protocol/engine-options';
import type { ExampleStore } from '../examples';
import { DenseHead } from './dense';
import { DtwHead } from './dtw';
import type { Head } from './head';
import { KnnHead } from './knn';
import { RegressionHead } from './regression';

/** Where gestures count as matched when no threshold is set: RMS of body features, cosine of image features. */
export const DEFAULT_GESTURE_THRESHOLD: Record<FeatureKind, number> = {
  pose: 0.18,
  people: 0.18,
  hands: 0.2,
  image: 0.06,
};

export function makeHead(settings: HeadSettings, store: ExampleStore, features: FeatureKind = 'image'): Head {
  switch (settings.head) {
    case 'dtw': {
      const threshold = settings.gestures.threshold ?? DEFAULT_GESTURE_THRESHOLD[features];
      return new DtwHead({ ...settings.gestures, threshold }, store, isKeypoints(features) ? 'rms' : 'cosine');
    }
    case 'dense':
      return new DenseHead(settings.train, () => store.labels);
    case 'knn':
      return new KnnHead(settings.knn, store);
    case 'regression':
      return new RegressionHead(settings.train, settings.outputs);
  }
}
