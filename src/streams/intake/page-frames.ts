/**
 * Feeds a live source to a worker-bound function, one frame at a time, newest first.
 */
import { EMPTY, Observable, filter, from, tap } from 'rxjs';
import type { Milliseconds } from '../../protocol/units';
import { FRAME_SIZE, type Fit } from '../../protocol/frame';
import { type Frame } from '../sources/picture';
import { capture, frameTicks, hasPicture, type FrameElement } from '../sources/frames';
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
  /** How an element's picture becomes a square. @default 'cover' */
  fit?: Fit;
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
      () => (!hasPicture(source) ? EMPTY : from(capture(source, FRAME_SIZE, on.fit).then(work))),
      () => on.drop?.(),
    ),
  );
}
