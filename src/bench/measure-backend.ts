/**
 * One backend, end to end, in one worker: the model alone (raw), the full pipeline fed as fast as it
 * accepts frames, then the camera at its own rate — with the main thread watched throughout, and the
 * tensor count and heap before and after. OSC goes to the bridge when a URL is given. With pose features
 * the model is MoveNet, the frames are letterboxed, and the OSC carries the keypoints after the One Euro
 * filter, as the app sends them.
 */
import { merge } from 'rxjs';
import { isBody, type Backend, type FeatureKind } from '../protocol/engine-options';
import type { Milliseconds } from '../protocol/units';
import { oneEuro } from '../streams/operators';
import { createPipeline, type Pipeline } from '../streams/pipeline';
import { mean, summarise } from '../protocol/stats';
import { addExamples } from './add-examples';
import { cameraRun, type Tensors } from './camera-run';
import { heapMb } from './heap';
import { watchMainThread } from './main-thread-monitor';
import { offeredFrames } from './offered-frames';
import { oscProbe } from './osc-probe';
import { runLabel } from './table';
import type { BackendRun } from './types';

export interface MeasureBackendOptions {
  /** What the pipeline learns from: MobileNet (`image`) or MoveNet (`pose`). @default 'image' */
  features?: FeatureKind;
  rawMs: Milliseconds;
  /** Pipeline phase: until this many predictions, or `pipelineMaxMs`. */
  pipelineFrames: number;
  pipelineMaxMs: Milliseconds;
  cameraMs: Milliseconds;
  /** A Teachable Machine export (its zip) whose base gives the image features instead of MobileNet. */
  teachableMachine?: Blob;
  /** The bridge's WebSocket; without it no OSC is sent (the in-app panel). */
  oscUrl?: string;
  /** Progress lines for the user. */
  log?: (line: string) => void;
}

/** Thrown when the browser does not offer `backend` (the pipeline fell back to another). */
export class BackendUnavailable extends Error {
  override name = 'BackendUnavailable';
}

/** Sends a phase's predictions to the bridge (when `oscUrl` is set) and counts them; `close()` ends it. */
async function oscFor(pipe: Pipeline, o: MeasureBackendOptions, prefix: string) {
  const pose = isBody(o.features ?? 'image');
  const sent$ = pose ? pipe.predictions$.pipe(oneEuro()) : pipe.predictions$;
  const probe = o.oscUrl ? await oscProbe(o.oscUrl, prefix, sent$, { pose }) : null;
  return { sent: () => probe?.sent() ?? 0, close: () => probe?.close() };
}

/**
 * Frames offered as fast as the pipeline accepts them, until `pipelineFrames` predictions or
 * `pipelineMaxMs`. Keeps numbers only, not the predictions: the heap reading afterwards must not count them.
 */
async function pipelinePhase(pipe: Pipeline, video: HTMLVideoElement, o: MeasureBackendOptions, tensors: Tensors) {
  const t = { latency: [] as number[], fromPixels: [] as number[], infer: [] as number[], head: [] as number[] };
  const worker: Milliseconds[] = [];
  const arrivals: Milliseconds[] = [];
  const bitmaps: Milliseconds[] = [];
  const done = new Promise<void>((resolve) => {
    const start = performance.now();
    const sub = pipe.predictions$.subscribe((p) => {
      arrivals.push(performance.now());
      t.latency.push(p.latencyMs);
      t.fromPixels.push(p.timings.fromPixels);
      t.infer.push(p.timings.infer);
      t.head.push(p.timings.head);
      worker.push(p.timings.total);
      if (tensors.first < 0) tensors.first = p.tensors;
      tensors.last = p.tensors;
      if (arrivals.length >= o.pipelineFrames || performance.now() - start >= o.pipelineMaxMs) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
  const square = pipe.info.frame;
  pipe.start(
    offeredFrames(video, merge(pipe.predictions$, pipe.errors$), { square, onBitmap: (ms) => bitmaps.push(ms) }),
  );
  await done;
  pipe.stop();
  const span = (arrivals.at(-1)! - arrivals[0]!) / 1000;
  const workerMs = mean(worker);
  return {
    pipelineFps: span > 0 ? (arrivals.length - 1) / span : 0,
    pipelineFrames: arrivals.length,
    pipelineLatencyMs: summarise(t.latency),
    breakdownMs: {
      bitmap: mean(bitmaps),
      fromPixels: mean(t.fromPixels),
      infer: mean(t.infer),
      head: mean(t.head),
      worker: workerMs,
      overhead: mean(t.latency) - workerMs,
    },
  };
}

/**
 * @example const run = await measureBackend('wasm', video, { rawMs: 5000, pipelineFrames: 2000, pipelineMaxMs: 60_000, cameraMs: 10_000 })
 * @example measureBackend('wasm', peopleVideo, { features: 'pose', … }) // MoveNet: the video must show a person (its examples)
 */
export async function measureBackend(
  backend: Backend,
  video: HTMLVideoElement,
  o: MeasureBackendOptions,
): Promise<BackendRun> {
  const log = o.log ?? (() => {});
  const features = o.features ?? 'image';
  const teachable = o.teachableMachine !== undefined;
  const name = runLabel(backend, features, teachable);
  const pipe = await createPipeline({
    backend,
    features,
    head: 'dense',
    rememberBackend: false,
    train: { epochs: 1 },
    ...(o.teachableMachine ? { teachableMachine: o.teachableMachine, cacheModel: false } : {}),
  });
  try {
    const started = pipe.info.backend.backend;
    if (started !== backend)
      throw new BackendUnavailable(`${backend} is not available here: ${pipe.info.backend.reason}`);
    await addExamples(pipe, video, 2);
    await pipe.train();

    log(`${name}: raw model for ${(o.rawMs / 1000).toFixed(0)} s`);
    const raw = await pipe.rawBenchmark(o.rawMs);

    const variant = teachable ? '-tm' : features === 'image' ? '' : `-${features}`;
    const prefix = (phase: string) => `/bench/${backend}${variant}/${phase}`;
    const tensors: Tensors = { first: -1, last: -1 };
    log(`${name}: pipeline, up to ${o.pipelineFrames} frames or ${(o.pipelineMaxMs / 1000).toFixed(0)} s`);
    const oscPipeline = await oscFor(pipe, o, prefix('pipeline'));
    const heapMbBefore = heapMb();
    const watch = watchMainThread();
    const pipeline = await pipelinePhase(pipe, video, o, tensors).finally(oscPipeline.close);
    log(`${name}: camera for ${(o.cameraMs / 1000).toFixed(0)} s`);
    const oscCamera = await oscFor(pipe, o, prefix('camera'));
    const camera = await cameraRun(pipe, video, { ms: o.cameraMs, workerCamera: true, tensors }).finally(
      oscCamera.close,
    );
    const main = watch.stop();
    // The page's own path beside it, where the camera was read in the worker: what that choice saves.
    let pageIngest: BackendRun['pageIngest'] = null;
    if (camera.ingest === 'worker') {
      log(`${name}: camera read on the page, for ${(o.cameraMs / 2000).toFixed(0)} s`);
      const page = await cameraRun(pipe, video, {
        ms: o.cameraMs / 2,
        workerCamera: false,
        tensors: { first: 0, last: 0 },
      });
      pageIngest = {
        cameraFps: page.cameraFps,
        cameraInputFps: page.cameraInputFps,
        latencyMs: page.cameraLatencyMs,
        mainThreadMsPerFrame: page.mainThreadMsPerFrame,
        frameAgeMs: page.frameAgeMs,
      };
    }
    const heapMbAfter = heapMb(); // after the watch: a forced collection must not count as a long task

    return {
      backend,
      features,
      model: pipe.info.model.name,
      ...(pipe.info.teachableMachine ? { teachableMachine: pipe.info.teachableMachine.modelName } : {}),
      started,
      rawFps: raw.fps,
      rawFrames: raw.frames,
      rawMsPerFrame: raw.msPerFrame,
      ...(raw.models ? { rawModels: raw.models } : {}),
      ...pipeline,
      efficiency: raw.fps > 0 ? pipeline.pipelineFps / raw.fps : 0,
      ...camera,
      pageIngest,
      crossOriginIsolated: pipe.info.backend.crossOriginIsolated,
      wasmThreads: pipe.info.backend.wasmThreads,
      longTasks: main.longTasks,
      maxFrameGapMs: main.maxFrameGapMs,
      baseline: null,
      tensorsBefore: tensors.first,
      tensorsAfter: tensors.last,
      heapMbBefore,
      heapMbAfter,
      oscSent: { pipeline: oscPipeline.sent(), camera: oscCamera.sent() },
      oscPrefix: { pipeline: prefix('pipeline'), camera: prefix('camera') },
      warnings: pipe.info.warnings,
    };
  } finally {
    await pipe.close();
  }
}
