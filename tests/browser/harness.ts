/**
 * Runs in the test page. Exposes the public API (exactly what a user imports) and the ground truth:
 * which photo the fake camera shows and which frame of its segment, read from the clip's strips (left
 * and right of the centre square, so the model never sees them).
 */
import { Observable } from 'rxjs';
import * as tw from '../../src/index';
import type { Frame } from '../../src/index';
import { frameTruth, markerOf } from './harness-truth';

type Rgb = [number, number, number];
export type Truth = ReturnType<typeof frameTruth>;

/**
 * Frames of the video with the truth for each: the strips are read in the same video-frame callback
 * as the bitmap is taken, so both see the same frame.
 */
export function framesWithTruth(
  video: HTMLVideoElement,
  markers: Record<string, Rgb>,
  truth: Map<number, Truth>,
): Observable<Frame> {
  return new Observable<Frame>((subscriber) => {
    let handle = 0;
    const tick = () => {
      const t = performance.now();
      truth.set(t, frameTruth(video, markers));
      tw.toBitmap(video).then(
        (bitmap) => (subscriber.closed ? bitmap.close() : subscriber.next({ bitmap, t })),
        (e) => subscriber.error(e),
      );
      handle = video.requestVideoFrameCallback(tick);
    };
    handle = video.requestVideoFrameCallback(tick);
    return () => video.cancelVideoFrameCallback(handle);
  });
}

/**
 * Resolves in the video-frame callback of the first frame whose truth passes `until`, with that truth.
 * Code after `await` runs before any other task (the microtasks of that callback), so whatever it stops
 * has seen no later frame than the one returned.
 */
export function untilFrame(
  video: HTMLVideoElement,
  markers: Record<string, Rgb>,
  until: (truth: Truth) => boolean,
): Promise<Truth> {
  return new Promise((resolve) => {
    const tick = () => {
      const now = frameTruth(video, markers);
      if (until(now)) resolve(now);
      else video.requestVideoFrameCallback(tick);
    };
    video.requestVideoFrameCallback(tick);
  });
}

/** Resolves when the marker changes to `label` (the start of its segment). */
export async function segmentStart(
  video: HTMLVideoElement,
  markers: Record<string, Rgb>,
  label: string,
): Promise<void> {
  let previous = markerOf(video, markers);
  for (;;) {
    await new Promise((r) => video.requestVideoFrameCallback(r));
    const now = markerOf(video, markers);
    if (now === label && previous !== label) return;
    previous = now;
  }
}

/**
 * A short WebM made here: a `width`×`height` canvas painted by `draw` every 15 ms, recorded by MediaRecorder
 * for `ms` (no file and no tool from outside the browser).
 */
export async function recordWebm(
  width: number,
  height: number,
  ms: number,
  draw: (g: CanvasRenderingContext2D) => void,
): Promise<Blob> {
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  const g = canvas.getContext('2d')!;
  const timer = setInterval(() => draw(g), 15);
  const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType: 'video/webm;codecs=vp8' });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  recorder.stop();
  await stopped;
  clearInterval(timer);
  return new Blob(chunks, { type: 'video/webm' });
}

/** `Observable` is there for tests that make a frame source of their own. */
const harness = { markerOf, frameTruth, framesWithTruth, untilFrame, segmentStart, recordWebm, Observable };

declare global {
  interface Window {
    tw: typeof tw;
    harness: typeof harness;
  }
}
window.tw = tw;
window.harness = harness;
document.body.dataset.ready = 'true';
