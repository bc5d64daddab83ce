/**
 * Any picture source as an Observable of frames: a <video> (camera or file) emits once per new video
 * frame, a <canvas> or <img> (a p5.js sketch, a still) once per animation frame, at most `maxFps`.
 * Both are the browser's rendering callbacks, so a hidden page sends nothing, and nothing piles up to
 * catch up with when it comes back.
 */
import { Observable, concatMap } from 'rxjs';
import { cameraState } from './camera';
import { FRAME_SIZE, type Fit } from '../../protocol/frame';
import { toBitmap, type Frame } from './picture';
import { keepPlaying } from './video';
import type { Milliseconds } from '../../protocol/units';

export type FrameElement = HTMLVideoElement | HTMLCanvasElement | HTMLImageElement;

export interface FramesOptions {
  /** Frames per second at most. @default Infinity for video (every new frame), 30 for canvas and img */
  maxFps?: number;
  /** Side of the square frame sent on. Default: FRAME_SIZE, the model's input. */
  size?: number;
  /** `cover`: the centre square (unless given); `contain`: the whole picture with bars (pose). */
  fit?: Fit;
}

/**
 * False while a <video> has no picture to take: loading or seeking, or its camera muted or ended (a muted
 * camera may still send black frames, which must not become predictions or examples).
 */
export function hasPicture(element: FrameElement): boolean {
  if (!(element instanceof HTMLVideoElement)) return true;
  const camera = cameraState(element);
  return element.readyState >= 2 && camera !== 'muted' && camera !== 'ended';
}

/**
 * Emits the time of each new source frame (a new video frame, or an animation frame for a canvas or
 * img, at most `maxFps`), without taking its pixels: a consumer that is busy can skip ticks and take
 * the newest picture when it is ready. Ticks stop while the page is hidden and while a video has no
 * picture (see `hasPicture`). Unsubscribing stops the loop.
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
    // A page the browser froze pauses its videos; without this, a camera's ticks would never come back.
    const stopPlaying = isVideo ? keepPlaying(element) : () => {};
    const schedule = () => {
      if (stopped) return;
      handle =
        isVideo && 'requestVideoFrameCallback' in element
          ? element.requestVideoFrameCallback(tick)
          : requestAnimationFrame(tick);
    };
    const tick = () => {
      const t = performance.now();
      // Skip while a video is still loading, between loops, or while its camera is muted.
      if (t - last >= minInterval && hasPicture(element)) {
        last = t;
        subscriber.next(t);
      }
      schedule();
    };
    schedule();
    return () => {
      stopped = true;
      stopPlaying();
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
