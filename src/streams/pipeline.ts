/**
 * The public API: `createPipeline()` starts the engine in a Web Worker and gives back a pipeline whose
 * results are Observables; tfjs never runs on the main thread. It is assembled from the pieces that hold
 * each idea: the worker and its restarts (engine-client.ts), the live run (live-run.ts, with the frames'
 * way to the worker in intake/), hold-to-record (recording.ts) and what the page knows of the project
 * (project-state.ts).
 */
import * as Comlink from 'comlink';
import { Subject, filter, map, type Observable } from 'rxjs';
import type {
  ExampleCounts,
  ExampleInfo,
  GestureEvent,
  InitReport,
  Prediction,
  RawBenchmark,
  Target,
  TrainProgress,
  TrainReport,
} from '../protocol/engine-api';
import type { HeadSettings, HeadSettingsPatch } from '../protocol/engine-options';
import { StorageError } from '../protocol/errors';
import type { Evaluation, ExampleQuery, ProjectInfo, ProjectProgress } from '../protocol/project';
import type { ExportProgress } from '../protocol/teachable';
import type { Milliseconds } from '../protocol/units';
import { startEngine, workerRestarted, type EngineStart } from './engine-client';
import { transferred, type LiveSource } from './intake/page-frames';
import { LiveRun } from './live-run';
import type { Metrics } from './metrics';
import { PIPELINE_DEFAULTS } from './pipeline-defaults';
import { ProjectState } from './project-state';
import { startRecording, type RecordOptions, type Recording } from './recording';
import { toBitmap, type ImageInput } from './sources/picture';
import { teachableMachineFiles, type TeachableMachineSource } from './sources/teachable-machine';

export type { LiveSource } from './intake/page-frames';
export type { RecordOptions, Recording } from './recording';

/** createPipeline's options: the engine's (EngineStart) and the pipeline's own. Defaults: PIPELINE_DEFAULTS. */
export interface PipelineOptions extends Omit<EngineStart, 'teachableMachine'> {
  /**
   * A Teachable Machine image model to run (its zip, its three files, or its share URL): its base gives the
   * features instead of MobileNet, its classes become the project's, and its own head predicts until you train
   * one on your examples. A `project` keeps it, so it need not be given again.
   */
  teachableMachine?: TeachableMachineSource;
  /** How often `metrics$` emits while running. */
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
  /** The example counts per label now (to each new subscriber), then after every change. */
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
  /**
   * The classifier as a Teachable Machine export (a zip of model.json, weights.bin and metadata.json), which
   * `tmImage.load()` of `@teachablemachine/image` and ml5's `imageClassifier()` load in any sketch. Image
   * features and a trained dense head only (others are refused with a TeachableMachineError saying why). A
   * MobileNet project's examples are learnt again on Teachable Machine's layers MobileNet, with progress; a
   * project whose model came from Teachable Machine exports its own base.
   */
  exportModel(options?: { onProgress?: (p: ExportProgress) => void }): Promise<Blob>;
  /** Keeps the app's own settings (outputs, operators…) with the project: JSON-like data. */
  setAppSettings(settings: unknown): Promise<void>;
  /** Resolves once every change so far is stored in IndexedDB (rejects with a StorageError if it cannot be). */
  flush(): Promise<void>;
  /** The model alone in the worker for `durationMs`: the speed limit of this backend (for benchmarks). */
  rawBenchmark(durationMs: Milliseconds): Promise<RawBenchmark>;
  /** Stops everything, ends the worker and completes every Observable. */
  close(): Promise<void>;
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
  const {
    metricsIntervalMs = PIPELINE_DEFAULTS.metricsIntervalMs,
    workerCamera = PIPELINE_DEFAULTS.workerCamera,
    source: resumeSource,
    onNotice,
    teachableMachine,
    ...start
  } = options;
  const errors = new Subject<Error>();
  const training = new Subject<TrainProgress>();
  const client = await startEngine({
    ...start,
    ...(teachableMachine ? { teachableMachine: await teachableMachineFiles(teachableMachine) } : {}),
    onNotice: (n) => {
      if (n.kind === 'storage-error') errors.next(new StorageError(n.message));
      onNotice?.(n);
    },
  });
  const { engine } = client;
  // Keypoints see the whole picture (a hand at the edge counts); MobileNet the centre square.
  const frame = client.info.frame;
  const state = new ProjectState(engine, client.info, await engine.counts());
  const report = (e: Error) => errors.next(e);
  const live = new LiveRun(engine, {
    backend: client.info.backend.backend,
    frame,
    workerCamera,
    metricsIntervalMs,
    report,
  });
  const recordings = new Set<Recording>();
  let source: LiveSource | undefined = resumeSource;
  let closing = false;
  const { counted } = state;

  // A crashed worker comes back with everything; say so, count it, and show the counts again.
  const restarts = client.restarts$.subscribe({
    next: (r) => {
      errors.next(workerRestarted(r.reason));
      live.workerRestarted();
      void state.recount().catch(() => {});
    },
    error: report,
  });
  const picture = async (image: ImageInput) => transferred(await toBitmap(image, frame.size, frame.fit));

  const pipeline: Pipeline = {
    get info() {
      return client.info;
    },
    get project() {
      return state.project;
    },
    get settings() {
      return state.settings;
    },
    predictions$: live.predictions$,
    gestures$: live.predictions$.pipe(
      map((p) => p.gesture?.match ?? null),
      filter((m): m is GestureEvent => m !== null),
    ),
    training$: training.asObservable(),
    counts$: state.counts$,
    metrics$: live.metrics$,
    errors$: errors.asObservable(),
    get running() {
      return live.running;
    },
    addLabel: async (label) => counted(await engine.addLabel(label)),
    async addExample(target, image) {
      const added = await engine.addExample(target, await picture(image));
      await state.recount();
      return added;
    },
    record(target, from, recordOptions = {}) {
      // Gestures: the whole hold is one template sequence.
      const sequence = state.settings.head === 'dtw' ? engine.beginSequence() : null;
      const recording: Recording = startRecording(
        from,
        async (frame) => {
          const options = sequence ? { sequence: await sequence } : {};
          return engine.addExample(target, transferred(frame.bitmap), options);
        },
        { ...recordOptions, frame },
        report,
        async () => {
          recordings.delete(recording);
          if (sequence) await engine.endSequence(await sequence).catch(report);
          await state.recount();
        },
      );
      recordings.add(recording);
      return recording;
    },
    async train() {
      const trained = await engine.train(Comlink.proxy((p: TrainProgress) => training.next(p)));
      await state.refresh();
      return trained;
    },
    evaluate: () => engine.evaluate(),
    async configure(patch) {
      const settings = await engine.configure(patch);
      state.configured(settings);
      await state.refresh();
      await state.recount();
      return settings;
    },
    async classify(image) {
      const t = performance.now();
      const p = await engine.predict(await picture(image), t);
      return { ...p, latencyMs: performance.now() - t };
    },
    start(from, startOptions = {}) {
      source = from;
      live.start(from, startOptions.workerCamera ?? workerCamera);
      state.setRunning(true);
    },
    stop() {
      // A closing page is not a user pressing Stop: the project stays 'running' for the next start.
      if (live.stop() && !closing) state.setRunning(false);
    },
    removeExample: async (id) => counted(await engine.removeExample(id)),
    clearLabel: async (label) => counted(await engine.clearLabel(label)),
    renameLabel: async (from, to) => counted(await engine.renameLabel(from, to)),
    clearExamples: async () => counted(await engine.clearExamples()),
    examples: (query) => engine.examples(query),
    exampleCrop: (id) => engine.exampleCrop(id),
    counts: () => engine.counts(),
    saveProject: () => engine.saveProject(),
    exportModel: ({ onProgress } = {}) => engine.exportModel(Comlink.proxy(onProgress ?? (() => {}))),
    async openProject(file, openOptions = {}) {
      const { onProgress } = openOptions;
      const wasRunning = live.running;
      pipeline.stop();
      let project: ProjectInfo;
      try {
        project = await engine.openProject(file, Comlink.proxy(onProgress ?? (() => {})));
      } catch (e) {
        if (wasRunning && source) pipeline.start(source); // nothing changed: carry on as before
        throw e;
      }
      state.replaced(project);
      await state.recount();
      if (project.running && source) pipeline.start(source);
      return project;
    },
    setAppSettings: (appSettings) => engine.setAppSettings(appSettings),
    flush: () => engine.flush(),
    rawBenchmark: (durationMs) => engine.rawBenchmark(durationMs),
    async close() {
      closing = true;
      live.close();
      await Promise.all([...recordings].map((r) => r.stop()));
      await client.close();
      restarts.unsubscribe();
      state.close();
      training.complete();
      errors.complete();
    },
  };
  if (state.project.running && resumeSource) pipeline.start(resumeSource);
  return pipeline;
}
