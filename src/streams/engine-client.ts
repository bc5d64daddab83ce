/**
 * Starts the engine worker and loads the model in it: the one place that knows how a worker is made,
 * which options it gets (relative model URLs resolved against the page, `auto`'s remembered choice) and
 * how it is ended.
 */
import * as Comlink from 'comlink';
import { DEFAULT_ENGINE_OPTIONS } from '../protocol/options';
import type { EngineNotice, ProjectProgress } from '../protocol/project';
import type { EngineApi, EngineInit, InitReport, LoadProgress } from '../protocol/types';
import { rememberBackend, rememberedBackend } from './remembered-backend';
import { restoreErrorClasses } from './worker-errors';

restoreErrorClasses();

export interface EngineStart extends EngineInit {
  /** Reports model loading (and re-embedding a project made with another model), for a progress bar. */
  onProgress?: (p: LoadProgress | ProjectProgress) => void;
  /** Remember `auto`'s choice on this device (localStorage) so the next start skips measuring. @default true */
  rememberBackend?: boolean;
  /** What the worker tells on its own (a project that cannot be saved, say). */
  onNotice?: (n: EngineNotice) => void;
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

/** Rejects when the worker's script cannot load or run, which would otherwise leave init() unanswered. */
function failure(worker: Worker): Promise<never> {
  return new Promise((_, reject) => {
    worker.addEventListener(
      'error',
      (e) => {
        e.preventDefault();
        reject(
          new Error(
            `The engine's worker could not start (${e.message || 'its script did not load'}). ` +
              `With the standalone build, keep worker.js and the .wasm files beside trainwhistle.js; with a bundler, see the README's "With a bundler".`,
          ),
        );
      },
      { once: true },
    );
  });
}

/**
 * @example const { engine, info } = await startEngine({ backend: 'auto', head: 'knn' });
 */
export async function startEngine(options: EngineStart = {}): Promise<EngineClient> {
  const { onProgress, onNotice, rememberBackend: remember = true, ...given } = options;
  // Only what the caller gave goes to the engine: a restored project's own settings fill the rest there.
  const init: EngineInit = {
    ...given,
    modelBaseUrl: pageUrl(given.modelBaseUrl ?? DEFAULT_ENGINE_OPTIONS.modelBaseUrl),
    ...(given.modelUrl ? { modelUrl: pageUrl(given.modelUrl) } : {}),
  };
  const auto = (given.backend ?? DEFAULT_ENGINE_OPTIONS.backend) === 'auto';
  const remembered = auto && remember ? rememberedBackend() : undefined;
  if (remembered) init.rememberedBackend = remembered;

  // The form bundlers recognise: Vite starts the worker from source in the app, and scripts/build.mjs
  // rewrites it to `new URL('./worker.js', import.meta.url)` for the package, beside this module.
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
    type: 'module',
    name: 'trainwhistle-engine',
  });
  const engine = Comlink.wrap<EngineApi>(worker);
  let info: InitReport;
  try {
    info = await Promise.race([
      engine.init(init, Comlink.proxy(onProgress ?? (() => {})), Comlink.proxy(onNotice ?? (() => {}))),
      failure(worker),
    ]);
  } catch (e) {
    engine[Comlink.releaseProxy]();
    worker.terminate();
    throw e;
  }
  if (auto && remember && info.backend.trials.length > 0) {
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
