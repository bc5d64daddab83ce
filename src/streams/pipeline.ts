/**
 * The public API: `createPipeline()` starts the engine in a Web Worker and gives back a pipeline
 * whose results are Observables. Frames are converted here and transferred; tfjs never runs on
 * the main thread.
 */
import * as Comlink from 'comlink';
import {
  BehaviorSubject,
  Observable,
  Subject,
  Subscription,
  filter,
  interval,
  map,
  share,
  startWith,
  tap,
  type Observable as Obs,
} from 'rxjs';
import type {
  EngineApi,
  ExampleCounts,
  ExampleInfo,
  InitReport,
  LoadProgress,
  Prediction,
  RawBenchmark,
  Target,
  TrainProgress,
  TrainReport,
} from '../protocol/types';
import { mergeEngineOptions, type PartialEngineOptions } from '../protocol/options';
import { FRAME_SIZE, toBitmap, type Frame, type ImageInput } from './frame';
import { capture, frameTicks, type FrameElement } from './frames';
import { MetricsRecorder, type Metrics } from './metrics';
import { processLatest } from './process-latest';
import { rememberedBackend, rememberBackend } from './remembered-backend';
import { restoreErrorClasses } from './worker-errors';

restoreErrorClasses();

export interface PipelineOptions extends PartialEngineOptions {
  /** Reports model loading, for a progress bar. */
  onProgress?: (p: LoadProgress) => void;
  /** Remember `auto`'s choice on this device (localStorage) so the next start skips measuring. @default true */
  rememberBackend?: boolean;
  /** How often `metrics$` emits. @default 500 ms */
  metricsIntervalMs?: number;
}

/** A live source: an element (camera or file <video>, a p5.js <canvas>, an <img>) or frames you make. */
export type LiveSource = FrameElement | Observable<Frame>;

export interface RecordOptions {
  /** Examples per second at most. @default 10 */
  maxFps?: number;
}

/** A hold-to-record session: examples keep coming until `stop()`. */
export interface Recording {
  /** Examples added so far. */
  readonly count$: Obs<number>;
  /** Stops recording; resolves with how many examples were added. */
  stop(): Promise<number>;
}

export interface Pipeline {
  /** Backend, model and head as the worker started them, with the reasons. */
  readonly info: InitReport;
  /** Every prediction while running (hot: subscribe before or after `start`). */
  readonly predictions$: Obs<Prediction>;
  /** Per-epoch progress of each `train()`. */
  readonly training$: Obs<TrainProgress>;
  /** Example counts after every change. */
  readonly examples$: Obs<ExampleCounts>;
  /** Rates, drops, latency, backend and tensors, every `metricsIntervalMs`. */
  readonly metrics$: Obs<Metrics>;
  /** Errors met while running (a frame that failed); the loop goes on. */
  readonly errors$: Obs<Error>;
  /** Whether `start()` is feeding frames now. */
  readonly running: boolean;
  addExample(target: Target, image: ImageInput): Promise<ExampleInfo>;
  record(target: Target, source: LiveSource, options?: RecordOptions): Recording;
  train(): Promise<TrainReport>;
  classify(image: ImageInput): Promise<Prediction>;
  start(source: LiveSource): Promise<void>;
  stop(): void;
  removeExample(id: number): Promise<ExampleCounts>;
  clearLabel(label: string): Promise<ExampleCounts>;
  renameLabel(from: string, to: string): Promise<ExampleCounts>;
  clearExamples(): Promise<ExampleCounts>;
  examples(): Promise<ExampleInfo[]>;
  counts(): Promise<ExampleCounts>;
  /** The model alone in the worker for `durationMs`: the speed limit of this backend (for benchmarks). */
  rawBenchmark(durationMs: number): Promise<RawBenchmark>;
  /** Stops everything, ends the worker and completes every Observable. */
  close(): Promise<void>;
}

/**
 * Feeds a live source to `work`, one frame at a time, newest first. An element is read only when
 * `work` is ready for it (so the picture is the newest one, and none is made to be dropped); a frame
 * source of your own goes through the newest-wins slot, whose dropped bitmaps are closed.
 */
function newestFrames<R>(
  source: LiveSource,
  work: (frame: Frame) => Promise<R>,
  on: { frame?: (t: number) => void; drop?: () => void; maxFps?: number } = {},
): Observable<R> {
  if (source instanceof Observable) {
    return source.pipe(
      tap((f) => on.frame?.(f.t)),
      processLatest(work, (f) => {
        f.bitmap.close();
        on.drop?.();
      }),
    );
  }
  return frameTicks(source, on.maxFps ? { maxFps: on.maxFps } : {}).pipe(
    tap((t) => on.frame?.(t)),
    processLatest(
      () => capture(source).then(work),
      () => on.drop?.(),
    ),
  );
}

/**
 * Starts the worker, loads MobileNet and picks the backend.
 * @example
 * const pipe = await createPipeline({ head: 'dense' });
 * pipe.addExample('ukulele', video);
 * await pipe.train();
 * pipe.start(video);
 * pipe.predictions$.subscribe((p) => console.log(p.label, p.confidences));
 */
export async function createPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const { onProgress, rememberBackend: remember = true, metricsIntervalMs = 500, ...engineOptions } = options;
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), {
    type: 'module',
    name: 'trainwhistle-engine',
  });
  const engine = Comlink.wrap<EngineApi>(worker);
  const merged = mergeEngineOptions({
    baseUrl: new URL(import.meta.env.BASE_URL, location.href).href,
    ...engineOptions,
  });
  const remembered = merged.backend === 'auto' && remember ? rememberedBackend() : undefined;
  let info: InitReport;
  try {
    info = await engine.init(
      { ...merged, ...(remembered ? { rememberedBackend: remembered } : {}) },
      Comlink.proxy(onProgress ?? (() => {})),
    );
  } catch (e) {
    worker.terminate();
    throw e;
  }
  if (merged.backend === 'auto' && remember && info.backend.trials.length > 0) {
    rememberBackend({ deviceKey: info.backend.deviceKey, backend: info.backend.backend });
  }
  for (const w of info.warnings) console.warn(`trainwhistle: ${w}`);

  const predictions = new Subject<Prediction>();
  const training = new Subject<TrainProgress>();
  const counts = new Subject<ExampleCounts>();
  const errors = new Subject<Error>();
  const metrics = new MetricsRecorder(info.backend.backend);
  let run: Subscription | null = null;
  const recordings = new Set<Subscription>();

  const send = (bitmap: ImageBitmap) => Comlink.transfer(bitmap, [bitmap]);
  const changed = (c: ExampleCounts) => (counts.next(c), c);
  const addExample = async (target: Target, image: ImageInput) => {
    const info = await engine.addExample(send(await toBitmap(image, FRAME_SIZE)), target);
    changed(await engine.counts());
    return info;
  };

  const metrics$ = interval(metricsIntervalMs).pipe(
    startWith(0),
    filter(() => run !== null),
    map(() => metrics.snapshot(performance.now())),
    share(),
  );

  const pipeline: Pipeline = {
    info,
    predictions$: predictions.asObservable(),
    training$: training.asObservable(),
    examples$: counts.asObservable(),
    metrics$,
    errors$: errors.asObservable(),
    get running() {
      return run !== null;
    },
    addExample,
    record(target, source, recordOptions = {}) {
      let added = 0;
      let inFlight: Promise<unknown> = Promise.resolve();
      const count$ = new BehaviorSubject(0);
      // Counted on arrival, not on emission: an example in flight at stop() still lands in the worker.
      const add = (frame: Frame) =>
        (inFlight = engine.addExample(send(frame.bitmap), target).then(() => count$.next(++added)));
      const sub: Subscription = newestFrames(source, add, { maxFps: recordOptions.maxFps ?? 10 }).subscribe({
        error: (e: Error) => {
          errors.next(e);
          void end();
        },
      });
      recordings.add(sub);
      let ended: Promise<number> | null = null;
      const end = () =>
        (ended ??= (async () => {
          sub.unsubscribe();
          recordings.delete(sub);
          await inFlight.catch(() => {});
          count$.complete();
          changed(await engine.counts());
          return added;
        })());
      return { count$: count$.asObservable(), stop: end };
    },
    async train() {
      return engine.train(Comlink.proxy((p: TrainProgress) => training.next(p)));
    },
    async classify(image) {
      const t = performance.now();
      const p = await engine.predict(send(await toBitmap(image, FRAME_SIZE)), t);
      return { ...p, latencyMs: performance.now() - t };
    },
    async start(source) {
      pipeline.stop();
      metrics.start(performance.now());
      // A repeated error (say, predicting before training) is reported once, not at the frame rate.
      let lastError = '';
      const report = (e: Error) => {
        if (e.message !== lastError) errors.next(e);
        lastError = e.message;
        return null;
      };
      const predict = (frame: Frame) =>
        engine.predict(send(frame.bitmap), frame.t).then((p) => ((lastError = ''), p), report);
      const predictions$ = newestFrames(source, predict, {
        frame: (t) => metrics.frame(t),
        drop: () => metrics.drop(),
      });
      run = predictions$.pipe(filter((p): p is Prediction => p !== null)).subscribe({
        next: (p) => {
          const now = performance.now();
          const prediction = { ...p, latencyMs: now - p.t };
          metrics.prediction(prediction, now);
          predictions.next(prediction);
        },
        error: (e: Error) => {
          errors.next(e);
          run = null;
        },
      });
    },
    stop() {
      run?.unsubscribe();
      run = null;
    },
    removeExample: async (id) => changed(await engine.removeExample(id)),
    clearLabel: async (label) => changed(await engine.clearLabel(label)),
    renameLabel: async (from, to) => changed(await engine.renameLabel(from, to)),
    clearExamples: async () => changed(await engine.clearExamples()),
    examples: () => engine.examples(),
    counts: () => engine.counts(),
    rawBenchmark: (durationMs) => engine.rawBenchmark(durationMs),
    async close() {
      pipeline.stop();
      for (const r of recordings) r.unsubscribe();
      recordings.clear();
      await engine.dispose().catch(() => {});
      engine[Comlink.releaseProxy]();
      worker.terminate();
      for (const s of [predictions, training, counts, errors]) s.complete();
    },
  };
  return pipeline;
}
