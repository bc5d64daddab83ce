/**
 * A fake camera for Chromium made from the real photos in `<repo>/../shared/fixtures`: a Y4M clip for
 * `--use-file-for-fake-video-capture=<path>`, plus `loadFixture()` for tests that want the photos as pixels.
 *
 * Frame layout (640×480): the photo, centre-cropped to a square, fills x 80..559; the left strip x 0..79
 * is the segment's solid marker colour, the right strip x 560..639 mid-grey. The app centre-crops frames
 * to a square, so the model never sees the strips, while a test can read the left strip from the
 * `<video>` to know which photo is on screen, independently of any model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { PixelData } from '../../src/protocol/types';

export const CLIP_LABELS = ['chelsea', 'coffee', 'rocket'] as const;
export type ClipLabel = (typeof CLIP_LABELS)[number];

/** Left-strip colour of each segment: far apart, and not black, white or grey (what a stalled or missing camera shows). */
export const MARKER_COLOURS: Record<ClipLabel, [number, number, number]> = {
  chelsea: [240, 16, 16],
  coffee: [16, 224, 16],
  rocket: [16, 16, 240],
};

export const CLIP_WIDTH = 640;
export const CLIP_HEIGHT = 480;
/** Width of each side strip; the photo square sits between them. */
export const STRIP_WIDTH = (CLIP_WIDTH - CLIP_HEIGHT) / 2;
const GREY = [128, 128, 128] as const;

const FIXTURES = resolve(fileURLToPath(new URL('../..', import.meta.url)), '..', 'shared', 'fixtures');
const PHOTO_FILES: Record<ClipLabel, string> = { chelsea: 'chelsea.png', coffee: 'coffee.png', rocket: 'rocket.jpg' };

export interface ClipOptions {
  /** How long each photo stays on screen, in seconds. @default 3 */
  secondsPerPhoto?: number;
  /** Frames per second written into the clip. @default 30 */
  fps?: number;
  /** Where the .y4m goes (absolute path is best: Chromium needs one). @default <os.tmpdir()>/trainwhistle-clip/clip.y4m */
  out?: string;
}

export interface ClipSegment {
  label: ClipLabel;
  /** First frame showing this photo. */
  startFrame: number;
  /** One past the last frame showing it (exclusive). */
  endFrame: number;
}

export interface Clip {
  /** Absolute path of the .y4m file. */
  path: string;
  segments: ClipSegment[];
  /** Frames in the clip; Chromium loops it, so frame n shows at n mod totalFrames. */
  totalFrames: number;
  fps: number;
}

/**
 * Writes (or reuses, when one of the right header and size is already there) the fake-camera clip.
 * @example
 * const { path } = await buildClip();
 * chromium.launch({ args: ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${path}`] });
 */
export async function buildClip(opts: ClipOptions = {}): Promise<Clip> {
  const secondsPerPhoto = opts.secondsPerPhoto ?? 3;
  const fps = opts.fps ?? 30;
  if (!Number.isInteger(fps) || fps <= 0) throw new RangeError(`fps must be a positive integer, got ${fps}`);
  const framesPerPhoto = Math.round(secondsPerPhoto * fps);
  if (framesPerPhoto < 1)
    throw new RangeError(`secondsPerPhoto × fps must give at least one frame, got ${secondsPerPhoto} × ${fps}`);
  const path = resolve(opts.out ?? join(tmpdir(), 'trainwhistle-clip', 'clip.y4m'));

  const segments = CLIP_LABELS.map((label, i) => ({
    label,
    startFrame: i * framesPerPhoto,
    endFrame: (i + 1) * framesPerPhoto,
  }));
  const totalFrames = framesPerPhoto * CLIP_LABELS.length;
  const header = Buffer.from(y4mHeader(fps), 'latin1');
  const frameBytes = FRAME_TAG.length + (CLIP_WIDTH * CLIP_HEIGHT * 3) / 2;
  const expectedSize = header.length + totalFrames * frameBytes;

  if (!(await isCached(path, header, expectedSize))) {
    await mkdir(dirname(path), { recursive: true });
    // Write beside the target and rename, so a concurrent test never reads a half-written clip.
    const partial = `${path}.${process.pid}.${Date.now()}.partial`;
    const file = await open(partial, 'w');
    let complete = false;
    try {
      await file.write(header);
      for (const label of CLIP_LABELS) {
        const frame = Buffer.concat([FRAME_TAG, rgbaToI420(clipFrame(label))]);
        // Repeating a run of frames keeps the number of write calls small.
        const run = Math.min(framesPerPhoto, 30);
        const chunk = Buffer.concat(new Array<Buffer>(run).fill(frame));
        for (let written = 0; written < framesPerPhoto; written += run) {
          const n = Math.min(run, framesPerPhoto - written);
          await file.write(chunk, 0, n * frame.length);
        }
      }
      complete = true;
    } finally {
      await file.close();
      if (!complete) await rm(partial, { force: true });
    }
    await rename(partial, path);
  }
  return { path, segments, totalFrames, fps };
}

/** The label whose marker colour is nearest to `rgb` (e.g. a pixel read from the left strip). */
export function markerLabel(rgb: [number, number, number]): ClipLabel {
  let best: ClipLabel = CLIP_LABELS[0];
  let bestDistance = Infinity;
  for (const label of CLIP_LABELS) {
    const [r, g, b] = MARKER_COLOURS[label];
    const distance = (rgb[0] - r) ** 2 + (rgb[1] - g) ** 2 + (rgb[2] - b) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = label;
    }
  }
  return best;
}

/**
 * Decodes a photo from `<repo>/../shared/fixtures` (PNG or JPEG) to RGBA.
 * @example const cat = loadFixture('chelsea.png'); // {width: 451, height: 300, data}
 */
export function loadFixture(name: string): PixelData {
  const file = join(FIXTURES, name);
  if (!existsSync(file)) {
    throw new Error(`Fixture not found: ${file}. The test photos live in ${FIXTURES} (see its README.md).`);
  }
  return decodeImage(file);
}

/** One frame of the clip's `label` segment as RGBA, exactly what is converted to YUV for the file. */
export function clipFrame(label: ClipLabel): PixelData {
  const photo = loadFixture(PHOTO_FILES[label]);
  const data = new Uint8Array(CLIP_WIDTH * CLIP_HEIGHT * 4);
  const marker = MARKER_COLOURS[label];
  for (let y = 0; y < CLIP_HEIGHT; y++) {
    for (let x = 0; x < CLIP_WIDTH; x++) {
      const colour = x < STRIP_WIDTH ? marker : x >= STRIP_WIDTH + CLIP_HEIGHT ? GREY : null;
      if (colour) data.set([colour[0], colour[1], colour[2], 255], (y * CLIP_WIDTH + x) * 4);
    }
  }
  drawSquareCrop(photo, data, STRIP_WIDTH, CLIP_HEIGHT);
  return { width: CLIP_WIDTH, height: CLIP_HEIGHT, data };
}

function decodeImage(file: string): PixelData {
  const bytes = readFileSync(file);
  const ext = extname(file).toLowerCase();
  if (ext === '.png') {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
  }
  if (ext === '.jpg' || ext === '.jpeg') {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new TypeError(`Cannot decode ${file}: only .png, .jpg and .jpeg fixtures are supported.`);
}

/** Centre-crops `src` to a square and draws it, bilinearly resized, at (x0, 0) size×size into a CLIP_WIDTH-wide RGBA buffer. */
function drawSquareCrop(src: PixelData, dst: Uint8Array, x0: number, size: number): void {
  const side = Math.min(src.width, src.height);
  const offX = (src.width - side) / 2;
  const offY = (src.height - side) / 2;
  const scale = side / size;
  for (let y = 0; y < size; y++) {
    // Pixel centres map to pixel centres (as resizeBilinear with halfPixelCenters).
    const sy = clamp(offY + (y + 0.5) * scale - 0.5, 0, src.height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const sx = clamp(offX + (x + 0.5) * scale - 0.5, 0, src.width - 1);
      const xa = Math.floor(sx);
      const xb = Math.min(xa + 1, src.width - 1);
      const fx = sx - xa;
      const out = (y * CLIP_WIDTH + x0 + x) * 4;
      for (let c = 0; c < 3; c++) {
        const top = src.data[(y0 * src.width + xa) * 4 + c]! * (1 - fx) + src.data[(y0 * src.width + xb) * 4 + c]! * fx;
        const bottom =
          src.data[(y1 * src.width + xa) * 4 + c]! * (1 - fx) + src.data[(y1 * src.width + xb) * 4 + c]! * fx;
        dst[out + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
      dst[out + 3] = 255;
    }
  }
}

const FRAME_TAG = Buffer.from('FRAME\n', 'latin1');

function y4mHeader(fps: number): string {
  return `YUV4MPEG2 W${CLIP_WIDTH} H${CLIP_HEIGHT} F${fps}:1 Ip A1:1 C420jpeg\n`;
}

/**
 * RGBA → planar Y, U, V (4:2:0, each chroma sample the mean of its 2×2 block), BT.601 limited ("studio")
 * range: Y 16..235, U/V 16..240. Width and height must be even.
 *
 * Limited, not full (JPEG) range, because that is how Chromium's fake camera decodes a Y4M (`C420jpeg` names
 * the chroma siting, not the range; Y4M without `XCOLORRANGE=FULL` means limited). Measured: with full-range
 * data, (240,16,16) came back as (255,2,2) and grey 128 as 130, contrast stretched by 255/219; with limited
 * range the page sees the photo's own pixel values, give or take rounding.
 */
function rgbaToI420({ width, height, data }: PixelData): Buffer {
  const out = Buffer.alloc((width * height * 3) / 2);
  const cw = width / 2;
  const uOffset = width * height;
  const vOffset = uOffset + cw * (height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      out[y * width + x] = clampByte(16 + (65.481 * data[i]! + 128.553 * data[i + 1]! + 24.966 * data[i + 2]!) / 255);
    }
  }
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((2 * cy + dy) * width + 2 * cx + dx) * 4;
        r += data[i]!;
        g += data[i + 1]!;
        b += data[i + 2]!;
      }
      // The transform is linear, so converting the block's mean RGB equals averaging per-pixel U and V.
      r /= 4;
      g /= 4;
      b /= 4;
      out[uOffset + cy * cw + cx] = clampByte(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      out[vOffset + cy * cw + cx] = clampByte(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return out;
}

async function isCached(path: string, header: Buffer, expectedSize: number): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (info?.size !== expectedSize) return false;
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(header.length), 0, header.length, 0);
    return bytesRead === header.length && buffer.equals(header);
  } finally {
    await file.close();
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function clampByte(v: number): number {
  return clamp(Math.round(v), 0, 255);
}
