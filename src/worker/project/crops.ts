/**
 * The picture the model saw, kept as a 224×224 JPEG with each example: a project can then be re-embedded
 * by another feature model, and the app can show it. Encoding needs OffscreenCanvas (browsers and their
 * workers); elsewhere (Node tests) examples simply have no crop.
 */
import * as tf from '@tensorflow/tfjs';
import type { PixelData } from '../../protocol/frame';
import { THUMBNAIL_SIZE } from '../intake/pixels';

export const CROP_SIZE = 224;
const JPEG_QUALITY = 0.85;

export const canEncodeCrops = (): boolean => typeof OffscreenCanvas !== 'undefined';

/** RGBA bytes of a square int32 RGB tensor, resized to `size`. */
async function rgba(square: tf.Tensor3D, size: number): Promise<Uint8ClampedArray<ArrayBuffer>> {
  const pixels = tf.tidy(() => {
    const resized = square.shape[0] === size ? square : tf.image.resizeBilinear(square, [size, size], true);
    const alpha = tf.fill([size, size, 1], 255, 'int32');
    return tf.concat([resized.toInt(), alpha], 2).clipByValue(0, 255);
  });
  try {
    return Uint8ClampedArray.from(await pixels.data());
  } finally {
    pixels.dispose();
  }
}

/** The square as a CROP_SIZE JPEG, or null where this platform cannot encode one. */
export async function encodeCrop(square: tf.Tensor3D): Promise<Blob | null> {
  if (!canEncodeCrops()) return null;
  const canvas = new OffscreenCanvas(CROP_SIZE, CROP_SIZE);
  canvas.getContext('2d')!.putImageData(new ImageData(await rgba(square, CROP_SIZE), CROP_SIZE, CROP_SIZE), 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
}

/** A stored crop back as pixels; throws a RangeError naming the example when it does not decode. */
export async function decodeCrop(crop: Blob, what: string): Promise<PixelData> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(crop);
  } catch (e) {
    throw new RangeError(`${what} is not a picture this browser can decode (${(e as Error).message}).`, { cause: e });
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(bitmap, 0, 0);
    const { data, width, height } = g.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}

/** A canvas to read thumbnails back from; one can serve any number of `thumbnailOf` calls in turn. */
export const thumbnailCanvas = (): OffscreenCanvasRenderingContext2D =>
  new OffscreenCanvas(THUMBNAIL_SIZE, THUMBNAIL_SIZE).getContext('2d', { willReadFrequently: true })!;

/**
 * A stored crop as the example's small RGBA thumbnail; throws when it does not decode. Opening thousands
 * of examples passes one canvas `g` per decoding lane rather than making a canvas for each.
 */
export async function thumbnailOf(crop: Blob, g = thumbnailCanvas()): Promise<PixelData> {
  const bitmap = await createImageBitmap(crop, {
    resizeWidth: THUMBNAIL_SIZE,
    resizeHeight: THUMBNAIL_SIZE,
    resizeQuality: 'medium',
  });
  try {
    g.clearRect(0, 0, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
    g.drawImage(bitmap, 0, 0);
    const { data, width, height } = g.getImageData(0, 0, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
