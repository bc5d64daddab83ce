/**
 * Frames → tensors. Frames arrive as transferred ImageBitmaps (usually squared to 224 on the main thread
 * already), VideoFrames (straight from a camera track), or plain pixels (Node tests); each is squared here
 * the same way: the centre square (`cover`), or the whole picture letterboxed (`contain`, for pose).
 *
 * How the pixels are read depends on the backend. WebGL and WebGPU take an ImageBitmap straight into a
 * texture (`fromPixels`). On wasm and cpu the pixels must come to JS, and tfjs's own `fromPixels` does that
 * in a worker through a canvas made without `willReadFrequently` (a GPU readback per frame): here they are
 * drawn — cropped and resized in the same step — into a canvas of our own made for reading, and read once.
 */
import * as tf from '@tensorflow/tfjs';
import { closeFrame, receivedFrame } from './video-frames';
import { readsAsYuv, yuvSquare } from './yuv-square';
import { FRAME_SIZE, placement, type EngineImage, type Fit, type PixelData } from '../../protocol/frame';

export const THUMBNAIL_SIZE = 48;

function isPixelData(image: unknown): image is PixelData {
  const p = image as PixelData;
  return (
    typeof p === 'object' && p !== null && 'data' in p && typeof p.width === 'number' && typeof p.height === 'number'
  );
}

function isImageBitmap(image: unknown): image is ImageBitmap {
  return typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap;
}

function isVideoFrame(image: unknown): image is VideoFrame {
  return typeof VideoFrame !== 'undefined' && image instanceof VideoFrame;
}

let reader: OffscreenCanvasRenderingContext2D | null = null;

/**
 * The frame squared at `size` into our own read-optimised canvas, as ImageData (wasm/cpu backends, and
 * any VideoFrame). Letterbox bars are black, as on the main thread.
 */
function readSquare(image: ImageBitmap | VideoFrame, size: number, fit: Fit): ImageData {
  if (!reader || reader.canvas.width !== size) {
    reader = new OffscreenCanvas(size, size).getContext('2d', { willReadFrequently: true, alpha: false })!;
    reader.imageSmoothingQuality = 'medium';
  }
  const width = isVideoFrame(image) ? image.displayWidth : image.width;
  const height = isVideoFrame(image) ? image.displayHeight : image.height;
  const p = placement(width, height, size, fit);
  if (fit === 'contain') reader.fillRect(0, 0, size, size); // black: the context's default fill
  reader.drawImage(image, p.sx, p.sy, p.sw, p.sh, p.dx, p.dy, p.dw, p.dh);
  return reader.getImageData(0, 0, size, size);
}

/** Throws a TypeError/RangeError that says what was wrong with a frame and what to pass instead. */
export function checkImage(image: unknown): asserts image is EngineImage {
  if (isVideoFrame(image)) {
    if (image.displayWidth === 0 || image.format === null) {
      throw new RangeError('The VideoFrame is empty: it was closed or already transferred. Use each frame once.');
    }
    return;
  }
  if (isImageBitmap(image)) {
    if (image.width === 0 || image.height === 0) {
      throw new RangeError(
        'The ImageBitmap is empty (0×0): it was closed or already transferred. Create a new bitmap for each frame.',
      );
    }
    return;
  }
  if (isPixelData(image)) {
    const { width, height, data } = image;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new RangeError(`The image is ${width}×${height}: it needs at least one pixel.`);
    }
    if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || data.length !== width * height * 4) {
      throw new RangeError(
        `The pixel data does not match its size: ${width}×${height} RGBA needs ${width * height * 4} bytes, got ${data?.length ?? 'none'}.`,
      );
    }
    return;
  }
  throw new TypeError(
    `Cannot read an image from ${describe(image)}. Pass an ImageBitmap, ImageData, or {width, height, data: RGBA bytes}.`,
  );
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : `a ${typeof value}`;
}

/**
 * A frame squared as the model takes it: int32 RGB pixels [s, s, 3], s at most `size` (see `toSquarePixels`). A
 * camera's VideoFrame is read from its YUV planes where it can be (yuv-square.ts: a third of the canvas's cost).
 */
export async function squarePixels(image: EngineImage, fit: Fit, size = FRAME_SIZE): Promise<tf.Tensor3D> {
  if (isVideoFrame(image) && readsAsYuv(image) && fit !== 'teachable-machine') {
    const side = Math.min(image.displayWidth, image.displayHeight, size);
    return tf.tensor3d(await yuvSquare(image, side, fit), [side, side, 3], 'int32');
  }
  return tf.tidy(() => toSquarePixels(image, fit, size));
}

/**
 * Decodes and squares a frame: int32 RGB pixels [s, s, 3]. `cover` keeps the centre square (MobileNet),
 * `contain` pads the whole picture with black bars (pose: limbs at the edges count). The main thread has
 * usually squared the frame already; this makes other callers (Node, plain pixels) see the same.
 * Call inside `tf.tidy`.
 */
export function toSquarePixels(image: EngineImage, fit: Fit = 'cover', size = FRAME_SIZE): tf.Tensor3D {
  const gpu = tf.getBackend() === 'webgl' || tf.getBackend() === 'webgpu';
  if (typeof OffscreenCanvas !== 'undefined' && (isVideoFrame(image) || (isImageBitmap(image) && !gpu))) {
    const side = isVideoFrame(image)
      ? Math.min(image.displayWidth, image.displayHeight)
      : fit === 'contain'
        ? Math.max(image.width, image.height)
        : Math.min(image.width, image.height);
    return tf.browser.fromPixels(readSquare(image, Math.min(side, size), fit), 3);
  }
  // tfjs takes plain pixels only as a Uint8Array (a decoded picture's are a Uint8ClampedArray): same bytes.
  const pixels =
    isPixelData(image) && !(image.data instanceof Uint8Array)
      ? { ...image, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) }
      : image;
  const rgb = tf.browser.fromPixels(pixels as ImageBitmap, 3);
  const [h, w] = rgb.shape;
  if (h === w) return rgb;
  if (fit === 'contain') {
    const side = Math.max(h, w);
    const [top, left] = [Math.floor((side - h) / 2), Math.floor((side - w) / 2)];
    return tf.pad(rgb, [
      [top, side - h - top],
      [left, side - w - left],
      [0, 0],
    ]);
  }
  const side = Math.min(h, w);
  return tf.slice(rgb, [Math.floor((h - side) / 2), Math.floor((w - side) / 2), 0], [side, side, 3]);
}

/** A small RGBA preview of the square crop, for example lists. */
export async function thumbnail(square: tf.Tensor3D): Promise<PixelData> {
  const small = tf.tidy(() => {
    const rgb = tf.image.resizeBilinear(square, [THUMBNAIL_SIZE, THUMBNAIL_SIZE], true);
    const alpha = tf.fill([THUMBNAIL_SIZE, THUMBNAIL_SIZE, 1], 255);
    return tf.concat([rgb, alpha], 2).clipByValue(0, 255).toInt();
  });
  const data = Uint8ClampedArray.from(await small.data());
  small.dispose();
  return { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, data };
}

/** Counts a VideoFrame handed to the engine by a call (a camera's stream counts its own). */
export function taken(image: EngineImage): void {
  if (isVideoFrame(image)) receivedFrame();
}

/** Frames handed to the engine are its to close: the main thread transferred them. */
export function release(image: EngineImage): void {
  if (isVideoFrame(image)) closeFrame(image);
  else if (isImageBitmap(image)) image.close();
}
