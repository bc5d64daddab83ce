/** An example's 48×48 thumbnail (plain RGBA pixels from the worker) as a canvas. */
import type { PixelData } from '../protocol/frame';

export function thumbnailCanvas(pixels: PixelData): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  const image = new ImageData(pixels.width, pixels.height);
  image.data.set(pixels.data);
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return canvas;
}
