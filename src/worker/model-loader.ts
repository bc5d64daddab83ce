/**
 * Loads a model's weights from the first place that has them: the IndexedDB cache, the app's own
 * `models/` folder (filled by `npm run models`), then the official URL. After a load from the network the
 * model is cached, so the next start works offline. MobileNet and MoveNet both come through here.
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineOptions } from '../protocol/engine-options';
import { ModelUnavailableError } from '../protocol/errors';
import type { LoadPhase, LoadProgress, ModelReport } from '../protocol/engine-api';

/** Where one model's weights may be found. */
export interface ModelSource {
  /** e.g. `mobilenet-v1-0.25`; also names the IndexedDB cache entry. */
  name: string;
  /** The folder `npm run models` fills, under `modelBaseUrl`. */
  folder: string;
  /** The model JSON's file name in that folder. @default 'model.json' */
  file?: string;
  /** The official TF Hub model, fetched as `<official>/model.json?tfjs-format=file`; none when absent. */
  official?: string;
  /** Or the official model JSON's own URL, fetched as it is (models that are not on TF Hub). */
  officialJson?: string;
  /** Length of the feature vector it gives, for the report. */
  featureSize: number;
}

export interface Loaded<T> {
  model: T;
  report: ModelReport;
  warnings: string[];
}

interface Source {
  phase: Exclude<LoadPhase, 'backend' | 'ready'>;
  url: string;
  handler: tf.io.IOHandler;
}

const cacheKey = (m: ModelSource) => `indexeddb://trainwhistle-${m.name}`;

async function isCached(key: string): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  try {
    return key in (await tf.io.listModels());
  } catch {
    return false;
  }
}

/**
 * The sources to try, in order. `modelUrl` (a user's own model.json) applies to the feature model only,
 * so `useModelUrl` says whether this is it.
 */
async function sources(
  m: ModelSource,
  o: EngineOptions,
  useModelUrl: boolean,
  onProgress: (p: LoadProgress) => void,
): Promise<Source[]> {
  const list: Source[] = [];
  const key = cacheKey(m);
  if (o.cacheModel && (await isCached(key))) {
    list.push({ phase: 'cache', url: key, handler: tf.io.getLoadHandlers(key)[0]! });
  }
  const base = o.modelBaseUrl.endsWith('/') ? o.modelBaseUrl : `${o.modelBaseUrl}/`;
  const local = (useModelUrl && o.modelUrl) || new URL(`${m.folder}/${m.file ?? 'model.json'}`, base).href;
  const progress = (phase: Source['phase'], url: string) => (fraction: number) => onProgress({ phase, fraction, url });
  list.push({ phase: 'local', url: local, handler: tf.io.http(local, { onProgress: progress('local', local) }) });
  if (o.allowRemoteModel && (m.official || m.officialJson)) {
    const url = m.officialJson ?? `${m.official}/model.json?tfjs-format=file`;
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

/**
 * Loads `m` with `build` (which reads the weights through the handler it is given), caching it after a
 * load from the network. `handler` replaces every URL source (Node tests).
 */
export async function loadModel<T>(
  m: ModelSource,
  o: EngineOptions,
  onProgress: (p: LoadProgress) => void,
  build: (handler: tf.io.IOHandler) => Promise<T>,
  options: { handler?: tf.io.IOHandler | undefined; useModelUrl: boolean },
): Promise<Loaded<T>> {
  const { handler } = options;
  const list: Source[] = handler
    ? [{ phase: 'local', url: 'memory', handler }]
    : await sources(m, o, options.useModelUrl, onProgress);
  const failures: string[] = [];
  const warnings: string[] = [];
  for (const source of list) {
    onProgress({ phase: source.phase, fraction: 0, url: source.url });
    const rec = recording(source.handler);
    try {
      const model = await build(rec.handler);
      let cached = source.phase === 'cache';
      if (!cached && !handler && o.cacheModel && typeof indexedDB !== 'undefined') {
        try {
          await tf.io.getSaveHandlers(cacheKey(m))[0]!.save!(rec.artifacts()!);
          cached = true;
        } catch (e) {
          warnings.push(
            `Could not cache the ${m.name} model for offline use (${(e as Error).message}); it will be fetched again next time.`,
          );
        }
      }
      onProgress({ phase: 'ready', fraction: 1, url: source.url });
      return {
        model,
        warnings,
        report: { name: m.name, source: source.phase, url: source.url, embeddingSize: m.featureSize, cached },
      };
    } catch (e) {
      failures.push(`${source.phase} (${source.url}): ${(e as Error).message}`);
    }
  }
  throw new ModelUnavailableError(
    `Could not load the ${m.name} weights from any source — ${failures.join('; ')}. ` +
      `Put the weights into public/models with \`npm run models -- <folder with the weights>\` ` +
      `(or \`npm run models\` where the internet is reachable) and reload; after one successful load the model is cached for offline use.`,
  );
}
