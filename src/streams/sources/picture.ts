/**
 * A frame on its way to the worker: a square ImageBitmap, already the model's input size, and the
 * moment it was captured. Converting here (centre crop + resize in `createImageBitmap`) keeps the
 * transfer small and lets the worker skip a resize.
 */
import { FRAME_SIZE, placement, type Fit } from '../../protocol/frame';
import type { Milliseconds } from '../../protocol/units';

export interface Frame {
  bitmap: ImageBitmap;
  /** `performance.now()` when the frame was captured. */
  t: Milliseconds;
}

/** Everything `addExample`, `classify` and `frames()` accept. */
export type ImageInput =
  ImageBitmap | ImageData | VideoFrame | OffscreenCanvas | HTMLVideoElement | HTMLImageElement | HTMLCanvasElement;

/**
 * How long a picture is waited for from a video between two frames (seeking, as at each loop of a file). A seek
 * takes a few milliseconds on a free machine, and seconds on a busy one decoding a large file.
 */
const SEEK_WAIT_MS = 5000;

function size(image: ImageInput): { width: number; height: number } {
  if (typeof HTMLVideoElement !== 'undefined' && image instanceof HTMLVideoElement) {
    if (image.readyState < 2 || image.videoWidth === 0) {
      throw new RangeError(
        `The video has no frame yet (readyState ${image.readyState}): wait for its 'loadeddata' event, or await openCamera()/openVideo(), before using it.`,
      );
    }
    return { width: image.videoWidth, height: image.videoHeight };
  }
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) {
    if (!image.complete || image.naturalWidth === 0) {
      throw new RangeError(
        `The image '${image.src}' has not loaded (or failed to): await img.decode() before using it.`,
      );
    }
    return { width: image.naturalWidth, height: image.naturalHeight };
  }
  if (typeof VideoFrame !== 'undefined' && image instanceof VideoFrame)
    return { width: image.displayWidth, height: image.displayHeight };
  const known = [ImageBitmap, ImageData, OffscreenCanvas, globalThis.HTMLCanvasElement].filter(Boolean);
  if (!known.some((k) => image instanceof k)) {
    const value = image as unknown;
    const name = value === null || value === undefined ? String(value) : value.constructor.name;
    throw new TypeError(
      `Cannot read an image from ${name}. Pass an ImageBitmap, ImageData, VideoFrame, or a <video>, <img> or <canvas> element.`,
    );
  }
  return image as { width: number; height: number };
}

const canvases = new Map<number, OffscreenCanvasRenderingContext2D>();

/**
 * Resolves when a <video> that has a source but no current frame (seeking: at each loop point of a looping
 * file, or scrubbed) has one again, or failed, or after `SEEK_WAIT_MS`; null for anything else (drawn at once).
 * So that `addExample(video)` made at a loop point takes the next frame instead of failing.
 */
function pictureOf(image: ImageInput): Promise<void> | null {
  if (typeof HTMLVideoElement === 'undefined' || !(image instanceof HTMLVideoElement)) return null;
  const video = image;
  const ready = () => video.readyState >= 2 || video.error !== null;
  if (ready() || (!video.currentSrc && !video.srcObject)) return null;
  return new Promise<void>((resolve) => {
    // 'seeked' of an earlier seek can come before the frame of a later one: each event is a reason to look again.
    const events = ['loadeddata', 'seeked', 'canplay', 'error'] as const;
    const done = () => {
      clearTimeout(timer);
      for (const type of events) video.removeEventListener(type, check);
      resolve();
    };
    const check = () => {
      if (ready()) done();
    };
    const timer = setTimeout(done, SEEK_WAIT_MS);
    for (const type of events) video.addEventListener(type, check);
  });
}

/**
 * Centre-crops `image` to a square and resizes it to `FRAME_SIZE`, as a new bitmap ready to transfer.
 * Drawn into an OffscreenCanvas and taken with transferToImageBitmap (about 0.1 ms): Chromium runs a
 * resizing createImageBitmap from a <video> synchronously on the main thread (16 ms a frame here).
 */
export async function toBitmap(image: ImageInput, frameSize = FRAME_SIZE, fit: Fit = 'cover'): Promise<ImageBitmap> {
  // Only a video between frames is waited for: anything else is drawn at once, in this very task.
  const waiting = pictureOf(image);
  if (waiting) {
    await waiting;
    const video = image as HTMLVideoElement;
    if (video.seeking && video.readyState < 2) {
      throw new RangeError(
        `The video is still seeking after ${SEEK_WAIT_MS / 1000} s (readyState ${video.readyState}): take the example again once it plays, or wait for its 'seeked' event.`,
      );
    }
  }
  const { width, height } = size(image);
  if (!(width > 0 && height > 0)) throw new RangeError(`The image is ${width}×${height}: it has no pixels to read.`);
  const p = placement(width, height, frameSize, fit);
  if (image instanceof ImageData && fit === 'cover') {
    return createImageBitmap(image, Math.floor(p.sx), Math.floor(p.sy), p.sw, p.sh, {
      resizeWidth: frameSize,
      resizeHeight: frameSize,
      resizeQuality: 'medium',
    });
  }
  const source = image instanceof ImageData ? await createImageBitmap(image) : image;
  let g = canvases.get(frameSize);
  if (!g) {
    g = new OffscreenCanvas(frameSize, frameSize).getContext('2d', { alpha: false })!;
    g.imageSmoothingQuality = 'medium';
    canvases.set(frameSize, g);
  }
  if (fit === 'contain') {
    g.fillStyle = '#000'; // the bars
    g.fillRect(0, 0, frameSize, frameSize);
  }
  g.drawImage(source, p.sx, p.sy, p.sw, p.sh, p.dx, p.dy, p.dw, p.dh);
  if (source !== image) (source as ImageBitmap).close();
  return g.canvas.transferToImageBitmap();
}
