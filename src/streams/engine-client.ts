/**
 * Starts the engine worker and loads the model in it: the one place that knows how a worker is made,
 * which options it gets (relative model URLs resolved against the page, `auto`'s remembered choice) and
 * how it is ended.
 */
import * as Comlink from 'comlink';
import { mergeEngineOptions, type PartialEngineOptions } from '../protocol/options';
import type { EngineApi, InitReport, LoadProgress } from '../protocol/types';
import { rememberBackend, rememberedBackend } from './remembered-backend';
import { restoreErrorClasses } from './worker-errors';

restoreErrorClasses();

export interface EngineStart extends PartialEngineOptions {
  /** Reports model loading, for a progress bar. */
  onProgress?: (p: LoadProgress) => void;
  /** Remember `auto`'s choice on this device (localStorage) so the next start skips measuring. @default true */
  rememberBackend?: boolean;
}

export interface EngineClient {
  /** The engine in the worker; every call returns a Promise. */
  readonly engine: Comlink.Remote<EngineApi>;
  /** Backend, model and head as the worker started them, with the reasons. */
  readonly info: InitReport;
  /** Disposes the engine and ends the worker. */
  close(): Promise<void>;
}

/** Relative URLs mean "relative to this page"; the worker lives elsewhere, so they are resolved here. */
function pageUrl(url: string): string {
  return url ? new URL(url, document.baseURI).href : url;
}

/**
 * @example const { engine, info } = await startEngine({ backend: 'auto', head: 'knn' });
 */
export async function startEngine(options: EngineStart = {}): Promise<EngineClient> {
  const { onProgress, rememberBackend: remember = true, ...engineOptions } = options;
  const merged = mergeEngineOptions(engineOptions);
  merged.modelBaseUrl = pageUrl(merged.modelBaseUrl);
  merged.modelUrl = pageUrl(merged.modelUrl);
  const remembered = merged.backend === 'auto' && remember ? rememberedBackend() : undefined;
  if (remembered) merged.rememberedBackend = remembered;

  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
    type: 'module',
    name: 'trainwhistle-engine',
  });
  const engine = Comlink.wrap<EngineApi>(worker);
  let info: InitReport;
  try {
    info = await engine.init(merged, Comlink.proxy(onProgress ?? (() => {})));
  } catch (e) {
    engine[Comlink.releaseProxy]();
    worker.terminate();
    throw e;
  }
  if (merged.backend === 'auto' && remember && info.backend.trials.length > 0) {
    rememberBackend({ deviceKey: info.backend.deviceKey, backend: info.backend.backend });
  }
  for (const w of info.warnings) console.warn(`trainwhistle: ${w}`);

  let closing: Promise<void> | null = null;
  return {
    engine,
    info,
    close: () =>
      (closing ??= (async () => {
        // A worker that no longer answers must still end: dispose is a courtesy, terminate is the end.
        await engine.dispose().catch(() => {});
        engine[Comlink.releaseProxy]();
        worker.terminate();
      })()),
  };
}
