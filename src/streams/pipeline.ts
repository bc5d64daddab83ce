/**
 * The public API: `createPipeline()` starts the engine in a Web Worker and gives back a pipeline
 * whose results are Observables. Frames are converted here and transferred; tfjs never runs on
 * the main thread.
 */
import * as Comlink from 'comlink';
import {
  ReplaySubject,
  Subject,
  Subscription,
  distinctUntilChanged,
  filter,
  fromEvent,
  interval,
  map,
  share,
  startWith,
  switchMap,
  takeUntil,
  type Observable,
} from 'rxjs';
import type { Evaluation, ExampleQuery, ProjectInfo, ProjectProgress } from '../protocol/project';
import type { HeadSettings, HeadSettingsPatch } from '../protocol/engine-options';
import { StorageError, WorkerRestartedError } from '../protocol/errors';
import type {
  GestureEvent,
  ExampleCounts,
  ExampleInfo,
  InitReport,
  Prediction,
  RawBenchmark,
  Target,
  TrainProgress,
  TrainReport,
} from '../protocol/engine-api';
import type { Milliseconds } from '../protocol/units';
import { watchCamera } from './sources/camera';
import { startEngine, workerRestarted, type EngineClient, type EngineStart } from './engine-client';
import { FRAME_SIZE, type Fit } from '../protocol/frame';
import { toBitmap, type Frame, type ImageInput } from './sources/picture';
import { MetricsRecorder, type Metrics } from './metrics';
import { newestFrames, type LiveSource } from './intake/page-frames';
import { startRecording, type RecordOptions, type Recording } from './recording';
import { cameraPredictions, canStreamToWorker } from './intake/worker-camera';

export type { LiveSource } from './intake/page-frames';
export type { RecordOptions, Recording } from './recording';

export interface PipelineOptions extends EngineStart {
  /** How often `metrics$` emits while running. @default 500 ms */
  metricsIntervalMs?: Milliseconds;
  /**
   * The live source to predict from when a project that was predicting is restored (or opened): it then
   * starts again by itself, as it was. Without it, `project.running` says so and you call `start()`.
   */
  source?: LiveSource;
  /**
   * Read a camera <video>'s frames in the worker (its track's frames streamed there once, through a
   * MediaStreamTrackProcessor) where the browser can (Chromium), so the main thread does nothing per frame
   * and the next frame arrives while the current one is inferred. Elsewhere, and for files, canvases and
   * images, the element is read on the main thread when the worker is free. `metrics$.ingest` says which.
   * @default true
   */
  workerCamera?: boolean;
}

/** How one `start()` reads its source, over the pipeline's own options. */
export interface StartOptions {
  /** As `PipelineOptions.workerCamera`, for this run. */
  workerCamera?: boolean;
}

export interface Pipeline {
  /** Backend, model and head as the worker started them, with the reasons. */
  readonly info: InitReport;
  /** The project now: name (null when nothing is kept), labels, examples, whether it is trained. */
  readonly project: ProjectInfo;
  /** The head and its training settings now. */
  readonly settings: HeadSettings;
  /** Every prediction while running (hot: subscribe before or after `start`). */
  readonly predictions$: Observable<Prediction>;
  /** Per-epoch progress of each `train()`. */
  readonly training$: Observable<TrainProgress>;
  /** Example counts per label after every change. */
  readonly counts$: Observable<ExampleCounts>;
  /** Rates, drops, latency, backend and tensors, every `metricsIntervalMs` while running. */
  readonly metrics$: Observable<Metrics>;
  /** Gestures recognised (head 'dtw'): one event per performance. */
  readonly gestures$: Observable<GestureEvent>;
  /**
   * Errors met while running (a frame that failed); the loop goes on. A repeated error is told once. A camera
   * that stops mid-run is a CameraError (`reason` 'ended' or 'muted'), told once: the run waits, and goes on by
   * itself when pictures come back (unmuted, reopened with `reopenCamera(video)`, or plugged back in).
   */
  readonly errors$: Observable<Error>;
  /** Whether `start()` is feeding frames now. */
  readonly running: boolean;
  /** Declares a class before it has examples (it keeps its place, and is saved with the project). */
  addLabel(label: string): Promise<ExampleCounts>;
  /** Adds one example of `target` (a label, or regression values) from `image`, now. */
  addExample(target: Target, image: ImageInput): Promise<ExampleInfo>;
  /** Hold-to-record: examples of `target` from a live source until `stop()`. */
  record(target: Target, source: LiveSource, options?: RecordOptions): Recording;
  train(): Promise<TrainReport>;
  /** Per-class accuracy, the confusion matrix and the examples the trained head gets wrong. */
  evaluate(): Promise<Evaluation>;
  /** Changes the head or its training settings without restarting; a new kind of head must train again. */
  configure(patch: HeadSettingsPatch): Promise<HeadSettings>;
  /** One prediction of `image`. */
  classify(image: ImageInput): Promise<Prediction>;
  /**
   * Starts predicting every frame of `source` on `predictions$` (stopping a previous run); returns at once.
   * A camera <video> is watched meanwhile: while its camera is muted or gone, no frame is taken; a camera
   * unplugged and plugged back in is reopened by itself.
   */
  start(source: LiveSource, options?: StartOptions): void;
  stop(): void;
  removeExample(id: number): Promise<ExampleCounts>;
  clearLabel(label: string): Promise<ExampleCounts>;
  renameLabel(from: string, to: string): Promise<ExampleCounts>;
  clearExamples(): Promise<ExampleCounts>;
  /** The examples (ids, labels, thumbnails), one label's or a page of them if asked. */
  examples(query?: ExampleQuery): Promise<ExampleInfo[]>;
  /** The 224×224 JPEG the model saw for an example (null where none was kept). */
  exampleCrop(id: number): Promise<Blob | null>;
  counts(): Promise<ExampleCounts>;
  /** The whole project as one file (a zip: see the README's "Project files"). */
  saveProject(): Promise<Blob>;
  /**
   * Replaces this project with the one in `file`, once the file has checked out whole; on any error
   * (ProjectFileError, StorageError) nothing changes. A project saved while predicting starts predicting.
   */
  openProject(file: Blob, options?: { onProgress?: (p: ProjectProgress) => void }): Promise<ProjectInfo>;
  /** Keeps the app's own settings (outputs, operators…) with the project: JSON-like data. */
  setAppSettings(settings: unknown): Promise<void>;
  /** Resolves once every change so far is stored in IndexedDB (rejects with a StorageError if it cannot be). */
  flush(): Promise<void>;
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
  fit: Fit,
): Observable<Prediction> {
  let lastError = '';
  const predict = (frame: Frame) => {
    const call = engine.predict(send(frame.bitmap), frame.t);
    // The main thread's part of a frame: from taking the picture to handing it to the worker.
    metrics.mainThread(performance.now() - frame.t);
    return call.then(
      (p) => ((lastError = ''), p),
      (e: Error) => {
        // A crash is told once, by the restart itself; the frame lost with it is just skipped.
        if (e instanceof WorkerRestartedError) return null;
        if (e.message !== lastError) report(e);
        lastError = e.message;
        return null;
      },
    );
  };
  return newestFrames(source, predict, { frame: (t) => metrics.frame(t), drop: () => metrics.drop(), fit }).pipe(
    filter((p): p is Prediction => p !== null),
    map((p) => ({ ...p, latencyMs: performance.now() - p.t })),
  );
}

/**
 * Predictions of a <video> whose source may change kind during the run (a camera, then a file in the same
 * element, as the app's source picker does): a camera's frames read in the worker, anything else read on
 * the page, switched when the element loads a new source.
 */
function elementPredictions(
  client: EngineClient,
  video: HTMLVideoElement,
  metrics: MetricsRecorder,
  report: (e: Error) => void,
  fit: Fit,
): Observable<Prediction> {
  return fromEvent(video, 'loadstart').pipe(
    startWith(null),
    map(() => canStreamToWorker(video)),
    distinctUntilChanged(),
    switchMap((inWorker) => {
      metrics.ingestNow(inWorker ? 'worker' : 'page');
      return inWorker
        ? cameraPredictions(client.engine, video, metrics, report)
        : livePredictions(client, video, metrics, report, fit);
    }),
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
  const { metricsIntervalMs = 500, source: resumeSource, onNotice, workerCamera = true, ...start } = options;
  const errors = new Subject<Error>();
  const client = await startEngine({
    ...start,
    onNotice: (n) => {
      if (n.kind === 'storage-error') errors.next(new StorageError(n.message));
      onNotice?.(n);
    },
  });
  const { engine } = client;
  const info = client.info;
  // Pose sees the whole picture (a hand at the edge counts); MobileNet the centre square.
  const fit: Fit = info.features === 'pose' ? 'contain' : 'cover';
  let project = info.project;
  let settings = info.settings;

  const predictions = new Subject<Prediction>();
  const training = new Subject<TrainProgress>();
  const counts = new Subject<ExampleCounts>();
  const closed = new ReplaySubject<void>(1);
  const metrics = new MetricsRecorder(info.backend.backend);
  // A crashed worker comes back with everything; say so, count it, and show the counts again.
  const restarts = client.restarts$.subscribe({
    next: (r) => {
      errors.next(workerRestarted(r.reason));
      metrics.workerRestarted();
      void engine.counts().then(changed, () => {});
    },
    error: (e: Error) => errors.next(e),
  });
  let run: Subscription | null = null;
  let closing = false;
  const recordings = new Set<Recording>();

  const changed = (c: ExampleCounts) => (counts.next(c), c);
  let source: LiveSource | undefined = resumeSource;
  const refresh = async () => {
    project = await engine.project();
    return project;
  };
  const metrics$ = interval(metricsIntervalMs).pipe(
    startWith(0),
    filter(() => run !== null),
    map(() => metrics.snapshot(performance.now())),
    takeUntil(closed),
    share(),
  );

  const pipeline: Pipeline = {
    get info() {
      return client.info;
    },
    get project() {
      return project;
    },
    get settings() {
      return settings;
    },
    predictions$: predictions.asObservable(),
    gestures$: predictions.pipe(
      map((p) => p.gesture?.match ?? null),
      filter((m): m is GestureEvent => m !== null),
    ),
    training$: training.asObservable(),
    counts$: counts.asObservable(),
    metrics$,
    errors$: errors.asObservable(),
    get running() {
      return run !== null;
    },
    addLabel: async (label) => changed(await engine.addLabel(label)),
    async addExample(target, image) {
      const added = await engine.addExample(target, send(await toBitmap(image, FRAME_SIZE, fit)));
      changed(await engine.counts());
      return added;
    },
    record(target, source, recordOptions = {}) {
      // Gestures: the whole hold is one template sequence.
      const sequence = settings.head === 'dtw' ? engine.beginSequence() : null;
      const recording: Recording = startRecording(
        source,
        async (frame) => {
          const options = sequence ? { sequence: await sequence } : {};
          return engine.addExample(target, send(frame.bitmap), options);
        },
        { ...recordOptions, fit },
        (e) => errors.next(e),
        async () => {
          recordings.delete(recording);
          if (sequence) await engine.endSequence(await sequence).catch((e: Error) => errors.next(e));
          changed(await engine.counts());
        },
      );
      recordings.add(recording);
      return recording;
    },
    async train() {
      const report = await engine.train(Comlink.proxy((p: TrainProgress) => training.next(p)));
      await refresh();
      return report;
    },
    evaluate: () => engine.evaluate(),
    async configure(patch) {
      settings = await engine.configure(patch);
      await refresh();
      changed(await engine.counts());
      return settings;
    },
    async classify(image) {
      const t = performance.now();
      const p = await engine.predict(send(await toBitmap(image, FRAME_SIZE, fit)), t);
      return { ...p, latencyMs: performance.now() - t };
    },
    start(from, startOptions = {}) {
      pipeline.stop();
      source = from;
      const inWorker = startOptions.workerCamera ?? workerCamera;
      metrics.start(performance.now(), inWorker && canStreamToWorker(from) ? 'worker' : 'page');
      project = { ...project, running: true };
      void engine.setRunning(true).catch(() => {});
      const live = new Subscription();
      run = live;
      // A camera that stops is told once per change, not once per tick: its ticks stop with it.
      if (from instanceof HTMLVideoElement)
        live.add(watchCamera(from, { reopen: true }).subscribe(({ error }) => error && errors.next(error)));
      const report = (e: Error) => errors.next(e);
      live.add(
        (inWorker && from instanceof HTMLVideoElement
          ? elementPredictions(client, from, metrics, report, fit)
          : livePredictions(client, from, metrics, report, fit)
        ).subscribe({
          next: (p) => {
            metrics.prediction(p, performance.now());
            predictions.next(p);
          },
          error: (e: Error) => {
            errors.next(e);
            live.unsubscribe();
            if (run === live) run = null;
          },
        }),
      );
    },
    stop() {
      if (!run) return;
      run.unsubscribe();
      run = null;
      if (closing) return;
      project = { ...project, running: false };
      void engine.setRunning(false).catch(() => {});
    },
    removeExample: async (id) => changed(await engine.removeExample(id)),
    clearLabel: async (label) => changed(await engine.clearLabel(label)),
    renameLabel: async (from, to) => changed(await engine.renameLabel(from, to)),
    clearExamples: async () => changed(await engine.clearExamples()),
    examples: (query) => engine.examples(query),
    exampleCrop: (id) => engine.exampleCrop(id),
    counts: () => engine.counts(),
    saveProject: () => engine.saveProject(),
    async openProject(file, openOptions = {}) {
      const { onProgress } = openOptions;
      const wasRunning = run !== null;
      pipeline.stop();
      try {
        project = await engine.openProject(file, Comlink.proxy(onProgress ?? (() => {})));
      } catch (e) {
        if (wasRunning && source) pipeline.start(source); // nothing changed: carry on as before
        throw e;
      }
      settings = project.settings;
      changed(await engine.counts());
      if (project.running && source) pipeline.start(source);
      return project;
    },
    setAppSettings: (appSettings) => engine.setAppSettings(appSettings),
    flush: () => engine.flush(),
    rawBenchmark: (durationMs) => engine.rawBenchmark(durationMs),
    async close() {
      // A closing page is not a user pressing Stop: the project stays 'running' for the next start.
      closing = true;
      pipeline.stop();
      await Promise.all([...recordings].map((r) => r.stop()));
      await client.close();
      restarts.unsubscribe();
      closed.next();
      closed.complete();
      for (const s of [predictions, training, counts, errors]) s.complete();
    },
  };
  if (project.running && resumeSource) pipeline.start(resumeSource);
  return pipeline;
}
