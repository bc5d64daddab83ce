/**
 * One backend, end to end, in one worker: the model alone (raw), the full pipeline fed as fast as it
 * accepts frames, then the camera at its own rate — with the main thread watched throughout, and the
 * tensor count and heap before and after. OSC goes to the bridge when a URL is given.
 */
import { merge, takeWhile, tap } from 'rxjs';
import { createPipeline } from '../streams/pipeline';
import { frames } from '../streams/frames';
import type { Backend, Milliseconds } from '../protocol/types';
import { addExamples } from './add-examples';
import { watchMainThread } from './main-thread-monitor';
import { offeredFrames } from './offered-frames';
import { oscProbe, type OscProbe } from './osc-probe';
import { mean, summarise } from '../streams/stats';
import { heapMb } from './heap';
import type { BackendRun } from './types';

export interface MeasureBackendOptions {
  rawMs: Milliseconds;
  /** Pipeline phase: until this many predictions, or `pipelineMaxMs`. */
  pipelineFrames: number;
  pipelineMaxMs: Milliseconds;
  cameraMs: Milliseconds;
  /** The bridge's WebSocket; without it no OSC is sent (the in-app panel). */
  oscUrl?: string;
  /** Progress lines for the user. */
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Thrown when the browser does not offer `backend` (the pipeline fell back to another). */
export class BackendUnavailable extends Error {
  override name = 'BackendUnavailable';
}

/** @example const run = await measureBackend('wasm', video, { rawMs: 5000, pipelineFrames: 2000, pipelineMaxMs: 60_000, cameraMs: 10_000 }) */
export async function measureBackend(
  backend: Backend,
  video: HTMLVideoElement,
  o: MeasureBackendOptions,
): Promise<BackendRun> {
  const log = o.log ?? (() => {});
  const pipe = await createPipeline({ backend, head: 'dense', rememberBackend: false, train: { epochs: 1 } });
  const probes: OscProbe[] = [];
  try {
    const started = pipe.info.backend.backend;
    if (started !== backend)
      throw new BackendUnavailable(`${backend} is not available here: ${pipe.info.backend.reason}`);
    await addExamples(pipe, video, 2);
    await pipe.train();

    log(`${backend}: raw model for ${(o.rawMs / 1000).toFixed(0)} s`);
    const raw = await pipe.rawBenchmark(o.rawMs);

    // Pipeline: as fast as it accepts frames.
    log(`${backend}: pipeline, up to ${o.pipelineFrames} frames or ${(o.pipelineMaxMs / 1000).toFixed(0)} s`);
    const prefix = (phase: string) => `/bench/${backend}/${phase}`;
    const oscPipeline = o.oscUrl ? await oscProbe(o.oscUrl, prefix('pipeline'), pipe.predictions$) : null;
    if (oscPipeline) probes.push(oscPipeline);
    // Numbers only, not the predictions themselves: the heap reading after 2,000 frames must not count them.
    const timings = {
      latency: [] as Milliseconds[],
      fromPixels: [] as Milliseconds[],
      infer: [] as Milliseconds[],
      head: [] as Milliseconds[],
      worker: [] as Milliseconds[],
    };
    const tensors = { first: -1, last: -1 };
    const arrivals: Milliseconds[] = [];
    const bitmaps: Milliseconds[] = [];
    const heapMbBefore = heapMb();
    const watch = watchMainThread();
    const done = new Promise<void>((resolve) => {
      const start = performance.now();
      const sub = pipe.predictions$.subscribe((p) => {
        arrivals.push(performance.now());
        timings.latency.push(p.latencyMs);
        timings.fromPixels.push(p.timings.fromPixels);
        timings.infer.push(p.timings.infer);
        timings.head.push(p.timings.head);
        timings.worker.push(p.timings.total);
        if (tensors.first < 0) tensors.first = p.tensors;
        tensors.last = p.tensors;
        if (arrivals.length >= o.pipelineFrames || performance.now() - start >= o.pipelineMaxMs) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    pipe.start(offeredFrames(video, merge(pipe.predictions$, pipe.errors$), { onBitmap: (ms) => bitmaps.push(ms) }));
    await done;
    pipe.stop();
    oscPipeline?.close();
    const span = (arrivals.at(-1)! - arrivals[0]!) / 1000;
    const pipelineFps = span > 0 ? (arrivals.length - 1) / span : 0;

    // Camera: the fake camera at its own rate, through the pipeline's own frame source.
    log(`${backend}: camera for ${(o.cameraMs / 1000).toFixed(0)} s`);
    const oscCamera = o.oscUrl ? await oscProbe(o.oscUrl, prefix('camera'), pipe.predictions$) : null;
    if (oscCamera) probes.push(oscCamera);
    let offered = 0;
    let ending = false;
    const camera: Milliseconds[] = [];
    const cameraSub = pipe.predictions$.subscribe((p) => {
      camera.push(p.latencyMs);
      tensors.last = p.tensors;
    });
    const cameraStart = performance.now();
    pipe.start(
      frames(video).pipe(
        takeWhile(() => !ending),
        tap(() => (offered += 1)),
      ),
    );
    await sleep(o.cameraMs);
    ending = true;
    const cameraSeconds = (performance.now() - cameraStart) / 1000;
    const inWindow = camera.length;
    // Let the frame in the worker and the one waiting finish, so that only real drops remain.
    await sleep(Math.max(300, 3 * raw.msPerFrame.p95));
    pipe.stop();
    cameraSub.unsubscribe();
    oscCamera?.close();
    const main = watch.stop();
    const heapMbAfter = heapMb(); // after the watch: a forced collection must not count as a long task

    const workerMs = mean(timings.worker);
    return {
      backend,
      model: pipe.info.model.name,
      started,
      rawFps: raw.fps,
      rawFrames: raw.frames,
      rawMsPerFrame: raw.msPerFrame,
      pipelineFps,
      pipelineFrames: arrivals.length,
      efficiency: raw.fps > 0 ? pipelineFps / raw.fps : 0,
      pipelineLatencyMs: summarise(timings.latency),
      cameraLatencyMs: summarise(camera),
      breakdownMs: {
        bitmap: mean(bitmaps),
        fromPixels: mean(timings.fromPixels),
        infer: mean(timings.infer),
        head: mean(timings.head),
        worker: workerMs,
        overhead: mean(timings.latency) - workerMs,
      },
      cameraInputFps: offered / cameraSeconds,
      cameraFps: inWindow / cameraSeconds,
      droppedFrames: Math.max(0, offered - camera.length),
      cameraFrames: offered,
      longTasks: main.longTasks,
      maxFrameGapMs: main.maxFrameGapMs,
      baseline: null,
      tensorsBefore: tensors.first,
      tensorsAfter: tensors.last,
      heapMbBefore,
      heapMbAfter,
      oscSent: { pipeline: oscPipeline?.sent() ?? 0, camera: oscCamera?.sent() ?? 0 },
      oscPrefix: { pipeline: prefix('pipeline'), camera: prefix('camera') },
      warnings: pipe.info.warnings,
    };
  } finally {
    for (const p of probes) p.close();
    await pipe.close();
  }
}
