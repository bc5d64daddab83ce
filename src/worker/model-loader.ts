/**
 * Loads MobileNet as a feature extractor, from the first place that has the weights:
 * the IndexedDB cache, the app's own `models/` folder (filled by `npm run models`), then the official URL.
 * After a load from the network the model is cached, so the next start works offline.
 */
import * as tf from '@tensorflow/tfjs';
import * as mobilenet from '@tensorflow-models/mobilenet';
import type { EngineOptions, LoadPhase, LoadProgress, ModelReport, ModelSpec } from '../protocol/types';
import { modelFolder, modelName } from '../protocol/options';

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

export interface LoadedModel {
  model: mobilenet.MobileNet;
  report: ModelReport;
  warnings: string[];
}

interface Source {
  phase: Exclude<LoadPhase, 'backend' | 'ready'>;
  url: string;
  handler: tf.io.IOHandler;
}

/** Thrown when no source has the weights; its message says how to get them. */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

function cacheKey(spec: ModelSpec): string {
  return `indexeddb://trainwhistle-${modelName(spec)}`;
}

async function isCached(key: string): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  try {
    return key in (await tf.io.listModels());
  } catch {
    return false;
  }
}

/** The sources to try, in order. `handler` (tests, Node) replaces the URL-based ones. */
async function sources(spec: ModelSpec, o: EngineOptions, onProgress: (p: LoadProgress) => void): Promise<Source[]> {
  const list: Source[] = [];
  const key = cacheKey(spec);
  if (o.cacheModel && (await isCached(key))) {
    list.push({ phase: 'cache', url: key, handler: tf.io.getLoadHandlers(key)[0]! });
  }
  const base = o.modelBaseUrl.endsWith('/') ? o.modelBaseUrl : `${o.modelBaseUrl}/`;
  const local = o.modelUrl || new URL(`${modelFolder(spec)}/model.json`, base).href;
  const progress = (phase: Source['phase'], url: string) => (fraction: number) => onProgress({ phase, fraction, url });
  list.push({ phase: 'local', url: local, handler: tf.io.http(local, { onProgress: progress('local', local) }) });
  const official = OFFICIAL[modelName(spec)];
  if (o.allowRemoteModel && official) {
    const url = `${official}/model.json?tfjs-format=file`;
    list.push({ phase: 'remote', url, handler: tf.io.http(url, { onProgress: progress('remote', url) }) });
  }
  return list;
}

/** Keeps what a handler loaded, so it can be written to the cache without a second download. */
function recording(handler: tf.io.IOHandler): {
  handler: tf.io.IOHandler;
  artifacts: () => tf.io.ModelArtifacts | undefined;
} {
  let artifacts: tf.io.ModelArtifacts | undefined;
  return {
    handler: {
      load: async () => {
        artifacts = await handler.load!();
        return artifacts;
      },
    },
    artifacts: () => artifacts,
  };
}

export async function loadMobileNet(
  o: EngineOptions,
  onProgress: (p: LoadProgress) => void,
  handler?: tf.io.IOHandler,
): Promise<LoadedModel> {
  const spec = o.model;
  const name = modelName(spec);
  const embeddingSize = spec.version === 1 ? Math.round(1024 * spec.alpha) : 1280;
  const list: Source[] = handler ? [{ phase: 'local', url: 'memory', handler }] : await sources(spec, o, onProgress);
  const failures: string[] = [];
  const warnings: string[] = [];
  for (const source of list) {
    onProgress({ phase: source.phase, fraction: 0, url: source.url });
    const rec = recording(source.handler);
    try {
      // inputRange: the graph model expects [0, 1]; the package assumes [-1, 1] for a custom URL.
      const model = await mobilenet.load({
        version: spec.version,
        alpha: spec.alpha,
        modelUrl: rec.handler,
        inputRange: [0, 1],
      });
      let cached = source.phase === 'cache';
      if (!cached && !handler && o.cacheModel && typeof indexedDB !== 'undefined') {
        try {
          await tf.io.getSaveHandlers(cacheKey(spec))[0]!.save!(rec.artifacts()!);
          cached = true;
        } catch (e) {
          warnings.push(
            `Could not cache the model for offline use (${(e as Error).message}); it will be fetched again next time.`,
          );
        }
      }
      onProgress({ phase: 'ready', fraction: 1, url: source.url });
      return { model, warnings, report: { name, source: source.phase, url: source.url, embeddingSize, cached } };
    } catch (e) {
      failures.push(`${source.phase} (${source.url}): ${(e as Error).message}`);
    }
  }
  throw new ModelUnavailableError(
    `Could not load the ${name} weights from any source — ${failures.join('; ')}. ` +
      `Put the weights into public/models with \`npm run models -- <folder with the weights>\` ` +
      `(or \`npm run models\` where the internet is reachable) and reload; after one successful load the model is cached for offline use.`,
  );
}
