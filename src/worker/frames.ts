/**
 * Frames → tensors. The main thread already centre-crops and resizes to 224×224; this file still
 * accepts any size (and centre-crops it) so plain pixels from tests or other callers behave the same.
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineImage, PixelData } from '../protocol/types';

export const INPUT_SIZE = 224;
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

/** Throws a TypeError/RangeError that says what was wrong with a frame and what to pass instead. */
export function checkImage(image: unknown): asserts image is EngineImage {
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
 * Decodes and squares a frame: int32 RGB pixels [s, s, 3]. `cover` keeps the centre square (MobileNet),
 * `contain` pads the whole picture with black bars (pose: limbs at the edges count). The main thread has
 * usually squared the frame already; this makes other callers (Node, plain pixels) see the same.
 * Call inside `tf.tidy`.
 */
export function toSquarePixels(image: EngineImage, fit: 'cover' | 'contain' = 'cover'): tf.Tensor3D {
  const rgb = tf.browser.fromPixels(image as ImageBitmap, 3);
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

/** Frames handed to the engine are its to close: the main thread transferred them. */
export function release(image: EngineImage): void {
  if (isImageBitmap(image)) image.close();
}
