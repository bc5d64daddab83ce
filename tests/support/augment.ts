/**
 * Augmented crops of the real photos — what a user's recorded frames look like: the object shifted,
 * mirrored, a little brighter or darker. Seeded, so a failing test fails the same way every run.
 */
import type { PixelData } from '../../src/protocol/types';

/** mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Augmentation {
  /** Crop side as a fraction of the photo's shorter side. */
  scale: number;
  /** Crop centre offset, as a fraction of the free room on each axis (-1..1). */
  dx: number;
  dy: number;
  flip: boolean;
  /** Multiplies every channel. */
  brightness: number;
}

export function randomAugmentation(next: () => number): Augmentation {
  return {
    scale: 0.65 + 0.3 * next(),
    dx: next() * 2 - 1,
    dy: next() * 2 - 1,
    flip: next() < 0.5,
    brightness: 0.75 + 0.5 * next(),
  };
}

/** A square crop of `src` with the augmentation applied (nearest-neighbour; the engine resizes). */
export function augment(src: PixelData, a: Augmentation): PixelData {
  const side = Math.max(1, Math.round(Math.min(src.width, src.height) * a.scale));
  const x0 = Math.round(((src.width - side) / 2) * (1 + a.dx));
  const y0 = Math.round(((src.height - side) / 2) * (1 + a.dy));
  const data = new Uint8Array(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const sx = x0 + (a.flip ? side - 1 - x : x);
      const s = ((y0 + y) * src.width + sx) * 4;
      const d = (y * side + x) * 4;
      for (let c = 0; c < 3; c++) data[d + c] = Math.min(255, src.data[s + c]! * a.brightness);
      data[d + 3] = 255;
    }
  }
  return { width: side, height: side, data };
}

/** `count` augmented crops of `src`, from a seed. */
export function crops(src: PixelData, count: number, seed: number): PixelData[] {
  const next = rng(seed);
  return Array.from({ length: count }, () => augment(src, randomAugmentation(next)));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}
