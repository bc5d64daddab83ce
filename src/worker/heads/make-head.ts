/** The head a project's settings call for. */
import type { HeadSettings } from '../../protocol/project';
import type { ExampleStore } from '../examples';
import { DenseHead } from './dense';
import type { Head } from './head';
import { KnnHead } from './knn';
import { RegressionHead } from './regression';

export function makeHead(settings: HeadSettings, store: ExampleStore): Head {
  switch (settings.head) {
    case 'dense':
      return new DenseHead(settings.train, () => store.labels);
    case 'knn':
      return new KnnHead(settings.knn, store);
    case 'regression':
      return new RegressionHead(settings.train, settings.outputs);
  }
}
