/**
 * Augmented crops of the real photos — what a user's recorded frames look like: the object shifted,
 * mirrored, a little brighter or darker. Seeded, so a failing test fails the same way every run.
 */
import type { PixelData } from '../../src/protocol/frame';
import { rng } from '../../src/bench/random';

export { rng };

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

export interface Placement {
  /** Side of the square canvas. @default 384 */
  size?: number;
  /** Width of the placed picture as a fraction of the canvas. */
  scale: number;
  /** Centre of the placed picture, as fractions of the canvas. */
  cx: number;
  cy: number;
  /** Rotation about its centre, in degrees (clockwise on screen). @default 0 */
  angle?: number;
  /** Mirror it left to right. @default false */
  flip?: boolean;
  /** A sub-rectangle of `src` to place instead of all of it: [x, y, width, height] in pixels. */
  region?: [number, number, number, number];
}

/**
 * `src` (or a region of it) scaled, rotated and moved onto a black square canvas (bilinear): a person seen
 * nearer or further, elsewhere in the frame, leaning, as a camera would show them.
 */
export function place(src: PixelData, p: Placement): PixelData {
  const size = p.size ?? 384;
  const [rx, ry, rw, rh] = p.region ?? [0, 0, src.width, src.height];
  const w = p.scale * size;
  const k = rw / w; // source pixels per canvas pixel
  const h = rh / k;
  const [cos, sin] = [Math.cos(((p.angle ?? 0) * Math.PI) / 180), Math.sin(((p.angle ?? 0) * Math.PI) / 180)];
  const data = new Uint8Array(size * size * 4);
  const at = (x: number, y: number, c: number) => src.data[(y * src.width + x) * 4 + c]!;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = (y * size + x) * 4;
      data[d + 3] = 255;
      // Canvas → placed picture's own frame (undo the move and the rotation), then → source pixels.
      const [dx, dy] = [x + 0.5 - p.cx * size, y + 0.5 - p.cy * size];
      let u = (cos * dx + sin * dy) / w + 0.5;
      const v = (-sin * dx + cos * dy) / h + 0.5;
      if (u < 0 || u >= 1 || v < 0 || v >= 1) continue;
      if (p.flip) u = 1 - u;
      const sx = Math.min(rx + u * rw - 0.5, rx + rw - 1.001);
      const sy = Math.min(ry + v * rh - 0.5, ry + rh - 1.001);
      const [x0, y0] = [Math.max(rx, Math.floor(sx)), Math.max(ry, Math.floor(sy))];
      const [fx, fy] = [Math.max(0, sx - x0), Math.max(0, sy - y0)];
      for (let c = 0; c < 3; c++) {
        const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
        const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
        data[d + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { width: size, height: size, data };
}
