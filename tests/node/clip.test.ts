import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildClip,
  clipFrame,
  CLIP_LABELS,
  loadFixture,
  MARKER_COLOURS,
  markerLabel,
  POSITION_BAND,
  POSITION_BITS,
  positionFromBands,
  RECORD_FRAMES,
  type Clip,
} from '../support/clip';

const W = 640;
const H = 480;
const HEADER = 'YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg\n';
const FRAME_BYTES = 6 + W * H * 1.5;

interface YuvFrame {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

/** Reads frame `n` of a 640×480 4:2:0 Y4M without loading the whole file. */
async function readFrame(path: string, n: number): Promise<YuvFrame> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(FRAME_BYTES);
    await file.read(buf, 0, FRAME_BYTES, HEADER.length + n * FRAME_BYTES);
    expect(buf.subarray(0, 6).toString('latin1')).toBe('FRAME\n');
    const planes = buf.subarray(6);
    return {
      y: planes.subarray(0, W * H),
      u: planes.subarray(W * H, W * H * 1.25),
      v: planes.subarray(W * H * 1.25),
    };
  } finally {
    await file.close();
  }
}

/** BT.601 limited-range YUV → RGB at one pixel (what Chromium's fake camera does with the clip). */
function rgbAt({ y, u, v }: YuvFrame, px: number, py: number): [number, number, number] {
  const Y = (y[py * W + px]! - 16) * (255 / 219);
  const c = (py >> 1) * (W / 2) + (px >> 1);
  const U = u[c]! - 128;
  const V = v[c]! - 128;
  return [Y + 1.596027 * V, Y - 0.391762 * U - 0.812968 * V, Y + 2.017232 * U];
}

let dir: string;
let clip: Clip;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clip-test-'));
  clip = await buildClip({ out: join(dir, 'clip.y4m') });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('buildClip', () => {
  it('writes a Y4M of header + frames × (FRAME\\n + 640×480×1.5 bytes)', async () => {
    expect(clip.totalFrames).toBe(3 * 2 * 30);
    expect((await stat(clip.path)).size).toBe(HEADER.length + clip.totalFrames * FRAME_BYTES);
    const file = await open(clip.path, 'r');
    const { buffer } = await file.read(Buffer.alloc(HEADER.length), 0, HEADER.length, 0);
    await file.close();
    expect(buffer.toString('latin1')).toBe(HEADER);
  });

  it('has one contiguous segment per photo, in order', () => {
    expect(clip.segments.map((s) => s.label)).toEqual([...CLIP_LABELS]);
    expect(clip.segments.map((s) => [s.startFrame, s.endFrame])).toEqual([
      [0, 60],
      [60, 120],
      [120, 180],
    ]);
  });

  it("shows each segment's marker colour in the left strip, and the frame's position in the right", async () => {
    for (const seg of clip.segments) {
      for (const n of [seg.startFrame, seg.startFrame + 1, seg.startFrame + RECORD_FRAMES, seg.endFrame - 1]) {
        const frame = await readFrame(clip.path, n);
        for (const [x, y] of [
          [0, 0],
          [40, 240],
          [79, 479],
        ] as const) {
          const rgb = rgbAt(frame, x, y);
          expect(markerLabel(rgb), `frame ${n} at ${x},${y}`).toBe(seg.label);
          rgb.forEach((c, i) => expect(Math.abs(c - MARKER_COLOURS[seg.label][i]!)).toBeLessThan(4));
        }
        const bands = Array.from({ length: POSITION_BITS }, (_, bit) => rgbAt(frame, 600, bit * POSITION_BAND + 30));
        expect(positionFromBands(bands), `frame ${n}`).toBe(n - seg.startFrame);
        // Each band is black or white, far from the threshold, so a decoded video reads it the same.
        for (const rgb of bands) rgb.forEach((c) => expect(Math.min(Math.abs(c), Math.abs(c - 255))).toBeLessThan(4));
      }
    }
  });

  it('never repeats a frame within a segment, and the held-out frames differ from every recorded one', async () => {
    /** The centre square's luma as 48×48 block means: enough to tell views apart, small enough to compare all pairs. */
    const thumb = ({ y }: YuvFrame) => {
      const out = new Float64Array(48 * 48);
      for (let row = 0; row < 480; row++)
        for (let col = 0; col < 480; col++)
          out[Math.floor(row / 10) * 48 + Math.floor(col / 10)]! += y[row * W + 80 + col]! / 100;
      return out;
    };
    const diff = (a: Float64Array, b: Float64Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    for (const seg of clip.segments) {
      const frames: Float64Array[] = [];
      for (let n = seg.startFrame; n < seg.endFrame; n++) frames.push(thumb(await readFrame(clip.path, n)));
      const steps = frames.slice(1).map((f, i) => diff(frames[i]!, f));
      console.info(
        `${seg.label}: consecutive frames differ by ${Math.min(...steps).toFixed(2)}..${Math.max(...steps).toFixed(2)}`,
      );
      for (let i = 1; i < frames.length; i++)
        expect(diff(frames[i - 1]!, frames[i]!), `${seg.label} ${i}`).toBeGreaterThan(0.2);
      const recorded = frames.slice(0, RECORD_FRAMES);
      const heldOut = frames.slice(RECORD_FRAMES);
      // The nearest recorded frame to any held-out one is still a different picture.
      const nearest = Math.min(...heldOut.map((h) => Math.min(...recorded.map((r) => diff(h, r)))));
      console.info(
        `${seg.label}: a held-out frame differs from its nearest recorded frame by ${nearest.toFixed(2)} or more`,
      );
      expect(nearest, seg.label).toBeGreaterThan(0.2);
    }
  });

  it('shows a different photo in the centre square of each segment', async () => {
    const centres = await Promise.all(
      clip.segments.map(async (s) => {
        const { y } = await readFrame(clip.path, s.startFrame);
        const square = new Uint8Array(480 * 480);
        for (let row = 0; row < 480; row++) square.set(y.subarray(row * W + 80, row * W + 560), row * 480);
        return square;
      }),
    );
    const meanAbsDiff = (a: Uint8Array, b: Uint8Array) =>
      a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    expect(meanAbsDiff(centres[0]!, centres[1]!)).toBeGreaterThan(20);
    expect(meanAbsDiff(centres[1]!, centres[2]!)).toBeGreaterThan(20);
    expect(meanAbsDiff(centres[0]!, centres[2]!)).toBeGreaterThan(20);
  });

  it('reuses a clip that is already there', async () => {
    const before = (await stat(clip.path)).mtimeMs;
    const again = await buildClip({ out: clip.path });
    expect(again.path).toBe(clip.path);
    expect((await stat(clip.path)).mtimeMs).toBe(before);
  });

  it('rejects options that give no frames', async () => {
    await expect(buildClip({ secondsPerPhoto: 0, out: join(dir, 'none.y4m') })).rejects.toThrow(RangeError);
  });
});

describe('clipFrame', () => {
  it('writes each position into the right strip, and rejects positions outside the segment', () => {
    for (const position of [0, 1, 44, 45, 89]) {
      const { data } = clipFrame('coffee', position, 90);
      const bands = Array.from({ length: POSITION_BITS }, (_, bit) => {
        const i = ((bit * POSITION_BAND + 30) * W + 600) * 4;
        return [data[i]!, data[i + 1]!, data[i + 2]!] as const;
      });
      expect(positionFromBands(bands)).toBe(position);
    }
    expect(() => clipFrame('coffee', 90, 90)).toThrow(RangeError);
    expect(() => clipFrame('coffee', -1, 90)).toThrow(RangeError);
  });
});

describe('markerLabel', () => {
  it('maps each marker colour, and colours near it, to its label', () => {
    for (const label of CLIP_LABELS) {
      const [r, g, b] = MARKER_COLOURS[label];
      expect(markerLabel([r, g, b])).toBe(label);
      expect(markerLabel([r * 0.8 + 20, g * 0.8 + 20, b * 0.8 + 20])).toBe(label);
    }
  });
});

describe('loadFixture', () => {
  it('decodes PNG and JPEG photos to RGBA', () => {
    for (const [name, width, height] of [
      ['chelsea.png', 451, 300],
      ['coffee.png', 600, 400],
      ['rocket.jpg', 640, 427],
    ] as const) {
      const img = loadFixture(name);
      expect([img.width, img.height], name).toEqual([width, height]);
      expect(img.data).toBeInstanceOf(Uint8Array);
      expect(img.data.length).toBe(width * height * 4);
      expect(img.data[3]).toBe(255);
    }
  });

  it('names the fixtures folder when a photo is missing', () => {
    expect(() => loadFixture('nope.png')).toThrow(/shared[/\\]fixtures/);
  });
});
