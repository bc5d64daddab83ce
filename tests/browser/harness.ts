/**
 * Runs in the test page. Exposes the public API (exactly what a user imports) and the ground truth:
 * which photo the fake camera shows, read from the clip's marker strip (left of the centre square,
 * so the model never sees it).
 */
import { Observable } from 'rxjs';
import * as tw from '../../src/index';
import type { Frame } from '../../src/index';
import { markerOf } from './harness-truth';

type Rgb = [number, number, number];

/**
 * Frames of the video with the truth for each: the marker is read in the same video-frame callback
 * as the bitmap is taken, so both see the same frame.
 */
export function framesWithTruth(
  video: HTMLVideoElement,
  markers: Record<string, Rgb>,
  truth: Map<number, string>,
): Observable<Frame> {
  return new Observable<Frame>((subscriber) => {
    let handle = 0;
    const tick = () => {
      const t = performance.now();
      truth.set(t, markerOf(video, markers));
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

declare global {
  interface Window {
    tw: typeof tw;
    harness: { markerOf: typeof markerOf; framesWithTruth: typeof framesWithTruth; segmentStart: typeof segmentStart };
  }
}
window.tw = tw;
window.harness = { markerOf, framesWithTruth, segmentStart };
document.body.dataset.ready = 'true';
