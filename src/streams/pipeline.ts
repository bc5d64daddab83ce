/**
 * The public API: `createPipeline()` starts the engine in a Web Worker and gives back a pipeline
 * whose results are Observables. Frames are converted here and transferred; tfjs never runs on
 * the main thread.
 */
import * as Comlink from 'comlink';
import { ReplaySubject, Subject, filter, interval, map, share, startWith, takeUntil, type Observable } from 'rxjs';
import type {
  ExampleCounts,
  ExampleInfo,
  InitReport,
  Milliseconds,
  Prediction,
  RawBenchmark,
  Target,
  TrainProgress,
  TrainReport,
} from '../protocol/types';
import { startEngine, type EngineClient, type EngineStart } from './engine-client';
import { FRAME_SIZE, toBitmap, type Frame, type ImageInput } from './frame';
import { MetricsRecorder, type Metrics } from './metrics';
import { newestFrames, type LiveSource } from './newest-frames';
import { startRecording, type RecordOptions, type Recording } from './recording';

export type { LiveSource } from './newest-frames';
export type { RecordOptions, Recording } from './recording';

export interface PipelineOptions extends EngineStart {
  /** How often `metrics$` emits while running. @default 500 ms */
  metricsIntervalMs?: Milliseconds;
}

export interface Pipeline {
  /** Backend, model and head as the worker started them, with the reasons. */
  readonly info: InitReport;
  /** Every prediction while running (hot: subscribe before or after `start`). */
  readonly predictions$: Observable<Prediction>;
  /** Per-epoch progress of each `train()`. */
  readonly training$: Observable<TrainProgress>;
  /** Example counts per label after every change. */
  readonly counts$: Observable<ExampleCounts>;
  /** Rates, drops, latency, backend and tensors, every `metricsIntervalMs` while running. */
  readonly metrics$: Observable<Metrics>;
  /** Errors met while running (a frame that failed); the loop goes on. A repeated error is told once. */
  readonly errors$: Observable<Error>;
  /** Whether `start()` is feeding frames now. */
  readonly running: boolean;
  /** Adds one example of `target` (a label, or regression values) from `image`, now. */
  addExample(target: Target, image: ImageInput): Promise<ExampleInfo>;
  /** Hold-to-record: examples of `target` from a live source until `stop()`. */
  record(target: Target, source: LiveSource, options?: RecordOptions): Recording;
  train(): Promise<TrainReport>;
  /** One prediction of `image`. */
  classify(image: ImageInput): Promise<Prediction>;
  /** Starts predicting every frame of `source` on `predictions$` (stopping a previous run); returns at once. */
  start(source: LiveSource): void;
  stop(): void;
  removeExample(id: number): Promise<ExampleCounts>;
  clearLabel(label: string): Promise<ExampleCounts>;
  renameLabel(from: string, to: string): Promise<ExampleCounts>;
  clearExamples(): Promise<ExampleCounts>;
  examples(): Promise<ExampleInfo[]>;
  counts(): Promise<ExampleCounts>;
  /** The model alone in the worker for `durationMs`: the speed limit of this backend (for benchmarks). */
  rawBenchmark(durationMs: Milliseconds): Promise<RawBenchmark>;
  /** Stops everything, ends the worker and completes every Observable. */
  close(): Promise<void>;
}

/** Frames cross to the worker by transfer, never by copy. */
const send = (bitmap: ImageBitmap) => Comlink.transfer(bitmap, [bitmap]);

/**
 * Predictions of every frame of `source`, each of the newest picture the worker can take. A repeated
 * error (say, predicting before training) goes to `report` once, not at the frame rate.
 */
function livePredictions(
  { engine }: EngineClient,
  source: LiveSource,
  metrics: MetricsRecorder,
  report: (e: Error) => void,
): Observable<Prediction> {
  let lastError = '';
  const predict = (frame: Frame) =>
    engine.predict(send(frame.bitmap), frame.t).then(
      (p) => ((lastError = ''), p),
      (e: Error) => {
        if (e.message !== lastError) report(e);
        lastError = e.message;
        return null;
      },
    );
  return newestFrames(source, predict, { frame: (t) => metrics.frame(t), drop: () => metrics.drop() }).pipe(
    filter((p): p is Prediction => p !== null),
    map((p) => ({ ...p, latencyMs: performance.now() - p.t })),
  );
}

/**
 * Starts the worker, loads MobileNet and picks the backend.
 * @example
 * const pipe = await createPipeline({ head: 'dense' });
 * await pipe.addExample('ukulele', video);
 * await pipe.train();
 * pipe.start(video);
 * pipe.predictions$.subscribe((p) => console.log(p.label, p.confidences));
 */
export async function createPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const { metricsIntervalMs = 500, ...start } = options;
  const client = await startEngine(start);
  const { engine, info } = client;

  const predictions = new Subject<Prediction>();
  const training = new Subject<TrainProgress>();
  const counts = new Subject<ExampleCounts>();
  const errors = new Subject<Error>();
  const closed = new ReplaySubject<void>(1);
  const metrics = new MetricsRecorder(info.backend.backend);
  let run: { unsubscribe(): void } | null = null;
  const recordings = new Set<Recording>();

  const changed = (c: ExampleCounts) => (counts.next(c), c);
  const metrics$ = interval(metricsIntervalMs).pipe(
    startWith(0),
    filter(() => run !== null),
    map(() => metrics.snapshot(performance.now())),
    takeUntil(closed),
    share(),
  );

  const pipeline: Pipeline = {
    info,
    predictions$: predictions.asObservable(),
    training$: training.asObservable(),
    counts$: counts.asObservable(),
    metrics$,
    errors$: errors.asObservable(),
    get running() {
      return run !== null;
    },
    async addExample(target, image) {
      const added = await engine.addExample(target, send(await toBitmap(image, FRAME_SIZE)));
      changed(await engine.counts());
      return added;
    },
    record(target, source, recordOptions = {}) {
      const recording: Recording = startRecording(
        source,
        (frame) => engine.addExample(target, send(frame.bitmap)),
        recordOptions,
        (e) => errors.next(e),
        async () => {
          recordings.delete(recording);
          changed(await engine.counts());
        },
      );
      recordings.add(recording);
      return recording;
    },
    train: () => engine.train(Comlink.proxy((p: TrainProgress) => training.next(p))),
    async classify(image) {
      const t = performance.now();
      const p = await engine.predict(send(await toBitmap(image, FRAME_SIZE)), t);
      return { ...p, latencyMs: performance.now() - t };
    },
    start(source) {
      pipeline.stop();
      metrics.start(performance.now());
      run = livePredictions(client, source, metrics, (e) => errors.next(e)).subscribe({
        next: (p) => {
          metrics.prediction(p, performance.now());
          predictions.next(p);
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
      await Promise.all([...recordings].map((r) => r.stop()));
      await client.close();
      closed.next();
      closed.complete();
      for (const s of [predictions, training, counts, errors]) s.complete();
    },
  };
  return pipeline;
}
