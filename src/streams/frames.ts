/**
 * Any picture source as an Observable of frames: a <video> (camera or file) emits once per new video
 * frame, a <canvas> or <img> (a p5.js sketch, a still) once per animation frame, at most `maxFps`.
 */
import { Observable, concatMap } from 'rxjs';
import { FRAME_SIZE, toBitmap, type Fit, type Frame } from './frame';
import type { Milliseconds } from '../protocol/types';

export type FrameElement = HTMLVideoElement | HTMLCanvasElement | HTMLImageElement;

export interface FramesOptions {
  /** Frames per second at most. @default Infinity for video (every new frame), 30 for canvas and img */
  maxFps?: number;
  /** Side of the square frame sent on. @default 224 */
  size?: number;
  /** `cover`: the centre square; `contain`: the whole picture with bars (pose). @default 'cover' */
  fit?: Fit;
}

/**
 * Emits the time of each new source frame (a new video frame, or an animation frame for a canvas or
 * img, at most `maxFps`), without taking its pixels: a consumer that is busy can skip ticks and take
 * the newest picture when it is ready. Unsubscribing stops the loop.
 */
export function frameTicks(
  element: FrameElement,
  options: Pick<FramesOptions, 'maxFps'> = {},
): Observable<Milliseconds> {
  const isVideo = element instanceof HTMLVideoElement;
  const minInterval: Milliseconds = 1000 / (options.maxFps ?? (isVideo ? Infinity : 30));
  return new Observable<Milliseconds>((subscriber) => {
    let stopped = false;
    let last = -Infinity;
    let handle = 0;
    const schedule = () => {
      if (stopped) return;
      handle =
        isVideo && 'requestVideoFrameCallback' in element
          ? element.requestVideoFrameCallback(tick)
          : requestAnimationFrame(tick);
    };
    const tick = () => {
      const t = performance.now();
      // Skip while a video is still loading or between loops.
      if (t - last >= minInterval && !(isVideo && element.readyState < 2)) {
        last = t;
        subscriber.next(t);
      }
      schedule();
    };
    schedule();
    return () => {
      stopped = true;
      if (isVideo && 'cancelVideoFrameCallback' in element) element.cancelVideoFrameCallback(handle);
      else cancelAnimationFrame(handle);
    };
  });
}

/** The element's picture now, as a frame: a square, model-sized bitmap and the time it was taken. */
export async function capture(element: FrameElement, size = FRAME_SIZE, fit: Fit = 'cover'): Promise<Frame> {
  const t = performance.now();
  return { bitmap: await toBitmap(element, size, fit), t };
}

/**
 * Emits a fresh, square, model-sized ImageBitmap per source frame.
 * Each subscriber owns the bitmaps it receives (close or transfer them).
 * @example frames(p5canvas, { maxFps: 15 }).subscribe(({ bitmap }) => …)
 */
export function frames(element: FrameElement, options: FramesOptions = {}): Observable<Frame> {
  const size = options.size ?? FRAME_SIZE;
  // concatMap keeps frames in order; taking a picture is a fraction of a millisecond.
  return frameTicks(element, options).pipe(concatMap(() => capture(element, size, options.fit)));
}
