/**
 * Feeds a live source to a worker-bound function, one frame at a time, newest first.
 */
import { Observable, tap } from 'rxjs';
import type { Milliseconds } from '../protocol/types';
import type { Frame } from './frame';
import { capture, frameTicks, type FrameElement } from './frames';
import { processLatest } from './process-latest';

/** A live source: an element (camera or file <video>, a p5.js <canvas>, an <img>) or frames you make. */
export type LiveSource = FrameElement | Observable<Frame>;

export interface NewestFramesHooks {
  /** A source frame arrived (its capture time). */
  frame?: (t: Milliseconds) => void;
  /** A frame was dropped for a newer one while `work` was busy (its bitmap is closed already). */
  drop?: () => void;
  /** Frames per second at most. @default every frame */
  maxFps?: number;
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
    return source.pipe(
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
      () => capture(source).then(work),
      () => on.drop?.(),
    ),
  );
}
