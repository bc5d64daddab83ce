/**
 * Any picture source as an Observable of frames: a <video> (camera or file) emits once per new video
 * frame, a <canvas> or <img> (a p5.js sketch, a still) once per animation frame, at most `maxFps`.
 */
import { Observable } from 'rxjs';
import { FRAME_SIZE, toBitmap, type Frame } from './frame';
import type { Milliseconds } from '../worker/protocol';

export type FrameElement = HTMLVideoElement | HTMLCanvasElement | HTMLImageElement;

export interface FramesOptions {
  /** Frames per second at most. @default Infinity for video (every new frame), 30 for canvas and img */
  maxFps?: number;
  /** Side of the square frame sent on. @default 224 */
  size?: number;
}

/**
 * Emits a fresh, square, model-sized ImageBitmap per source frame; unsubscribing stops the loop.
 * Each subscriber owns the bitmaps it receives (close or transfer them).
 * @example frames(p5canvas, { maxFps: 15 }).subscribe(({ bitmap }) => …)
 */
export function frames(element: FrameElement, options: FramesOptions = {}): Observable<Frame> {
  const isVideo = element instanceof HTMLVideoElement;
  const minInterval: Milliseconds = 1000 / (options.maxFps ?? (isVideo ? Infinity : 30));
  const size = options.size ?? FRAME_SIZE;
  return new Observable<Frame>((subscriber) => {
    let stopped = false;
    let last = -Infinity;
    let handle = 0;
    const schedule = () => {
      if (stopped) return;
      handle = isVideo && 'requestVideoFrameCallback' in element ? element.requestVideoFrameCallback(tick) : requestAnimationFrame(tick);
    };
    const tick = () => {
      const t = performance.now();
      // Skip while a video is still loading or between loops; other errors end the stream.
      if (t - last >= minInterval && !(isVideo && element.readyState < 2)) {
        last = t;
        toBitmap(element, size).then(
          (bitmap) => (stopped ? bitmap.close() : subscriber.next({ bitmap, t })),
          (e: unknown) => subscriber.error(e),
        );
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
