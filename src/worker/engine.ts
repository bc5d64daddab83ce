/**
 * The engine: a feature extractor (MobileNet), the user's examples, one trainable head, and the project
 * they make up. It runs inside the worker (see worker.ts) and, for tests, directly in Node on the wasm
 * backend. Every change to the project is told to its store as it happens (IndexedDB in the browser).
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type {
  EngineNotice,
  Evaluation,
  ExampleQuery,
  ProjectInfo,
  ProjectMirror,
  ProjectProgress,
} from '../protocol/project';
import type { HeadSettings, HeadSettingsPatch, Backend, EngineInit, EngineOptions } from '../protocol/engine-options';
import type {
  EngineApi,
  ExampleCounts,
  ExampleInfo,
  InitReport,
  LoadProgress,
  Prediction,
  RawBenchmark,
  StreamReport,
  Target,
  TrainProgress,
  TrainReport,
} from '../protocol/engine-api';
import { FRAME_SIZE, type EngineImage } from '../protocol/frame';
import type { Milliseconds } from '../protocol/units';
import { headSettingsOf, mergeEngineOptions, mergeHeadSettings, validateEngineOptions } from '../protocol/options';
import { percentile } from '../protocol/stats';
import { NoPersonError, NotTrainedError, serializeError, type SerializedError } from '../protocol/errors';
import { chooseBackend } from './backends';
import { evaluate } from './evaluate';
import { FrameStream } from './intake/camera-frames';
import { ExampleStore, checkLabel, info, type Example } from './examples';
import type { FeatureExtractor } from './features/feature-extractor';
import { loadMobileNetFeatures } from './features/mobilenet';
import { loadMoveNetFeatures } from './features/movenet';
import { checkImage, release, thumbnail, toSquarePixels } from './intake/pixels';
import { type Head } from './heads/head';
import { DtwHead, MIN_TEMPLATE_FRAMES } from './heads/dtw';
import { makeHead } from './heads/make-head';
import { checkRegressionTarget } from './heads/regression';
import { encodeCrop } from './project/crops';
import { readProjectFile, writeProjectFile } from './project/project-file';
import { reembed } from './project/reembed';
import { mirrorStore } from './project/mirror-store';
import { noStore, type ProjectStore } from './project/store';
import { type ProjectMeta, type ProjectRecord } from '../protocol/project-record';

/** What differs between the browser worker and Node tests. */
export interface EnginePlatform {
  /** Load MobileNet's weights from this handler instead of the URL sources (Node tests). */
  modelHandler?: tf.io.IOHandler;
  /** Load MoveNet's weights from this handler instead of the URL sources (Node tests). */
  poseModelHandler?: tf.io.IOHandler;
  /** Opens (and locks) a named project's store; the worker's is IndexedDB. Without it, nothing persists. */
  openStore?: (name: string, notice: (n: EngineNotice) => void) => Promise<ProjectStore>;
}

interface Ready {
  features: FeatureExtractor;
  head: Head;
  options: EngineOptions;
}

export class Engine implements EngineApi {
  #options: EngineOptions | null = null;
  #settings: HeadSettings | null = null;
  #features: FeatureExtractor | null = null;
  #head: Head | null = null;
  #store = new ExampleStore();
  #project: ProjectStore = noStore;
  #meta = { createdAt: Date.now(), running: false, appSettings: null as unknown };
  #restored = false;
  #reembedded = 0;
  #training = false;
  #nextSequence = 1;
  #stream: FrameStream | null = null;

  constructor(private readonly platform: EnginePlatform = {}) {}

  async init(
    init: EngineInit,
    onProgress: (p: LoadProgress | ProjectProgress) => void = () => {},
    onNotice: (n: EngineNotice) => void = () => {},
    mirror?: ProjectMirror,
  ): Promise<InitReport> {
    if (this.#features) throw new Error('The engine is already initialised; create a new one for other options.');
    const { project, ...given } = init;
    const defaults = mergeEngineOptions(given);
    validateEngineOptions(defaults);
    // First the project: a second tab on it must fail before a model is loaded for nothing. Without one,
    // the main thread's copy (after a crash, it holds what the last worker had).
    const store = project ? await this.#openStore(project, onNotice) : mirror ? mirrorStore(mirror) : noStore;
    try {
      const record = await store.load();
      const settings = mergeHeadSettings(record?.meta.settings ?? headSettingsOf(defaults), given);
      const options: EngineOptions = { ...defaults, ...settings };
      validateEngineOptions(options);
      const { features, backend, warnings: loadWarnings } = await this.#start(options, onProgress);
      this.#features = features;
      this.#options = options;
      this.#settings = settings;
      this.#project = store;
      const warnings = [...backend.warnings];
      if (record) warnings.push(...(await this.#restore(record, onProgress)));
      else this.#head = makeHead(settings, this.#store, options.features);
      this.#saveMeta();
      return {
        backend: {
          ...backend.report,
          crossOriginIsolated: globalThis.crossOriginIsolated === true,
          wasmThreads: tf.getBackend() === 'wasm' ? getThreadsCount() : 0,
        },
        features: options.features,
        model: features.report,
        head: settings.head,
        outputs: settings.head === 'regression' ? settings.outputs : [],
        settings,
        project: this.#info(),
        warnings: [...loadWarnings, ...warnings],
      };
    } catch (e) {
      await store.close().catch(() => {});
      throw e;
    }
  }

  async #openStore(name: string, onNotice: (n: EngineNotice) => void): Promise<ProjectStore> {
    if (!this.platform.openStore) {
      throw new Error(`Projects are kept in IndexedDB, which this platform does not offer; leave out 'project'.`);
    }
    return this.platform.openStore(name, onNotice);
  }

  /** Loads the feature model and picks the backend by running it. */
  async #start(o: EngineOptions, onProgress: (p: LoadProgress) => void) {
    onProgress({ phase: 'backend', fraction: 0 });
    // Weights load into CPU memory (wasm, else cpu); tfjs moves them when the chosen backend first uses them.
    // A wasm that cannot start (its .wasm files unreachable) must not leave tfjs with no backend at all.
    const loadedOnWasm = tf.findBackendFactory('wasm') !== null && (await tf.setBackend('wasm').catch(() => false));
    if (!loadedOnWasm) await tf.setBackend('cpu');
    const loaded =
      o.features === 'pose'
        ? await loadMoveNetFeatures(o, o.pose.mirror, onProgress, this.platform.poseModelHandler)
        : await loadMobileNetFeatures(o, onProgress, this.platform.modelHandler);
    const features: FeatureExtractor = loaded.model;
    const probe = tf.zeros<tf.Rank.R3>([FRAME_SIZE, FRAME_SIZE, 3], 'int32');
    try {
      const backend = await chooseBackend(o, (deadline) => measure(features, probe, deadline));
      await measure(features, probe, 0); // warm the chosen backend (shader compilation) before the first frame
      return { features, backend, warnings: loaded.warnings };
    } finally {
      probe.dispose();
    }
  }

  /** Takes a stored project in; re-embeds it first when another feature model made it. */
  async #restore(record: ProjectRecord, onProgress: (p: ProjectProgress) => void): Promise<string[]> {
    const { features } = this.#ready(false);
    const warnings: string[] = [];
    let { examples, head } = record;
    if (record.meta.features.model !== features.identity.model) {
      examples = await reembed(examples, features, record.meta.features, onProgress);
      this.#reembedded = examples.length;
      head = null;
      warnings.push(
        `The project '${record.meta.name}' was made with ${record.meta.features.model}; its ${examples.length} examples were re-embedded with ${features.identity.model}. Train again.`,
      );
      this.#project.putExamples(examples);
      this.#project.putHead(null);
    }
    this.#store = ExampleStore.from(record.meta.labels, examples, record.meta.nextId);
    this.#head = makeHead(this.#settings!, this.#store, this.#options!.features);
    if (head && head.kind === this.#settings!.head) {
      try {
        this.#head.restore(head);
      } catch (e) {
        warnings.push(`The trained head could not be restored (${(e as Error).message}); train again.`);
      }
    }
    this.#meta = {
      createdAt: record.meta.createdAt,
      running: record.meta.running,
      appSettings: record.meta.appSettings,
    };
    this.#restored = true;
    return warnings;
  }

  #ready(all = true): Ready {
    if (!this.#features || !this.#options || (all && !this.#head))
      throw new Error('The engine is not initialised: await init(options) first.');
    return { features: this.#features, head: this.#head!, options: this.#options };
  }

  #info(): ProjectInfo {
    const { features, head } = this.#ready();
    const regression = this.#settings!.head === 'regression';
    return {
      name: this.#project.name,
      restored: this.#restored,
      running: this.#meta.running,
      appSettings: this.#meta.appSettings,
      features: features.identity,
      settings: this.#settings!,
      labels: regression ? [...this.#settings!.outputs] : [...this.#store.declared],
      examples: this.#store.all.length,
      trained: head.ready(),
      reembedded: this.#reembedded,
    };
  }

  #saveMeta(): void {
    if (this.#project === noStore) return;
    const meta: ProjectMeta = {
      name: this.#project.name ?? '',
      createdAt: this.#meta.createdAt,
      updatedAt: Date.now(),
      features: this.#ready(false).features.identity,
      settings: this.#settings!,
      labels: [...this.#store.declared],
      nextId: this.#store.nextId,
      running: this.#meta.running,
      appSettings: this.#meta.appSettings,
    };
    this.#project.saveMeta(meta);
  }

  /** The whole project as one record: what a project file and a store hold. */
  #record(): ProjectRecord {
    const { features, head } = this.#ready();
    return {
      meta: {
        name: this.#project.name ?? 'trainwhistle',
        createdAt: this.#meta.createdAt,
        updatedAt: Date.now(),
        features: features.identity,
        settings: this.#settings!,
        labels: [...this.#store.declared],
        nextId: this.#store.nextId,
        running: this.#meta.running,
        appSettings: this.#meta.appSettings,
      },
      examples: [...this.#store.all],
      head: head.state(),
    };
  }

  async #embedSquare(image: EngineImage) {
    const { features } = this.#ready(false);
    checkImage(image);
    const t0 = performance.now();
    const square = tf.tidy(() => toSquarePixels(image, this.#options?.features === 'pose' ? 'contain' : 'cover'));
    const t1 = performance.now();
    try {
      const { features: embedding, pose } = await features.analyse(square);
      return { embedding, pose, square, fromPixels: t1 - t0, infer: performance.now() - t1 };
    } catch (e) {
      square.dispose();
      throw e;
    }
  }

  async embed(image: EngineImage): Promise<Float32Array> {
    try {
      const { embedding, square } = await this.#embedSquare(image);
      square.dispose();
      return embedding;
    } finally {
      release(image);
    }
  }

  /** Checks a target against the head; returns the example's label and values. */
  #target(target: Target): { label: string; values?: Record<string, number> } {
    const settings = this.#settings!;
    if (settings.head === 'regression') {
      checkRegressionTarget(target, settings.outputs);
      return { label: '', values: { ...target } };
    }
    if (typeof target !== 'string') {
      throw new TypeError(
        `A ${settings.head} example needs a label string, not ${JSON.stringify(target)}. (Target values are for head: 'regression'.)`,
      );
    }
    checkLabel(target);
    return { label: target };
  }

  /**
   * Adds one example. For gestures (head 'dtw'), `sequence` (from beginSequence) says which recording the
   * frame belongs to: a recording's frames, in order, are one template.
   */
  async addExample(target: Target, image: EngineImage, options: { sequence?: number } = {}): Promise<ExampleInfo> {
    try {
      this.#ready();
      const { label, values } = this.#target(target);
      if (this.#settings!.head === 'dtw' && options.sequence === undefined) {
        throw new RangeError(
          'A gesture is a movement, not one frame: record it (pipe.record(name, source) … stop()), from its start to its end.',
        );
      }
      const { embedding, pose, square } = await this.#embedSquare(image);
      if (pose?.noPerson) {
        square.dispose();
        throw new NoPersonError(
          'No person is in view (fewer than 5 body keypoints are clear), so this frame teaches nothing: step into the frame, whole body if you can, in good light.',
        );
      }
      let example: Example;
      try {
        const [thumb, crop] = await Promise.all([thumbnail(square), encodeCrop(square)]);
        example = this.#store.add({
          label,
          ...(values ? { values } : {}),
          ...(options.sequence !== undefined ? { sequence: options.sequence } : {}),
          embedding,
          thumbnail: thumb,
          crop,
        });
      } finally {
        square.dispose();
      }
      this.#project.putExamples([example]);
      this.#saveMeta();
      return info(example);
    } finally {
      release(image);
    }
  }

  /** Starts a gesture's recording: the frames added with the id it returns make one template. */
  async beginSequence(): Promise<number> {
    return (this.#nextSequence = Math.max(this.#nextSequence, ...this.#store.all.map((e) => (e.sequence ?? 0) + 1)));
  }

  /**
   * Ends a gesture's recording. One too short to be a gesture (a tap of the button) is removed, saying so;
   * nothing else changes.
   */
  async endSequence(sequence: number): Promise<ExampleCounts> {
    this.#nextSequence = sequence + 1;
    const frames = this.#store.all.filter((e) => e.sequence === sequence);
    if (frames.length > 0 && frames.length < MIN_TEMPLATE_FRAMES) {
      for (const e of frames) this.#store.remove(e.id);
      this.#project.deleteExamples(frames.map((e) => e.id));
      this.#saveMeta();
      throw new RangeError(
        `That recording of '${frames[0]!.label}' had only ${frames.length} frames, too short for a gesture: hold Record for the whole movement, from its start to its end.`,
      );
    }
    return this.#store.counts();
  }

  async addLabel(label: string): Promise<ExampleCounts> {
    this.#ready();
    if (this.#settings!.head === 'regression') {
      throw new RangeError('A regression project has outputs, not labels: set them with configure({ outputs }).');
    }
    const counts = this.#store.addLabel(label);
    this.#saveMeta();
    return counts;
  }

  async removeExample(id: number): Promise<ExampleCounts> {
    const counts = this.#store.remove(id);
    this.#project.deleteExamples([id]);
    this.#saveMeta();
    return counts;
  }

  async clearLabel(label: string): Promise<ExampleCounts> {
    this.#project.deleteExamples(this.#store.clearLabel(label));
    this.#saveMeta();
    return this.#store.counts();
  }

  async renameLabel(from: string, to: string): Promise<ExampleCounts> {
    const { head } = this.#ready();
    this.#project.putExamples(this.#store.rename(from, to));
    if (head.rename(from, to)) this.#project.putHead(head.state());
    this.#saveMeta();
    return this.#store.counts();
  }

  async clearExamples(): Promise<ExampleCounts> {
    this.#project.deleteExamples(this.#store.all.map((e) => e.id));
    const counts = this.#store.clear();
    this.#saveMeta();
    return counts;
  }

  async counts(): Promise<ExampleCounts> {
    return this.#store.counts();
  }

  async examples(query: ExampleQuery = {}): Promise<ExampleInfo[]> {
    return this.#store.infos(query);
  }

  /** The 224×224 JPEG the model saw for an example (null where none could be encoded). */
  async exampleCrop(id: number): Promise<Blob | null> {
    const example = this.#store.get(id);
    if (!example)
      throw new RangeError(`There is no example ${id}. List the examples with examples() to see their ids.`);
    return example.crop;
  }

  /** Changes the head or its settings; a new kind of head (or new outputs) must be trained again. */
  async configure(patch: HeadSettingsPatch): Promise<HeadSettings> {
    const { head, options } = this.#ready();
    const settings = mergeHeadSettings(this.#settings!, patch);
    validateEngineOptions({ ...options, ...settings });
    const regression = (s: HeadSettings) => s.head === 'regression';
    if (regression(settings) !== regression(this.#settings!) && this.#store.all.length > 0) {
      throw new RangeError(
        `This project's examples have ${regression(this.#settings!) ? 'target values' : 'labels'}; a ${settings.head} head needs ${regression(settings) ? 'target values' : 'labels'}. Start a new project for it.`,
      );
    }
    const state = head.state();
    this.#settings = settings;
    this.#options = { ...options, ...settings };
    head.dispose();
    this.#head = makeHead(settings, this.#store, options.features);
    // Only the training options changed: the trained network answers until the next train().
    if (state?.kind === settings.head) {
      try {
        this.#head.restore(state);
      } catch {
        // other outputs than it was trained for: it must be trained again
      }
    }
    this.#project.putHead(this.#head.state());
    this.#saveMeta();
    return settings;
  }

  async train(onProgress: (p: TrainProgress) => void = () => {}): Promise<TrainReport> {
    const { head } = this.#ready();
    if (this.#training) throw new Error('Training is already running; wait for it to finish.');
    this.#training = true;
    try {
      const report = await head.train(this.#store.all, onProgress);
      this.#project.putHead(head.state());
      return report;
    } finally {
      this.#training = false;
    }
  }

  async evaluate(): Promise<Evaluation> {
    const { head } = this.#ready();
    if (!head.ready()) throw new NotTrainedError(head.notReadyReason());
    return evaluate(head, this.#store);
  }

  /**
   * One frame's prediction. A pose pipeline answers from the start, untrained, with the pose alone (for
   * the skeleton and the pose OSC); with nobody in view it says so (`pose.noPerson`), with an empty label
   * and every confidence (or regression value) 0, never the last label seen.
   */
  async predict(image: EngineImage, t: Milliseconds): Promise<Prediction> {
    try {
      const { head, options } = this.#ready();
      const poseOnly = options.features === 'pose' && !head.ready();
      if (!head.ready() && !poseOnly) throw new NotTrainedError(head.notReadyReason());
      const start = performance.now();
      const { embedding, pose, square, fromPixels, infer } = await this.#embedSquare(image);
      square.dispose();
      const names = head.ready() ? head.names : [];
      if (pose && (pose.noPerson || poseOnly)) {
        if (head instanceof DtwHead) head.reset(); // nobody there: no gesture can be under way
        const zeros = Object.fromEntries(names.map((n) => [n, 0]));
        const end = performance.now();
        const timings = { fromPixels, infer, head: 0, total: end - start };
        const base = { t, latencyMs: 0, timings, tensors: tf.memory().numTensors, label: '', pose };
        return head.kind === 'regression'
          ? { ...base, confidences: {}, values: zeros }
          : { ...base, confidences: zeros };
      }
      const h0 = performance.now();
      const step = head instanceof DtwHead ? head.step(embedding, t) : null;
      const scores = step ? step.scores : head.predict(embedding);
      const end = performance.now();
      const timings = { fromPixels, infer, head: end - h0, total: end - start };
      const base = { t, latencyMs: 0, timings, tensors: tf.memory().numTensors, ...(pose ? { pose } : {}) };
      if (step) {
        const { nearest, distances, match } = step;
        const confidences = Object.fromEntries(names.map((n, i) => [n, scores[i]!]));
        // The label is the gesture under way (its match so far is within the threshold), else nothing.
        const label = (scores[names.indexOf(nearest)] ?? 0) > 0.5 ? nearest : '';
        return { ...base, label, confidences, gesture: { nearest, distances, match } };
      }
      if (head.kind === 'regression') {
        const values = Object.fromEntries(names.map((n, i) => [n, scores[i]!]));
        return { ...base, label: '', confidences: {}, values };
      }
      let best = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
      return { ...base, label: names[best]!, confidences: Object.fromEntries(names.map((n, i) => [n, scores[i]!])) };
    } finally {
      release(image);
    }
  }

  /** Predictions of a camera track's frames, read in this worker as they come; see EngineApi.stream. */
  async stream(
    readable: ReadableStream<VideoFrame>,
    onReport: (r: StreamReport) => void,
  ): Promise<'stopped' | 'ended'> {
    this.#stream?.close();
    const stream = (this.#stream = new FrameStream(readable));
    let [received, dropped] = [0, 0];
    for (;;) {
      const next = await stream.next();
      if (!next) break;
      const frameAgeMs = performance.now() - next.at;
      let prediction: Prediction | null = null;
      let error: SerializedError | null = null;
      try {
        prediction = await this.predict(next.frame, next.at); // closes the frame
      } catch (e) {
        error = serializeError(e);
      }
      const report = { received: stream.received - received, dropped: stream.dropped - dropped };
      [received, dropped] = [stream.received, stream.dropped];
      onReport({ prediction, error, ...report, frameAgeMs, timeOrigin: performance.timeOrigin });
    }
    return this.#stream === stream ? ((this.#stream = null), 'ended') : 'stopped';
  }

  async stopStream(): Promise<void> {
    this.#stream?.close();
    this.#stream = null;
  }

  /** Whether the project is predicting, kept so that a reload starts it again. */
  async setRunning(running: boolean): Promise<void> {
    if (this.#meta.running === running) return;
    this.#meta.running = running;
    this.#saveMeta();
  }

  /** Whatever the app wants kept with the project (outputs, operators…): JSON-like data. */
  async setAppSettings(appSettings: unknown): Promise<void> {
    this.#meta.appSettings = structuredClone(appSettings);
    this.#saveMeta();
  }

  async project(): Promise<ProjectInfo> {
    return this.#info();
  }

  /** Waits until every change so far is stored (IndexedDB); rejects with the storage's error. */
  async flush(): Promise<void> {
    await this.#project.flush();
  }

  /** The whole project as one file (a zip; the README describes its layout). */
  async saveProject(): Promise<Blob> {
    await this.#project.flush().catch(() => {}); // the file is made from memory, which has everything
    return writeProjectFile(this.#record());
  }

  /**
   * Replaces this project with the one in `file`, only once the file has checked out whole (and its
   * examples are re-embedded, if another feature model made them); on any error nothing changes.
   */
  async openProject(file: Blob, onProgress: (p: ProjectProgress) => void = () => {}): Promise<ProjectInfo> {
    const { features, options } = this.#ready();
    const opened = await readProjectFile(file, onProgress);
    let { examples, head } = opened;
    let reembedded = 0;
    if (opened.meta.features.model !== features.identity.model) {
      examples = await reembed(examples, features, opened.meta.features, onProgress);
      reembedded = examples.length;
      head = null;
    }
    const settings = opened.meta.settings;
    validateEngineOptions({ ...options, ...settings });
    const store = ExampleStore.from(opened.meta.labels, examples, opened.meta.nextId);
    const next = makeHead(settings, store, options.features);
    if (head && head.kind === settings.head) next.restore(head);
    const record: ProjectRecord = {
      meta: {
        ...opened.meta,
        name: this.#project.name ?? opened.meta.name,
        features: features.identity,
        nextId: store.nextId,
        updatedAt: Date.now(),
      },
      examples: [...store.all],
      head: next.state(),
    };
    onProgress({ phase: 'store', fraction: 0 });
    await this.#project.replace(record); // all or nothing: on error the current project is untouched
    onProgress({ phase: 'store', fraction: 1 });
    this.#head?.dispose();
    this.#store = store;
    this.#head = next;
    this.#settings = settings;
    this.#options = { ...options, ...settings };
    this.#meta = {
      createdAt: opened.meta.createdAt,
      running: opened.meta.running,
      appSettings: opened.meta.appSettings,
    };
    this.#reembedded = reembedded;
    return this.#info();
  }

  async ping(): Promise<true> {
    return true;
  }

  async memory(): Promise<{ numTensors: number; numBytes: number }> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }

  async rawBenchmark(durationMs: Milliseconds): Promise<RawBenchmark> {
    const { features } = this.#ready(false);
    const frame = tf.tidy(() => tf.randomUniform<tf.Rank.R3>([FRAME_SIZE, FRAME_SIZE, 3], 0, 255, 'int32'));
    try {
      await features.extract(frame); // warm-up: shader compilation is not the steady state
      const times: number[] = [];
      const start = performance.now();
      while (performance.now() - start < durationMs || times.length < 3) {
        const t0 = performance.now();
        await features.extract(frame);
        times.push(performance.now() - t0);
      }
      const elapsed = performance.now() - start;
      return {
        backend: tf.getBackend() as Backend,
        frames: times.length,
        fps: (times.length / elapsed) * 1000,
        msPerFrame: { mean: elapsed / times.length, p50: percentile(times, 50), p95: percentile(times, 95) },
      };
    } finally {
      frame.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.#stream?.close();
    this.#stream = null;
    await this.#project.close().catch(() => {});
    this.#project = noStore;
    this.#head?.dispose();
    this.#head = null;
    this.#features?.dispose();
    this.#features = null;
    this.#options = null;
    this.#store.clear();
  }
}

/** Mean ms per frame on the active backend: one warm-up, then frames until `deadline` (at most 5). */
async function measure(features: FeatureExtractor, probe: tf.Tensor3D, deadline: Milliseconds): Promise<Milliseconds> {
  const run = async () => {
    const t0 = performance.now();
    await features.extract(probe);
    return performance.now() - t0;
  };
  const first = await run();
  const times: number[] = [];
  while (times.length < 5 && performance.now() < deadline) times.push(await run());
  return times.length ? times.reduce((a, b) => a + b, 0) / times.length : first;
}
