/**
 * A fast camera as creative coders use one (a PS3 Eye at 60 or 120 fps), run the way an app runs it:
 * `pipe.start(video)` on a camera opened with `openCamera({ frameRate })`, its track's frames read in the
 * worker (the newest wins), for a fixed time. Beside it, on the same backend and in the same worker, the
 * model alone: how close the predictions come to min(model, camera) is what the camera path costs.
 */
import { take } from 'rxjs';
import type { Backend } from '../protocol/engine-options';
import type { Milliseconds } from '../protocol/units';
import { mean } from '../protocol/stats';
import { cameraTrack } from '../streams/sources/camera';
import { createPipeline } from '../streams/pipeline';
import { addExamples } from './add-examples';
import { cameraRun, type Tensors } from './camera-run';
import { BackendUnavailable } from './measure-backend';
import { oscProbe } from './osc-probe';
import type { CameraRateRun } from './types';

export interface CameraRateOptions {
  /** @default 'wasm' */
  backend?: Backend;
  /** The rate `video`'s camera was opened at (`openCamera({ frameRate })`). */
  requestedFps: number;
  /** The model alone. */
  rawMs: Milliseconds;
  /** The camera through the pipeline. */
  cameraMs: Milliseconds;
  /** The camera alone first, with no pipeline running: what the device delivers here. @default 3000 */
  idleMs?: Milliseconds;
  /** The bridge's WebSocket; without it no OSC is sent. */
  oscUrl?: string;
  log?: (line: string) => void;
}

/** Frames the camera has sent `track` so far (`MediaStreamTrack.stats`, Chromium 121+); null where unknown. */
function framesOf(track: MediaStreamTrack): number | null {
  const stats = (track as { stats?: { totalFrames?: number } }).stats;
  return typeof stats?.totalFrames === 'number' ? stats.totalFrames : null;
}

const wait = (ms: Milliseconds) => new Promise((resolve) => setTimeout(resolve, ms));

/** Frames per second `track` delivers over `ms` (the length of a measurement, not a wait for anything). */
async function deliveredFps(track: MediaStreamTrack, ms: Milliseconds): Promise<number | null> {
  const before = framesOf(track);
  const start = performance.now();
  await wait(ms);
  const after = framesOf(track);
  return before === null || after === null ? null : (after - before) / ((performance.now() - start) / 1000);
}

/**
 * @example
 * const video = await openCamera({ video: element, frameRate: 120 });
 * const run = await measureCameraRate(video, { requestedFps: 120, rawMs: 3000, cameraMs: 10_000 });
 */
export async function measureCameraRate(video: HTMLVideoElement, o: CameraRateOptions): Promise<CameraRateRun> {
  const log = o.log ?? (() => {});
  const backend = o.backend ?? 'wasm';
  const track = cameraTrack(video);
  if (!track) throw new TypeError('The <video> shows no camera: open one with openCamera({ video, frameRate }) first.');
  const trackFrameRate = track.getSettings().frameRate ?? null;
  log(`camera ${o.requestedFps} fps: the camera alone (the track says ${trackFrameRate ?? '?'} fps)`);
  const idleInputFps = await deliveredFps(track, o.idleMs ?? 3000);

  const pipe = await createPipeline({ backend, head: 'dense', rememberBackend: false, train: { epochs: 1 } });
  try {
    const started = pipe.info.backend.backend;
    if (started !== backend)
      throw new BackendUnavailable(`${backend} is not available here: ${pipe.info.backend.reason}`);
    await addExamples(pipe, video, 2);
    await pipe.train();
    log(`camera ${o.requestedFps} fps: the model alone on ${backend} for ${(o.rawMs / 1000).toFixed(0)} s`);
    const raw = await pipe.rawBenchmark(o.rawMs);

    const oscPrefix = `/bench/${backend}-${o.requestedFps}fps/camera`;
    const probe = o.oscUrl ? await oscProbe(o.oscUrl, oscPrefix, pipe.predictions$) : null;
    const worker = { fromPixels: [] as Milliseconds[], infer: [] as Milliseconds[], head: [] as Milliseconds[] };
    const total: Milliseconds[] = [];
    const timings = pipe.predictions$.subscribe(({ timings: t }) => {
      worker.fromPixels.push(t.fromPixels);
      worker.infer.push(t.infer);
      worker.head.push(t.head);
      total.push(t.total);
    });
    const tensors: Tensors = { first: -1, last: -1 };
    pipe.predictions$.pipe(take(1)).subscribe((p) => (tensors.first = p.tensors));
    log(`camera ${o.requestedFps} fps: through the pipeline on ${backend} for ${(o.cameraMs / 1000).toFixed(0)} s`);
    const camera = await cameraRun(pipe, video, { ms: o.cameraMs, workerCamera: true, tensors }).finally(() => {
      timings.unsubscribe();
      probe?.close();
    });

    const limitFps = Math.min(raw.fps, o.requestedFps, camera.cameraInputFps);
    const toRequested = Math.min(raw.fps, o.requestedFps);
    return {
      backend,
      model: pipe.info.model.name,
      requestedFps: o.requestedFps,
      trackFrameRate,
      idleInputFps,
      cameraInputFps: camera.cameraInputFps,
      cameraFps: camera.cameraFps,
      rawFps: raw.fps,
      rawMsPerFrame: raw.msPerFrame,
      limitFps,
      ratio: limitFps > 0 ? camera.cameraFps / limitFps : 0,
      ratioToRequested: toRequested > 0 ? camera.cameraFps / toRequested : 0,
      droppedFrames: camera.droppedFrames,
      cameraFrames: camera.cameraFrames,
      frameAgeMs: camera.frameAgeMs,
      cameraLatencyMs: camera.cameraLatencyMs,
      workerMs: {
        fromPixels: mean(worker.fromPixels),
        infer: mean(worker.infer),
        head: mean(worker.head),
        total: mean(total),
      },
      mainThreadMsPerFrame: camera.mainThreadMsPerFrame,
      ingest: camera.ingest,
      crossOriginIsolated: pipe.info.backend.crossOriginIsolated,
      wasmThreads: pipe.info.backend.wasmThreads,
      tensorsBefore: tensors.first,
      tensorsAfter: tensors.last,
      oscSent: probe?.sent() ?? 0,
      oscPrefix,
      seconds: o.cameraMs / 1000,
    };
  } finally {
    await pipe.close();
  }
}
