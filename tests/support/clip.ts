/**
 * A fake camera for Chromium made from the real photos in `<repo>/../shared/fixtures`: a Y4M clip for
 * `--use-file-for-fake-video-capture=<path>`, plus `loadFixture()` for tests that want the photos as pixels.
 *
 * Frame layout (640×480): a square view of the photo fills x 80..559; the left strip x 0..79 is the
 * segment's solid marker colour; the right strip x 560..639 carries the frame's position in its segment
 * as 8 black/white bands (bit k in rows 60k..60k+59, white = 1). The app centre-crops frames to a square,
 * so the model never sees the strips, while a test can read them from the `<video>` to know which photo
 * is on screen and which frame of it, independently of any model.
 *
 * No two frames of a segment are alike: the view zooms in slowly (from a square as large as the photo's
 * shorter side to `1 - ZOOM` of it) while panning across the photo. Tests record examples only from the first
 * `RECORD_FRAMES` frames of a segment and judge predictions only on the frames after them, so what is
 * judged was never seen in training.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { PixelData } from '../../src/protocol/frame';

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
/** Bits of the frame-position code in the right strip (positions 0..255). */
export const POSITION_BITS = 8;
/** Height of one band of the position code. */
export const POSITION_BAND = CLIP_HEIGHT / POSITION_BITS;
/** Seconds each photo stays on screen, and frames per second, by default. */
export const SECONDS_PER_PHOTO = 2;
export const CLIP_FPS = 30;
/** Frames of each segment at the defaults. */
export const FRAMES_PER_PHOTO = SECONDS_PER_PHOTO * CLIP_FPS;
/**
 * Tests record examples from positions 0..RECORD_FRAMES-1 of a segment and judge predictions only on
 * positions RECORD_FRAMES.. (held out): half of each segment, 1 s, each.
 */
export const RECORD_FRAMES = FRAMES_PER_PHOTO / 2;
/** How far the view zooms in over a segment: from a square as large as the photo's shorter side to (1 − ZOOM) of it. */
export const ZOOM = 0.2;
/** Bumped whenever the frames change, so that a clip cached by an older version is never reused. */
const CLIP_VERSION = 3;

const FIXTURES = resolve(fileURLToPath(new URL('../..', import.meta.url)), '..', 'shared', 'fixtures');
const PHOTO_FILES: Record<ClipLabel, string> = { chelsea: 'chelsea.png', coffee: 'coffee.png', rocket: 'rocket.jpg' };

export interface ClipOptions {
  /** How long each photo stays on screen, in seconds. @default 2 (SECONDS_PER_PHOTO) */
  secondsPerPhoto?: number;
  /** Frames per second written into the clip. @default 30 (CLIP_FPS) */
  fps?: number;
  /** Where the .y4m goes (absolute path is best: Chromium needs one). @default <os.tmpdir()>/trainwhistle-clip/clip-v<version>.y4m */
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
  const secondsPerPhoto = opts.secondsPerPhoto ?? SECONDS_PER_PHOTO;
  const fps = opts.fps ?? CLIP_FPS;
  if (!Number.isInteger(fps) || fps <= 0) throw new RangeError(`fps must be a positive integer, got ${fps}`);
  const framesPerPhoto = Math.round(secondsPerPhoto * fps);
  if (framesPerPhoto < 1)
    throw new RangeError(`secondsPerPhoto × fps must give at least one frame, got ${secondsPerPhoto} × ${fps}`);
  if (framesPerPhoto > 2 ** POSITION_BITS)
    throw new RangeError(
      `A segment can have at most ${2 ** POSITION_BITS} frames (the position code has ${POSITION_BITS} bits), got ${framesPerPhoto}`,
    );
  const path = resolve(opts.out ?? join(tmpdir(), 'trainwhistle-clip', `clip-v${CLIP_VERSION}.y4m`));

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
        const photo = loadFixture(PHOTO_FILES[label]);
        for (let position = 0; position < framesPerPhoto; position++) {
          await file.write(Buffer.concat([FRAME_TAG, rgbaToI420(clipFrame(label, position, framesPerPhoto, photo))]));
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

/**
 * Frame `position` (0-based) of the clip's `label` segment of `framesPerPhoto` frames, as RGBA: exactly what
 * is converted to YUV for the file.
 */
export function clipFrame(
  label: ClipLabel,
  position = 0,
  framesPerPhoto = FRAMES_PER_PHOTO,
  photo: PixelData = loadFixture(PHOTO_FILES[label]),
): PixelData {
  if (!(Number.isInteger(position) && position >= 0 && position < framesPerPhoto && position < 2 ** POSITION_BITS))
    throw new RangeError(`position must be a whole number in 0..${framesPerPhoto - 1}, got ${position}`);
  const data = new Uint8Array(CLIP_WIDTH * CLIP_HEIGHT * 4);
  const marker = MARKER_COLOURS[label];
  for (let y = 0; y < CLIP_HEIGHT; y++) {
    const bit = (position >> Math.floor(y / POSITION_BAND)) & 1 ? 255 : 0;
    for (let x = 0; x < STRIP_WIDTH; x++) {
      const left = (y * CLIP_WIDTH + x) * 4;
      const right = left + (STRIP_WIDTH + CLIP_HEIGHT) * 4;
      [data[left], data[left + 1], data[left + 2], data[left + 3]] = [marker[0], marker[1], marker[2], 255];
      [data[right], data[right + 1], data[right + 2], data[right + 3]] = [bit, bit, bit, 255];
    }
  }
  drawView(
    photo,
    data,
    STRIP_WIDTH,
    CLIP_HEIGHT,
    view(photo, framesPerPhoto > 1 ? position / (framesPerPhoto - 1) : 0),
  );
  return { width: CLIP_WIDTH, height: CLIP_HEIGHT, data };
}

/** The position a frame's right strip says, from the RGB of the middle of each band (e.g. read back from a video). */
export function positionFromBands(bands: readonly (readonly [number, number, number])[]): number {
  return bands.reduce((n, [r, g, b], bit) => n | ((r + g + b) / 3 >= 128 ? 1 << bit : 0), 0);
}

/**
 * The square of the photo shown at `u` (0 at a segment's first frame, 1 at its last): its side shrinks from
 * the photo's shorter side to (1 − ZOOM) of it, and it drifts from up-left to down-right across the middle
 * quarter of the room the photo leaves around it, so no two frames of a segment show the same picture.
 */
function view(photo: PixelData, u: number): { x: number; y: number; side: number } {
  const side = Math.min(photo.width, photo.height) * (1 - ZOOM * u);
  const drift = (room: number) => room / 2 + (u - 0.5) * (room / 4);
  return { x: drift(photo.width - side), y: drift(photo.height - side), side };
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

/** Draws the square `crop` of `src`, bilinearly resized, at (x0, 0) size×size into a CLIP_WIDTH-wide RGBA buffer. */
function drawView(
  src: PixelData,
  dst: Uint8Array,
  x0: number,
  size: number,
  crop: { x: number; y: number; side: number },
): void {
  const scale = crop.side / size;
  const { width, height, data } = src;
  // Pixel centres map to pixel centres (as resizeBilinear with halfPixelCenters). Columns are the same for every row.
  const columns = Array.from({ length: size }, (_, x) => {
    const sx = clamp(crop.x + (x + 0.5) * scale - 0.5, 0, width - 1);
    const xa = Math.floor(sx);
    return { a: xa * 4, b: Math.min(xa + 1, width - 1) * 4, f: sx - xa };
  });
  for (let y = 0; y < size; y++) {
    const sy = clamp(crop.y + (y + 0.5) * scale - 0.5, 0, height - 1);
    const y0 = Math.floor(sy);
    const row0 = y0 * width * 4;
    const row1 = Math.min(y0 + 1, height - 1) * width * 4;
    const fy = sy - y0;
    for (let x = 0; x < size; x++) {
      const { a, b, f: fx } = columns[x]!;
      const out = (y * CLIP_WIDTH + x0 + x) * 4;
      for (let c = 0; c < 3; c++) {
        const top = data[row0 + a + c]! * (1 - fx) + data[row0 + b + c]! * fx;
        const bottom = data[row1 + a + c]! * (1 - fx) + data[row1 + b + c]! * fx;
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
      // The 2×2 block's four pixels: (x, y), (x + 1, y), (x, y + 1), (x + 1, y + 1).
      const i = (2 * cy * width + 2 * cx) * 4;
      const j = i + width * 4;
      let r = data[i]! + data[i + 4]! + data[j]! + data[j + 4]!;
      let g = data[i + 1]! + data[i + 5]! + data[j + 1]! + data[j + 5]!;
      let b = data[i + 2]! + data[i + 6]! + data[j + 2]! + data[j + 6]!;
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
