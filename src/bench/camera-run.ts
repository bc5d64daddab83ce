/**
 * A camera at its own rate, as `pipe.start(video)` reads it (in the worker where the browser can, or with
 * `workerCamera: false` on the page): predictions per second, drops, latency, the main thread's work per
 * frame and the frame's age at inference start, from the pipeline's own metrics. The backend runs and the
 * 120 fps camera phase both measure the camera this one way.
 */
import { firstValueFrom, timeout } from 'rxjs';
import type { Milliseconds } from '../protocol/units';
import { mean, summarise, type Summary } from '../protocol/stats';
import type { Metrics } from '../streams/metrics';
import type { Pipeline } from '../streams/pipeline';

/** The tensor count after the first and the last prediction of the phases so far. */
export interface Tensors {
  first: number;
  last: number;
}

export interface CameraRun {
  /** Where the frames were read: in the worker (the track streamed there) or on the page. */
  ingest: 'worker' | 'page';
  /** Capture → prediction on the main thread. */
  cameraLatencyMs: Summary;
  /** Frames the camera delivered per second (`metrics$.inputFps`, means of the whole 3 s windows). */
  cameraInputFps: number;
  /** Predictions per second. */
  cameraFps: number;
  /** Frames replaced by a newer one before the worker took them, during the run. */
  droppedFrames: number;
  cameraFrames: number;
  /** The main thread's own work per camera frame (`metrics$`, means of the whole windows). */
  mainThreadMsPerFrame: Milliseconds;
  /** How old the picture was when its inference started (latency less the worker's time), every prediction. */
  frameAgeMs: Summary;
  /** With hands: frames the hand tracker read during the run, and how many the palm detector ran on. */
  palmDetector: { frames: number; runs: number } | null;
}

/** How long the frame in the worker may take to finish once the run's time is up. */
const LAST_FRAME_MS = 5000;

/**
 * Runs `pipe` on the camera of `video` for `ms` and says what it delivered and what came of it. `tensors.last`
 * follows every prediction.
 * @example const run = await cameraRun(pipe, video, { ms: 10_000, workerCamera: true, tensors })
 */
export async function cameraRun(
  pipe: Pipeline,
  video: HTMLVideoElement,
  o: { ms: Milliseconds; workerCamera: boolean; tensors: Tensors },
): Promise<CameraRun> {
  const latencies: Milliseconds[] = [];
  const ages: Milliseconds[] = [];
  const snapshots: Metrics[] = [];
  const detector: { first?: { frames: number; runs: number }; last?: { frames: number; runs: number } } = {};
  const sub = pipe.predictions$.subscribe((p) => {
    if (p.palmDetector) [detector.first, detector.last] = [detector.first ?? p.palmDetector, p.palmDetector];
    latencies.push(p.latencyMs);
    ages.push(Math.max(0, p.latencyMs - p.timings.total));
    o.tensors.last = p.tensors;
  });
  const start = performance.now();
  pipe.start(video, { workerCamera: o.workerCamera });
  // The first snapshot comes at once: the drops before this run.
  const watching = pipe.metrics$.subscribe((m) => snapshots.push(m));
  await new Promise((resolve) => setTimeout(resolve, o.ms)); // the run's length, not a wait for anything
  const seconds = (performance.now() - start) / 1000;
  const predictions = latencies.length;
  // Stop once the frame in the worker is done, not in the middle of it.
  await firstValueFrom(pipe.predictions$.pipe(timeout(LAST_FRAME_MS))).catch(() => {});
  watching.unsubscribe();
  pipe.stop();
  sub.unsubscribe();
  const first = snapshots[0];
  const last = snapshots.at(-1);
  // Each snapshot covers the last 3 s: the ones after the first window are whole.
  const settled = snapshots.slice(Math.min(snapshots.length - 1, 6));
  const inputFps = mean(settled.map((m) => m.inputFps));
  return {
    ingest: last?.ingest ?? 'page',
    cameraLatencyMs: summarise(latencies.slice(0, predictions)),
    cameraInputFps: inputFps,
    cameraFps: predictions / seconds,
    droppedFrames: first && last ? last.droppedFrames - first.droppedFrames : 0,
    cameraFrames: Math.round(inputFps * seconds),
    mainThreadMsPerFrame: mean(settled.map((m) => m.mainThreadMsPerFrame)),
    frameAgeMs: summarise(ages.slice(0, predictions)),
    palmDetector:
      detector.first && detector.last
        ? {
            frames: detector.last.frames - detector.first.frames,
            runs: detector.last.runs - detector.first.runs,
          }
        : null,
  };
}
