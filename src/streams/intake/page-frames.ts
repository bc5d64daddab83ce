/**
 * A live source read on the page: an element's picture taken when the worker is free (so each prediction
 * is of the newest picture, and none is taken to be dropped), or frames you make, newest first. Each frame
 * is a square ImageBitmap, transferred to the worker.
 */
import * as Comlink from 'comlink';
import { EMPTY, Observable, filter, from, map, tap } from 'rxjs';
import type { EngineApi, Prediction } from '../../protocol/engine-api';
import { WorkerRestartedError } from '../../protocol/errors';
import type { Milliseconds } from '../../protocol/units';
import { FRAME_SIZE, type FrameShape } from '../../protocol/frame';
import { type Frame } from '../sources/picture';
import { capture, frameTicks, hasPicture, type FrameElement } from '../sources/frames';
import type { MetricsRecorder } from '../metrics';
import { processLatest } from './newest-wins';

/** A live source: an element (camera or file <video>, a p5.js <canvas>, an <img>) or frames you make. */
export type LiveSource = FrameElement | Observable<Frame>;

export interface NewestFramesHooks {
  /** A source frame arrived (its capture time). */
  frame?: (t: Milliseconds) => void;
  /** A frame was dropped for a newer one while `work` was busy (its bitmap is closed already). */
  drop?: () => void;
  /** Frames per second at most. @default every frame */
  maxFps?: number;
  /** The square an element's picture becomes. @default FRAME_SIZE, 'cover' */
  square?: FrameShape;
}

/**
 * An element is read only when `work` is ready for it (so the picture is the newest one, and none is
 * made to be dropped); a frame source of your own goes through the newest-wins slot of `processLatest`,
 * whose dropped bitmaps are closed.
 */
export function newestFrames<R>(
  source: LiveSource,
  work: (frame: Frame) => Promise<R>,
  on: NewestFramesHooks = {},
): Observable<R> {
  if (source instanceof Observable) {
    const minInterval: Milliseconds = on.maxFps ? 1000 / on.maxFps : 0;
    let last = -Infinity;
    return source.pipe(
      // A rate limit is not a drop: frames over it are closed, not counted.
      filter((f) => {
        if (f.t - last >= minInterval) return ((last = f.t), true);
        f.bitmap.close();
        return false;
      }),
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
      // A video that is seeking (at each loop of a file, or scrubbed), or whose camera was muted or ended
      // since the tick, has no frame to take: skip the tick.
      () =>
        !hasPicture(source) ? EMPTY : from(capture(source, on.square?.size ?? FRAME_SIZE, on.square?.fit).then(work)),
      () => on.drop?.(),
    ),
  );
}

/** Frames cross to the worker by transfer, never by copy. */
export const transferred = (bitmap: ImageBitmap): ImageBitmap => Comlink.transfer(bitmap, [bitmap]);

/**
 * Predictions of `source` read on the page: each prediction is of the newest picture when the worker was
 * free. A frame whose prediction fails goes to `report` (a crash is told once, by the restart itself, and
 * the frame lost with it is skipped).
 */
export function pagePredictions(
  engine: Comlink.Remote<EngineApi>,
  source: LiveSource,
  metrics: MetricsRecorder,
  report: (e: Error) => void,
  frame: FrameShape,
): Observable<Prediction> {
  const predict = (frame: Frame) => {
    const call = engine.predict(transferred(frame.bitmap), frame.t);
    // The main thread's part of a frame: from taking the picture to handing it to the worker.
    metrics.mainThread(performance.now() - frame.t);
    return call.catch((e: Error) => {
      if (!(e instanceof WorkerRestartedError)) report(e);
      return null;
    });
  };
  return newestFrames(source, predict, {
    frame: (t) => metrics.frame(t),
    drop: () => metrics.drop(),
    square: frame,
  }).pipe(
    filter((p): p is Prediction => p !== null),
    map((p) => ({ ...p, latencyMs: performance.now() - p.t })),
  );
}
