/**
 * Starts the engine worker (engine-worker.ts makes it, from this origin or a CDN's), keeps it alive, and ends
 * it: the one place that knows which options it gets (relative model URLs resolved against the page, `auto`'s remembered choice), and
 * what happens when it dies. A worker that crashes (an `error` event) or stops answering the heartbeat is
 * replaced by a new one with the same options — the backend it had, not `auto` again — that restores the
 * project (from IndexedDB, or from the copy this thread keeps when nothing is persisted). Calls in flight
 * at the crash reject with WorkerRestartedError; calls made during the restart wait for it. A worker that
 * dies again at once is retried with back-off, and after a few tries the client gives up, saying why.
 */
import * as Comlink from 'comlink';
import { Subject, type Observable } from 'rxjs';
import { DEFAULT_ENGINE_OPTIONS, type EngineInit } from '../protocol/engine-options';
import type { EngineNotice, ProjectMirror, ProjectProgress } from '../protocol/project';
import type { EngineApi, InitReport, LoadProgress } from '../protocol/engine-api';
import { carryErrors, WorkerRestartedError } from '../protocol/errors';
import type { ExampleRecord, HeadState, ProjectMeta, ProjectRecord } from '../protocol/project-record';
import type { Milliseconds } from '../protocol/units';
import { startEngineWorker } from './engine-worker';
import { PIPELINE_DEFAULTS } from './pipeline-defaults';
import { rememberBackend, rememberedBackend } from './remembered-backend';

carryErrors();

export interface EngineStart extends EngineInit {
  /** Reports model loading (and re-embedding a project made with another model), for a progress bar. */
  onProgress?: (p: LoadProgress | ProjectProgress) => void;
  /** Remember `auto`'s choice on this device (localStorage) so the next start skips measuring. */
  rememberBackend?: boolean;
  /** What the worker tells on its own (a project that cannot be saved, say). */
  onNotice?: (n: EngineNotice) => void;
}

/** The error a restart is told with, and that a call in flight at the crash rejects with. */
export function workerRestarted(reason: string): WorkerRestartedError {
  return new WorkerRestartedError(
    `The engine's worker stopped (${reason}) and was restarted with everything it had been taught. A call in flight at that moment rejects with this error, its answer lost: an example it was adding may have been kept or not (counts() says), training must be started again.`,
    reason,
  );
}

/** A restart, as `restarts$` tells it. */
export interface Restart {
  /** How the worker died. */
  reason: string;
  /** Restarts since the client started. */
  count: number;
  /** The new worker's report. */
  info: InitReport;
}

export interface EngineClient {
  /** The engine in the worker; every call returns a Promise, and survives a restart (see above). */
  readonly engine: Comlink.Remote<EngineApi>;
  /** Backend, model and head as the worker started them, with the reasons (the newest worker's). */
  readonly info: InitReport;
  /** Each restart of a crashed worker. */
  readonly restarts$: Observable<Restart>;
  /** Disposes the engine and ends the worker. */
  close(): Promise<void>;
}

/**
 * How often the worker is asked whether it lives, and how long it may take to answer: longer while it does
 * something long (training yields between batches, but a big step may hold it a while).
 */
const HEARTBEAT_MS: Milliseconds = 1000;
const HEARTBEAT_TIMEOUT_MS: Milliseconds = 5000;
const BUSY_HEARTBEAT_TIMEOUT_MS: Milliseconds = 20_000;
/** A worker that dies within this long of starting counts as "again at once". */
const QUICK_DEATH_MS: Milliseconds = 15_000;
/** Back-off before each quick retry; after the last, the client gives up. */
const BACKOFF_MS: Milliseconds[] = [500, 2000, 5000];
/** Calls that may keep the worker busy for long: the heartbeat waits longer for an answer meanwhile. */
const LONG_CALLS = new Set(['train', 'openProject', 'saveProject', 'exportModel', 'rawBenchmark', 'evaluate', 'flush']);

/** Relative URLs mean "relative to this page"; the worker lives elsewhere, so they are resolved here. */
function pageUrl(url: string): string {
  return url ? new URL(url, document.baseURI).href : url;
}

/**
 * The main thread's copy of a project that nothing persists, written by the worker as it changes: what a
 * restarted worker starts from. The records are the worker's own (embedding, thumbnail, crop…).
 */
export class MemoryMirror implements ProjectMirror {
  #meta: ProjectMeta | null = null;
  #examples = new Map<number, ExampleRecord>();
  #head: HeadState | null = null;

  load(): ProjectRecord | null {
    if (this.#meta === null) return null;
    return { meta: this.#meta, examples: [...this.#examples.values()].sort((a, b) => a.id - b.id), head: this.#head };
  }
  saveMeta(meta: ProjectMeta): void {
    this.#meta = meta;
  }
  putExamples(examples: ExampleRecord[]): void {
    for (const e of examples) this.#examples.set(e.id, e);
  }
  deleteExamples(ids: number[]): void {
    for (const id of ids) this.#examples.delete(id);
  }
  putHead(state: HeadState | null): void {
    this.#head = state;
  }
  replace(record: ProjectRecord): void {
    this.#meta = record.meta;
    this.#examples = new Map(record.examples.map((e) => [e.id, e]));
    this.#head = record.head;
  }
}

/** Rejects when the worker's script cannot load or run (or, later, throws where nothing catches it). */
function failed(worker: Worker): Promise<string> {
  return new Promise((resolve) => {
    worker.addEventListener(
      'error',
      (e) => {
        e.preventDefault();
        resolve(e.message || 'its script did not load');
      },
      { once: true },
    );
  });
}

interface Live {
  worker: Worker;
  remote: Comlink.Remote<EngineApi>;
  info: InitReport;
  startedAt: Milliseconds;
  /** Resolves with the cause when this worker dies. */
  died: Promise<string>;
  /** Says this worker is dead (a heartbeat went unanswered). */
  kill: (reason: string) => void;
}

const SAME_ORIGIN_HINT = `With the standalone build, keep worker.js and the .wasm files beside trainwhistle.js; with a bundler, see the README's "With a bundler".`;
const crossOriginHint = (script: string) =>
  `Its script (${script}) is on another origin than this page: that server must send Access-Control-Allow-Origin with worker.js and the .wasm files beside it, as jsDelivr and unpkg do.`;

/** A new worker, initialised; rejects (and ends the worker) when it cannot start. */
async function spawn(
  init: EngineInit,
  onProgress: (p: LoadProgress | ProjectProgress) => void,
  onNotice: (n: EngineNotice) => void,
  mirror: MemoryMirror | null,
): Promise<Live> {
  const { worker, crossOrigin, loaded } = startEngineWorker();
  const remote = Comlink.wrap<EngineApi>(worker);
  let kill: (reason: string) => void = () => {};
  const died = Promise.race([failed(worker), new Promise<string>((resolve) => (kill = resolve))]);
  try {
    const info = await Promise.race([
      remote.init(init, Comlink.proxy(onProgress), Comlink.proxy(onNotice), mirror ? Comlink.proxy(mirror) : undefined),
      died.then((reason) => {
        throw new Error(
          `The engine's worker could not start (${reason}). ${crossOrigin ? crossOriginHint(crossOrigin) : SAME_ORIGIN_HINT}`,
        );
      }),
    ]).finally(loaded);
    return { worker, remote, info, startedAt: performance.now(), died, kill };
  } catch (e) {
    remote[Comlink.releaseProxy]();
    worker.terminate();
    throw e;
  }
}

/**
 * @example const { engine, info } = await startEngine({ backend: 'auto', head: 'knn' });
 */
export async function startEngine(options: EngineStart = {}): Promise<EngineClient> {
  const {
    onProgress = () => {},
    onNotice = () => {},
    rememberBackend: remember = PIPELINE_DEFAULTS.rememberBackend,
    ...given
  } = options;
  // Only what the caller gave goes to the engine: a restored project's own settings fill the rest there.
  const init: EngineInit = {
    ...given,
    modelBaseUrl: pageUrl(given.modelBaseUrl ?? DEFAULT_ENGINE_OPTIONS.modelBaseUrl),
    ...(given.modelUrl ? { modelUrl: pageUrl(given.modelUrl) } : {}),
  };
  const auto = (given.backend ?? DEFAULT_ENGINE_OPTIONS.backend) === 'auto';
  const remembered = auto && remember ? rememberedBackend() : undefined;
  if (remembered) init.rememberedBackend = remembered;
  const mirror = given.project ? null : new MemoryMirror();

  let live = await spawn(init, onProgress, onNotice, mirror);
  if (auto && remember && live.info.backend.trials.length > 0) {
    rememberBackend({ deviceKey: live.info.backend.deviceKey, backend: live.info.backend.backend });
  }
  for (const w of live.info.warnings) console.warn(`trainwhistle: ${w}`);

  const restarts$ = new Subject<Restart>();
  let restarts = 0;
  let quickDeaths = 0;
  /** Resolves once a live worker answers calls again; replaced while one is being restarted. */
  let ready: Promise<void> = Promise.resolve();
  let gaveUp: Error | null = null;
  let closed = false;
  let restarting = false;
  let longCalls = 0;

  const restart = (dead: Live, reason: string) => {
    if (dead !== live || closed) return;
    dead.remote[Comlink.releaseProxy]();
    dead.worker.terminate();
    // "Again at once": a worker that a restart started, dying soon after. Each such death waits the next
    // back-off; past the last, the client gives up instead of starting workers that die, forever.
    quickDeaths = restarts > 0 && performance.now() - dead.startedAt < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    restarting = true;
    ready = (async () => {
      // The same options, but the backend the worker had: `auto` measured it already.
      const again: EngineInit = { ...init, backend: dead.info.backend.backend };
      let then = 'it died again at once after each restart';
      for (let attempt = quickDeaths; ; attempt++) {
        if (attempt > BACKOFF_MS.length) {
          gaveUp = new Error(
            `The engine's worker keeps stopping (${reason}; then: ${then}). Reload the page; if it happens again, try another backend (backend: 'wasm').`,
          );
          restarts$.error(gaveUp);
          return;
        }
        if (attempt > 0) await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1]));
        if (closed) return;
        try {
          live = await spawn(again, () => {}, onNotice, mirror);
          watch(live);
          restarts += 1;
          restarting = false;
          restarts$.next({ reason, count: restarts, info: live.info });
          return;
        } catch (e) {
          then = (e as Error).message;
        }
      }
    })();
  };

  const watch = (w: Live) => void w.died.then((reason) => restart(w, reason));
  watch(live);
  let waiting = false;
  const heartbeat = setInterval(() => {
    const w = live;
    if (waiting || closed || restarting || gaveUp) return;
    waiting = true;
    const limit = longCalls > 0 ? BUSY_HEARTBEAT_TIMEOUT_MS : HEARTBEAT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      waiting = false;
      if (w === live) w.kill(`no answer to the heartbeat for ${limit / 1000} s`);
    }, limit);
    void w.remote.ping().then(() => {
      clearTimeout(timer);
      waiting = false;
    });
  }, HEARTBEAT_MS);

  /** A call to the live worker: waits out a restart; rejects with WorkerRestartedError if its worker dies. */
  const call = async (name: keyof EngineApi, args: unknown[]): Promise<unknown> => {
    await ready;
    if (gaveUp) throw gaveUp;
    if (closed) throw new Error('The pipeline is closed: create a new one with createPipeline().');
    const w = live;
    const long = LONG_CALLS.has(name);
    if (long) longCalls += 1;
    try {
      const method = w.remote[name] as unknown as (...a: unknown[]) => Promise<unknown>;
      return await Promise.race([
        method(...args),
        w.died.then((reason) => {
          throw workerRestarted(reason);
        }),
      ]);
    } finally {
      if (long) longCalls -= 1;
    }
  };
  const engine = new Proxy({} as Comlink.Remote<EngineApi>, {
    get:
      (_, name) =>
      (...args: unknown[]) =>
        call(name as keyof EngineApi, args),
  });

  let closing: Promise<void> | null = null;
  return {
    engine,
    get info() {
      return live.info;
    },
    restarts$: restarts$.asObservable(),
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        await ready;
        closed = true;
        // A worker that no longer answers must still end: dispose is a courtesy, terminate is the end.
        await Promise.race([live.remote.dispose().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
        live.remote[Comlink.releaseProxy]();
        live.worker.terminate();
        restarts$.complete();
      })()),
  };
}
