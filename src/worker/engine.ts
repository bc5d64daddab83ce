/**
 * The engine: the feature model (MobileNet, MoveNet, MoveNet MultiPose or MediaPipe Hands) on its backend, and
 * the project the user teaches. It runs inside the worker (see worker.ts) and, for tests, directly in Node on the
 * wasm backend. It is the worker's one API (EngineApi): each call goes to the piece that holds its concept — start-up.ts (the model
 * and backend), project/session.ts (examples, head, settings, saving), intake/ (frames in), benchmark.ts.
 */
import * as tf from '@tensorflow/tfjs';
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
import {
  isKeypoints,
  seesHands,
  type EngineInit,
  type EngineOptions,
  type HeadSettings,
  type HeadSettingsPatch,
} from '../protocol/engine-options';
import { NoHandError, NoPersonError, NotTrainedError } from '../protocol/errors';
import { frameShapeFor, type EngineImage, type FrameShape } from '../protocol/frame';
import { mergeEngineOptions, validateEngineOptions } from '../protocol/options';
import type {
  EngineNotice,
  Evaluation,
  ExampleQuery,
  ProjectInfo,
  ProjectMirror,
  ProjectProgress,
} from '../protocol/project';
import type { ExportProgress } from '../protocol/teachable';
import type { Milliseconds } from '../protocol/units';
import { rawBenchmark } from './benchmark';
import type { Analysis, FeatureExtractor } from './features/feature-extractor';
import type { TrackedPerson } from './features/person-tracker';
import { TeachableMachineFeatures } from './features/teachable-machine';
import { isNoPerson, poseVector } from './features/pose-vector';
import { classification, type Head } from './heads/head';
import { CameraFrames } from './intake/camera-frames';
import { checkImage, release, squarePixels, taken, thumbnail } from './intake/pixels';
import { videoFrameCounts } from './intake/video-frames';
import { encodeCrop } from './project/crops';
import { mirrorStore } from './project/mirror-store';
import { ProjectSession } from './project/session';
import { noStore, type ProjectStore } from './project/store';
import { startUp, type ModelHandlers } from './start-up';
import { writeTeachableMachine } from './teachable/tm-write';

/** What differs between the browser worker and Node tests. */
export interface EnginePlatform extends ModelHandlers {
  /** Opens (and locks) a named project's store; the worker's is IndexedDB. Without it, nothing persists. */
  openStore?: (name: string, notice: (n: EngineNotice) => void) => Promise<ProjectStore>;
}

interface Ready {
  features: FeatureExtractor;
  options: EngineOptions;
  session: ProjectSession;
  /** The square each frame is drawn to. */
  frame: FrameShape;
}

export class Engine implements EngineApi {
  #ready: Ready | null = null;
  #camera: CameraFrames | null = null;

  constructor(private readonly platform: EnginePlatform = {}) {}

  async init(
    init: EngineInit,
    onProgress: (p: LoadProgress | ProjectProgress) => void = () => {},
    onNotice: (n: EngineNotice) => void = () => {},
    mirror?: ProjectMirror,
  ): Promise<InitReport> {
    if (this.#ready) throw new Error('The engine is already initialised; create a new one for other options.');
    const { project, ...given } = init;
    const options = mergeEngineOptions(given);
    validateEngineOptions(options);
    // First the project: a second tab on it must fail before a model is loaded for nothing. Without one,
    // the main thread's copy (after a crash, it holds what the last worker had).
    const store = project ? await this.#openStore(project, onNotice) : mirror ? mirrorStore(mirror) : noStore;
    try {
      const record = await store.load();
      // A Teachable Machine model given now, else the one the project keeps (for its image features).
      const base = init.teachableMachine ?? (options.features === 'image' ? record?.base : null);
      const started = await startUp(options, this.platform, onProgress, base);
      const { features } = started;
      const teachable = features instanceof TeachableMachineFeatures ? features : null;
      const { session, warnings } = await ProjectSession.start(
        store,
        record,
        features,
        options,
        given,
        onProgress,
        teachable,
      ).catch((e: unknown) => {
        features.dispose();
        throw e;
      });
      if (init.teachableMachine) store.putBase(init.teachableMachine);
      const frame = features.frame ?? frameShapeFor(options.features, options.also);
      this.#ready = { features, options, session, frame };
      const settings = session.settings;
      return {
        backend: started.backend,
        features: options.features,
        also: [...options.also],
        model: features.report,
        frame,
        teachableMachine: teachable?.teachableMachine ?? null,
        head: settings.head,
        outputs: settings.head === 'regression' ? settings.outputs : [],
        settings,
        project: session.info(),
        warnings: [...started.warnings, ...warnings],
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

  #started(): Ready {
    if (!this.#ready) throw new Error('The engine is not initialised: await init(options) first.');
    return this.#ready;
  }

  #session(): ProjectSession {
    return this.#started().session;
  }

  /** The frame as the feature model sees it: squared (as the features want), analysed, with timings. */
  async #analyse(image: EngineImage, t?: Milliseconds) {
    const { features, frame } = this.#started();
    checkImage(image);
    const t0 = performance.now();
    const { fit, size } = frame;
    const square = await squarePixels(image, fit, size);
    const t1 = performance.now();
    try {
      const analysis = await features.analyse(square, t);
      return { ...analysis, embedding: analysis.features, square, fromPixels: t1 - t0, infer: performance.now() - t1 };
    } catch (e) {
      square.dispose();
      throw e;
    }
  }

  async embed(image: EngineImage): Promise<Float32Array> {
    taken(image);
    try {
      const { embedding, square } = await this.#analyse(image);
      square.dispose();
      return embedding;
    } finally {
      release(image);
    }
  }

  /**
   * Adds one example. For gestures (head 'dtw'), `sequence` (from beginSequence) says which recording the
   * frame belongs to: a recording's frames, in order, are one template.
   */
  async addExample(target: Target, image: EngineImage, options: { sequence?: number } = {}): Promise<ExampleInfo> {
    taken(image);
    try {
      const session = this.#session();
      const taught = session.taught(target, options.sequence);
      const analysis = await this.#analyse(image);
      const { embedding, square } = analysis;
      try {
        const missing = nothingToLearn(this.#started().options, analysis);
        if (missing === 'person') {
          throw new NoPersonError(
            'No person is in view (fewer than 5 body keypoints are clear), so this frame teaches nothing: step into the frame, whole body if you can, in good light.',
          );
        }
        if (missing === 'hand') {
          throw new NoHandError(
            'No hand is in view, so this frame teaches nothing: hold your hand up to the camera, whole and clear of the edges of the picture, in good light.',
          );
        }
        const [thumb, crop] = await Promise.all([thumbnail(square), encodeCrop(square)]);
        return session.add({ ...taught, embedding, thumbnail: thumb, crop });
      } finally {
        square.dispose();
      }
    } finally {
      release(image);
    }
  }

  async beginSequence(): Promise<number> {
    return this.#session().beginSequence();
  }

  async endSequence(sequence: number): Promise<ExampleCounts> {
    return this.#session().endSequence(sequence);
  }

  async addLabel(label: string): Promise<ExampleCounts> {
    return this.#session().addLabel(label);
  }

  async removeExample(id: number): Promise<ExampleCounts> {
    return this.#session().removeExample(id);
  }

  async clearLabel(label: string): Promise<ExampleCounts> {
    return this.#session().clearLabel(label);
  }

  async renameLabel(from: string, to: string): Promise<ExampleCounts> {
    return this.#session().renameLabel(from, to);
  }

  async clearExamples(): Promise<ExampleCounts> {
    return this.#session().clearExamples();
  }

  async counts(): Promise<ExampleCounts> {
    return this.#session().counts();
  }

  async examples(query: ExampleQuery = {}): Promise<ExampleInfo[]> {
    return this.#session().examples(query);
  }

  async exampleCrop(id: number): Promise<Blob | null> {
    return this.#session().exampleCrop(id);
  }

  async configure(patch: HeadSettingsPatch): Promise<HeadSettings> {
    return this.#session().configure(patch);
  }

  async train(onProgress: (p: TrainProgress) => void = () => {}): Promise<TrainReport> {
    return this.#session().train(onProgress);
  }

  async evaluate(): Promise<Evaluation> {
    return this.#session().evaluate();
  }

  async predict(image: EngineImage, t: Milliseconds): Promise<Prediction> {
    taken(image);
    return this.#predict(image, t);
  }

  /**
   * One frame's prediction; the frame is closed. A keypoints pipeline (pose, people, hands) answers from the
   * start, untrained, with the keypoints alone (for the skeleton and the OSC); with nobody or no hand in view
   * it says so (`pose.noPerson`, `hands: []`) with the head's blank answer: no label, every score 0, never the last label seen. With several people, each one
   * tracked gets their own label from a classifying head (`people`), and the answer is the most prominent's.
   */
  async #predict(image: EngineImage, t: Milliseconds): Promise<Prediction> {
    try {
      const { options, session } = this.#started();
      const head = session.head;
      // Keypoints (hands beside image features too) answer untrained, for the skeleton and the outputs.
      const keypointsOnly = (isKeypoints(options.features) || seesHands(options)) && !head.ready();
      if (!head.ready() && !keypointsOnly) throw new NotTrainedError(head.notReadyReason());
      const start = performance.now();
      const analysis = await this.#analyse(image, t);
      const { embedding, pose, people, peopleChanged, hands, palmDetector, square, fromPixels, infer } = analysis;
      square.dispose();
      const h0 = performance.now();
      const nobody = nothingToLearn(options, analysis) !== null;
      const answer = nobody || keypointsOnly ? head.blank() : head.answer(embedding, t);
      // Several people: each one's own label from a classifying head.
      const everyone = people
        ? {
            people: people.map((p) => ({ ...p, ...(keypointsOnly ? {} : personAnswer(head, p, options.pose.mirror)) })),
            peopleChanged: peopleChanged ?? { entered: [], left: [] },
          }
        : {};
      const end = performance.now();
      return {
        ...answer,
        ...(pose ? { pose } : {}),
        ...everyone,
        ...(hands ? { hands } : {}),
        ...(palmDetector ? { palmDetector } : {}),
        t,
        latencyMs: 0,
        timings: { fromPixels, infer, head: end - h0, total: end - start },
        tensors: tf.memory().numTensors,
      };
    } finally {
      release(image);
    }
  }

  /** Predictions of a camera track's frames, read in this worker as they come; see EngineApi.stream. */
  async stream(
    readable: ReadableStream<VideoFrame>,
    onReport: (r: StreamReport) => void,
  ): Promise<'stopped' | 'ended'> {
    this.#camera?.close();
    const camera = (this.#camera = new CameraFrames(readable));
    await camera.predictEach((frame, at) => this.#predict(frame, at), onReport);
    return this.#camera === camera ? ((this.#camera = null), 'ended') : 'stopped';
  }

  async stopStream(): Promise<void> {
    this.#camera?.close();
    this.#camera = null;
  }

  async setRunning(running: boolean): Promise<void> {
    this.#session().setRunning(running);
  }

  async setAppSettings(appSettings: unknown): Promise<void> {
    this.#session().setAppSettings(appSettings);
  }

  async project(): Promise<ProjectInfo> {
    return this.#session().info();
  }

  async flush(): Promise<void> {
    await this.#session().flush();
  }

  async saveProject(): Promise<Blob> {
    return this.#session().save();
  }

  async openProject(file: Blob, onProgress: (p: ProjectProgress) => void = () => {}): Promise<ProjectInfo> {
    return this.#session().open(file, onProgress);
  }

  async exportModel(onProgress: (p: ExportProgress) => void = () => {}): Promise<Blob> {
    const { features, options, session } = this.#started();
    return writeTeachableMachine(
      { ...session.exportable(), features, options, handler: this.platform.layersModelHandler },
      onProgress,
    );
  }

  async ping(): Promise<true> {
    return true;
  }

  async memory(): Promise<{ numTensors: number; numBytes: number; videoFrames: { received: number; closed: number } }> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, videoFrames: videoFrameCounts() };
  }

  async rawBenchmark(durationMs: Milliseconds): Promise<RawBenchmark> {
    return rawBenchmark(this.#started().features, durationMs);
  }

  async dispose(): Promise<void> {
    this.#camera?.close();
    this.#camera = null;
    const ready = this.#ready;
    this.#ready = null;
    if (!ready) return;
    await ready.session.close();
    ready.features.dispose();
  }
}

/**
 * What the frame lacks for the head to learn from it: nobody in view (pose, people), or no hand (hand features;
 * hands seen beside other features are not what the head learns); null when it has it.
 */
function nothingToLearn(options: EngineOptions, a: Pick<Analysis, 'pose' | 'hands'>): 'person' | 'hand' | null {
  if (a.pose?.noPerson) return 'person';
  if (options.features === 'hands' && a.hands?.length === 0) return 'hand';
  return null;
}

/**
 * A person's own label and its confidence, from a classifying head (dense, kNN); none from regression or
 * gestures (a gesture follows the most prominent person, as `label` does), nor for someone too little seen.
 */
function personAnswer(head: Head, person: TrackedPerson, mirror: boolean): { label?: string; confidence?: number } {
  if ((head.kind !== 'dense' && head.kind !== 'knn') || isNoPerson(person.keypoints)) return {};
  const { label, confidences } = classification(head.names, head.predict(poseVector(person.keypoints, mirror)));
  return { label, confidence: confidences[label] ?? 0 };
}
